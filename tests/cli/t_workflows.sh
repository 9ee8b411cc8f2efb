#!/bin/bash
# The three workflows as a new user meets them (issue 19): CI range gates in shallow clones,
# dates for --since.
. "$(dirname "$0")/lib.sh"

# A repository: c1, c2, then c3 adds a key id, then c4; a side branch from c2 adds another.
make_history() {
	git init -q r && cd r || return
	echo one > a.txt && git add a.txt && git commit -qm c1
	echo two > b.txt && git add b.txt && git commit -qm c2
	git branch side
	echo "aws_access_key_id = $AWS_KEY" > main.env && git add main.env && git commit -qm c3
	echo four > d.txt && git add d.txt && git commit -qm c4
	git checkout -q side && echo "aws_access_key_id = $AWS_KEY2" > side.env && git add side.env && git commit -qm s1
	git checkout -q main && cd ..
}

test_issue19_item4_range_errors_name_the_shallow_clone() {
	make_history
	local base
	base=$(git -C r rev-parse HEAD~2)
	git clone -q --depth 1 "file://$PWD/r" sh
	cd sh || return
	for range in "$base..HEAD" "deadbeef..HEAD" "HEAD~3...HEAD"; do
		lst git -q --range "$range" .
		expect_rc 2
		expect_err_has "--range: unknown revision '${range%%..*}': this clone is shallow"
		expect_err_has "fetch-depth: 0"
		expect_err_lacks "is not a range"
	done
	lst git -q --range HEAD .
	expect_rc 2
	expect_err_has "'HEAD' is not a range: give A..B"
	# the whole history of a shallow clone cannot be said clean: exit 2 unless findings (c3's
	# key is still in the tip), and the warning says why
	lst git -q .
	expect_rc 1
	expect_err_has "is a shallow clone; history beyond its boundary is not scanned (exit status 2 unless findings"
	# a range inside what a deeper clone holds is whole: no warning, exit 0
	cd .. && git clone -q --depth 3 "file://$PWD/r" sh3 && cd sh3 || return
	lst git -q --range HEAD~1..HEAD .
	expect_rc 0
	expect_eq "$ERR" ""
	# one that reaches the boundary says so
	lst git -q --since 2000-01-01 .
	expect_rc 1
	expect_err_has "the range reaches its boundary"
}

test_issue19_item4_three_dot_range_is_from_the_merge_base() {
	make_history
	cd r || return
	# what main adds since it forked from side: c3's key, not the side branch's
	lst git -q -f jsonl --range side...main .
	expect_rc 1
	expect_out_has "main.env"
	expect_out_lacks "side.env"
	lst git -q -f jsonl --range main...side .
	expect_rc 1
	expect_out_has "side.env"
	expect_out_lacks "main.env"
	# A..B differs: what side has that main has not is the same here, and HEAD stands for an empty end
	lst git -q -f jsonl --range side..
	expect_rc 1
	expect_out_has "main.env"
	lst git -q --range nosuch...main .
	expect_rc 2
	expect_err_has "--range: unknown revision 'nosuch' (object not found)"
}

test_issue19_item4_since_takes_a_date() {
	make_history
	cd r || return
	# the test commits are dated 2024-01-02
	lst git -q --since 2023-12-31 .
	expect_rc 1
	lst git -q --since 2024-01-03 .
	expect_rc 0
	expect_eq "$ERR" ""
	lst git -q --since '2 weeks ago' .
	expect_rc 0
	lst git -q --since '1000.weeks.ago' .
	expect_rc 1
	lst git -q --since 2024-01-02T03:04:05Z .
	expect_rc 1
	lst git -q --since 2024-01-02T03:04:06Z .
	expect_rc 0
	# a revision still works as before
	lst git -q -f jsonl --since HEAD~1 .
	expect_rc 0
	lst git -q -f jsonl --since HEAD~2 .
	expect_rc 1
	lst git -q --since 'next tuesday' .
	expect_rc 2
	expect_err_has "--since: 'next tuesday' is neither a revision nor a date"
}

# A plain cmake configure on a machine without cmocka: the program builds, the unit tests are
# one skipped test.
test_issue19_item13_configure_without_cmocka() {
	command -v cmake >/dev/null || { skip "cmake is not installed"; return; }
	local d pcdirs
	mkdir pc
	pcdirs=$(pkg-config --variable pc_path pkg-config)
	local IFS=:
	for d in $pcdirs; do
		[ -d "$d" ] && for f in "$d"/*.pc; do
			[ -e "$f" ] && [ "$(basename "$f")" != cmocka.pc ] && ln -sf "$f" pc/
		done
	done
	unset IFS
	PKG_CONFIG_LIBDIR=$PWD/pc cmake -S "$SRC_DIR" -B b >cfg.out 2>&1 || fail "configure failed: $(tail -5 cfg.out)"
	grep -q "cmocka not found (install libcmocka-dev)" cfg.out || fail "no message about cmocka: $(cat cfg.out)"
	(cd b && ctest -N) > list.out
	grep -q "unit/skipped-without-cmocka" list.out || fail "no skipped unit test entry: $(cat list.out)"
	grep -q "unit/test_" list.out && fail "unit tests listed without cmocka"
	grep -q "cli/t_git" list.out || fail "the command-line tests are not listed"
}

# report --repo with a short name, as the README's example suggests; nothing matching is said.
test_issue19_item12_report_repo_short_name() {
	local r
	for r in org/infra org/app other/app; do
		git init -q "$r" && echo "key = $AWS_KEY" > "$r/k.env" && git -C "$r" add -A && git -C "$r" commit -qm init
	done
	git clone -q --bare org/infra infra.git
	ls_run repos --no-default-rules --rules "$RULES" -j1 --datastore ds "$WORK/infra.git" "$WORK/org/app" "$WORK/other/app"
	expect_rc 1
	ls_run report --datastore ds --repo infra -f jsonl
	expect_rc 1
	expect_out_has "\"repo\":\"$WORK/infra.git\""
	expect_out_lacks "org/app"
	ls_run report --datastore ds --repo org/app -f jsonl
	expect_rc 1
	expect_out_has "\"repo\":\"$WORK/org/app\""
	expect_out_lacks "other/app"
	ls_run report --datastore ds --repo "$WORK/other/app" -f jsonl
	expect_rc 1
	expect_out_lacks "org/app"
	ls_run report --datastore ds --repo app
	expect_rc 2
	expect_err_has "report: --repo 'app' names several repositories: '$WORK/org/app', '$WORK/other/app'; give more of the name"
	ls_run report --datastore ds --repo nfra
	expect_rc 2
	expect_err_has "report: no repository 'nfra' in"
	expect_err_has "; it holds '$WORK/infra.git'"
}

# A broken .leakscan.yaml: the hook names the file and line to fix, not a reinstall.
test_issue19_item9_hook_names_the_broken_config() {
	git init -q r && cd r || return
	"$LEAKSCAN" hook install >/dev/null 2>&1 || fail "hook install"
	printf 'rules:\n  - id: x\n   pattern: [\n' > .leakscan.yaml
	echo hi > a.txt && git add a.txt
	git commit -qm x 2>err.txt && fail "the commit went through"
	ERR=$(cat err.txt)
	expect_err_has "leakscan: .leakscan.yaml:3: invalid YAML"
	expect_err_has "the scan stopped on the error above (exit status 2)"
	expect_err_has "fix what that error names (.leakscan.yaml, a rule file, .leakscanignore) and try again"
	expect_err_lacks "reinstall"
	# a leakscan that is gone still says to reinstall
	sed -i "s|^leakscan=.*|leakscan='/nonexistent/leakscan'|" .git/hooks/pre-commit
	PATH=/usr/bin:/bin git commit -qm x 2>err.txt && fail "the commit went through without leakscan"
	ERR=$(cat err.txt)
	expect_err_has "reinstall leakscan"
}

# An inline marker with a reason: words that are no rule id are a reason; an unknown rule id
# is warned about (issue 19, item 7).
test_issue19_item7_inline_allow_with_a_reason() {
	printf 'aws_access_key_id = %s # leakscan:allow localstack\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 0
	expect_eq "$ERR" ""
	printf 'aws_access_key_id = %s # leakscan:allow test-aws-key -- localstack fixture\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 0
	expect_eq "$ERR" ""
	# a hyphenated word that is no rule: read as a reason, with a warning
	printf 'x\naws_access_key_id = %s # leakscan:allow local-stack\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 0
	expect_err_has "warning: a.env:2: 'leakscan:allow local-stack' names no rule: read as a reason"
	# a rule id with a typo, written as a list: allows nothing, and says so
	printf 'aws_access_key_id = %s # leakscan:allow test-aws-kee -- typo\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 1
	expect_err_has "warning: a.env:1: leakscan:allow names 'test-aws-kee', which is no rule id: it allows nothing"
	printf 'aws_access_key_id = %s # leakscan:allow test-token,nosuch\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 1
	expect_err_has "names 'nosuch', which is no rule id"
	# another rule's id allows that rule only, without a warning
	printf 'aws_access_key_id = %s # leakscan:allow test-token\n' "$AWS_KEY" > a.env
	lst scan -q a.env
	expect_rc 1
	expect_eq "$ERR" ""
	# the same in history
	git init -q r && cp a.env r/ && printf 'k = %s # leakscan:allow test-aws-kee -- typo\n' "$AWS_KEY" > r/b.env
	git -C r add -A && git -C r commit -qm x
	lst git -q r
	expect_rc 1
	expect_err_has "warning: b.env:1: leakscan:allow names 'test-aws-kee'"
}

# A paired AWS finding: a marker on either line allows the pair, through a real commit, and
# the hook reports every finding of the commit at once (issue 19, item 6). Default rules.
test_issue19_item6_marker_on_either_line_of_a_pair() {
	local secret=Zq3vT8pLm2Xw9RkB4nYd7HsJ1cVf6GtE0uAoNi5y # synthetic: 40 characters, no issuer
	git init -q r && cd r || return
	"$LEAKSCAN" hook install >/dev/null 2>&1 || fail "hook install"
	local line
	for line in 1 2; do
		{
			printf 'aws_access_key_id = %s' "$AWS_KEY"; [ $line = 1 ] && printf ' # leakscan:allow localstack'; echo
			printf 'aws_secret_access_key = %s' "$secret"; [ $line = 2 ] && printf ' # leakscan:allow'; echo
		} > creds$line.env
		git add creds$line.env
		git commit -qm "pair, marker on line $line" 2>err.txt || fail "marker on line $line: refused: $(cat err.txt)"
	done
	# a marker for another rule allows nothing; both findings of the commit come in one run
	printf 'aws_access_key_id = %s # leakscan:allow github-classic-pat\naws_secret_access_key = %s\n' "$AWS_KEY" "$secret" > c3.env
	printf 'key: %s\n' "$AWS_KEY2" > other.yml
	git add c3.env other.yml
	git commit -qm both 2>err.txt && fail "the commit went through"
	ERR=$(cat err.txt)
	expect_err_has "c3.env:2:"
	expect_err_has "other.yml:1:"
}

# Every field `git` reports survives into the datastore and `report`, in every format: the
# paired AWS key id above all (issue 19, item 2). Default rules.
test_issue19_item2_report_keeps_what_git_reports() {
	local secret=Zq3vT8pLm2Xw9RkB4nYd7HsJ1cVf6GtE0uAoNi5y # synthetic
	git init -q r
	printf 'aws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_KEY" "$secret" > r/c.env
	git -C r add -A && git -C r commit -qm "add the deploy credentials"
	ls_run git -q -f json r
	echo "$OUT" > git.json
	ls_run repos -q -j1 --datastore ds "$WORK/r"
	expect_rc 1
	local f
	for f in json jsonl sarif csv; do
		ls_run git -q -f $f --no-redact r
		echo "$OUT" > git.$f
		ls_run report --datastore ds -f $f --no-redact
		echo "$OUT" > report.$f
	done
	python3 - <<'PY' || fail "report lost what git reports"
import csv, json
g = json.load(open("git.json"))[0]; r = json.load(open("report.json"))[0]
for k, v in g.items():
    if k == "fingerprint":
        continue
    assert r.get(k) == v, (k, v, r.get(k))
assert r["pair"]["secret"].startswith("AKIA") and r["message"] == "add the deploy credentials", r
gl = json.loads(open("git.jsonl").readline()); rl = json.loads(open("report.jsonl").readline())
assert all(rl.get(k) == v for k, v in gl.items() if k != "fingerprint"), (gl, rl)
gs = json.load(open("git.sarif"))["runs"][0]["results"][0]["properties"]
rs = json.load(open("report.sarif"))["runs"][0]["results"][0]["properties"]
assert gs == rs and gs["pair"]["rule_id"] == "aws-access-key-id" and gs["message"], (gs, rs)
gc = list(csv.DictReader(open("git.csv"))); rc = list(csv.DictReader(open("report.csv")))
assert all(rc[0][k] == v for k, v in gc[0].items() if k != "fingerprint"), (gc, rc)
assert gc[0]["pair_rule_id"] == "aws-access-key-id" and gc[0]["pair_secret"].startswith("AKIA"), gc
PY
	# redacted, the key id is masked like the secret
	ls_run report --datastore ds --redact
	expect_out_has "[pair: aws-access-key-id AKIA"
	expect_out_lacks "$AWS_KEY"
	# a datastore without secrets keeps neither the key id nor the message in clear
	ls_run repos -q -j1 --store-secrets=no --datastore ds2 "$WORK/r"
	if grep -rlaF "$AWS_KEY" ds2; then fail "the key id is stored in clear without secrets"; fi
	if grep -rlaF "deploy credentials" ds2; then fail "the commit message is stored without secrets"; fi
	ls_run report --datastore ds2 -f json
	python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; assert r["pair"]["rule_id"] == "aws-access-key-id" and "*" in r["pair"]["secret"] and r["message"] is None, r' "$OUT" ||
		fail "no masked pair without secrets: $OUT"
	# a datastore an older leakscan wrote (schema 1) is upgraded by the next run
	python3 - ds/datastore.db <<'PY' || fail "could not make a schema-1 datastore"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for col in ("pair_rule", "pair_line", "pair_col", "pair_mask", "pair_plain", "decoded"):
    c.execute("ALTER TABLE occurrences DROP COLUMN " + col)
c.execute("ALTER TABLE locations DROP COLUMN message")
c.execute("DROP TABLE verifications")  # (schema 3)
c.execute("ALTER TABLE locations DROP COLUMN at_tip")  # (schema 4)
c.execute("ALTER TABLE secrets DROP COLUMN confidence")  # (schema 5)
c.execute("ALTER TABLE occurrences DROP COLUMN inner")  # (schema 6)
c.execute("PRAGMA user_version = 1"); c.commit()
PY
	ls_run report --datastore ds
	expect_rc 2
	expect_err_has "written by an older leakscan (schema version 1)"
	ls_run repos -q -j1 --datastore ds "$WORK/r"
	ls_run report --datastore ds -f json
	expect_rc 1
	# what the old rows lacked is there: the blobs with findings were scanned again
	python3 -c 'import json,sys; r=json.loads(sys.argv[1])[0]; assert r["pair"]["secret"] == sys.argv[2] and r["message"], r' "$OUT" "$AWS_KEY" ||
		fail "the upgraded datastore lacks the pair: $OUT"
}

# Fingerprints: relative to the repository whatever the working directory, printed in text
# and hook output, accepted in both forms by .leakscanignore and triage (issue 19, item 8).
test_issue19_item8_fingerprints() {
	git init -q r && mkdir r/src && cd r || return
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > src/settings.py
	local h fp
	h=$(fp_hash "$AWS_KEY" | cut -c1-16)
	fp="src/settings.py:aws-access-key-id:$h"
	ls_run scan -q -j1 -f jsonl src
	expect_out_has "\"fingerprint\":\"$fp\""
	(cd src && ls_run scan -q -j1 -f jsonl settings.py && echo "$OUT") > from-src.jsonl
	grep -qF "\"fingerprint\":\"$fp\"" from-src.jsonl || fail "from src/ the fingerprint differs: $(cat from-src.jsonl)"
	(cd src && ls_run scan -q -j1 settings.py && echo "$OUT") > from-src.txt
	grep -qF "settings.py:1:21: aws-access-key-id: aws_access_key_id = $AWS_KEY  [fingerprint $fp]" from-src.txt ||
		fail "text output lacks the fingerprint: $(cat from-src.txt)"
	# the hook names it, and .leakscanignore: the printed line lets the commit through
	"$LEAKSCAN" hook install >/dev/null 2>&1 || fail "hook install"
	git add src/settings.py
	git commit -qm key 2>err.txt && fail "the commit went through"
	ERR=$(cat err.txt)
	expect_err_has "[fingerprint $fp]"
	expect_err_has "to .leakscanignore at the top of the repository"
	echo "$fp" > .leakscanignore
	git add .leakscanignore
	git commit -qm "key, ignored" 2>err.txt || fail "refused with the fingerprint ignored: $(cat err.txt)"
	(cd src && ls_run scan -q -j1 settings.py; echo "$RC") > rc.txt
	expect_eq "$(cat rc.txt)" 0 "from src/ with the fingerprint ignored"
	# RULE-ID:HASH16, as report prints it, ignores the secret at any path
	cp src/settings.py other.py
	echo "aws-access-key-id:$h" > .leakscanignore
	ls_run scan -q -j1 .
	expect_rc 0
	# triage takes the form scans print
	cd .. && ls_run repos -q -j1 --datastore ds "$WORK/r"
	ls_run triage --datastore ds "$fp" --status revoked --note rotated
	expect_rc 0
	expect_out "aws-access-key-id:$h: revoked: rotated"
	ls_run report --datastore ds --status revoked
	expect_out_has "aws-access-key-id:$h"
}

# History baselines: leakscan's own JSON/JSONL reports are baselines, and baseline create --git
# records the history (issue 19, item 11).
test_issue19_item11_history_baselines() {
	git init -q r && cd r || return
	printf 'key = %s\n' "$AWS_KEY" > a.env && git add a.env && git commit -qm one
	lst baseline create --git -o hist.json
	expect_rc 0
	expect_err_has "hist.json: 1 finding recorded"
	lst git -q --baseline hist.json
	expect_rc 0
	lst git -q -f json -o git.json
	lst git -q -f jsonl -o git.jsonl
	mkdir sub && cp a.env sub/b.env
	lst scan -q -f json -o scan.json a.env sub
	lst repos -q --datastore ../ds "$WORK/r"
	ls_run report --datastore ../ds -f json -o report.json
	# a new secret in a new commit: only it is reported, whichever baseline
	printf 't = %s\n' "$TOKEN" > c.env && git add c.env && git commit -qm two
	local b
	for b in hist.json git.json git.jsonl report.json; do
		lst git -q -f jsonl --baseline $b
		expect_rc 1
		expect_out_has "c.env"
		expect_out_lacks "a.env"
	done
	# a scan's report is a baseline for scans, from any directory (paths from fingerprints)
	lst scan -q --baseline scan.json a.env sub c.env
	expect_rc 1
	expect_out_has "c.env"
	expect_out_lacks "a.env"
	expect_out_lacks "b.env"
	(cd sub && lst scan -q --baseline ../scan.json b.env; echo "$RC") > rc.txt
	expect_eq "$(cat rc.txt)" 0 "a scan report as a baseline from a subdirectory"
	printf '[{"rule_id": "test-aws-key", "fingerprint": "nothex"}]' > bad.json
	lst git -q --baseline bad.json
	expect_rc 2
	expect_err_has "bad.json:1: invalid baseline: finding 1: a report's finding needs 'rule_id' and a 'fingerprint' ending in 16 hex digits"
}

# cmake --install --prefix P writes only under P: the rules (found from the binary), the
# git-secrets link, leakscan(1), bash and zsh completion (issue 19, item 5).
test_issue19_item5_install_under_the_prefix() {
	local build
	build=$(dirname "$LEAKSCAN")
	[ -f "$build/cmake_install.cmake" ] || { skip "not a cmake build tree"; return; }
	cmake --install "$build" --prefix "$WORK/pfx" >install.out 2>&1 || fail "install failed: $(tail -3 install.out)"
	if grep -v "^$WORK/pfx/" "$build/install_manifest.txt"; then fail "installed outside the prefix"; fi
	[ -x pfx/bin/leakscan ] && [ -L pfx/bin/git-secrets ] || fail "no leakscan or git-secrets link under bin/"
	[ -f pfx/share/leakscan/patterns/aws.yaml ] || fail "no rules under share/leakscan/patterns"
	env -u LEAKSCAN_PATTERNS_DIR pfx/bin/leakscan rules list > rules.out || fail "rules list"
	grep -q "pfx/bin/../share/leakscan/patterns/aws.yaml" rules.out || fail "rules not found under the prefix: $(head -2 rules.out)"
	# the manual page: valid roff, every command in it
	[ -f pfx/share/man/man1/leakscan.1 ] || fail "no leakscan(1)"
	if command -v groff >/dev/null; then
		groff -man -ww -z pfx/share/man/man1/leakscan.1 2>groff.err || fail "groff: $(cat groff.err)"
		[ -s groff.err ] && fail "groff warns: $(cat groff.err)"
		MANWIDTH=100 man -l pfx/share/man/man1/leakscan.1 2>/dev/null > man.txt
		for c in scan git hook secrets baseline repos report summary triage datastore rules; do
			grep -q "^   leakscan $c\$" man.txt || fail "leakscan(1) has no section for $c"
		done
		grep -q -- "--fail-on SEV" man.txt || fail "leakscan(1) lacks the scan options"
	fi
	# bash completion: commands, a command's flags (from its help), values of -f
	[ -f pfx/share/bash-completion/completions/leakscan ] && [ -f pfx/share/zsh/site-functions/_leakscan ] ||
		fail "no completion files"
	OUT=$(bash -c '. "$1"; COMP_WORDS=("$2" sc); COMP_CWORD=1; _leakscan; echo "${COMPREPLY[*]}"
		COMP_WORDS=("$2" git --ra); COMP_CWORD=2; _leakscan; echo "${COMPREPLY[*]}"
		COMP_WORDS=("$2" scan -f s); COMP_CWORD=3; _leakscan; echo "${COMPREPLY[*]}"' _ \
		pfx/share/bash-completion/completions/leakscan pfx/bin/leakscan)
	expect_out "scan
--range
sarif"
	# the git-secrets link can be left out
	cmake -S "$SRC_DIR" -B cfg -DLS_TESTS=OFF -DLS_INSTALL_GIT_SECRETS=OFF >cfg.out 2>&1 || fail "configure: $(tail -3 cfg.out)"
	if grep -q "git-secrets" cfg/cmake_install.cmake; then fail "git-secrets installed with LS_INSTALL_GIT_SECRETS=OFF"; fi
}

# Polish: did-you-mean for commands, -V, 'help secrets' exits 0.
test_issue19_polish_commands() {
	ls_run sacn
	expect_rc 2
	expect_err_has "unknown command 'sacn'; did you mean 'scan'?"
	ls_run help gti
	expect_rc 2
	expect_err_has "did you mean 'git'?"
	ls_run git --ragne x
	expect_rc 2
	expect_err_has "git: unknown option '--ragne'; did you mean '--range'?"
	ls_run scan --zzzzzz
	expect_rc 2
	expect_err_has "scan: unknown option '--zzzzzz' (see 'leakscan help scan')"
	ls_run -V
	expect_rc 0
	expect_out_has "leakscan "
	ls_run help secrets
	expect_rc 0
	expect_out_has "git secrets --scan"
	# every help page says its exit status and gives an example (the drop-in's: after
	# git-secrets' own usage)
	local c
	for c in scan rules git hook baseline repos report summary triage datastore import secrets; do
		ls_run help $c
		expect_rc 0
		expect_out_has "Exit status"
		expect_out_has "Example"
	done
}

# Polish: a clean commit through every hook prints nothing; one item is "1 file"; a secret in
# a commit message is shown at <commit message>, not at the hook's temporary file.
test_issue19_polish_quiet_hooks_and_words() {
	git init -q r && cd r || return
	"$LEAKSCAN" hook install --all >/dev/null 2>&1 || fail "hook install"
	echo clean > a.txt && git add a.txt
	git commit -qm clean >out.txt 2>&1 || fail "a clean commit refused: $(cat out.txt)"
	expect_eq "$(cat out.txt)" "" "a clean commit's output"
	echo more >> a.txt && git add a.txt
	git commit -qm "the key is $AWS_KEY" 2>err.txt && fail "a key in the message went through"
	grep -q "^<commit message>:1:12: aws-access-key-id: " err.txt || fail "not shown at <commit message>: $(cat err.txt)"
	cd .. && printf 'k = %s\n' "$AWS_KEY" > one.env
	lst scan one.env
	expect_err_has "scanned 1 file (0.0 MB)"
	expect_err_has "; 1 finding (critical"
}

# Polish: a redacted finding still says what it is (the name the secret is assigned to).
test_issue19_polish_redacted_finding_names_its_key() {
	printf 'export AWS_ACCESS_KEY_ID="%s"\n' "$AWS_KEY" > a.sh
	lst scan -q --redact a.sh
	expect_out "a.sh:1:27: test-aws-key: AKIA********  [in AWS_ACCESS_KEY_ID]"
	expect_out_lacks "$AWS_KEY"
}

# doc_block FILE HEADING LANG: the first ```LANG block after the line HEADING of a doc
doc_block() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
at = lines.index(sys.argv[2])
start = next(i for i in range(at, len(lines)) if lines[i] == "```" + sys.argv[3])
end = next(i for i in range(start + 1, len(lines)) if lines[i] == "```")
print("\n".join(lines[start + 1:end]))
PY
}

# The recipes of docs/ci.md and docs/hooks.md, run as pasted (issue 19, item 3).
test_issue19_item3_recipes_work_as_pasted() {
	local doc
	PATH=$(dirname "$LEAKSCAN"):$PATH
	# the pre-commit framework (Debian 12's pre-commit 3.0.4 where installed)
	if ! command -v pre-commit >/dev/null; then
		skip "pre-commit is not installed: the pre-commit recipes were not run"
	else
		for doc in ci hooks; do
			rm -rf "pc-$doc" && git init -q "pc-$doc" && (
				cd "pc-$doc" || exit 1
				doc_block "$SRC_DIR/docs/$doc.md" "## The pre-commit framework" yaml > .pre-commit-config.yaml
				git add .pre-commit-config.yaml
				pre-commit install --hook-type pre-commit --hook-type commit-msg >../pc.out 2>&1 || { echo "install: $(cat ../pc.out)"; exit 1; }
				echo clean > a.txt && git add a.txt
				git commit -qm clean >../pc.out 2>&1 || { echo "a clean commit refused: $(cat ../pc.out)"; exit 1; }
				printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env
				git commit -qm key >../pc.out 2>&1 && { echo "a staged key went through"; exit 1; }
				git reset -q k.env && rm k.env
				echo more >> a.txt && git add a.txt
				git commit -qm "the key is $AWS_KEY" >../pc.out 2>&1 && { echo "a key in the message went through"; exit 1; }
				exit 0
			) > "pc-$doc.err" 2>&1 || fail "docs/$doc.md's pre-commit recipe: $(cat "pc-$doc.err")"
		done
	fi
	# GitHub: upload-sarif's permissions, a private repository's included
	doc_block "$SRC_DIR/docs/ci.md" "## GitHub Actions: code scanning with SARIF" yaml > gh.yml
	python3 -c 'import sys, yaml; p = yaml.safe_load(open(sys.argv[1]))["permissions"]
assert p == {"contents": "read", "security-events": "write", "actions": "read"}, p' gh.yml || fail "GitHub permissions"
	# GitLab: merge requests and the default branch only; a merge request never falls back
	doc_block "$SRC_DIR/docs/ci.md" "## GitLab CI: a JUnit test report" yaml > gl.yml
	python3 -c 'import sys, yaml; j = yaml.safe_load(open(sys.argv[1]))["leakscan"]
assert [r["if"] for r in j["rules"]] == ["$CI_PIPELINE_SOURCE == \"merge_request_event\"", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"], j["rules"]
open("gl.sh", "w").write(j["script"][0])' gl.yml || fail "GitLab job"
	git init -q gl && cd gl || return
	echo clean > a.txt && git add a.txt && git commit -qm base
	local base
	base=$(git rev-parse HEAD)
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env && git commit -qm key
	CI_PIPELINE_SOURCE=merge_request_event CI_COMMIT_SHA=$(git rev-parse HEAD) bash ../gl.sh > ../gl.out 2>&1
	expect_eq "$?" 1 "a merge request pipeline without its base: $(cat ../gl.out)"
	grep -q "a merge request pipeline without its diff base" ../gl.out || fail "no word on the missing base: $(cat ../gl.out)"
	[ -e leakscan.xml ] && fail "scanned without the base"
	CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_DIFF_BASE_SHA=$base CI_COMMIT_SHA=$(git rev-parse HEAD) bash ../gl.sh >../gl.out 2>&1
	expect_eq "$?" 1 "the merge request adds a key"
	grep -q "<failure" leakscan.xml || fail "no failure in the JUnit report"
	rm leakscan.xml
	CI_PIPELINE_SOURCE=push bash ../gl.sh >../gl.out 2>&1
	expect_eq "$?" 1 "the default branch's history holds a key"
	cd .. || return
	# a plain gate on a commit range
	doc_block "$SRC_DIR/docs/ci.md" "## A plain gate on a commit range" sh > gate.sh
	git init -q --bare origin.git && git clone -q origin.git work 2>/dev/null && cd work || return
	echo clean > a.txt && git add a.txt && git commit -qm base && git push -q origin HEAD:main 2>/dev/null
	echo more >> a.txt && git commit -qam clean
	bash -e ../gate.sh > ../gate.out 2>&1
	expect_eq "$?" 0 "a clean branch: $(cat ../gate.out)"
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env && git commit -qm key
	bash -e ../gate.sh > ../gate.out 2>&1
	expect_eq "$?" 1 "a branch adding a key: $(cat ../gate.out)"
}

# Hook managers are joined, never broken (issue 19, item 1): husky 9 from npm for real, the
# pre-commit framework, lefthook's configuration, a global core.hooksPath.
test_issue19_item1_husky_keeps_its_dispatch() {
	command -v npm >/dev/null || { skip "npm is not installed: husky was not tried"; return; }
	PATH=$(dirname "$LEAKSCAN"):$PATH
	git init -q r && cd r || return
	if ! { npm init -y && npm install husky@9 --no-audit --no-fund --loglevel=error && npx husky init; } >npm.out 2>&1; then
		skip "husky 9 could not be installed from npm: $(tail -2 npm.out)"
		return
	fi
	printf 'node_modules\nnpm.out\n' > .gitignore
	echo 'echo team-lint-ran > lint.out' > .husky/pre-commit
	ls_run hook install
	expect_rc 0
	expect_out_has "pre-commit: added to husky's"
	[ -e .husky/_/pre-commit.leakscan-chained ] && fail "husky's dispatcher was moved aside"
	git add -A && git commit -qm clean 2>err.txt || fail "a clean commit refused: $(cat err.txt)"
	[ -e lint.out ] || fail "the team's .husky/pre-commit did not run"
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env
	git commit -qm key 2>err.txt && fail "husky let a key through"
	grep -q "commit refused" err.txt || fail "no refusal: $(cat err.txt)"
	# husky's own install (run by every npm install) keeps leakscan in
	npx husky >/dev/null 2>&1 || fail "npx husky"
	git commit -qm key 2>err.txt && fail "after npx husky, husky let a key through"
	ls_run hook status
	expect_out_has "pre-commit: husky runs"
	expect_out_has "leakscan is in it"
	ls_run hook install
	expect_rc 0
	expect_out_has "already in husky's"
	ls_run hook uninstall
	expect_rc 0
	expect_eq "$(cat .husky/pre-commit)" "echo team-lint-ran > lint.out" "the team's script after uninstall"
	git commit -qm key 2>err.txt || fail "uninstalled, the commit is still refused: $(cat err.txt)"
}

test_issue19_item1_pre_commit_lefthook_and_global_hooks_path() {
	PATH=$(dirname "$LEAKSCAN"):$PATH
	git init -q r && cd r || return
	if command -v pre-commit >/dev/null; then
		# installed first, then moved to pre-commit.legacy by the framework: still runs, said so
		ls_run hook install
		printf 'repos: []\n' > .pre-commit-config.yaml && git add .pre-commit-config.yaml
		pre-commit install >/dev/null 2>&1 || fail "pre-commit install"
		ls_run hook status
		expect_out_has "leakscan's hook is .git/hooks/pre-commit.legacy, moved there by 'pre-commit install'"
		printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env
		git commit -qm key 2>err.txt && fail "the framework's legacy hook let a key through"
		git reset -q k.env
		ls_run hook uninstall
		expect_out_has "removed .git/hooks/pre-commit.legacy"
		grep -q "File generated by pre-commit" .git/hooks/pre-commit || fail "the framework's hook was touched"
	fi
	# the framework's configuration: the lines to add, nothing installed
	rm -f .git/hooks/pre-commit .git/hooks/pre-commit.legacy
	printf 'repos: []\n' > .pre-commit-config.yaml
	ls_run hook install --commit-msg
	expect_rc 0
	expect_out_has "this repository's hooks are run by the pre-commit framework"
	expect_out_has "      - id: leakscan-commit-msg"
	[ -e .git/hooks/commit-msg ] && fail "a hook was installed beside the framework"
	# lefthook
	rm .pre-commit-config.yaml && printf 'pre-commit:\n  commands: {}\n' > lefthook.yml
	ls_run hook install
	expect_out_has "run by lefthook"
	expect_out_has "      run: leakscan git --staged --redact -q"
	[ -e .git/hooks/pre-commit ] && fail "a hook was installed beside lefthook"
	rm lefthook.yml
	# a core.hooksPath for every repository: not written by a repository install
	mkdir "$HOME/team-hooks" && git config --global core.hooksPath "$HOME/team-hooks"
	ls_run hook install
	expect_rc 2
	expect_err_has "core.hooksPath is set in the global git config"
	expect_err_has "'leakscan hook install --global'"
	[ -e "$HOME/team-hooks/pre-commit" ] && fail "installed into every repository's hooks"
	ls_run hook install --global
	expect_rc 0
	[ -e "$HOME/team-hooks/pre-commit" ] || fail "--global did not install"
	git config --global --unset core.hooksPath
}

# Progress on a terminal; nothing with -q, nothing on a short run whose stderr is a file
# (issue 19, item 10).
test_issue19_item10_progress_on_a_terminal() {
	command -v script >/dev/null || { skip "script (util-linux) is not installed: no terminal to test on"; return; }
	git init -q r && for i in 1 2 3; do echo "v$i" > r/f$i.txt; done && git -C r add -A && git -C r commit -qm c
	script -qec "'$LEAKSCAN' git r" /dev/null > tty.out 2>&1
	grep -q "leakscan: git: walking the history of r" tty.out || fail "no progress line on a terminal: $(cat -v tty.out)"
	grep -q $'\r\033\[K' tty.out || fail "the progress line is not rewritten in place: $(cat -v tty.out)"
	script -qec "'$LEAKSCAN' git -q r" /dev/null > tty-q.out 2>&1
	grep -q "walking" tty-q.out && fail "progress with -q: $(cat -v tty-q.out)"
	ls_run git r
	expect_err_lacks "walking"
	expect_err_lacks "progress"
}

# Polish: a custom rule needs only id, pattern and severity; rules check warns about the rest;
# rules show prints one rule.
test_issue19_polish_minimal_rule_and_rules_show() {
	printf 'rules:\n  - id: acme-token\n    pattern: "acme_[a-z0-9]{20}"\n    severity: high\n' > acme.yaml
	echo "t = acme_au78v4s64d3v5nw244s7" > a.txt
	ls_run scan -q --no-default-rules --rules acme.yaml a.txt
	expect_rc 1
	expect_out_has "a.txt:1:5: acme-token: t = acme_au78v4s64d3v5nw244s7"
	ls_run rules check acme.yaml
	expect_rc 0
	expect_err_has "acme.yaml:2: rule 'acme-token': warning: no description"
	expect_err_has "acme.yaml:2: rule 'acme-token': warning: no examples"
	ls_run rules show --no-default-rules --rules acme.yaml acme-token
	expect_rc 0
	expect_out_has "id: acme-token
name: acme-token
severity: high
state: enabled"
	expect_out_has "pattern: acme_[a-z0-9]{20}"
	ls_run rules show aws-access-key-id
	expect_rc 0
	expect_out_has "examples:"
	ls_run rules show nope
	expect_rc 2
	expect_err_has "rules show: no rule 'nope'"
}

# Polish: what the default skips leave out is counted in the summary.
test_issue19_polish_default_skips_counted() {
	mkdir -p d/node_modules/x && echo a > d/package-lock.json && echo b > d/node_modules/x/i.js && echo c > d/app.js
	ls_run scan d
	expect_rc 0
	expect_err_has "scanned 1 file (0.0 MB)"
	expect_err_has "; skipped 2 by the default skips (lock files, minified bundles, vendored directories, leakscan's own reports; --no-default-skips scans them)"
	ls_run scan --no-default-skips d
	expect_err_has "scanned 3 files"
	expect_err_lacks "default skips"
}

# Polish: a report written with -o inside the scanned tree is not found again by the next
# scan of that tree (a default skip, counted); named on the command line, it is read.
test_issue19_polish_own_report_in_the_tree() {
	mkdir t && printf 'k = %s\n' "$AWS_KEY" > t/a.env
	local f
	for f in json jsonl sarif junit csv; do
		lst scan -q -f $f --no-redact -o t/report.$f t
		expect_rc 1
	done
	lst scan t
	expect_rc 1
	expect_err_has "skipped 5 by the default skips"
	expect_err_has "; 1 finding ("
	expect_out_lacks "report."
	lst scan -q t/report.json
	expect_rc 1
	lst scan -q --no-default-skips t
	expect_out_has "report.jsonl"
}

# Polish: a path with a space is quoted in text output, a label is not.
test_issue19_polish_paths_with_spaces_quoted() {
	mkdir "odd dir" && printf 'k = %s\n' "$AWS_KEY" > "odd dir/a b.env"
	lst scan -q "odd dir"
	expect_out "\"odd dir/a b.env\":1:5: test-aws-key: k = $AWS_KEY"
	git init -q r && echo x > r/x && git -C r add x && git -C r commit -qm "key $AWS_KEY"
	lst git -q r
	expect_out_has ":<commit message>:1:5: test-aws-key: key $AWS_KEY"
}

# Polish: SARIF from report over many repositories keeps each distinguishable: one run per
# repository, with its versionControlProvenance; valid against the official schema.
test_issue19_polish_report_sarif_one_run_per_repository() {
	local r
	for r in a b; do
		git init -q $r && printf 'k = %s\n' "$AWS_KEY" > $r/k.env && git -C $r add -A && git -C $r commit -qm x
	done
	printf 't = %s\n' "$TOKEN" > b/t.env && git -C b add -A && git -C b commit -qm t
	ls_run repos -q -j1 --no-default-rules --rules "$RULES" --datastore ds "$WORK/a" "$WORK/b"
	ls_run report --datastore ds -f sarif -o r.sarif
	expect_rc 1
	python3 - "$TEST_DATA/sarif/sarif-schema-2.1.0.json" r.sarif "$WORK" <<'PY' || fail "SARIF runs per repository"
import json, sys, jsonschema
d = json.load(open(sys.argv[2]))
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(d)
runs = {run["versionControlProvenance"][0]["repositoryUri"]: [r["ruleId"] for r in run["results"]] for run in d["runs"]}
w = sys.argv[3]
assert set(runs) == {"file://" + w + "/a", "file://" + w + "/b"}, runs
assert sorted(sum(runs.values(), [])) == ["test-aws-key", "test-token"], runs
assert runs["file://" + w + "/b"].count("test-token") == 1, runs
PY
	ls_run scan -q -f sarif a
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert len(d["runs"]) == 1 and "versionControlProvenance" not in d["runs"][0]' "$OUT" ||
		fail "a scan's SARIF is one run"
}

# repos: the progress line shows clones and fetches under way and what they received (it sat
# at "0.0 MB/s" while libgit2 cloned).
test_issue19_item10_repos_progress_shows_the_clone() {
	command -v script >/dev/null || { skip "script (util-linux) is not installed: no terminal to test on"; return; }
	git init -q big && head -c 40000000 /dev/urandom > big/blob.bin && git -C big add -A && git -C big commit -qm big
	script -qec "'$LEAKSCAN' repos -j1 --datastore ds file://$WORK/big" /dev/null > tty.out 2>&1
	grep -q "1 fetching (.* MB received" tty.out || fail "no clone progress: $(tr '\r' '\n' < tty.out | head -5)"
}

# Polish: switching from gitleaks: import gitleaks writes .leakscan.yaml and the rules file,
# and says what could not be converted.
test_issue19_polish_import_gitleaks() {
	cat > .gitleaks.toml <<'TOML'
title = "team config"   # a comment
[extend]
useDefault = true

[[rules]]
id = "acme-api-key"
description = "ACME \"API\" key"
regex = '''(?i)acme[_-]?key\s*=\s*['"]?([a-z0-9]{32})'''
secretGroup = 1
entropy = 3.0
keywords = [
  "acme",   # trailing comma and comments in arrays
]
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ["""(?i)example"""]

[[rules]]
id = "cert-file"
path = '''(?i)\.p12$'''

[[rules]]
id = "broken"
regex = '''(?<=x)abc'''

[allowlist]
description = "global"
paths = ['''(^|/)go\.sum$''', '''^vendor/''', '''node_modules''', '''(?:^|/)dist(?:/.*)?$''', '''\.min\.js$''', '''(?i)\.(?:png|gif)$''']
stopwords = ["dummy"]
TOML
	printf '%s:config/app.env:acme-api-key:3\n' "$(printf 'a%.0s' $(seq 40))" > .gitleaksignore
	ls_run import gitleaks
	expect_rc 0
	expect_out "wrote ./.leakscan.yaml: 1 rule, 3 allowlist entries; 3 items not converted"
	grep -qF "paths: ['go.sum', '/vendor/**', '*node_modules*', 'dist', '**/dist/**', '*.min.js']" .leakscan.yaml ||
		fail "path regexes as globs: $(grep paths: .leakscan.yaml)"
	expect_err_has ".gitleaks.toml:18: rule 'cert-file' has no regex (a path-only rule): not converted"
	expect_err_has "rule 'broken': not converted"
	expect_err_has "allowlist path '(?i)\\.(?:png|gif)\$' is no literal path: not converted (write it as a glob)"
	ls_run rules check .leakscan-rules.yaml
	expect_rc 0
	printf 'acme_key = "39rvi21ew32md1q7rkseywcuaigfo7ab"\nacme_key = "39rvi21ew32md1q7rkseywcuaigfo7cd" # example\n' > app.env
	ls_run scan -q -f jsonl app.env
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | grep -c '"rule_id":"acme-api-key"')" 1 "the converted rule and its line allowlist"
	mkdir -p vendor && cp app.env vendor/
	ls_run scan -q -f jsonl vendor/app.env app.env
	expect_out_lacks "vendor/"
	# nothing is overwritten without --force; a malformed file names its line
	ls_run import gitleaks
	expect_rc 2
	expect_err_has "import: cannot write './.leakscan-rules.yaml': File exists (--force replaces it)"
	printf 'title = "x"\n[[rules]]\nid = "a\n' > bad.toml
	ls_run import gitleaks bad.toml -o out
	expect_rc 2
	expect_err_has "import: bad.toml:3: newline in a one-line string"
}

# The TOML reader behind import: inline tables, dotted keys, escapes; dates, duplicate keys and
# tables defined twice are errors naming the line.
test_issue19_polish_import_gitleaks_toml_forms() {
	cat > g.toml <<'TOML'
[[rules]]
id = "inline-one"
regex = "tok\u005f([a-f0-9]{24})"
allowlist = { regexes = ['''^tok_0{24}$'''], description = "zeros" }
[[rules]]
id = "dotted"
regex = 'dot_([a-f0-9]{24})'
allowlist.stopwords = ["cafe"]
TOML
	mkdir o1 && ls_run import gitleaks g.toml -o o1
	expect_rc 0
	expect_out "wrote o1/.leakscan.yaml: 2 rules, 2 allowlist entries; 0 items not converted"
	grep -q "pattern: 'tok_(\[a-f0-9\]{24})'" o1/.leakscan-rules.yaml || fail "\\u005f: $(cat o1/.leakscan-rules.yaml)"
	grep -q "stopwords: \['cafe'\]" o1/.leakscan.yaml || fail "dotted key: $(cat o1/.leakscan.yaml)"
	printf 'a = 1\nupdated = 2024-01-01\n' > d.toml
	ls_run import gitleaks d.toml
	expect_rc 2
	expect_err_has "d.toml:2: dates and times are not supported"
	printf 'a = 1\na = 2\n' > k.toml
	ls_run import gitleaks k.toml
	expect_err_has "k.toml:2: a key is defined twice"
	printf '[t]\n[t]\n' > t.toml
	ls_run import gitleaks t.toml
	expect_err_has "t.toml:2: a table is defined twice"
}

run_tests
