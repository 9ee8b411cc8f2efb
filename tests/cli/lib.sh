# Helpers for command-line tests. Each t_*.sh sources this file, defines test_* functions
# and calls run_tests. Tests run the real binary ($LEAKSCAN) in a fresh temp directory.
set -u
: "${LEAKSCAN:?LEAKSCAN must point to the leakscan binary}"
: "${TEST_DATA:?TEST_DATA must point to tests/data}"
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL="author@example.invalid"
export GIT_COMMITTER_NAME="Test Committer" GIT_COMMITTER_EMAIL="committer@example.invalid"
export GIT_AUTHOR_DATE="2024-01-02T03:04:05Z" GIT_COMMITTER_DATE="2024-01-02T03:04:05Z"
# a caller's git configuration must not leak in (GIT_CONFIG_GLOBAL overrides HOME)
unset GIT_CONFIG_GLOBAL GIT_CONFIG_SYSTEM GIT_CONFIG_COUNT GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
export GIT_CONFIG_NOSYSTEM=1 HOME="${TMPDIR:-/tmp}/leakscan-test-home.$$"
export NO_COLOR=1 XDG_CACHE_HOME="$HOME/.cache"
# A synthetic fingerprint key, as a CI secret would give it: fingerprints are the same on every
# run and machine, and expected values follow from fp_hash (issue 18, item 9).
export LEAKSCAN_FINGERPRINT_KEY="leakscan-test-fingerprint-key-0001"
unset XDG_CONFIG_HOME
mkdir -p "$HOME"
# the rules' databases ctest compiled once (tests/CMakeLists.txt), copied: this script's own
if [ -d "${LEAKSCAN_TEST_CACHE_SEED:-}" ]; then
	mkdir -p "$XDG_CACHE_HOME" && cp -R "$LEAKSCAN_TEST_CACHE_SEED" "$XDG_CACHE_HOME/leakscan"
fi
git config --global init.defaultBranch main
git config --global user.name "Test Author"
git config --global user.email "author@example.invalid"
RULES="$TEST_DATA/rules/basic.yaml"
# Synthetic values only: shaped like real credentials, never issued by anyone.
AWS_KEY="AKIAQYLPMN5HFIQR7BTW"
AWS_KEY2="ASIAZ3MXK7QPL2RTV5WY"
TOKEN="tok_mptlatjiaac5zrg12gn2x2ai"

# fp_hash SECRET: the secret's hash as leakscan writes it: HMAC-SHA-256 under
# $LEAKSCAN_FINGERPRINT_KEY (without surrounding white space), 64 hex digits.
fp_hash() {
	python3 -c 'import hashlib, hmac, os, sys
print(hmac.new(os.environ["LEAKSCAN_FINGERPRINT_KEY"].strip().encode(), sys.argv[1].encode(), hashlib.sha256).hexdigest())' "$1"
}

FAILED=0
PASSED=0
SKIPPED=0

# ls_run ARGS...: runs leakscan with the test rules, capturing $OUT, $ERR and $RC.
ls_run() {
	OUT=$("$LEAKSCAN" "$@" 2>"$WORK/.stderr"); RC=$?
	ERR=$(cat "$WORK/.stderr")
}
lst() { ls_run "$@" --no-default-rules --rules "$RULES" -j1; }

fail() { echo "    FAIL: $*" >&2; touch "$WORK/.failed"; }
# skip REASON: what the test needs is not installed; counted as skipped, never as passed
skip() { echo "    SKIP: $*" >&2; touch "$WORK/.skipped"; }
expect_rc() { [ "$RC" = "$1" ] || fail "exit code $RC, expected $1 (stderr: $ERR)"; }
# expect_out TEXT: stdout is TEXT; a text finding's trailing "  [fingerprint ...]" is compared
# only when TEXT shows one (fingerprints have tests of their own)
expect_out() {
	local got=$OUT
	case "$1" in *"  [fingerprint "*) ;; *) got=$(printf '%s\n' "$OUT" | sed -E 's/  \[fingerprint [^]]*\]$//') ;; esac
	# a history's distinct secret's second line (first commit, occurrences, tip) likewise: it has
	# tests of its own (t_git.sh)
	case "$1" in *"
    first "*) ;; *) got=$(printf '%s\n' "$got" | grep -Ev '^    first( in| by| on|;)' || true) ;; esac
	[ "$got" = "$1" ] || fail "stdout differs:
--- expected
$1
--- got
$OUT"
}
expect_out_has() { case "$OUT" in *"$1"*) ;; *) fail "stdout lacks '$1': $OUT";; esac; }
expect_out_lacks() { case "$OUT" in *"$1"*) fail "stdout has '$1': $OUT";; esac; }
expect_err_has() { case "$ERR" in *"$1"*) ;; *) fail "stderr lacks '$1': $ERR";; esac; }
expect_err_lacks() { case "$ERR" in *"$1"*) fail "stderr has '$1': $ERR";; esac; }
expect_eq() { [ "$1" = "$2" ] || fail "expected '$2', got '$1' ${3:-}"; }

# commit_hostile_names DIR FILE: in the repository in ., a commit made the tip of main whose
# tree holds a directory and a file with these raw names (Python bytes escapes, e.g. '\x1b'),
# pointing at objects that do not exist (ids 1111... and 2222...)
commit_hostile_names() {
	python3 - "$1" "$2" <<'PY' || fail "hostile tree"
import ast, subprocess, sys
n1, n2 = (ast.literal_eval("b'" + a + "'") for a in sys.argv[1:3])
ents = sorted([(n1 + b"/", b"40000 " + n1 + b"\0" + b"\x11" * 20), (n2, b"100644 " + n2 + b"\0" + b"\x22" * 20)])
t = subprocess.run(["git", "hash-object", "-w", "-t", "tree", "--literally", "--stdin"], input=b"".join(e[1] for e in ents), capture_output=True).stdout.decode().strip()
c = subprocess.run(["git", "commit-tree", t, "-m", "m"], capture_output=True).stdout.decode().strip()
subprocess.run(["git", "update-ref", "refs/heads/main", c], check=True)
PY
}

run_tests() {
	local t
	for t in $(declare -F | awk '{print $3}' | grep '^test_' | grep -e "${LS_TEST_ONLY:-}"); do
		WORK=$(mktemp -d)
		CURRENT_FAILED=0
		(cd "$WORK" && $t) || CURRENT_FAILED=1
		# subshell failures are reported through a marker file
		if [ -e "$WORK/.failed" ]; then CURRENT_FAILED=1; fi
		if [ "$CURRENT_FAILED" = 0 ] && [ -e "$WORK/.skipped" ]; then
			SKIPPED=$((SKIPPED + 1)); echo "skip $t"
		elif [ "$CURRENT_FAILED" = 0 ]; then
			PASSED=$((PASSED + 1)); echo "ok   $t"
		else
			FAILED=$((FAILED + 1)); echo "FAIL $t"
		fi
		rm -rf "$WORK"
	done
	rm -rf "$HOME"
	echo "$PASSED passed, $FAILED failed$([ "$SKIPPED" -gt 0 ] && echo ", $SKIPPED skipped")"
	[ "$FAILED" = 0 ]
}
