#!/usr/bin/env bash
# Command-line tests of `leakscan scan`: exact output, exit codes, formats, walking.
. "$(dirname "$0")/lib.sh"

test_scan_clean_tree_exits_0() {
	mkdir d && echo "nothing here" > d/a.txt
	lst scan d
	expect_rc 0
	expect_out ""
	expect_err_has "scanned 1 file "
}

test_scan_text_output_exact() {
	mkdir d && printf 'hello\nkey = %s and %s\n' "$AWS_KEY" "$TOKEN" > d/a.txt
	printf 'x\n\n  password = "Zq8#mW2!pLx9" # ok\n' > d/b.cfg
	lst scan d
	expect_rc 1
	expect_out "d/a.txt:2:7: test-aws-key: key = $AWS_KEY and $TOKEN
d/a.txt:2:36: test-token: key = $AWS_KEY and $TOKEN
d/b.cfg:3:15: test-password: password = \"Zq8#mW2!pLx9\" # ok"
}

test_scan_json_has_exact_keys() {
	printf 'k=%s\n' "$AWS_KEY" > a.txt
	lst scan -f json a.txt
	expect_rc 1
	keys=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(sorted(d[0].keys())), len(d))')
	expect_eq "$keys" "column,confidence,end_column,end_line,entropy,fingerprint,line,match,path,rule_id,rule_name,secret,severity 1"
	printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin)[0]
assert d["line"]==1 and d["column"]==3 and d["end_column"]==22, d
assert d["secret"]=="'"$AWS_KEY"'" and d["path"]=="a.txt", d
' || fail "json values"
}

test_scan_jsonl_one_object_per_line() {
	printf '%s\n%s\n' "$AWS_KEY" "$AWS_KEY2" > a.txt
	lst scan -f jsonl a.txt
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2
	printf '%s\n' "$OUT" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' || fail "jsonl parse"
}

test_scan_redact_every_format() {
	printf 'k=%s\n' "$AWS_KEY" > a.txt
	for fmt in text json jsonl csv sarif junit; do
		lst scan --redact -f "$fmt" a.txt
		expect_rc 1
		expect_out_lacks "$AWS_KEY"
		expect_out_has "AKIA********"
		expect_err_lacks "$AWS_KEY"
	done
}

test_scan_stdin() {
	OUT=$(printf 'x %s\n' "$TOKEN" | "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -q - 2>&1); RC=$?
	expect_rc 1
	expect_out "-:1:7: test-token: x $TOKEN"
}

test_scan_missing_path_exits_2() {
	lst scan does-not-exist
	expect_rc 2
	expect_err_has "does-not-exist"
}

test_scan_findings_win_over_errors() {
	printf '%s\n' "$AWS_KEY" > a.txt
	lst scan a.txt nope
	expect_rc 1
	expect_err_has "nope"
}

test_scan_unreadable_file_reported_and_scan_goes_on() {
	# as root every file is readable: drop to nobody with setpriv (util-linux)
	mkdir d && printf '%s\n' "$AWS_KEY" > d/a.txt && echo secret > d/b.txt
	if [ "$(id -u)" = 0 ]; then
		chmod -R o+rX "$WORK" && chmod 000 d/b.txt
		OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -j1 d 2>"$WORK/.stderr"); RC=$?
		ERR=$(cat "$WORK/.stderr")
	else
		chmod 000 d/b.txt
		lst scan d
	fi
	expect_rc 1
	expect_err_has "d/b.txt: Permission denied"
	expect_out_has "d/a.txt:1:1: test-aws-key"
}

# issue 18, item 18: one NUL byte made a text file binary and hid every secret in it
test_item18_scan_binary_searched_without_generic_rules() {
	printf 'bin\0%s\npassword = "Zq8#mW2!pLx9"\n' "$AWS_KEY" > bin.dat
	lst scan bin.dat
	expect_rc 1
	expect_out "bin.dat:1:5: test-aws-key: bin $AWS_KEY"
	expect_err_has "1 binary (searched without the generic rules)"
	lst scan --binary bin.dat
	expect_rc 1
	expect_out_has "test-password"
}

test_scan_size_cap() {
	printf '%s\n' "$AWS_KEY" > a.txt
	head -c 2000 /dev/zero | tr '\0' 'x' >> a.txt
	lst scan --max-file-size 1K a.txt
	expect_rc 0
	expect_err_has "a.txt: skipped, larger than --max-file-size"
	lst scan --max-file-size 1M a.txt
	expect_rc 1
}

test_scan_symlinks_not_followed_by_default() {
	mkdir real && printf '%s\n' "$AWS_KEY" > real/a.txt
	mkdir d && ln -s ../real d/link && ln -s ../real/a.txt d/file-link
	lst scan d
	expect_rc 0
	lst scan --follow d
	expect_rc 1
	expect_out_has "d/link/a.txt:1:1"
}

test_scan_symlink_loop_with_follow_exits_2() {
	mkdir d && ln -s . d/loop && ln -s nowhere d/broken
	lst scan --follow d
	expect_rc 2
	expect_err_has "symbolic link loop"
	expect_err_has "broken symbolic link"
}

test_scan_fifo_in_tree_does_not_block() {
	mkdir d && mkfifo d/fifo && printf '%s\n' "$AWS_KEY" > d/a.txt
	ls_run scan --no-default-rules --rules "$RULES" -j1 d
	expect_rc 1
}

test_scan_gitignore_honoured_in_work_tree() {
	git init -q repo && cd repo
	printf 'ignored/\n*.log\n' > .gitignore
	mkdir ignored && printf '%s\n' "$AWS_KEY" > ignored/a.txt && printf '%s\n' "$AWS_KEY" > x.log
	printf '%s\n' "$TOKEN" > untracked.txt
	mkdir .git/leak && printf '%s\n' "$AWS_KEY" > .git/leak/a.txt
	lst scan
	expect_rc 1
	expect_out "./untracked.txt:1:5: test-token: $TOKEN"
	lst scan --no-ignore
	expect_out_has "./ignored/a.txt"
	expect_out_has "./x.log"
	expect_out_lacks ".git/leak"
}

test_scan_output_same_for_any_jobs() {
	mkdir d
	for i in $(seq 1 60); do printf 'line\n%s\n%s\n' "$AWS_KEY" "$TOKEN" > "d/f$i.txt"; done
	ls_run scan --no-default-rules --rules "$RULES" -j1 d; one=$OUT
	ls_run scan --no-default-rules --rules "$RULES" -j4 d; four=$OUT
	expect_eq "$(printf '%s' "$one" | md5sum)" "$(printf '%s' "$four" | md5sum)"
	expect_eq "$(printf '%s\n' "$one" | wc -l)" 120
}

test_scan_output_file_written_atomically() {
	printf '%s\n' "$AWS_KEY" > a.txt
	ln -s /nonexistent/target report.json
	lst scan -f json -o report.json a.txt
	expect_rc 1
	[ -f report.json ] && [ ! -L report.json ] || fail "report.json should be a regular file replacing the link"
	python3 -c 'import json; json.load(open("report.json"))' || fail "report.json not JSON"
	expect_eq "$(ls | grep -c tmp)" 0
}

# -o to a device or a pipe writes into it: renaming a report over /dev/null (as root) had
# replaced the device with a regular file, which broke every later `>/dev/null`
test_scan_output_to_a_device_or_a_pipe_writes_in_place() {
	printf 'k=%s\n' "$AWS_KEY" > a.txt
	mkfifo out.fifo
	cat out.fifo > got & reader=$!
	lst scan -o out.fifo a.txt
	expect_rc 1
	wait "$reader"
	[ -p out.fifo ] || fail "the FIFO was replaced"
	expect_eq "$(cat got)" "a.txt:1:3: test-aws-key: k=$AWS_KEY  [fingerprint a.txt:test-aws-key:$(fp_hash "$AWS_KEY" | cut -c1-16)]"
	if [ "$(id -u)" = 0 ]; then
		mknod null c 1 3
		lst scan -o null a.txt
		expect_rc 1
		[ -c null ] || fail "the device was replaced by a regular file"
		lst scan -o /dev/null a.txt
		[ -c /dev/null ] || { fail "/dev/null was replaced"; rm -f /dev/null; mknod -m 666 /dev/null c 1 3; }
	fi
	expect_eq "$(ls | grep -c tmp)" 0
}

# issue 18, item 8: a report may hold secrets; -o honours the umask and keeps the mode of the
# file it replaces, and the temporary file is never wider than 0600
test_scan_item8_output_mode_follows_the_umask() {
	printf 'k=%s\n' "$AWS_KEY" > a.txt
	(
		umask 077
		touch private.json && chmod 600 private.json
		lst scan -f json -o private.json a.txt
		lst scan -f json -o new.json a.txt
		"$LEAKSCAN" baseline create --no-default-rules --rules "$RULES" -q -o base.json a.txt 2>/dev/null
	)
	expect_eq "$(stat -c %a private.json new.json base.json)" "600
600
600"
	( umask 022; lst scan -f json -o wide.json a.txt )
	expect_eq "$(stat -c %a wide.json)" 644
	chmod 640 wide.json
	lst scan -f json -o wide.json a.txt
	expect_eq "$(stat -c %a wide.json)" 640 "(the replaced file's mode is kept)"
}

# issue 18, item 3: a tracked file under a directory .gitignore lists is scanned; the untracked
# files beside it are still skipped
test_scan_item3_tracked_files_under_an_ignored_directory_are_scanned() {
	git init -q r && cd r && mkdir -p config/prod
	printf 'k=%s\n' "$AWS_KEY" > config/prod/creds.env
	git add config && printf 'config/\n' > .gitignore && git add .gitignore && git commit -qm c
	printf 't=%s\n' "$TOKEN" > config/prod/local.env
	lst scan .
	expect_rc 1
	expect_out "./config/prod/creds.env:1:3: test-aws-key: k=$AWS_KEY"
	cd .. && git clone -q r fresh && cd fresh
	lst scan .
	expect_rc 1
	expect_out "./config/prod/creds.env:1:3: test-aws-key: k=$AWS_KEY"
}

test_scan_bad_flag_exits_2() {
	lst scan --definitely-not-a-flag
	expect_rc 2
	expect_err_has "unknown option"
}

test_scan_disable_rule() {
	printf '%s\n' "$AWS_KEY" > a.txt
	lst scan --disable-rule test-aws-key a.txt
	expect_rc 0
	lst scan --disable-rule no-such-rule a.txt
	expect_rc 2
	expect_err_has "unknown rule id 'no-such-rule'"
}

test_scan_inline_allow_markers() {
	printf 'a %s # leakscan:allow\nb %s # gitleaks:allow\nc %s # pragma: allowlist secret\nd %s # leakscan:allow test-token\n' \
		"$AWS_KEY" "$AWS_KEY" "$AWS_KEY" "$AWS_KEY" > a.txt
	lst scan a.txt
	expect_rc 1
	expect_out "a.txt:4:3: test-aws-key: d $AWS_KEY # leakscan:allow test-token"
	lst scan --no-inline-allow a.txt
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 4
}

test_scan_placeholders_are_not_findings() {
	printf 'password = "${DB_PASSWORD}"\npassword = "{{ vault_pw }}"\npassword = "<your-password>"\npassword = "xxxxxxxxxxxx"\npassword = "changeme-now"\n' > a.txt
	lst scan a.txt
	expect_rc 0
}

test_scan_fingerprint_independent_of_line() {
	printf '%s\n' "$AWS_KEY" > a.txt
	lst scan -f jsonl a.txt; fp1=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
	printf 'new line\nanother\n%s\n' "$AWS_KEY" > a.txt
	lst scan -f jsonl a.txt; fp2=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
	expect_eq "$fp1" "$fp2"
	case "$fp1" in *"$AWS_KEY"*) fail "fingerprint contains the secret";; esac
}

test_version_and_help() {
	ls_run --version
	expect_rc 0
	expect_out_has "leakscan "
	ls_run --help
	expect_rc 0
	expect_out_has "scan"
	ls_run help scan
	expect_rc 0
	expect_out_has "usage: leakscan scan"
	ls_run help nope
	expect_rc 2
}

# Files over 64 MiB are read in overlapping windows: secrets on both sides of, inside and
# across a window edge are each found once, with file lines and columns.
test_scan_large_file_windows() {
	python3 - "$AWS_KEY" <<'PY'
import sys
key = sys.argv[1].encode()
line = b"a" * 1000 + b"\n"                       # 1001 bytes a line
n = 70 * 1024 * 1024 // 1001
data = bytearray(line * n)
MB = 1024 * 1024
spots = [63 * MB - 500, int(63.5 * MB), 64 * MB - 10, len(data) - 40]
for off in spots:
    data[off - 1:off] = b" "
    data[off:off + 20] = key
    data[off + 20:off + 21] = b" "
open("big.txt", "wb").write(data)
with open("expect", "w") as f:
    for off in spots:
        print(f"big.txt:{off // 1001 + 1}:{off % 1001 + 1}", file=f)
PY
	lst scan -f jsonl big.txt
	expect_rc 1
	got=$(printf '%s\n' "$OUT" | python3 -c 'import json,sys; [print("%s:%d:%d" % (d["path"], d["line"], d["column"])) for d in map(json.loads, sys.stdin)]')
	expect_eq "$got" "$(cat expect)"
}

# A walked file is read with one read() when it is shorter than the buffer (1 MiB), the long
# way when it fills it: both find a key at the very end, and the size limit names the size.
test_scan_walked_files_around_the_one_read_buffer() {
	mkdir t
	for size in 1048574 1048575 1048576 1048581; do
		python3 -c 'import sys; n, key = int(sys.argv[1]), sys.argv[2]; sys.stdout.write("a" * (n - 22) + "\n" + key + "\n")' \
			"$size" "$AWS_KEY" > "t/f$size.txt"
	done
	lst scan t
	expect_rc 1
	expect_out "t/f1048574.txt:2:1: test-aws-key: $AWS_KEY
t/f1048575.txt:2:1: test-aws-key: $AWS_KEY
t/f1048576.txt:2:1: test-aws-key: $AWS_KEY
t/f1048581.txt:2:1: test-aws-key: $AWS_KEY"
	rm t/*.txt
	head -c 200 /dev/zero | tr '\0' 'b' > t/big.txt
	printf 'k=%s\n' "$AWS_KEY" > t/small.txt
	lst scan --max-file-size 100 t
	expect_rc 1
	expect_out "t/small.txt:1:3: test-aws-key: k=$AWS_KEY"
	expect_err_has "t/big.txt: skipped, larger than --max-file-size (200 bytes)"
}

# A diagnostic stays one line whatever the file name holds (newline, escape sequence).
test_scan_diagnostics_escape_file_names() {
	mkdir d && name=$(printf 'bad\nname\033[31m.txt') && echo x > "d/$name"
	if [ "$(id -u)" = 0 ]; then
		chmod -R o+rX "$WORK" && chmod 000 "d/$name"
		ls_run_nobody() { OUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LEAKSCAN" "$@" 2>"$WORK/.stderr"); RC=$?; ERR=$(cat "$WORK/.stderr"); }
		ls_run_nobody scan -q --no-default-rules --rules "$RULES" -j1 d
	else
		chmod 000 "d/$name"
		lst scan -q d
	fi
	expect_rc 2
	expect_eq "$(printf '%s\n' "$ERR" | wc -l)" 1
	expect_err_has 'd/bad\nname\x1b[31m.txt: Permission denied'
}

# `rules check`: examples must match, negative examples must not, and a rule whose
# confirmation would read 64 KiB per candidate is named.
test_rules_check() {
	cat > r.yaml <<'YAML'
rules:
  - id: bounded
    name: Bounded
    pattern: 'acme_key[ \t]{0,100}=[ \t]{0,100}([a-z0-9]{16})'
    severity: high
    description: A synthetic key for this test.
    examples: ['acme_key = q8mw2plx9tr4vbn7']
    negative_examples: ['acme_key = short']
YAML
	ls_run rules check r.yaml
	expect_rc 0
	expect_out "ok: 1 rules, 2 examples"
	expect_err_lacks warning
	# what Hyperscan runs: cut after 8 value characters, runs of at most 100 kept bounded
	ls_run rules list --hyperscan --no-default-rules --rules r.yaml
	expect_rc 0
	expect_out "$(printf 'bounded\tacme_key[ \\t]{0,100}=[ \\t]{0,100}([a-z0-9]{8})')"
	ls_run rules check --hyperscan r.yaml
	expect_rc 2
	sed -i 's/\[ \\t\]{0,100}/[ \\t]*/g' r.yaml
	ls_run rules check r.yaml
	expect_rc 0
	expect_err_has "r.yaml:4: rule 'bounded': warning: an unbounded repeat before the secret"
	sed -i 's/short/q8mw2plx9tr4vbn7/' r.yaml
	ls_run rules check r.yaml
	expect_rc 1
	expect_err_has "rule 'bounded': negative example 1 matches"
}

# Confidence apart from severity (issue 20): a generic rule's value that only tests, fixtures
# or documentation hold is low confidence, reported with --min-confidence low (audits) only;
# a provider's key there stays high; every format carries both; SARIF maps them to level and
# rank; the configuration sets the default.
test_issue20_confidence_separate_from_severity() {
	mkdir -p app tests docs
	printf 'password = "Vb7#kQ2xLp9sZr4w"\n' > app/settings.env
	printf 'password = "Hn3#tR8yWq2mXc6v"\n' > tests/settings.env
	printf 'Set `password = "Jd5#pL9zKs3nVb8q"` in your config.\n' > docs/setup.md
	printf 'aws_key = %s\n' "$AWS_KEY" > tests/k.env
	ls_run scan --no-config .
	expect_rc 1
	expect_out_has "app/settings.env:1:13: generic-password:"
	expect_out_has "tests/k.env:1:11: aws-access-key-id:"
	expect_out_lacks "tests/settings.env"
	expect_out_lacks "docs/setup.md"
	ls_run scan --no-config --min-confidence low .
	expect_rc 1
	expect_out_has "tests/settings.env:1:13: generic-password: password = \"Hn3#tR8yWq2mXc6v\"  [low confidence]"
	expect_out_has "docs/setup.md:1:"
	ls_run scan --no-config --min-confidence high .
	expect_out "./tests/k.env:1:11: aws-access-key-id: aws_key = $AWS_KEY"
	# JSON, CSV, SARIF, JUnit carry it
	ls_run scan --no-config --min-confidence low -f json .
	printf '%s' "$OUT" | python3 -c '
import json,sys; d={f["path"]: (f["severity"], f["confidence"]) for f in json.load(sys.stdin)}
assert d["./app/settings.env"] == ("high", "medium") and d["./tests/settings.env"] == ("high", "low"), d
assert d["./tests/k.env"] == ("high", "high"), d' || fail "json confidence: $OUT"
	ls_run scan --no-config --min-confidence low -f csv .
	printf '%s\n' "$OUT" | tr -d '\r' | head -1 | grep -q ',confidence$' || fail "csv header: $OUT"
	printf '%s\n' "$OUT" | tr -d '\r' | grep 'tests/settings.env' | grep -q ',"low"$' || fail "csv row: $OUT"
	ls_run scan --no-config --min-confidence low -f sarif .
	printf '%s' "$OUT" | python3 -c '
import json,sys; r=json.load(sys.stdin)["runs"][0]["results"]
d={x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: (x["level"], x["rank"], x["properties"]["confidence"]) for x in r}
assert d["tests/settings.env"] == ("warning", 30, "low"), d
assert d["app/settings.env"] == ("error", 60, "medium") and d["tests/k.env"] == ("error", 90, "high"), d' ||
		fail "sarif level and rank: $OUT"
	ls_run scan --no-config --min-confidence low -f junit tests/settings.env
	expect_out_has "(high severity, low confidence)"
	# the configuration's default, and --min-confidence over it
	printf 'version: 1\nmin_confidence: low\n' > .leakscan.yaml
	ls_run scan .
	expect_out_has "tests/settings.env"
	ls_run scan --min-confidence medium .
	expect_out_lacks "tests/settings.env"
	printf 'version: 1\nmin_confidence: sure\n' > .leakscan.yaml
	ls_run scan .
	expect_rc 2
	expect_err_has ".leakscan.yaml:2: 'min_confidence' must be high, medium or low"
	rm .leakscan.yaml
	ls_run scan --min-confidence maybe .
	expect_rc 2
	expect_err_has "scan: --min-confidence takes high, medium or low"
	# a value held at a test path and at another place is judged by the other: not lost
	cp app/settings.env tests/copy.env
	ls_run scan --no-config tests/copy.env app/settings.env
	expect_out_has "generic-password"
	# a rule may say how sure it is
	printf 'rules:\n  - id: t-weak\n    pattern: weak_[a-z]{8}\n    severity: high\n    confidence: low\n' > r.yaml
	printf 'weak_abcdefgh\n' > w.txt
	ls_run scan --no-config --no-default-rules --rules r.yaml w.txt
	expect_rc 0
	ls_run scan --no-config --no-default-rules --rules r.yaml --min-confidence low w.txt
	expect_rc 1
	printf 'rules:\n  - id: t-weak\n    pattern: weak_[a-z]{8}\n    severity: high\n    confidence: 3\n' > r.yaml
	ls_run scan --no-config --no-default-rules --rules r.yaml w.txt
	expect_rc 2
	expect_err_has "r.yaml:5: rule 't-weak': confidence must be one of high, medium, low"
}

# Judged by what a value means (issue 20): Basic credentials by their password, escapes and
# percent-encoding undone, a Kubernetes Secret's value reported once (decoded), a templated
# line and made-up values low.
test_issue20_values_judged_decoded_and_once() {
	printf 'curl -H "Authorization: Basic %s" https://h\ncurl -H "Authorization: Basic %s" https://h\n' \
		"$(printf 'user:password' | base64)" "$(printf 'svc:Tq9#vLm2!xRw7Zp4' | base64)" > b.sh
	ls_run scan --no-config --min-confidence low b.sh
	expect_out_lacks "b.sh:1:"
	expect_out_has "b.sh:2:31: http-basic-auth-header:"
	printf 'curl -H "Authorization: Basic %s" https://h\n' "$(printf 'admin:SuperSecretPassw0rd' | base64)" > c.sh
	ls_run scan --no-config c.sh
	expect_rc 0
	ls_run scan --no-config --min-confidence low c.sh
	expect_out_has "[low confidence]"
	printf 'apiVersion: v1\nkind: Secret\ndata:\n  DB_PASSWORD: %s\n' "$(printf 'Tq9#vLm2!xRw7Zp4' | base64)" > s.yaml
	ls_run scan --no-config s.yaml
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | grep -c generic-password)" 1 "findings of the Secret's value"
	expect_out_has "[decoded from base64]"
	printf 'password = "&lt;your-password&gt;"\npassword = "%%3Cyour-password%%3E"\npassword = "MySuper%%21StrongPassword"\n' > e.env
	ls_run scan --no-config --min-confidence low e.env
	expect_out_lacks "e.env:1:"
	expect_out_lacks "e.env:2:"
	expect_out_has "e.env:3:13: generic-password:"
	expect_out_has "[low confidence]"
	printf 'machine %%HOSTIP login user1 password Tq9vLm2xRw7Zp4\n' > .netrc
	ls_run scan --no-config .netrc
	expect_rc 0
	printf 'db = "postgres://app:%s@db.internal/orders"\n' 'p%40ssw0rd' > u.env
	ls_run scan --no-config --min-confidence low u.env
	expect_rc 0
}

run_tests
