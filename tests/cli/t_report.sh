#!/usr/bin/env bash
# Command-line tests of the reports meant for other tools: SARIF 2.1.0 against the official
# schema, JUnit XML, CSV (RFC 4180), redaction in every format, the summary line (issue 5).
. "$(dirname "$0")/lib.sh"

# Debian's python3 has python3-jsonschema and python3-lxml (scripts/deps test).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# the official schema, vendored with its source and licence (tests/data/sarif/README.md)
SARIF_SCHEMA="$TEST_DATA/sarif/sarif-schema-2.1.0.json"

# A tree with odd file names and two secrets on one line.
make_tree() {
	mkdir -p 'd/odd dir' d/sub
	printf 'k = %s t = %s\n' "$AWS_KEY" "$TOKEN" > d/both.txt
	printf 'x = %s\n' "$AWS_KEY2" > 'd/odd dir/a%b #?&"<é>,x.txt'
	printf 'password = "Zq8#mW2!pLx9"\n' > d/sub/c.cfg
}

test_sarif_valid_against_official_schema() {
	if [ ! -f "$SARIF_SCHEMA" ]; then
		fail "SARIF schema not found at $SARIF_SCHEMA"
		return
	fi
	make_tree
	lst scan -f sarif -o out.sarif d
	expect_rc 1
	"$PY" - "$SARIF_SCHEMA" out.sarif "$AWS_KEY" "$AWS_KEY2" "${TOKEN#tok_}" <<'EOF' || fail "sarif checks"
import json, sys, urllib.parse, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
secrets = sys.argv[3:]
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
assert not errors, "\n".join(e.message for e in errors[:5])
assert doc["version"] == "2.1.0"
run = doc["runs"][0]
rules = run["tool"]["driver"]["rules"]
results = run["results"]
assert len(results) == 4, len(results)
assert len({r["id"] for r in rules}) == len(rules), "duplicate rules"
assert run["columnKind"] == "unicodeCodePoints"
assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
uris = set()
for res in results:
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res
    loc = res["locations"][0]["physicalLocation"]
    uri = loc["artifactLocation"]["uri"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    # percent-encoded: nothing outside RFC 3986 unreserved characters and '/'
    assert all(c.isascii() and (c.isalnum() or c in "-._~/%") for c in uri), uri
    uris.add(urllib.parse.unquote(uri))
    reg = loc["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1 and reg["endColumn"] > reg["startColumn"], reg
    assert "snippet" not in reg and "contextRegion" not in loc, "line context while redacting"
    fp = res["partialFingerprints"]["leakscan/v1"]
    # relative to the policy's base (here the scanned directory), whatever the working directory
    fpath, frule, fhash = fp.rsplit(":", 2)
    assert urllib.parse.unquote(uri) == "d/" + fpath and frule == res["ruleId"] and len(fhash) == 16, fp
    assert "secretHash/v1" not in res["partialFingerprints"]
text = open(sys.argv[2]).read()
for s in secrets:
    assert s not in text, "unredacted secret in SARIF"
assert uris == {"d/both.txt", 'd/odd dir/a%b #?&"<é>,x.txt', "d/sub/c.cfg"}, uris
by_file = {urllib.parse.unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) + ":" + r["ruleId"]: r for r in results}
reg = by_file["d/both.txt:test-token"]["locations"][0]["physicalLocation"]["region"]
assert (reg["startLine"], reg["startColumn"], reg["endColumn"]) == (1, 34, 58), reg
EOF
}

test_sarif_no_redact_has_context_and_stays_valid() {
	[ -f "$SARIF_SCHEMA" ] || { fail "SARIF schema not found at $SARIF_SCHEMA"; return; }
	make_tree
	lst scan -f sarif --no-redact d
	expect_rc 1
	expect_out_has "$AWS_KEY"
	printf '%s' "$OUT" > out.sarif
	"$PY" - "$SARIF_SCHEMA" out.sarif <<'EOF' || fail "sarif --no-redact checks"
import json, sys, jsonschema
doc = json.load(open(sys.argv[2]))
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(doc)
for res in doc["runs"][0]["results"]:
    loc = res["locations"][0]["physicalLocation"]
    assert loc["contextRegion"]["snippet"]["text"], loc
    assert len(res["partialFingerprints"]["secretHash/v1"]) == 64
EOF
	# no findings: still a valid log with an empty result list
	mkdir e && echo clean > e/a.txt
	lst scan -f sarif e
	expect_rc 0
	printf '%s' "$OUT" | "$PY" -c '
import json, sys, jsonschema
doc = json.load(sys.stdin)
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(doc)
assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []
' "$SARIF_SCHEMA" || fail "empty sarif"
}

test_sarif_and_junit_of_a_history_scan() {
	[ -f "$SARIF_SCHEMA" ] || { fail "SARIF schema not found at $SARIF_SCHEMA"; return; }
	git init -q r && cd r
	printf 'k = %s\n' "$AWS_KEY" > 'a b.txt'
	git add . && git commit -qm "add a key"
	commit=$(git rev-parse HEAD)
	lst git -f sarif -o ../h.sarif
	expect_rc 1
	"$PY" - "$SARIF_SCHEMA" ../h.sarif "$commit" <<'EOF' || fail "history sarif"
import json, sys, jsonschema
doc = json.load(open(sys.argv[2]))
jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(doc)
res = doc["runs"][0]["results"]
assert len(res) == 1, res
p = res[0]["properties"]
assert p["commit"] == sys.argv[3] and p["author_email"] == "author@example.invalid", p
assert res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b.txt"
EOF
	lst git -f junit -o ../h.xml
	expect_rc 1
	"$PY" - ../h.xml "$commit" <<'EOF' || fail "history junit"
import sys
from lxml import etree
c = etree.parse(sys.argv[1]).getroot().find("testsuite/testcase")
assert c.get("name") == sys.argv[2][:12] + ":a b.txt:1:5", c.attrib
assert "commit: " + sys.argv[2] in c.find("failure").text
EOF
}

junit_check() { # FILE EXPECTED_FAILURES
	"$PY" - "$1" "$2" <<'EOF'
import sys
from lxml import etree
root = etree.parse(sys.argv[1]).getroot()
want = int(sys.argv[2])
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
s = suites[0]
cases = s.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
assert len(fails) == want, (len(fails), want)
assert int(s.get("tests")) == len(cases) and int(s.get("failures")) == len(fails), s.attrib
assert int(root.get("tests")) == len(cases) and int(root.get("failures")) == len(fails), root.attrib
assert int(s.get("errors")) == 0 and int(s.get("skipped")) == 0
for c in fails:
    assert c.get("classname", "").startswith("leakscan.") and c.get("name") and c.get("file"), c.attrib
    f = c.find("failure")
    assert f.get("message") and f.get("type") == c.get("classname")[len("leakscan."):], f.attrib
    assert "fingerprint: " in f.text
if want:
    assert len(cases) == want
else:
    assert len(cases) == 1 and cases[0].get("name") == "no secrets found"
print(" ".join(sorted(c.get("file") for c in fails)))
EOF
}

test_junit_parses_and_counts_add_up() {
	make_tree
	lst scan -f junit -o out.xml d
	expect_rc 1
	got=$(junit_check out.xml 4) || fail "junit structure"
	expect_eq "$got" 'd/both.txt d/both.txt d/odd dir/a%b #?&"<é>,x.txt d/sub/c.cfg'
	for s in "$AWS_KEY" "$AWS_KEY2" "${TOKEN#tok_}" 'Zq8#mW2!pLx9'; do
		grep -qF "$s" out.xml && fail "unredacted secret in junit"
	done
	mkdir e && echo clean > e/a.txt
	lst scan -f junit -o empty.xml e
	expect_rc 0
	junit_check empty.xml 0 >/dev/null || fail "empty junit"
}

test_csv_rfc4180() {
	make_tree
	lst scan -f csv --no-redact d
	expect_rc 1
	case "$OUT" in *$'\r\n'*) ;; *) fail "csv lines must end in CRLF";; esac
	printf '%s' "$OUT" | "$PY" -c '
import csv, io, sys
rows = list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))
head, body = rows[0], rows[1:]
assert head[:5] == ["rule_id", "rule_name", "severity", "path", "line"], head
assert all(len(r) == len(head) for r in body), rows
d = [dict(zip(head, r)) for r in body]
paths = sorted(x["path"] for x in d)
assert paths == ["d/both.txt", "d/both.txt", "d/odd dir/a%b #?&\"<é>,x.txt", "d/sub/c.cfg"], paths
pw = [x for x in d if x["rule_id"] == "test-password"][0]
assert pw["secret"] == "Zq8#mW2!pLx9" and pw["line"] == "1" and pw["column"] == "13", pw
' || fail "csv parse"
}

test_redaction_every_format_and_no_redact() {
	make_tree
	# two secrets on one line: no finding may show the other one in its context
	for fmt in text json jsonl csv sarif junit; do
		lst scan --redact -f "$fmt" d
		expect_rc 1
		for s in "$AWS_KEY" "$AWS_KEY2" "${TOKEN#tok_}" 'Zq8#mW2!pLx9'; do
			case "$OUT$ERR" in *"$s"*) fail "$fmt --redact shows a secret";; esac
		done
	done
	# on by default for sarif and junit; --no-redact opts out
	for fmt in sarif junit; do
		lst scan -f "$fmt" d
		expect_out_lacks "${TOKEN#tok_}"
		lst scan -f "$fmt" --no-redact d
		expect_out_has "${TOKEN#tok_}"
	done
	lst scan -f text d
	expect_out_has "${TOKEN#tok_}"
	lst scan -f text --redact d
	expect_out_has "d/both.txt:1:5: test-aws-key: AKIA********"
}

test_redaction_with_default_rules_and_paired_secrets() {
	# the default pack pairs an AWS secret access key with the key id near it
	local id=AKIAZUR7HXHAV3OOEFJ2 sk=BC5Gco7fcopoFShyAO9H5sLwzcZjS6dDb1qrWMYJ
	printf "KEY = '%s' SECRET = '%s'\n" "$id" "$sk" > pair.txt
	printf "aws_access_key_id = %s\naws_secret_access_key = %s\n" "$id" "$sk" > creds.ini
	for fmt in text json jsonl csv sarif junit; do
		ls_run scan --no-config -j1 --redact -f "$fmt" pair.txt creds.ini
		expect_rc 1
		case "$OUT$ERR" in *"$id"* | *"$sk"*) fail "$fmt --redact shows a secret";; esac
	done
}

test_summary_line_counts_by_severity() {
	make_tree
	lst scan d
	expect_rc 1
	expect_err_has "leakscan: scanned 3 files"
	expect_err_has "; 4 findings (critical 2, high 1, medium 1, low 0)"
	lst scan -f sarif -o x.sarif d
	expect_err_has "4 findings (critical 2, high 1, medium 1, low 0)"
	lst scan -q d
	expect_err_lacks "scanned"
}

run_tests
