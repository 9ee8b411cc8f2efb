#!/usr/bin/env bash
# Command-line tests of live verification (issue 21): every verifier against fake providers
# on 127.0.0.1 (tests/verify/fake_providers.py: the fake STS recomputes SigV4), live, revoked,
# throttled, timed out and malformed answers, once per distinct credential, canaries never
# sent, TLS with a test CA, no secret in stderr or a redacted report, the hooks left alone.
. "$(dirname "$0")/lib.sh"

VDIR="$SRC_DIR/tests/verify"
# nothing reaches the internet: a check a test forgot to point at the fake goes to a proxy that
# is not there (libcurl honours the proxy variables; loopback addresses never use a proxy)
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
unset no_proxy NO_PROXY
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PROVIDERS="aws github gitlab slack stripe openai anthropic huggingface npm sendgrid twilio datadog mailgun shopify digitalocean heroku telegram discord"

# start_fake [--cert C --key K]: the fake providers on a random port ($PORT), state in
# ./case/state.json, requests logged to ./fake.log; stopped when the test ends
start_fake() {
	rm -f port
	: >fake.log
	"$PY" "$VDIR/fake_providers.py" --state case/state.json --log fake.log --port-file port "$@" 2>fake.err &
	FAKE_PID=$!
	trap 'kill $FAKE_PID 2>/dev/null' EXIT
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	PORT=$(cat port)
}

# endpoints SCHEME: --verify-endpoint for every provider, to the fake
endpoints() {
	EP=()
	for p in $PROVIDERS; do EP+=(--verify-endpoint "$p=${1:-http}://127.0.0.1:$PORT/$p"); done
}

make_case() { "$PY" "$VDIR/make_case.py" case "${1:-2026}" || fail "make_case.py"; }

test_every_verifier_live_revoked_throttled_malformed_timeout() {
	make_case
	start_fake
	endpoints
	ls_run scan --no-config --verify --verify-timeout 1 "${EP[@]}" -f jsonl --no-redact case/src
	expect_rc 1
	printf '%s\n' "$OUT" >out.jsonl
	"$PY" "$VDIR/check.py" case out.jsonl fake.log --once || fail "verification results (above)"
	expect_err_has "verification: 41 live, 19 invalid, 1 unknown, 35 error, 1 skipped"
	# the text report marks what is live
	ls_run scan --no-config --verify --verify-timeout 1 "${EP[@]}" --no-redact case/src/copy2.env
	expect_out_has "[LIVE: octo-test, X-OAuth-Scopes: repo, gist]"
}

test_no_secret_in_stderr_or_redacted_reports() {
	make_case
	start_fake
	endpoints
	# telegram's token goes in the URL path: a refused connection must not echo it
	EP+=(--verify-endpoint "telegram=http://127.0.0.1:9/telegram")
	# (the six formats at once: each waits on the fake's timeouts)
	pids=()
	for fmt in text json jsonl sarif junit csv; do
		"$LEAKSCAN" scan --no-config --verify --verify-timeout 1 "${EP[@]}" -f $fmt --redact -o out.$fmt case/src \
			2>err.$fmt &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat err.* >err.txt
	for fmt in text json jsonl sarif junit csv; do [ -s out.$fmt ] || fail "no $fmt report"; done
	grep -q '"status":"verified"' out.json || fail "json has no verification"
	"$PY" - "$TEST_DATA/sarif/sarif-schema-2.1.0.json" out.sarif <<'EOF' || fail "SARIF with verification"
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
props = [r["properties"] for r in json.load(open(sys.argv[2]))["runs"][0]["results"]]
assert any(p.get("verification", {}).get("status") == "verified" for p in props)
EOF
	head -1 out.csv | grep -q ',verification,verification_identity' || fail "csv header: $(head -1 out.csv)"
	grep -q 'verification: verified octo-test' out.junit || fail "junit has no verification"
	grep -q 'network: ' out.jsonl || fail "the refused telegram checks are not errors"
	while read -r s; do
		grep -rqF -- "$s" err.txt out.* && fail "a secret (${s:0:6}...) is in stderr or a redacted report"
	done <case/secrets.txt
	true
}

test_off_by_default_and_no_verify_wins() {
	make_case
	start_fake
	endpoints
	ls_run scan --no-config "${EP[@]}" -f jsonl case/src
	expect_rc 1
	expect_out_lacks '"verification"'
	printf 'verify: true\n' >.leakscan.yaml
	ls_run scan --config .leakscan.yaml --no-verify "${EP[@]}" -f jsonl case/src
	expect_out_lacks '"verification"'
	[ -s fake.log ] && fail "a request was sent without --verify"
	true
}

test_tls_with_a_test_ca() {
	command -v openssl >/dev/null || { skip "openssl is not installed"; return; }
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=leakscan-test-ca -keyout ca.key -out ca.pem \
		-addext basicConstraints=critical,CA:TRUE 2>/dev/null || { fail "openssl ca"; return; }
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out srv.pem 2>/dev/null
	make_case
	start_fake --cert srv.pem --key srv.key
	ls_run scan --no-config --verify --verify-ca-file ca.pem --verify-endpoint "github=https://127.0.0.1:$PORT/github" \
		--no-redact case/src/copy2.env
	expect_rc 1
	expect_out_has "[LIVE: octo-test"
	# the system's CA bundle does not trust the test CA: an error, and nothing sent
	ls_run scan --no-config --verify --verify-endpoint "github=https://127.0.0.1:$PORT/github" case/src/copy2.env
	expect_out_has "[error: TLS: "
	# plain http to a TLS server is no answer either
	ls_run scan --no-config --verify --verify-endpoint "github=http://127.0.0.1:$PORT/github" case/src/copy2.env
	expect_out_has "[error: "
}

test_endpoints_are_https_or_loopback_only() {
	printf 'x\n' >f.txt
	ls_run scan --no-config --verify --verify-endpoint github=http://ghe.example.com/api/v3 f.txt
	expect_rc 2
	expect_err_has "--verify-endpoint github: plain http is accepted only for a loopback address"
	ls_run scan --no-config --verify --verify-endpoint nosuch=https://x.example.com f.txt
	expect_rc 2
	expect_err_has "--verify-endpoint 'nosuch': expected PROVIDER=URL with a known provider"
	ls_run scan --no-config --verify --verify-endpoint "github=https://u:p@ghe.example.com/api" f.txt
	expect_rc 2
	expect_err_has "must hold no credentials"
	ls_run scan --no-config --verify --verify-endpoint aws=https://sts.us-gov-west-1.amazonaws.com \
		--verify-endpoint gitlab=http://localhost:1 f.txt
	expect_rc 0
	[ "$(printf '%s\n' "$ERR" | grep -c 'leakscan: .*verify-endpoint')" = 0 ] || fail "valid endpoints refused: $ERR"
}

test_redirects_are_not_followed() {
	make_case
	tok=$(grep -o 'ghp_[A-Za-z0-9]*' case/src/copy2.env)
	"$PY" - "$tok" <<'EOF'
import json, sys
s = json.load(open("case/state.json")); s["github"][sys.argv[1]] = "redirect"
json.dump(s, open("case/state.json", "w"))
EOF
	start_fake
	ls_run scan --no-config --verify --verify-endpoint "github=http://127.0.0.1:$PORT/github" case/src/copy2.env
	expect_out_has "[error: unexpected answer (HTTP 302)]"
	grep -q '"steal"' fake.log && fail "the redirect was followed"
	true
}

test_a_provider_that_is_down_ends_fast() {
	make_case
	# nothing listens on port 9: three refusals, then the rest is not sent at all
	grep '^GITHUB_TOKEN=' case/src/providers.env >github.env
	# the rules' database compiled and cached first: the time below is the verification's
	# (compiling 380 rules takes seconds under the sanitizers)
	ls_run scan --no-config github.env
	start=$(date +%s)
	ls_run scan --no-config --verify --verify-endpoint github=http://127.0.0.1:9/github -f jsonl github.env
	[ $(($(date +%s) - start)) -le 5 ] || fail "a provider that is down slowed the scan"
	n_net=$(printf '%s\n' "$OUT" | grep -c '"detail":"network: ')
	n_down=$(printf '%s\n' "$OUT" | grep -c 'not sent: github did not answer 3 checks in a row')
	expect_eq "$n_net" 3 "network errors"
	expect_eq "$n_down" 2 "checks not sent"
}

test_proxy_variables_are_honoured() {
	make_case
	# no endpoint given: GitHub's own host, through the proxy of the environment (not there)
	ls_run scan --no-config --verify case/src/copy2.env
	expect_rc 1
	expect_out_has "[error: network: Couldn't connect to server]"
}

test_only_verified_and_fail_on_verified() {
	make_case
	start_fake
	endpoints
	ls_run scan --no-config --only-verified "${EP[@]}" -f jsonl --verify-timeout 1 case/src/providers.env
	expect_rc 1
	[ "$(printf '%s\n' "$OUT" | grep -c .)" = 34 ] || fail "--only-verified: $(printf '%s\n' "$OUT" | grep -c .) rows, expected 34"
	expect_out_lacks '"status":"invalid"'
	# revoked tokens only: findings, but nothing live
	grep -E '^(GITLAB|NPM)' case/src/providers.env | sed -n '2p;7p' >revoked.env
	ls_run scan --no-config --fail-on verified "${EP[@]}" revoked.env
	expect_rc 0
	expect_out_has "[invalid: "
	ls_run scan --no-config --fail-on verified "${EP[@]}" case/src/copy2.env
	expect_rc 1
	ls_run scan --no-config --no-verify --only-verified case/src/copy2.env
	expect_rc 2
	expect_err_has "--only-verified needs verification"
}

test_git_history_checks_each_secret_once() {
	make_case
	start_fake
	endpoints
	git init -q r && cp -r case/src/. r/ && git -C r add -A && git -C r commit -qm one
	cp case/src/copy2.env r/again.env && git -C r add -A && git -C r commit -qm two
	ls_run git --no-config --verify --verify-timeout 1 "${EP[@]}" -f jsonl --no-redact r
	expect_rc 1
	printf '%s\n' "$OUT" >out.jsonl
	"$PY" "$VDIR/check.py" case out.jsonl fake.log --once || fail "git: verification results (above)"
}

test_config_turns_it_on_but_not_in_hooks_nor_redirects() {
	make_case
	start_fake
	git init -q r && cd r
	cp ../case/src/copy2.env token.env
	# the repository's own configuration: it may turn verification on, never send it elsewhere
	printf 'verify:\n  endpoints:\n    github: http://127.0.0.1:%s/github\n' "$PORT" >.leakscan.yaml
	git add .leakscan.yaml && git commit -qm config
	ls_run scan -f jsonl token.env
	expect_rc 1
	expect_err_has "verify endpoints and ca_file are ignored in a repository's own configuration"
	expect_out_has '"detail":"network: '   # to GitHub itself, through the test's dead proxy
	[ -s ../fake.log ] && fail "a repository's configuration redirected a secret: $(cat ../fake.log)"
	ls_run scan -f jsonl --verify-endpoint "github=http://127.0.0.1:$PORT/github" token.env
	expect_out_has '"status":"verified"'
	# a configuration the user names may set them
	ls_run scan -f jsonl --config .leakscan.yaml token.env
	expect_out_has '"status":"verified"'
	expect_err_has "verify: github=http://127.0.0.1:$PORT/github (from .leakscan.yaml)"
	: >../fake.log
	# a baseline records findings, not answers: nothing sent
	ls_run baseline create -o ../baseline.json --verify-endpoint "github=http://127.0.0.1:$PORT/github" token.env
	[ -s ../fake.log ] && fail "baseline create verified: $(cat ../fake.log)"
	# pre-commit: the real hook refuses the commit without asking the network
	printf 'verify: true\n' >.leakscan.yaml
	"$LEAKSCAN" hook install -q >/dev/null 2>&1 || "$LEAKSCAN" hook install >/dev/null
	git add token.env
	git commit -qm token >/dev/null 2>commit.err && fail "the hook let the token through"
	[ -s ../fake.log ] && fail "the pre-commit hook verified: $(cat ../fake.log)"
	ls_run git --staged -f jsonl --verify-endpoint "github=http://127.0.0.1:$PORT/github"
	expect_rc 1
	expect_out_lacks '"verification"'
	# verify: {hooks: true} asks for it in the hooks too
	printf 'verify:\n  hooks: true\n' >.leakscan.yaml
	ls_run git --staged -f jsonl --verify-endpoint "github=http://127.0.0.1:$PORT/github"
	expect_out_has '"status":"verified"'
	[ -s ../fake.log ] || fail "hooks: true did not verify"
	true
}

test_canary_accounts_from_config_are_never_sent() {
	make_case
	start_fake
	endpoints
	acct=$(grep -o 'arn:aws:iam::[0-9]*:user/leakscan-test-live' case/state.json | cut -d: -f5)
	printf 'verify:\n  canary_accounts: ["%s"]\n' "$acct" >cfg.yaml
	ls_run scan --config cfg.yaml --verify "${EP[@]}" -f jsonl --no-redact case/src/aws-credentials.ini
	expect_rc 1
	expect_out_has "canary token (AWS account $acct): never sent"
	expect_out_has "canary token (AWS account 052310077262): never sent"
	key=$(grep -B1 -A1 "^\[live\]" case/src/aws-credentials.ini | grep -o 'AKIA[A-Z2-7]*')
	grep -q "$key" fake.log && fail "a canary account's key was sent"
	printf 'verify:\n  canary_accounts: ["12345"]\n' >bad.yaml
	ls_run scan --config bad.yaml case/src/copy2.env
	expect_rc 2
	expect_err_has "bad.yaml:2: 'canary_accounts': '12345' is not a 12-digit AWS account id"
}

test_datastore_keeps_answers_and_verify_asks_again() {
	make_case
	start_fake
	endpoints
	git init -q r && cp -r case/src/. r/ && git -C r add -A && git -C r commit -qm one
	ls_run repos --datastore ds --verify --verify-timeout 1 "${EP[@]}" r
	expect_rc 1
	expect_err_has "verify: 94 secrets checked (109 requests): 38 live, 19 invalid, 1 unknown, 35 error, 1 skipped"
	ls_run report --datastore ds -f jsonl --no-redact
	printf '%s\n' "$OUT" >report.jsonl
	"$PY" "$VDIR/check.py" case report.jsonl fake.log || fail "report: verification results (above)"
	ls_run summary --datastore ds -f json
	"$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); v={x["verification"]: x["secrets"] for x in d["verifications"]}
assert v == {"verified": 38, "invalid": 19, "unknown": 1, "error": 35, "skipped": 1}, v' "$OUT" || fail "summary: $OUT"
	ls_run summary --datastore ds
	expect_out_has "by verification:"
	ls_run report --datastore ds --only-verified -f jsonl
	expect_eq "$(printf '%s\n' "$OUT" | grep -c '"status":"verified"')" 38 "report --only-verified"
	expect_out_lacks '"status":"invalid"'
	ls_run report --datastore ds --verification skipped
	expect_out_has "[skipped: canary token (AWS account 052310077262): never sent]"
	ls_run report --datastore ds --verification nosuch
	expect_rc 2
	# nothing new: nothing sent again; an answer younger than --older-than is reused, but an
	# error is no answer: its 35 checks (17 timeouts, 18 malformed answers) are asked again
	n=$(wc -l <fake.log)
	ls_run repos --datastore ds --verify "${EP[@]}" r
	expect_eq "$(wc -l <fake.log)" "$n" "requests after a rerun with nothing new"
	ls_run verify --datastore ds --older-than 1h --verify-timeout 1 "${EP[@]}"
	expect_rc 0
	expect_eq "$(wc -l <fake.log)" "$((n + 35))" "requests of a verify --older-than 1h"
	# and an error does not overwrite a real answer: the live ones stay live
	ls_run summary --datastore ds -f json
	"$PY" -c 'import json,sys; v={x["verification"]: x["secrets"] for x in json.loads(sys.argv[1])["verifications"]}
assert v["verified"] == 38, v' "$OUT" || fail "answers lost: $OUT"
	# verify asks again (one rule here)
	ls_run verify --datastore ds --rule github-classic-pat --verify-timeout 1 "${EP[@]}"
	expect_rc 0
	expect_err_has "verify: 5 secrets checked (5 requests): 2 live, 1 invalid, 0 unknown, 2 error, 0 skipped"
	[ "$(tail -n 5 fake.log | grep -c '"provider": "github"')" = 5 ] || fail "verify --rule sent others: $(tail -n 5 fake.log)"
	ls_run repos --datastore ds --fail-on verified --no-verify r
	expect_rc 1
}

test_datastore_without_secrets_keeps_none_because_of_verification() {
	make_case
	start_fake
	endpoints
	git init -q r && cp -r case/src/. r/ && git -C r add -A && git -C r commit -qm one
	ls_run repos --datastore ds --store-secrets=no --verify --verify-timeout 1 "${EP[@]}" r
	expect_rc 1
	printf '%s' "$ERR" >err.txt
	"$PY" -c 'import sqlite3,sys; c=sqlite3.connect("ds/datastore.db"); open("dump.sql","w").write("\n".join(c.iterdump()))'
	grep -q "verified" dump.sql || fail "no verification stored"
	ls_run report --datastore ds -f sarif -o out.sarif
	while read -r s; do
		grep -qF -- "$s" dump.sql err.txt out.sarif && fail "a secret (${s:0:6}...) is in the datastore, stderr or the report"
	done <case/secrets.txt
	ls_run verify --datastore ds "${EP[@]}"
	expect_rc 2
	expect_err_has "keeps no secrets (--store-secrets=no): nothing to send"
}

test_rule_names_an_unknown_verifier() {
	printf 'rules:\n  - id: acme\n    pattern: "(acme_[a-z0-9]{20})"\n    severity: high\n    verify: nosuch\n' >r.yaml
	printf 'x\n' >f.txt
	ls_run scan --no-config --rules r.yaml f.txt
	expect_rc 2
	expect_err_has "r.yaml:5: rule 'acme': unknown verifier 'nosuch'"
}

run_tests
