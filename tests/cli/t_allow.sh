#!/usr/bin/env bash
# Command-line tests of what drops findings: .leakscan.yaml (allowlists, rule settings),
# inline markers, default skips, .leakscanignore and baselines (issue 5).
. "$(dirname "$0")/lib.sh"

# A rule like test-aws-key that decodes the AWS account (052310077262 for $AWS_KEY).
aws_rule() {
	cat > aws-rule.yaml <<'EOF'
rules:
  - id: test-aws-id
    name: AWS key id with account
    pattern: '\b((?:AKIA|ASIA)[A-Z2-7]{16})\b'
    severity: critical
    validate: aws-access-key-id
    description: An access key id whose account is decoded.
    examples: ['AKIAQYLPMN5HFIQR7BTW']
EOF
}

# ---- path allowlists ----

test_allow_path_globs_prune_the_walk() {
	git init -q .
	mkdir -p tests/fixtures/deep src a/b
	for f in tests/fixtures/x.txt tests/fixtures/deep/y.txt src/app.txt a/b/deps.lock keep.txt; do
		printf 'k = %s\n' "$AWS_KEY" > "$f"
	done
	cat > .leakscan.yaml <<'EOF'
allow:
  - description: synthetic fixtures
    paths: ['./tests/fixtures/**', '*.lock']
EOF
	lst scan .
	expect_rc 1
	expect_out "./keep.txt:1:5: test-aws-key: k = $AWS_KEY
./src/app.txt:1:5: test-aws-key: k = $AWS_KEY"
	# pruned files are never read: 4 files (.leakscan.yaml, keep.txt, src/app.txt, and
	# lib.sh's .stderr)
	expect_err_has "scanned 4 files"
}

test_allow_paths_relative_to_config_dir_from_anywhere() {
	git init -q .
	mkdir -p tests/fixtures src
	printf 'k = %s\n' "$AWS_KEY" > tests/fixtures/x.txt
	printf 'k = %s\n' "$AWS_KEY" > src/app.txt
	printf 'allow:\n  - paths: [tests/fixtures/]\n' > .leakscan.yaml
	# from a subdirectory: the config is found by walking up to the work tree top
	(cd src && lst scan .. && expect_rc 1 && expect_out "../src/app.txt:1:5: test-aws-key: k = $AWS_KEY") || fail "from src"
	# with an absolute path
	lst scan "$WORK"
	expect_rc 1
	expect_out_lacks "fixtures"
	expect_out_has "$WORK/src/app.txt:1:5"
	# scanning the fixture directory itself: its files are still allowlisted
	lst scan tests/fixtures
	expect_rc 0
	expect_out ""
}

test_allow_config_not_looked_up_above_work_tree() {
	printf 'allow:\n  - paths: ["**"]\n' > .leakscan.yaml
	mkdir repo && git -C repo init -q && printf 'k = %s\n' "$AWS_KEY" > repo/a.txt
	lst scan repo
	expect_rc 1
	expect_out "repo/a.txt:1:5: test-aws-key: k = $AWS_KEY"
}

test_allow_config_flag_and_no_config() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	printf 'allow:\n  - paths: [a.txt]\n' > .leakscan.yaml
	printf 'allow:\n  - secrets: ["^AKIA"]\n' > other.yaml
	lst scan .
	expect_rc 0
	lst scan --no-config .
	expect_rc 1
	expect_out_has "./a.txt:1:5"
	# --config paths are relative to that file; its secret allowlist applies
	mkdir sub && printf 'allow:\n  - paths: [a.txt]\n' > sub/c.yaml
	lst scan --config other.yaml .
	expect_rc 0
	lst scan --config sub/c.yaml .
	expect_rc 1
	lst scan --config missing.yaml .
	expect_rc 2
	expect_err_has "leakscan: configuration 'missing.yaml': no such file"
}

# ---- per-rule allowlists and criteria ----

test_allow_per_rule_secret_regex_keeps_other_secret_on_the_line() {
	printf 'k = %s t = %s\n' "$AWS_KEY" "$TOKEN" > a.txt
	cat > .leakscan.yaml <<'EOF'
allow:
  - rules: [test-aws-key]
    secrets: ['^AKIAQYLP']
EOF
	lst scan a.txt
	expect_rc 1
	expect_out "a.txt:1:34: test-token: k = $AWS_KEY t = $TOKEN"
	# the same regex on another rule's entry does not drop the AWS key
	printf 'allow:\n  - rules: [test-token]\n    secrets: ["^AKIAQYLP"]\n' > .leakscan.yaml
	lst scan a.txt
	expect_rc 1
	expect_out_has "test-aws-key"
	expect_out_has "test-token"
}

test_allow_stopwords_matches_lines() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	printf 't = %s # staging\n' "$TOKEN" > b.txt
	printf 'password = "Zq8#mW2!pLx9"\n' > c.txt
	cat > .leakscan.yaml <<'EOF'
allow:
  - stopwords: [ylpmn]          # case-insensitive substring of the secret
  - lines: ['#\s*staging$']
  - rules: [test-password]
    matches: ['^password = "Zq8']
EOF
	lst scan a.txt b.txt c.txt
	expect_rc 0
	expect_out ""
	expect_err_has "0 findings"
}

test_allow_condition_all_needs_every_kind() {
	mkdir -p ok other
	printf 'k = %s\n' "$AWS_KEY" > ok/a.txt
	printf 'k = %s\n' "$AWS_KEY" > other/a.txt
	printf 'k = %s\n' "$AWS_KEY2" > ok/b.txt
	cat > .leakscan.yaml <<'EOF'
allow:
  - condition: all
    paths: [ok/]
    secrets: ['^AKIA']
EOF
	lst scan .
	expect_rc 1
	expect_out "./ok/b.txt:1:5: test-aws-key: k = $AWS_KEY2
./other/a.txt:1:5: test-aws-key: k = $AWS_KEY"
}

test_allow_aws_account() {
	aws_rule
	printf 'a = %s\nb = %s\n' "$AWS_KEY" "$AWS_KEY2" > keys.txt
	printf 'allow:\n  - aws_accounts: ["052310077262"]\n' > .leakscan.yaml
	ls_run scan --no-default-rules --rules aws-rule.yaml -j1 keys.txt
	expect_rc 1
	expect_out "keys.txt:2:5: test-aws-id: b = $AWS_KEY2"
}

# ---- rule settings ----

test_config_rule_files_disable_overrides_fail_on() {
	mkdir conf && aws_rule && mv aws-rule.yaml conf/
	printf 'k = %s t = %s\n' "$AWS_KEY" "$TOKEN" > a.txt
	cat > conf/leakscan.yaml <<'EOF'
rule_files: [aws-rule.yaml]
disable: [test-aws-key]
overrides:
  test-aws-id: {severity: low}
  test-token:
    severity: medium
fail_on: high
EOF
	lst scan --config conf/leakscan.yaml -f jsonl a.txt
	expect_rc 0
	got=$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(" ".join(j["rule_id"]+"="+j["severity"] for j in map(json.loads, sys.stdin)))')
	expect_eq "$got" "test-aws-id=low test-token=medium"
	expect_err_has "2 findings (critical 0, high 0, medium 1, low 1)"
	# --fail-on on the command line wins over the config
	lst scan --config conf/leakscan.yaml --fail-on low a.txt
	expect_rc 1
}

test_config_min_entropy_override() {
	printf 'password = "qwertyui"\n' > a.txt # entropy 3.0 (a keyboard walk: low confidence)
	lst scan --min-confidence low a.txt
	expect_rc 1
	printf 'overrides:\n  test-password: {min_entropy: 3.5}\n' > .leakscan.yaml
	lst scan --min-confidence low a.txt
	expect_rc 0
}

# ---- config errors: file:line, exit 2 ----

config_error() { # YAML expected-message
	printf '%s\n' "$1" > .leakscan.yaml
	printf 'x\n' > a.txt
	lst scan a.txt
	expect_rc 2
	expect_err_has "leakscan: $2"
	[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] || fail "one line expected: $ERR"
}

test_config_errors_are_clear() {
	config_error 'allow:
  - paths: [a]
    pahts: [b]' ".leakscan.yaml:3: unknown key 'pahts' in an 'allow' entry"
	config_error 'fail_on: severe' ".leakscan.yaml:1: 'fail_on' must be one of critical, high, medium, low"
	config_error 'disable: [no-such-rule]' ".leakscan.yaml:1: unknown rule id 'no-such-rule'"
	config_error 'disable:
  - test-token
  - test-tokn' ".leakscan.yaml:3: unknown rule id 'test-tokn'"
	config_error 'allow:
  - rules: [test-token]' ".leakscan.yaml:2: an 'allow' entry needs at least one of paths"
	config_error 'allow:
  - secrets: ["(unclosed"]' ".leakscan.yaml:2: invalid secret regex '(unclosed'"
	config_error 'allow:
  - paths: ["../elsewhere/**"]' ".leakscan.yaml:2: path glob '../elsewhere/**' leaves the directory"
	config_error 'allow: {paths: [a]}' ".leakscan.yaml:1: 'allow' must be a list of entries"
	config_error 'ignore: [a]' ".leakscan.yaml:1: unknown key 'ignore' (expected version"
	config_error 'allow: [ {paths: [a]' ".leakscan.yaml:2: invalid YAML"
	config_error 'overrides:
  test-token: {severity: high, entropy: 3}' ".leakscan.yaml:2: unknown key 'entropy' in the override of rule 'test-token'"
	config_error 'allow:
  - commits: [xyz]' ".leakscan.yaml:2: commit 'xyz' must be 7 to 64 hex digits"
	config_error 'rule_files:
  - missing.yaml' ".leakscan.yaml:2: rule file 'missing.yaml': no such file or directory"
	config_error 'default_skips: maybe' ".leakscan.yaml:1: 'default_skips' must be true or false"
}

# ---- inline markers ----

test_inline_markers() {
	{
		printf 'a = %s # leakscan:allow\n' "$AWS_KEY"
		printf 'b = %s # gitleaks:allow\n' "$AWS_KEY"
		printf 'c = %s # pragma: allowlist secret\n' "$AWS_KEY"
		printf 'd = %s # leakscan:allow test-aws-key\n' "$AWS_KEY"
		printf 'e = %s # leakscan:allow test-token,test-aws-key\n' "$AWS_KEY"
	} > a.txt
	lst scan a.txt
	expect_rc 0
	expect_out ""
	lst scan --no-inline-allow a.txt
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 5
}

test_inline_marker_for_one_rule_keeps_other_rules_secret() {
	printf 'k = %s t = %s # leakscan:allow test-aws-key\n' "$AWS_KEY" "$TOKEN" > a.txt
	lst scan a.txt
	expect_rc 1
	expect_out_lacks "test-aws-key:"
	expect_out_has "a.txt:1:34: test-token:"
	printf 'k = %s # leakscan:allow test-token\n' "$AWS_KEY" > b.txt
	lst scan b.txt
	expect_rc 1
	expect_out_has "b.txt:1:5: test-aws-key"
}

# ---- default skips ----

test_default_skips_and_overrides() {
	mkdir -p node_modules/pkg vendor/lib third_party web img
	for f in package-lock.json yarn.lock go.sum node_modules/pkg/index.js vendor/lib/a.go \
		third_party/x.c web/app.min.js web/app.js.map web/site.min.css; do
		printf 'k = %s\n' "$AWS_KEY" > "$f"
	done
	printf 'k = %s\n' "$AWS_KEY" > web/app.js
	printf 'k = %s\n' "$AWS_KEY" > img/logo.PNG
	lst scan --binary .
	expect_rc 1
	expect_out "./web/app.js:1:5: test-aws-key: k = $AWS_KEY"
	expect_err_has "scanned 2 files" # and lib.sh's .stderr
	lst scan --binary --no-default-skips .
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 11
	printf 'default_skips: false\n' > .leakscan.yaml
	lst scan --binary .
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 11
	# a file named on the command line is scanned even if it would be skipped in a walk
	lst scan --no-config yarn.lock
	expect_rc 1
}

# ---- .leakscanignore ----

test_ignore_file_fingerprint_survives_moving_lines() {
	git init -q .
	mkdir src && printf 'k = %s\nt = %s\n' "$AWS_KEY" "$TOKEN" > src/a.txt
	lst scan -f jsonl .
	fp=$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; print([j for j in map(json.loads, sys.stdin) if j["rule_id"]=="test-aws-key"][0]["fingerprint"])')
	expect_eq "$fp" "src/a.txt:test-aws-key:$(fp_hash "$AWS_KEY" | cut -c1-16)"
	printf '# reviewed: synthetic key\n%s   # trailing comment\n\n' "$fp" > .leakscanignore
	lst scan .
	expect_rc 1
	expect_out "./src/a.txt:2:9: test-token: t = $TOKEN"
	# unrelated edits move the line: still ignored (also from a subdirectory)
	printf 'new line\n\nk = %s\nt = %s\n' "$AWS_KEY" "$TOKEN" > src/a.txt
	(cd src && lst scan . && expect_out "./a.txt:4:9: test-token: t = $TOKEN") || fail "from src"
	lst scan .
	expect_out "./src/a.txt:4:9: test-token: t = $TOKEN"
	# the same secret in another file is a different fingerprint
	cp src/a.txt b.txt
	lst scan b.txt
	expect_out_has "b.txt:3:5: test-aws-key"
}

# ---- baselines ----

test_baseline_round_trip_moved_lines_and_new_secret() {
	git init -q .
	mkdir src && printf 'k = %s\n' "$AWS_KEY" > src/a.txt
	printf 'password = "Zq8#mW2!pLx9"\n' > src/b.cfg
	lst baseline create
	expect_rc 0
	expect_err_has "baseline: .leakscan-baseline.json: 2 findings recorded"
	expect_out ""
	python3 - <<EOF || fail "baseline content"
import json, hashlib
d = json.load(open(".leakscan-baseline.json"))
assert d["version"] == 2, d
es = d["findings"]
assert [(e["rule_id"], e["path"]) for e in es] == [("test-aws-key", "src/a.txt"), ("test-password", "src/b.cfg")], es
assert es[0]["secret_hash"] == "hmac-sha256:$(fp_hash "$AWS_KEY")", es[0]
assert es[0]["fingerprint"] == "src/a.txt:test-aws-key:" + es[0]["secret_hash"][12:28]
for e in es:
    assert "line" not in e and "secret" not in e, e
EOF
	grep -q "$AWS_KEY\|Zq8#" .leakscan-baseline.json && fail "secret in baseline"
	lst scan --baseline .leakscan-baseline.json .
	expect_rc 0
	expect_out ""
	# edits that move the lines: still baselined
	printf '# header\n\n\nk = %s\n' "$AWS_KEY" > src/a.txt
	(cd src && lst scan --baseline ../.leakscan-baseline.json .) && expect_rc 0
	lst scan --baseline .leakscan-baseline.json .
	expect_rc 0
	# a new secret fails, and only it is reported
	printf 'k = %s\nt = %s\n' "$AWS_KEY" "$TOKEN" >> src/a.txt
	lst scan --baseline .leakscan-baseline.json .
	expect_rc 1
	expect_out "./src/a.txt:6:9: test-token: t = $TOKEN"
	# the same secret moved to another file is new there
	printf 'k = %s\n' "$AWS_KEY" > moved.txt
	lst scan --baseline .leakscan-baseline.json moved.txt
	expect_rc 1
}

test_baseline_update_adds_and_prunes() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	printf 'password = "Zq8#mW2!pLx9"\n' > b.cfg
	SOURCE_DATE_EPOCH=86400 lst baseline create -o base.json .
	expect_rc 0
	rm b.cfg && printf 't = %s\n' "$TOKEN" > c.txt
	lst baseline update -o base.json .
	expect_rc 0
	expect_err_has "baseline: base.json: 1 kept, 1 added, 1 pruned"
	python3 -c '
import json; es = json.load(open("base.json"))["findings"]
assert [(e["rule_id"], e["path"]) for e in es] == [("test-aws-key", "a.txt"), ("test-token", "c.txt")], es
assert es[0]["added"] == "1970-01-02", es
' || fail "updated baseline"
	lst scan --baseline base.json .
	expect_rc 0
	lst baseline update -o nothing.json .
	expect_rc 2
	expect_err_has "leakscan baseline create -o nothing.json"
}

test_baseline_rejects_bad_files() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	printf '{"version": 1, "findings": [\n {"rule_id": "x", "path": "a"}\n]}\n' > bad.json
	lst scan --baseline bad.json a.txt
	expect_rc 2
	expect_err_has "bad.json:2: invalid baseline: entry 1: missing 'secret_hash'"
	printf '[1, 2]\n' > bad2.json
	lst scan --baseline bad2.json a.txt
	expect_rc 2
	expect_err_has "bad2.json:1: invalid baseline: not a leakscan baseline"
	lst scan --baseline nope.json a.txt
	expect_rc 2
	expect_err_has "baseline 'nope.json': no such file"
	lst baseline frob
	expect_rc 2
	expect_err_has "unknown subcommand 'frob'"
}

# issue 22: baselines are read with jansson; malformed JSON is refused with one line naming
# the file and the line, exit code 2
test_issue22_baseline_malformed_json_refused() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	local h=0000000000000000000000000000000000000000000000000000000000000000
	baseline_refused() { # FILE EXPECTED-MESSAGE
		lst scan --baseline "$1" a.txt
		expect_rc 2
		expect_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "lines of stderr for $1"
		expect_err_has "leakscan: $1:$2"
	}
	printf '{"findings": [\n {"rule_id": "x", "path": "a", "path": "b", "secret_hash": "%s"}\n]}\n' $h > dup.json
	baseline_refused dup.json "2: invalid baseline: duplicate object key near '\"path\"'"
	printf '{"findings": [],\n "findings": []}\n' > dup2.json
	baseline_refused dup2.json "2: invalid baseline: duplicate object key 'findings'"
	printf '{"version": 2,\n "findings": [\n {"rule_id": "x", "path": 7, "secret_hash": "%s"}]}\n' $h > type.json
	baseline_refused type.json "3: invalid baseline: entry 1: 'path' must be a string"
	printf '{"version": "2", "findings": []}\n' > type2.json
	baseline_refused type2.json "1: invalid baseline: unsupported baseline version (expected 1 or 2)"
	printf '{"version": 2,\n "findings": [\n {"rule_id": "x", "path": "a", "secret_' > cut.json
	baseline_refused cut.json "3: invalid baseline: premature end of input"
	printf '{"findings": [\n{"rule_id": "x\\u0000y", "path": "a", "secret_hash": "%s"}]}\n' $h > nul.json
	baseline_refused nul.json "2: invalid baseline: a string holds \\u0000 (NUL)"
	python3 -c 'print("[" * 100000)' > bomb.json
	baseline_refused bomb.json "1: invalid baseline: not a leakscan baseline or report (expected findings as JSON objects)"
	python3 -c 'print("{\"findings\": [],\n \"notes\": " + "[" * 100000)' > bomb2.json
	baseline_refused bomb2.json "2: invalid baseline: nested too deeply"
	# the same entry, well formed, still loads
	printf '{"findings": [\n {"rule_id": "x", "path": "a", "secret_hash": "%s"}\n]}\n' $h > good.json
	lst scan --baseline good.json a.txt
	expect_rc 1
}

test_history_scan_uses_config_commits_and_baseline() {
	git init -q .
	mkdir fx src
	printf 'k = %s\n' "$AWS_KEY" > fx/a.txt
	printf 't = %s\n' "$TOKEN" > src/b.txt
	git add . && git commit -qm one
	first=$(git rev-parse HEAD)
	printf 'x = %s\n' "$AWS_KEY2" > src/c.txt
	git add . && git commit -qm two
	lst git
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | grep -vc '^    first ')" 3
	printf 'allow:\n  - paths: [fx/]\n  - commits: [%s]\n' "${first:0:10}" > .leakscan.yaml
	# from a subdirectory: paths in history are relative to the configuration's directory
	(cd src && lst git && expect_rc 1 && expect_out_has "src/c.txt:1:5: test-aws-key") || fail "git with config"
	expect_eq "$(cd src && "$LEAKSCAN" git --no-default-rules --rules "$RULES" -j1 -q | grep -vc "^    first ")" 1
	# a baseline made by a file scan also covers the same findings in history
	lst baseline create
	expect_rc 0
	lst git --baseline .leakscan-baseline.json
	expect_rc 0
	expect_out ""
}

test_config_example_in_docs_is_valid() {
	local src="${SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
	awk '/^```yaml$/ {on=1; next} /^```$/ {if (on) exit} on' "$src/docs/config.md" > .leakscan.yaml
	[ -s .leakscan.yaml ] || { fail "no yaml example in docs/config.md"; return; }
	mkdir ci && printf 'rules: []\n' > ci/leakscan-rules.yaml
	mkdir -p tests/fixtures && printf 'k = %s\n' "$AWS_KEY" > tests/fixtures/a.txt
	echo clean > b.txt
	ls_run scan -j1 .
	expect_rc 0
	expect_err_has " 0 findings"
}

# ---- the project's own configuration ----

test_repository_scan_is_clean_with_its_config() {
	local src="${SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
	[ -f "$src/.leakscan.yaml" ] || { fail "no .leakscan.yaml at $src"; return; }
	ls_run scan -j2 "$src"
	[ "$RC" = 0 ] || fail "leakscan scan of the repository found something not covered by .leakscan.yaml (exit $RC):
$OUT"
	expect_err_has " 0 findings"
}

run_tests
