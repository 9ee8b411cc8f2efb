#!/bin/bash
# Fingerprints, baselines and datastores must not allow offline guessing of a secret
# (issue 18, item 9): keyed hashes, where the key comes from, and old files still honoured.
. "$(dirname "$0")/lib.sh"

WEAK='Winter2025!' # a synthetic weak password, the kind a dictionary finds
# (a word: low confidence since issue 20, so these tests ask for every finding)
lst() { ls_run "$@" --no-default-rules --rules "$RULES" -j1 --min-confidence low; }
weak_sha() { printf '%s' "$WEAK" | sha256sum | cut -d' ' -f1; }

# A dictionary attack like shared/security-repro/fingerprint_crack.sh: prints what it recovers.
crack() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
sarif, baseline = sys.argv[1], sys.argv[2]
fps = [r["partialFingerprints"]["leakscan/v1"].split(":")[-1] for r in json.load(open(sarif))["runs"][0]["results"]]
full = [e["secret_hash"].split(":")[-1] for e in json.load(open(baseline))["findings"]]
for w in ["Summer", "Winter", "Spring", "Autumn", "Password", "Welcome"]:
    for y in range(2015, 2030):
        for s in ["", "!", "#", "1"]:
            h = hashlib.sha256(f"{w}{y}{s}".encode()).hexdigest()
            if h[:16] in fps: print("from the redacted SARIF:", f"{w}{y}{s}")
            if h in full: print("from the baseline:", f"{w}{y}{s}")
PY
}

test_item9_fingerprint_not_crackable() {
	printf 'password = "%s"\n' "$WEAK" > app.env
	lst scan -f sarif -o out.sarif app.env
	expect_rc 1
	lst baseline create -o bl.json app.env
	expect_rc 0
	local sha
	sha=$(weak_sha)
	grep -q "$WEAK" out.sarif bl.json && fail "the secret is in a redacted output"
	grep -q "${sha:0:16}" out.sarif bl.json && fail "a plain SHA-256 of the secret is in the SARIF or the baseline"
	# the control: the attack works on what leakscan wrote before (a plain SHA-256)
	python3 - "$sha" <<'PY' || fail "control: could not write an old-style copy"
import json, sys
s = json.load(open("out.sarif"))
r = s["runs"][0]["results"][0]
r["partialFingerprints"]["leakscan/v1"] = "app.env:test-password:" + sys.argv[1][:16]
json.dump(s, open("old.sarif", "w"))
b = json.load(open("bl.json"))
b["findings"][0]["secret_hash"] = sys.argv[1]
json.dump(b, open("old.json", "w"))
PY
	OUT=$(crack old.sarif old.json)
	expect_out "from the redacted SARIF: $WEAK
from the baseline: $WEAK"
	OUT=$(crack out.sarif bl.json)
	expect_out ""
	# what is written is the HMAC under the key: JSON, JSONL and text alike
	lst scan -f json app.env
	expect_out_has "\"fingerprint\":\"app.env:test-password:$(fp_hash "$WEAK" | cut -c1-16)\""
	expect_out_lacks "${sha:0:16}"
	lst scan app.env -f text --redact
	expect_out_lacks "${sha:0:16}"
}

# Same key, same fingerprints, whatever the machine (HOME); another key, others.
test_item9_fingerprint_stable_with_same_key() {
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	mkdir h1 h2
	fp_of() { HOME=$1 lst scan -f jsonl a.txt; printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])'; }
	local a b c
	a=$(fp_of "$WORK/h1"); b=$(fp_of "$WORK/h2")
	expect_eq "$a" "$b" "(same LEAKSCAN_FINGERPRINT_KEY, two HOMEs)"
	expect_eq "$a" "a.txt:test-aws-key:$(fp_hash "$AWS_KEY" | cut -c1-16)"
	# white space around the key (a file's newline) does not change it
	a=$(LEAKSCAN_FINGERPRINT_KEY="  $LEAKSCAN_FINGERPRINT_KEY
" fp_of "$WORK/h1")
	expect_eq "$a" "$b"
	c=$(LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 fp_of "$WORK/h1")
	[ "$c" != "$b" ] || fail "another key gave the same fingerprint"
	# a key too short to be a key is an error, not a weak hash
	LEAKSCAN_FINGERPRINT_KEY=short lst scan a.txt
	expect_rc 2
	expect_err_has "LEAKSCAN_FINGERPRINT_KEY: a key must have 16 to 4096 bytes"
	[ -e h1/.config/leakscan ] && fail "a key file was created although the variable gives the key"
	return 0
}

# Without the variable: a user key file, created 0600 on first use, then reused; never in the
# scanned repository. Its content, as the variable, gives the same fingerprints.
test_item9_user_key_file() {
	git init -q r && printf 'k = %s\n' "$AWS_KEY" > r/a.txt
	mkdir home
	local f1 f2 f3
	f1=$(env -u LEAKSCAN_FINGERPRINT_KEY HOME="$WORK/home" "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -f jsonl r 2>err.txt)
	grep -q "warning" err.txt && fail "stderr: $(cat err.txt)"
	local key=home/.config/leakscan/fingerprint.key
	[ -f "$key" ] || fail "no key file created"
	expect_eq "$(stat -c %a "$key")" "600"
	expect_eq "$(stat -c %a home/.config/leakscan)" "700"
	expect_eq "$(tr -d '\n' < "$key" | wc -c)" "64"
	expect_eq "$(find r -newer "$key" | grep -v '^r$' | wc -l)" "0"
	f2=$(env -u LEAKSCAN_FINGERPRINT_KEY HOME="$WORK/home" "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -f jsonl r 2>/dev/null)
	expect_eq "$f1" "$f2" "(the key file is reused)"
	f3=$(LEAKSCAN_FINGERPRINT_KEY=$(cat "$key") HOME=/nonexistent "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -f jsonl r 2>/dev/null)
	expect_eq "$f3" "$f1" "(the variable set to the file's content)"
	# a key file that is no key: a warning, a key of this run, and the file left alone
	mkdir -p bad/.config/leakscan && echo short > bad/.config/leakscan/fingerprint.key
	env -u LEAKSCAN_FINGERPRINT_KEY HOME="$WORK/bad" "$LEAKSCAN" scan -q r >/dev/null 2>err.txt
	grep -q "warning: fingerprint key file '$WORK/bad/.config/leakscan/fingerprint.key': a key must have 16 to" err.txt ||
		fail "no warning for a short key file: $(cat err.txt)"
	expect_eq "$(cat bad/.config/leakscan/fingerprint.key)" "short"
	# XDG_CONFIG_HOME comes first
	env -u LEAKSCAN_FINGERPRINT_KEY HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/xdg" "$LEAKSCAN" scan -q r >/dev/null 2>&1
	[ -f xdg/leakscan/fingerprint.key ] || fail "XDG_CONFIG_HOME not used"
	# nowhere to keep a key: a key of this run (never an unkeyed hash), and a warning
	chmod 500 home/.config/leakscan 2>/dev/null
	mkdir ro && chmod 500 ro
	env -u LEAKSCAN_FINGERPRINT_KEY HOME="$WORK/ro" "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -f jsonl r >out.txt 2>err.txt
	expect_eq "$?" "1"
	if [ "$(id -u)" != 0 ]; then
		grep -q "warning: cannot create a fingerprint key" err.txt || fail "no warning: $(cat err.txt)"
	fi
	grep -q "$(printf '%s' "$AWS_KEY" | sha256sum | cut -c1-16)" out.txt && fail "an unkeyed hash without a key file"
	chmod 700 ro home/.config/leakscan
	return 0
}

# Baselines: format 2 with keyed hashes and a key id; an old (plain SHA-256) baseline is still
# honoured and 'baseline update' rewrites it keyed; another key is an error, not a silent miss.
test_item9_baseline_keyed_legacy_and_key_mismatch() {
	git init -q .
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	printf 'password = "%s"\n' "$WEAK" > b.cfg
	lst baseline create -o bl.json .
	expect_rc 0
	grep -q '"secret_hash": "hmac-sha256:'"$(fp_hash "$AWS_KEY")"'"' bl.json || fail "no keyed hash: $(cat bl.json)"
	grep -q '"key_id": "[0-9a-f]\{16\}"' bl.json || fail "no key id"
	grep -q "$(weak_sha)" bl.json && fail "plain hash in the baseline"
	lst scan --baseline bl.json .
	expect_rc 0
	# another key: exit 2 and why, rather than every finding coming back unexplained
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 lst scan --baseline bl.json .
	expect_rc 2
	expect_err_has "baseline 'bl.json': made with another fingerprint key"
	expect_err_has "set LEAKSCAN_FINGERPRINT_KEY to the key it was made with"
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 lst baseline update -o bl.json .
	expect_rc 2
	# a format-1 baseline, as an older leakscan wrote it
	cat > old.json <<EOF
{
  "version": 1,
  "tool": "leakscan 0.1.0",
  "findings": [
    {"rule_id": "test-aws-key", "path": "a.txt", "secret_hash": "$(printf '%s' "$AWS_KEY" | sha256sum | cut -d' ' -f1)", "fingerprint": "a.txt:test-aws-key:x", "added": "2024-05-02"},
    {"rule_id": "test-password", "path": "b.cfg", "secret_hash": "$(weak_sha)", "added": "2024-05-03"}
  ]
}
EOF
	lst scan --baseline old.json .
	expect_rc 0
	expect_out ""
	expect_err_has "warning: baseline 'old.json': 2 entries hold a plain SHA-256 of the secret"
	# whatever the key: an old entry knows none
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 lst scan --baseline old.json .
	expect_rc 0
	# migration: update rewrites it keyed, keeping the dates
	lst baseline update -o old.json .
	expect_rc 0
	expect_err_has "2 kept, 0 added, 0 pruned (old unkeyed hashes rewritten keyed)"
	python3 - "$(fp_hash "$AWS_KEY")" <<'PY' || fail "migrated baseline: $(cat old.json)"
import json, sys
d = json.load(open("old.json"))
assert d["version"] == 2 and len(d["key_id"]) == 16, d
es = d["findings"]
assert [e["added"] for e in es] == ["2024-05-02", "2024-05-03"], es
assert all(e["secret_hash"].startswith("hmac-sha256:") for e in es), es
assert es[0]["secret_hash"] == "hmac-sha256:" + sys.argv[1], es
PY
	grep -q "$(weak_sha)" old.json && fail "plain hash left after update"
	lst scan --baseline old.json .
	expect_rc 0
	expect_err_lacks "warning"
}

# A .leakscanignore written before (plain SHA-256 fingerprints) still ignores its findings.
test_item9_ignore_file_old_fingerprint() {
	git init -q .
	printf 'k = %s\nt = %s\n' "$AWS_KEY" "$TOKEN" > a.txt
	printf 'a.txt:test-aws-key:%s\n' "$(printf '%s' "$AWS_KEY" | sha256sum | cut -c1-16)" > .leakscanignore
	lst scan .
	expect_rc 1
	expect_out "./a.txt:2:9: test-token: t = $TOKEN"
	# the new form works too, and another key's fingerprint does not
	lst scan -f jsonl .
	printf '%s\n' "$OUT" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["fingerprint"])' >> .leakscanignore
	grep -q "^a.txt:test-token:[0-9a-f]\{16\}$" .leakscanignore || fail "ignore file: $(cat .leakscanignore)"
	lst scan .
	expect_rc 0
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 lst scan .
	expect_rc 1
	expect_out "./a.txt:2:9: test-token: t = $TOKEN"
}

# A git --range gate: the baseline made on a dev machine matches in CI with the same key.
test_item9_range_gate_with_shared_key() {
	git init -q .
	printf 'k = %s\n' "$AWS_KEY" > a.txt
	git add a.txt && git commit -q -m one
	mkdir dev ci
	HOME="$WORK/dev" lst baseline create -o bl.json .
	expect_rc 0
	printf 't = %s\n' "$TOKEN" > b.txt
	git add b.txt && git commit -q -m two
	HOME="$WORK/ci" lst git --range HEAD~1..HEAD --baseline bl.json .
	expect_rc 1
	expect_out_has "test-token"
	HOME="$WORK/ci" lst git --baseline bl.json .
	expect_rc 1
	expect_out_lacks "test-aws-key"
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 HOME="$WORK/ci" lst git --baseline bl.json .
	expect_rc 2
	expect_err_has "made with another fingerprint key"
}

# Datastores: keyed hashes only (the file allows no guessing), bound to their key.
test_item9_datastore_keyed() {
	git init -q r && printf 'password = "%s"\n' "$WEAK" > r/app.env && git -C r add . && git -C r commit -q -m one
	lst repos --datastore ds --store-secrets=no r
	expect_rc 1
	local sha
	sha=$(weak_sha)
	if cat ds/datastore.db* | grep -qa "${sha:0:16}"; then fail "a plain SHA-256 in the datastore"; fi
	python3 - ds/datastore.db "$(fp_hash "$WEAK")" <<'PY' || fail "datastore content"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("select secret_hash, fingerprint from secrets").fetchall() == [(sys.argv[2], "test-password:" + sys.argv[2][:16])]
assert len(db.execute("select value from meta where key = 'fingerprint_key'").fetchone()[0]) == 16
PY
	LEAKSCAN_FINGERPRINT_KEY=another-synthetic-key-00002 lst repos --datastore ds r
	expect_rc 2
	expect_err_has "made with another fingerprint key"
}

run_tests
