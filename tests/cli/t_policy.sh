#!/usr/bin/env bash
# Command-line tests of where a scan takes its policy from (issue 18): rule files a
# repository's .leakscan.yaml names stay inside it (item 17), `git --config-from REV` takes
# .leakscan.yaml and .leakscanignore from the base revision so that a pull request cannot
# allowlist its own leak (item 17), and an enclosing repository of another user is not trusted
# (item 5).
. "$(dirname "$0")/lib.sh"
export GIT_OPTIONAL_LOCKS=0

# a host file that is not YAML; its content must never reach stderr
HOST_MARK='FAKEHASHq9Zx'
fake_host_file() { printf 'root:$y$j9T$%s:19000:0:99999:7:::\n' "$HOST_MARK" > "$1"; }

# expect_refused NEEDLE: exit 2, one line on stderr holding NEEDLE and nothing of the host file
expect_refused() {
	expect_rc 2
	expect_err_has "$1"
	expect_err_lacks "$HOST_MARK"
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "one line expected: $ERR"
}

test_item17_rule_files_outside() {
	fake_host_file "$WORK/shadow"
	git init -q r && cd r
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	# absolute paths and '..' are refused without being read
	printf 'rule_files: ["%s"]\n' "$WORK/shadow" > .leakscan.yaml
	lst scan .
	expect_refused ".leakscan.yaml:1: rule file '$WORK/shadow': an absolute path is not allowed here"
	printf 'rule_files: [/dev/zero]\n' > .leakscan.yaml
	lst scan .
	expect_refused "rule file '/dev/zero': an absolute path is not allowed here"
	printf 'rule_files:\n  - sub/../../shadow\n' > .leakscan.yaml
	lst scan .
	expect_refused ".leakscan.yaml:2: rule file 'sub/../../shadow': '..' is not allowed here"
	# a symbolic link out of the repository, to a file or to a device
	ln -s ../shadow out.yaml
	ln -s /dev/zero zero.yaml
	printf 'rule_files: [out.yaml]\n' > .leakscan.yaml
	lst scan .
	expect_refused "rule file 'out.yaml': resolves outside '$(pwd -P)'"
	printf 'rule_files: [zero.yaml]\n' > .leakscan.yaml
	lst scan .
	expect_refused "rule file 'zero.yaml': resolves outside"
	# a directory of rule files is read file by file, under the same checks
	mkdir rules.d && ln -s ../../shadow rules.d/x.yaml
	printf 'rule_files: [rules.d]\n' > .leakscan.yaml
	lst scan .
	expect_refused "rule file 'rules.d/x.yaml': resolves outside"
	rm rules.d/x.yaml
	# a FIFO inside: refused at once, never opened for reading
	mkfifo pipe.yaml
	printf 'rule_files: [pipe.yaml]\n' > .leakscan.yaml
	ls_run() { OUT=$(timeout 20 "$LEAKSCAN" "$@" 2>"$WORK/.stderr"); RC=$?; ERR=$(cat "$WORK/.stderr"); }
	lst scan .
	expect_refused "rule file 'pipe.yaml': not a regular file"
	# a device node inside (root can make one)
	if mknod null.yaml c 1 3 2>/dev/null; then
		printf 'rule_files: [null.yaml]\n' > .leakscan.yaml
		lst scan .
		expect_refused "rule file 'null.yaml': not a regular file"
	fi
	# a huge rule file: refused by its size, before it is read
	truncate -s 2M big.yaml
	printf 'rule_files: [big.yaml]\n' > .leakscan.yaml
	lst scan .
	expect_refused "rule file 'big.yaml': larger than 1048576 bytes"
	# the configuration itself may not lead out either
	rm .leakscan.yaml && ln -s ../shadow .leakscan.yaml
	lst scan .
	expect_refused ".leakscan.yaml: resolves outside"
	rm .leakscan.yaml
	# rule files inside, through a link that stays inside, still load
	mkdir -p ci && cp "$RULES" ci/extra.yaml && sed -i 's/test-/extra-/' ci/extra.yaml && ln -s ci/extra.yaml in.yaml
	printf 'rule_files: [./in.yaml, rules.d]\n' > .leakscan.yaml
	lst scan a.txt
	expect_rc 1
	expect_out_has "extra-aws-key"
	# a configuration the user names may name any rule file, but a file that is not YAML is
	# not echoed: the key is shown only when it is a short plain identifier
	printf 'rule_files: ["%s"]\n' "$WORK/shadow" > "$WORK/mine.yaml"
	lst scan --config "$WORK/mine.yaml" a.txt
	expect_refused "$WORK/shadow:1: unknown top-level field (expected 'rules')"
	printf 'rule_files: ["%s"]\n' "$(pwd -P)/ci/extra.yaml" > "$WORK/mine.yaml"
	lst scan --config "$WORK/mine.yaml" a.txt
	expect_rc 1
	expect_out_has "extra-aws-key"
}

# main holds the policy; branch pr adds a key and tries to allowlist it itself
pr_repo() {
	git init -q r && cd r
	printf 'hello\n' > a.txt
	printf 'version: 1\n' > .leakscan.yaml
	git add . && git commit -qm base
	git checkout -qb pr
	printf 'aws = %s\n' "$AWS_KEY" > creds.env
	git add creds.env && git commit -qm "add creds"
}

test_item17_config_from() {
	pr_repo
	printf 'version: 1\nallow:\n  - paths: [creds.env]\n' > .leakscan.yaml
	git commit -qam "allowlist my own key"
	lst git --range main..pr
	expect_rc 0
	lst git --range main..pr --config-from main
	expect_rc 1
	expect_out_has "creds.env:1:7: test-aws-key"
	# the work tree is never read: even a deleted or broken policy there does not matter
	printf 'allow: [ {paths: [x]\n' > .leakscan.yaml
	lst git --range main..pr --config-from main
	expect_rc 1
	# what REV holds is used: its allowlist, rules named by its rule_files
	git checkout -q -f main
	mkdir ci && sed 's/test-/base-/' "$RULES" > ci/rules.yaml
	printf 'rule_files: [ci/rules.yaml]\nallow:\n  - paths: [a.txt]\n' > .leakscan.yaml
	git add . && git commit -qm "base policy"
	git rm -qr ci && git commit -qm "rules gone from the work tree"
	lst git --range main~2..pr --config-from main~1
	expect_rc 1
	expect_out_has "base-aws-key"
	# a bad revision: one line, exit 2
	lst git --range main..pr --config-from no-such-rev
	expect_rc 2
	expect_err_has "--config-from 'no-such-rev': not a revision of"
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "one line expected: $ERR"
	lst git --config-from main --config x.yaml
	expect_rc 2
	expect_err_has "--config-from cannot be combined with --config"
}

test_item17_config_from_ignore_file() {
	pr_repo
	lst git --range main..pr -f jsonl
	expect_rc 1
	fp=$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["fingerprint"])')
	printf '%s\n' "$fp" > .leakscanignore
	git add .leakscanignore && git commit -qm "ignore my own key"
	lst git --range main..pr
	expect_rc 0
	lst git --range main..pr --config-from main
	expect_rc 1
	expect_out_has "creds.env:1:7: test-aws-key"
}

test_item17_config_from_rule_files_stay_in_the_tree() {
	fake_host_file "$WORK/shadow"
	git init -q r && cd r
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	ln -s "$WORK/shadow" link.yaml
	truncate -s 2M big.yaml
	git add . && git commit -qm one
	for spec in "\"$WORK/shadow\"|$WORK/shadow': an absolute path is not allowed here" "../shadow|../shadow': '..' is not allowed here" \
	            "link.yaml|link.yaml': not a regular file" "big.yaml|big.yaml': larger than 1048576 bytes" \
	            "none.yaml|none.yaml': no such file or directory"; do
		printf 'rule_files: [%s]\n' "${spec%%|*}" > .leakscan.yaml
		git add .leakscan.yaml && git commit -qm "rules ${spec%%|*}"
		lst git --range HEAD~1..HEAD --config-from HEAD
		expect_refused "HEAD:.leakscan.yaml:1: rule file '${spec#*|}"
	done
}

test_item5_foreign_parent() {
	if [ "$(id -u)" != 0 ]; then
		echo "    skip: needs root to give a repository to another user (chown)" >&2
		return 0
	fi
	# a repository of user nobody encloses the directory scanned; everything it could say
	# to hide a file is there: info/exclude, .gitignore, .leakscan.yaml, .leakscanignore
	git init -q p
	printf '*\n' > p/.git/info/exclude
	printf '*\n' > p/.gitignore
	printf 'allow:\n  - paths: ["**"]\n' > p/.leakscan.yaml
	mkdir p/victim && printf 'aws = %s\n' "$AWS_KEY" > p/victim/creds.env
	chown -R nobody p/.git p/.gitignore p/.leakscan.yaml
	lst scan p/victim
	expect_rc 1
	expect_out_has "p/victim/creds.env:1:7: test-aws-key"
	expect_err_has "warning: repository '$(pwd -P)/p' is owned by uid $(id -u nobody), not by you (git calls it dubious): its ignore rules, .leakscan.yaml and .leakscanignore are not used"
	expect_eq "$(printf '%s\n' "$ERR" | grep -c warning)" 1 "warning lines"
	# the same from inside it
	(cd p/victim && lst scan . && expect_rc 1)
	# safe.directory makes it the user's, as for git
	git config --global --add safe.directory "$(pwd -P)/p"
	lst scan p/victim
	expect_rc 0
	expect_err_lacks "dubious"
	git config --global --unset-all safe.directory
}

test_item5_foreign_repo_history() {
	if [ "$(id -u)" != 0 ]; then
		echo "    skip: needs root to give a repository to another user (chown)" >&2
		return 0
	fi
	# `git` on another user's repository, named explicitly: its history is scanned (read
	# only, nothing runs), its policy files are not used, and stderr says so
	git init -q r && cd r
	printf 'aws = %s\n' "$AWS_KEY" > creds.env
	printf 'allow:\n  - paths: ["**"]\n' > .leakscan.yaml
	git add . && git commit -qm one
	cd .. && chown -R nobody r
	lst git r
	expect_rc 1
	expect_out_has "creds.env:1:7: test-aws-key"
	expect_err_has "warning: repository '$(pwd -P)/r' is owned by uid $(id -u nobody), not by you"
	# its committed policy can still be chosen explicitly (the work tree is not read: no note)
	lst git r --config-from HEAD
	expect_rc 0
	expect_err_lacks "dubious"
}

run_tests
