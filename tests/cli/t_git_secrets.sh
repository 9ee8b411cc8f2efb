#!/usr/bin/env bash
# Differential tests of leakscan's git-secrets personality: the same commands run with
# Debian's real git-secrets 1.3 (/usr/bin/git-secrets) and with leakscan called as
# `git-secrets`, each in its own copy of the same repository and home directory; stdout,
# stderr and exit code must be identical. The one intended difference: --register-aws also
# registers the two Bedrock API key patterns of current upstream git-secrets.
. "$(dirname "$0")/lib.sh"

REAL_GS=/usr/bin/git-secrets
OUR_GS="$(dirname "$LEAKSCAN")/git-secrets"
if [ ! -x "$REAL_GS" ]; then
	echo "skip: $REAL_GS is not installed (Debian package git-secrets; scripts/deps test)"; exit 0
fi
if [ ! -x "$OUR_GS" ]; then
	echo "FAIL: $OUR_GS (the build's git-secrets link to leakscan) is missing"; exit 1
fi
BEDROCK1='ABSK[A-Za-z0-9+/]{109,}=*'
BEDROCK2='bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t'

# sandboxes: $WORK/real and $WORK/ours, each with its own HOME and a bin/git-secrets
sandboxes() {
	local side
	for side in real ours; do
		mkdir -p "$WORK/$side/home" "$WORK/$side/bin" "$WORK/$side/w"
		cp "$HOME/.gitconfig" "$WORK/$side/home/"
	done
	ln -s "$REAL_GS" "$WORK/real/bin/git-secrets"
	ln -s "$OUR_GS" "$WORK/ours/bin/git-secrets"
}

# on_both SNIPPET: runs SNIPPET in each sandbox's w/ directory; results in $WORK/SIDE.{out,err,rc}
on_both() {
	local side
	for side in real ours; do
		(cd "$WORK/$side/w" && export HOME="$WORK/$side/home" PATH="$WORK/$side/bin:$PATH" && eval "$1") \
			>"$WORK/$side.out" 2>"$WORK/$side.err" </dev/null
		echo $? >"$WORK/$side.rc"
		# the sandbox's own path is the only thing allowed to differ
		sed -i "s|$WORK/$side|@SANDBOX|g" "$WORK/$side.out" "$WORK/$side.err"
	done
}

# same DESC SNIPPET: runs SNIPPET on both sides and fails unless the results are identical
same() {
	on_both "$2"
	if [ -n "${FILTER_OURS:-}" ]; then
		grep -v -F -e "$BEDROCK1" -e "$BEDROCK2" "$WORK/ours.out" >"$WORK/ours.tmp"; mv "$WORK/ours.tmp" "$WORK/ours.out"
	fi
	local what
	for what in rc out err; do
		if ! cmp -s "$WORK/real.$what" "$WORK/ours.$what"; then
			fail "$1: $what differs ($2)
$(diff "$WORK/real.$what" "$WORK/ours.$what" | head -20)"
		fi
	done
}

# setup SNIPPET: runs SNIPPET on both sides (output not compared)
setup() { on_both "$1"; }

repo_setup='git init -q . && echo hello > README && git add README && git commit -q -m initial'

test_gs_usage_and_option_errors() {
	sandboxes
	setup "$repo_setup"
	same "no arguments" 'git secrets'
	same "unknown option" 'git secrets --foo'
	same "unknown switch" 'git secrets -x'
	same "-h" 'git secrets -h'
	same "ambiguous" 'git secrets --sc'
	same "abbreviation" 'git secrets --scan-h'
	same "option as command" 'git secrets -r --scan'
	same "global as command" 'git secrets --global --list'
	same "-f with scan" 'git secrets --scan -f'
	same "-r with cached" 'git secrets --scan -r --cached'
	same "--recursive with untracked" 'git secrets --scan --recursive --untracked'
	same "-r with install" 'git secrets --install -r'
	same "--force with list" 'git secrets --list --force'
	same "-a with scan" 'git secrets --scan -a'
	same "-l with scan" 'git secrets --scan -l'
	same "--cached with add" 'git secrets --add --cached x'
	same "clustered" 'git secrets --scan -rf'
	same "value given" 'git secrets --scan=x'
	same "direct call" 'git-secrets --list'
}

test_gs_config_commands() {
	sandboxes
	setup "$repo_setup"
	same "list empty" 'git secrets --list'
	same "add" "git secrets --add 'tok_[a-z0-9]{24}'"
	same "add duplicate" "git secrets --add 'tok_[a-z0-9]{24}'"
	same "add substring duplicate" "git secrets --add 'tok_'"
	same "add allowed" "git secrets --add -a 'tok_0+'"
	same "add literal" "git secrets --add --literal 'a.b(c)*d{1}|e\$f^g+h?i\\j'"
	same "add allowed literal" "git secrets --add -a -l 'x.y'"
	same "add global" "git secrets --add --global 'glob[0-9]+al'"
	same "add provider" 'git secrets --add-provider -- echo provided_[0-9]+'
	same "add provider again" 'git secrets --add-provider -- echo provided_[0-9]+'
	same "list" 'git secrets --list'
	same "list global" 'git secrets --list --global'
	same "config file" 'cat .git/config; cat "$HOME/.gitconfig"'
	same "add outside a repository" "cd .. && git secrets --add 'x[0-9]'"
}

test_gs_register_aws_and_provider() {
	sandboxes
	setup "$repo_setup"
	same "register-aws" 'git secrets --register-aws'
	same "register-aws again" 'git secrets --register-aws'
	FILTER_OURS=1 same "list after register-aws" 'git secrets --list'
	on_both 'git config --get-all secrets.patterns'
	expect_eq "$(sed -n 2,3p "$WORK/ours.out")" "$BEDROCK1
$BEDROCK2"
	same "register-aws global" 'git secrets --register-aws --global'
	printf '[default]\naws_access_key_id = AKIAQYLPMN5HFIQR7BTW\naws_secret_access_key = "ab+c/d.e(f)g$h=="\nregion = x\n' > "$WORK/creds"
	same "aws-provider file" "git secrets --aws-provider '$WORK/creds'"
	same "aws-provider missing file" "git secrets --aws-provider '$WORK/none'"
	setup 'mkdir -p "$HOME/.aws" && cp "'"$WORK"'/creds" "$HOME/.aws/credentials"'
	same "aws-provider default file" 'git secrets --aws-provider'
	# the provider's output is used as patterns: the key is found in a file
	setup "printf 'k = AKIAQYLPMN5HFIQR7BTW\n' > keys.txt"
	same "scan with aws patterns" 'git secrets --scan keys.txt'
	# only the provider knows the secret key (leakscan answers this provider in-process)
	setup "printf 'v = ab+c/d.e(f)g\$h==\n' > sk.txt"
	same "provider's secret key found" 'git secrets --scan sk.txt'
	setup 'rm "$HOME/.aws/credentials"'
	same "provider gone" 'git secrets --scan sk.txt'
	setup "git secrets --add-provider -- git secrets --aws-provider '$WORK/creds'"
	same "provider with a file argument" 'git secrets --scan sk.txt'
	setup "printf 'aws_secret_access_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\nAKIAIOSFODNN7EXAMPLE\n' > ex.txt"
	same "example keys allowed" 'git secrets --scan ex.txt'
}

scan_setup='git init -q . && git secrets --add "tok_[a-z0-9]{24}" && git secrets --add "sec(ret)?_[0-9]+" &&
	printf "line one\nkey tok_mptlatjiaac5zrg12gn2x2ai here\nxtok_mptlatjiaac5zrg12gn2x2ai\n" > a.txt &&
	printf "secret_42 and sec_7\r\nsecret_42x\n" > b.cfg && mkdir sub && printf "deep tok_aaaaaaaaaaaaaaaaaaaaaaaa\n" > sub/c.txt &&
	printf "bin\0tok_bbbbbbbbbbbbbbbbbbbbbbbb\n" > bin.dat && printf "*.log\n" > .gitignore &&
	git add a.txt sub .gitignore && git commit -q -m files && printf "tok_cccccccccccccccccccccccc\n" > new.txt &&
	printf "tok_dddddddddddddddddddddddd\n" > ignored.log && git add b.cfg'

test_gs_scan_modes() {
	sandboxes
	setup "$scan_setup"
	same "scan work tree" 'git secrets --scan'
	same "scan cached" 'git secrets --scan --cached'
	same "scan untracked" 'git secrets --scan --untracked'
	same "scan no-index" 'git secrets --scan --no-index'
	same "scan files" 'git secrets --scan a.txt b.cfg new.txt'
	same "scan binary file" 'git secrets --scan bin.dat'
	same "NUL far into a file" 'python3 -c "open(\"late.bin\",\"wb\").write(b\"x tok_mptlatjiaac5zrg12gn2x2ai\\n\" + b\"a\\n\" * 60000 + b\"\\0\\n\")" &&
		git secrets --scan late.bin; echo "rc $?"; git add late.bin && git secrets --scan --cached late.bin'
	same "scan dir without -r" 'git secrets --scan sub'
	same "scan -r" 'git secrets --scan -r sub'
	same "scan -r, many files and directories" 'mkdir -p m/x m/y && for f in q a z x/1 y/2 0; do
		printf "tok_mptlatjiaac5zrg12gn2x2ai\n" > "m/$f"; done && git secrets --scan -r m'
	same "scan missing file" 'git secrets --scan a.txt nope.txt'
	same "scan stdin" 'printf "x tok_mptlatjiaac5zrg12gn2x2ai\n" | git secrets --scan -'
	same "scan clean file" 'git secrets --scan .gitignore'
	same "scan cached with files" 'git secrets --scan --cached a.txt'
	same "scan pathspec glob" "git secrets --scan --cached '*.txt'"
	same "scan from a subdirectory" 'cd sub && git secrets --scan'
	same "cached and untracked" 'git secrets --scan --cached --untracked'
	same "three options" 'git secrets --scan --cached --untracked --no-index'
	same "outside a repository" 'cd .. && git secrets --scan'
	same "no-index outside a repository" 'mkdir -p ../plain && cd ../plain && printf "tok_mptlatjiaac5zrg12gn2x2ai\n" > f && git secrets --scan --no-index'
}

test_gs_allowed_and_gitallowed() {
	sandboxes
	setup "$scan_setup"
	same "allowed by config" "git config --add secrets.allowed 'a.txt:2:' && git secrets --scan"
	same "gitallowed" "printf '# comment\n\n   \nsecret_42\n' > .gitallowed && git secrets --scan b.cfg"
	same "all allowed" "printf 'tok_\nsec\n' >> .gitallowed && git secrets --scan"
	same "invalid allowed pattern" "git config --add secrets.allowed 'a(' && git secrets --scan a.txt"
}

test_gs_word_boundaries_and_ere_syntax() {
	sandboxes
	setup 'git init -q . && printf "xy z1\nfoo_bar foo-bar\nab abc\nA1 [x] {1} a{,2}b\nclass: Ab9\nxy.z1 *b\nmail me@host abab café ÿ\n\nend\r\n" > w.txt && git add w.txt'
	local p hits=0
	for p in 'x[a-z.]*' 'foo' 'ab|abc' '[[:upper:]][[:digit:]]' '\[x\]' '\{1\}' '{1}' 'a{,2}b' \
		'\<foo' 'bar\>' 'a**' '^xy' '(foo|xy)[.]' '*b' 'x|+b' '(?b)' '^*b' \
		'\w+@\w+' '\bfoo\b' '(ab)\1' 'é' '[^a-z.]+' '[[:space:]]z1' 'a|' '()' 'end.$' 'A1.\['; do
		# (no pattern with a space: the script splits those, a known bug not copied)
		# grep (a file operand), then git grep (--cached); the pattern comes from the
		# environment's git config (GIT_CONFIG_COUNT), as if added with --add
		export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=secrets.patterns GIT_CONFIG_VALUE_0="$p"
		same "pattern '$p'" 'git secrets --scan w.txt; echo "rc $?"; git secrets --scan --cached'
		unset GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
		grep -q '^w.txt:' "$WORK/ours.err" && hits=$((hits + 1))
	done
	[ "$hits" -ge 22 ] || fail "only $hits patterns matched anything: are they applied?"
	setup "git config --unset-all secrets.patterns; git config --add secrets.patterns 'a('"
	same "invalid pattern, grep" 'git secrets --scan w.txt'
	same "invalid pattern, git grep" 'git secrets --scan'
	setup "git config --unset-all secrets.patterns; git config --add secrets.patterns 'has space'"
	same "no patterns matching" 'git secrets --scan w.txt'
}

test_gs_scan_history() {
	sandboxes
	setup 'git init -q . && git secrets --add "tok_[a-z0-9]{24}" && echo clean > a.txt && git add a.txt && git commit -q -m one &&
		printf "x tok_mptlatjiaac5zrg12gn2x2ai\n" > b.txt && git add b.txt && git commit -q -m two &&
		echo more >> a.txt && git commit -q -am three && git rm -q b.txt && git commit -q -m four'
	same "scan-history" 'git secrets --scan-history'
	same "scan-history allowed" "git config --add secrets.allowed 'b.txt' && git secrets --scan-history"
	setup 'git init -q ../clean && cd ../clean && echo x > f && git add f && git commit -q -m c'
	same "scan-history clean" 'cd ../clean && git secrets --add "tok_[a-z]{24}" && git secrets --scan-history'
}

# --scan-history picks commits as git log --all -G does and greps each whole tree: renames,
# moved lines, removals, merges, tags, a stash, binary files, symlinks, a line only the
# locale-aware -G matches, more than 64 blobs; loose, then packed
test_gs_scan_history_edges() {
	sandboxes
	setup 'git init -q -b main . && git secrets --add "tok_[a-z0-9]{24}" && git secrets --add "k.y_[0-9]{4}" &&
		mkdir -p d/e && for i in $(seq 70); do echo "filler $i" > d/e/f$i.txt; done &&
		printf "x tok_mptlatjiaac5zrg12gn2x2ai\n" > keep.txt && printf "no newline at end" > nl.txt &&
		git add -A && git commit -q -m base &&
		printf "no newline at end\ntok_aaaaaaaaaaaaaaaaaaaaaaaa\n" > nl.txt && git commit -q -am "newline then secret" &&
		echo unrelated > u.txt && git add u.txt && git commit -q -m "unrelated change" &&
		git mv keep.txt moved.txt && git commit -q -m "exact rename" &&
		printf "x tok_mptlatjiaac5zrg12gn2x2ai\nmore\n" > moved.txt && git mv moved.txt d/moved2.txt && git commit -q -am "rename with an edit" &&
		printf "a\nb tok_bbbbbbbbbbbbbbbbbbbbbbbb\nc\n" > mv.txt && git add mv.txt && git commit -q -m "three lines" &&
		printf "b tok_bbbbbbbbbbbbbbbbbbbbbbbb\na\nc\n" > mv.txt && git commit -q -am "secret line moved" &&
		printf "a\nc\n" > mv.txt && git commit -q -am "secret removed" &&
		printf "\0bin tok_cccccccccccccccccccccccc\n" > b.bin && git add b.bin && git commit -q -m binary &&
		ln -s "tok_dddddddddddddddddddddddd" link && git add link && git commit -q -m symlink &&
		printf "k\303\251y_1234\n" > utf.txt && git add utf.txt && git commit -q -m "only -G in UTF-8" &&
		git checkout -q -b side && echo "side tok_eeeeeeeeeeeeeeeeeeeeeeee" > side.txt && git add side.txt && git commit -q -m side &&
		git checkout -q main && echo m >> u.txt && git commit -q -am main2 && git merge -q --no-ff --no-edit side &&
		git checkout -q -b gone && echo "tag tok_ffffffffffffffffffffffff" > t.txt && git add t.txt && git commit -q -m tagged &&
		git tag -a -m ann ann && git tag light HEAD~0 && git checkout -q main && git branch -q -D gone &&
		echo "stash tok_gggggggggggggggggggggggg" >> u.txt && git add u.txt && git stash -q'
	same "scan-history edge cases" 'export LANG=C.UTF-8; git secrets --scan-history'
	expect_eq "$(cat "$WORK/ours.rc")" 1
	same "scan-history edge cases, C locale" 'export LC_ALL=C; git secrets --scan-history'
	same "scan-history edge cases, allowed" "git config --add secrets.allowed 'd/e/' && git config --add secrets.allowed 'side' && git secrets --scan-history"
	# packed: blobs come from source_git's delta-tree reader, loose ones from libgit2
	same "scan-history edge cases, packed" 'git gc -q --aggressive && export LANG=C.UTF-8; git secrets --scan-history'
	expect_eq "$(cat "$WORK/ours.rc")" 1
	same "scan-history edge cases, packed and loose" 'echo "loose tok_hhhhhhhhhhhhhhhhhhhhhhhh" > loose.txt && git add loose.txt &&
		git commit -q -m loose && git secrets --scan-history'
	# a `diff` attribute makes a file with a NUL text for -G: its commit is selected (the line
	# itself is no word match for git grep -w)
	same "scan-history, diff attribute" 'printf "\0x\nxtok_iiiiiiiiiiiiiiiiiiiiiiii\n" > x.dat && git add x.dat &&
		git commit -q -m dat && git secrets --scan-history; echo "rc $?"; printf "*.dat diff\n" > .gitattributes &&
		git secrets --scan-history'
	# a textconv filter: -G sees its output (upper case), git grep the blob
	same "scan-history, textconv" 'printf "#!/bin/sh\ntr a-z A-Z < \"\$1\"\n" > ../up.sh && chmod +x ../up.sh &&
		printf "*.up diff=up\n" > .gitattributes && git config diff.up.textconv "$PWD/../up.sh" &&
		printf "tok_jjjjjjjjjjjjjjjjjjjjjjjj\n" > y.up && git add y.up && git commit -q -m up &&
		git config --add secrets.patterns "TOK_J+" && git secrets --scan-history'
	same "scan-history, a pattern git rejects" "git config --add secrets.patterns 'a(' && git secrets --scan-history"
	same "scan-history, empty repository" 'git init -q ../empty && cd ../empty && git secrets --add "tok_[a-z]{24}" && git secrets --scan-history'
}

test_gs_install_and_hooks() {
	sandboxes
	setup 'git init -q . && git secrets --add "tok_[a-z0-9]{24}"'
	same "install" 'git secrets --install'
	same "hook files" 'head -5 .git/hooks/commit-msg .git/hooks/pre-commit .git/hooks/prepare-commit-msg; stat -c %a .git/hooks/pre-commit'
	same "install again" 'git secrets --install'
	same "install force" 'git secrets --install -f'
	same "install into dir" 'mkdir -p ../tpl && git secrets --install ../tpl && ls ../tpl/hooks'
	same "install repo dir" 'git init -q ../other && mkdir ../other/.git/hooks/pre-commit.d && git secrets --install ../other && ls ../other/.git/hooks/pre-commit.d'
	same "install outside a repository" 'cd / && git secrets --install'
	same "commit with a secret" 'printf "tok_mptlatjiaac5zrg12gn2x2ai\n" > a.txt && git add a.txt && git commit -q -m x'
	same "commit clean" 'printf "clean\n" > a.txt && git add a.txt && git commit -q -m clean && git log --oneline | wc -l'
	same "commit message with a secret" 'echo more >> a.txt && git add a.txt && git commit -q -m "msg tok_mptlatjiaac5zrg12gn2x2ai"'
	same "pre-commit hook direct, deletion only" 'git rm -q --cached a.txt && git secrets --pre_commit_hook; git reset -q'
	same "prepare-commit-msg not a merge" 'git secrets --prepare_commit_msg_hook -- .git/COMMIT_EDITMSG message'
	same "merge bringing a secret" 'git checkout -q -b side && printf "tok_abcdefghijklmnopqrstuvwx\n" > s.txt && git add s.txt &&
		git commit -q --no-verify -m side && git checkout -q main && git merge -q --no-ff --no-edit side; echo "merge rc $?"'
}

# the known bugs of the script that leakscan does not copy (docs/hooks.md)
test_gs_known_bugs_not_copied() {
	sandboxes
	setup 'git init -q . && printf "A1 [x]\n" > w.txt && git add w.txt && git commit -q -m w'
	# a pattern with a space is one pattern (the script splits it into 'A1' and '\[')
	export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=secrets.patterns GIT_CONFIG_VALUE_0='A1 \[x'
	on_both 'git secrets --scan'
	unset GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0
	expect_eq "$(cat "$WORK/ours.rc")" 1
	expect_eq "$(head -1 "$WORK/ours.err")" "w.txt:1:A1 [x]"
}

# no commit matches: --scan-history greps the work tree, staged files included, as the
# script does (upstream's "Scans all files including history"; issue 19, item 14)
test_gs_issue19_item14_scan_history_without_a_matching_commit() {
	sandboxes
	setup 'git init -q . && printf "clean\n" > c.txt && git add c.txt && git commit -q -m c &&
		git secrets --add "tok_[a-z]{24}" && printf "tok_abcdefghijklmnopqrstuvwx\n" > new.txt && git add new.txt'
	on_both 'git secrets --scan-history'
	expect_eq "$(cat "$WORK/real.rc")" 1
	expect_eq "$(cat "$WORK/ours.rc")" 1
	expect_eq "$(cat "$WORK/ours.err")" "$(cat "$WORK/real.err")"
	expect_eq "$(cat "$WORK/ours.out")" "$(cat "$WORK/real.out")"
	grep -q "new.txt:1:tok_" "$WORK/ours.err" || fail "the staged secret is not reported: $(cat "$WORK/ours.err")"
	# and in a repository with no commit at all
	setup 'mkdir e && cd e && git init -q . && git secrets --add "tok_[a-z]{24}" && printf "tok_abcdefghijklmnopqrstuvwx\n" > new.txt && git add new.txt'
	on_both 'cd e && git secrets --scan-history'
	expect_eq "$(cat "$WORK/ours.rc")" "$(cat "$WORK/real.rc")"
	expect_eq "$(cat "$WORK/ours.err")" "$(cat "$WORK/real.err")"
}

test_gs_providers_and_more_errors() {
	sandboxes
	setup "$repo_setup"
	# a provider printing two patterns with Windows line ends
	printf '#!/bin/sh\nprintf "p1_[0-9]+\\r\\np2_[a-z]+\\r\\n"\n' > "$WORK/prov.sh" && chmod +x "$WORK/prov.sh"
	same "provider script" 'git secrets --add-provider -- "$WORK/prov.sh" && git secrets --list'
	same "provider output used" 'printf "a p1_123 b\nc p2_xyz\nd p3_q\n" > p.txt && git secrets --scan p.txt'
	expect_eq "$(head -2 "$WORK/ours.err")" "p.txt:1:a p1_123 b
p.txt:2:c p2_xyz"
	same "failing provider" 'git secrets --add-provider -- false && git secrets --scan p.txt'
	same "unknown option after command" 'git secrets --scan --bogus'
	same "list outside a repository" 'cd / && git secrets --list; echo "rc $?"'
	same "scan a directory pathspec" 'mkdir -p d/e && printf "p1_9\n" > d/e/f.txt && git add d && git secrets --scan --cached d'
	same "commit-msg hook, missing file" 'git secrets --commit_msg_hook -- nope.txt'
}

test_gs_leakscan_secrets_command() {
	git init -q r && cd r
	"$OUR_GS" --add 'tok_[a-z]{3}' || fail "add"
	printf 'x tok_abc\n' > a.txt
	ls_run secrets --scan a.txt
	expect_rc 1
	expect_err_has "a.txt:1:x tok_abc"
	expect_err_has "[ERROR] Matched one or more prohibited patterns"
	ls_run secrets --scan -r --cached
	expect_rc 1
	expect_err_has "-r|--recursive cannot be supplied with --cached, --no-index, or --untracked"
}

test_gs_install_on_a_terminal() {
	command -v script >/dev/null || { echo "    skip: no script(1)"; return 0; }
	sandboxes
	setup 'git init -q .'
	same "install on a terminal" 'TERM=xterm script -qc "git secrets --install" /dev/null | od -c'
}

# issue 18, item 10: a regex-engine error (PCRE2's JIT stack on a long token) is not "no
# match": the drop-in falls back to the C library's engine and finds what git-secrets finds
test_item10_gs_engine_error_is_not_a_miss() {
	sandboxes
	setup "$repo_setup"' && git config --add secrets.patterns "tok_([a-z]|[0-9])+"'
	local n
	for n in 1000 1500 100000; do
		setup "python3 -c \"print('key = tok_' + 'a' * $n)\" > t.txt"
		same "--scan, a $n-char token" 'git secrets --scan t.txt'
		[ "$(cat "$WORK/ours.rc")" = 1 ] || fail "token of $n chars: exit $(cat "$WORK/ours.rc")"
		same "stdin, a $n-char token" 'git secrets --scan - < t.txt'
	done
	setup "python3 -c \"print('subject\\n\\nkey: tok_' + 'a' * 1600)\" > msg"
	same "commit_msg_hook" 'git secrets --commit_msg_hook msg'
	[ "$(cat "$WORK/ours.rc")" = 1 ] || fail "commit_msg_hook: exit $(cat "$WORK/ours.rc")"
}

run_tests
