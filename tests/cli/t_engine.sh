#!/usr/bin/env bash
# Command-line tests of the one engine (issue 17): `scan`, `git` and `repos` read through one
# git walker and one search path, so they give the same findings for the same content. Each
# test named after an item of the security review reproduces that item.
. "$(dirname "$0")/lib.sh"
export GIT_OPTIONAL_LOCKS=0

lsr() { ls_run repos --no-default-rules --rules "$RULES" -j1 "$@"; }
# libgit2 1.5 leaks PCRE2 match data while it loads a remote's configuration (clones of
# file:// URLs below); not leakscan's, and LSan's stacks stop in libpcre2 (as t_repos.sh)
printf 'leak:libpcre2-8.so\n' > "$HOME/lsan.supp"
export LSAN_OPTIONS="suppressions=$HOME/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# Python that writes loose objects straight into REPO/.git/objects (argv[1]), for trees git
# itself would not make.
PYOBJ='
import hashlib, os, sys, zlib
objdir = os.path.join(sys.argv[1], ".git", "objects")
def put(kind, body):
    data = b"%s %d\0" % (kind, len(body)) + body
    h = hashlib.sha1(data).hexdigest()
    d = os.path.join(objdir, h[:2]); os.makedirs(d, exist_ok=True)
    p = os.path.join(d, h[2:])
    if not os.path.exists(p):
        with open(p, "wb") as f: f.write(zlib.compress(data, 1))
    return h
'

# "path:line:rule" of each finding in git/scan JSON output ($OUT), sorted
finding_set() {
	printf '%s' "$OUT" | python3 -c '
import json, sys
for f in json.load(sys.stdin):
    p = f["path"]
    while p.startswith("./"): p = p[2:]
    print("%s:%d:%s" % (p, f["line"], f["rule_id"]))' | sort
}
# the same from `report -f json` of a datastore: every location of every finding
report_set() {
	ls_run report --datastore "$1" -f json
	printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d:
    locs = f.get("locations") or [f]
    for l in locs:
        print("%s:%d:%s" % (l["path"], l.get("line", f.get("line", 0)), f["rule_id"]))' | sort -u
}

# item 2: a copy of an allowlisted fixture at another path is reported at the copy, by the
# PR gate (`git --range`), `git` and `repos` as by `scan`
test_engine_item2_copied_allowlisted_fixture_reported_at_the_copy() {
	git init -q r && cd r
	echo base > README && git add . && git commit -qm base && git branch base
	printf 'allow:\n  - paths: ["tests/fixtures/**"]\n' > .leakscan.yaml
	mkdir -p tests/fixtures config
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > tests/fixtures/sample.env
	git add . && git commit -qm 'add fixture'
	cp tests/fixtures/sample.env config/prod.env && git add . && git commit -qm 'prod config'
	c=$(git rev-parse HEAD | cut -c1-12)
	lst scan .
	expect_rc 1
	expect_out "./config/prod.env:1:21: test-aws-key: aws_access_key_id = $AWS_KEY"
	lst git --range base..HEAD
	expect_rc 1
	expect_out "$c:config/prod.env:1:21: test-aws-key: aws_access_key_id = $AWS_KEY"
	lst git
	expect_rc 1
	expect_out "$c:config/prod.env:1:21: test-aws-key: aws_access_key_id = $AWS_KEY"
	# the fixture alone stays allowed
	git reset -q --hard HEAD~1
	lst git
	expect_rc 0
	lst git --range base..HEAD
	expect_rc 0
}

# item 2, second form: quoted_in_code is decided per path, not at the blob's first path
test_engine_item2_quoted_in_code_decided_per_path() {
	git init -q r && cd r
	printf 'DB_PASSWORD=Hx7kP2mQz9vL4wRt\n' > prod.env && cp prod.env a.py
	git add . && git commit -qm c
	c=$(git rev-parse HEAD | cut -c1-12)
	ls_run scan -q -j1 --no-config .
	expect_rc 1
	expect_out_has "./prod.env:1:13: generic-password:"
	expect_out_lacks "a.py"
	ls_run git -q -j1 --no-config .
	expect_rc 1
	expect_out_has "$c:prod.env:1:13: generic-password:"
	expect_out_lacks "a.py"
	ls_run repos -q -j1 --datastore ../ds .
	expect_rc 1
	# the blob only at source-code paths in another repository: nothing there, and the
	# repository that holds it in prod.env still gets its finding (not "already scanned")
	cd .. && git init -q code && cd code
	printf 'DB_PASSWORD=Hx7kP2mQz9vL4wRt\n' > b.py && git add . && git commit -qm c && cd ..
	ls_run repos -q -j1 --datastore ds2 code
	expect_rc 0
	ls_run repos -q -j1 --datastore ds2 r
	expect_rc 1
	ls_run report --datastore ds2
	expect_out_has "r:$c:prod.env:1:13"
}

# item 1: `repos` scans what refs to blobs and trees hold and annotated tag messages, like `git`
test_engine_item1_repos_reads_refs_to_blobs_trees_and_tag_messages() {
	git init -q r && cd r
	echo hello > readme && git add . && git commit -qm init
	git tag leak-blob "$(printf 'aws_access_key_id = %s\n' "$AWS_KEY" | git hash-object -w --stdin)"
	b=$(printf 'token = %s\n' "$TOKEN" | git hash-object -w --stdin)
	git tag -a -m 'tree tag' leak-tree "$(printf '100644 blob %s\tcreds.txt\n' "$b" | git mktree)"
	git tag -a -m "release; deploy key $AWS_KEY2" v1 HEAD
	cd ..
	lst git -f json r
	expect_rc 1
	want=$(finding_set)
	expect_eq "$(printf '%s\n' "$want" | wc -l)" 3
	for src in r "file://$WORK/r"; do
		rm -rf ds
		lsr -q --datastore ds "$src"
		expect_rc 1
		expect_eq "$(report_set ds)" "$want" "($src)"
	done
}

# item 4: (blob, path) pairs are exact keys. The two 8-byte names below give the same 64-bit
# FNV-1a hash of (object id, name) as the old walk computed it (found with a rho search, about
# a CPU-minute): before, `repos` never read the blob and called the repository unchanged.
test_engine_item4_colliding_names_do_not_hide_a_blob() {
	git init -q r && cd r
	s=$(printf 'aws_access_key_id = %s\n' "$AWS_KEY" | git hash-object -w --stdin)
	t=$(printf '100644 blob %s\treadme\n' "$(printf 'hello\n' | git hash-object -w --stdin)" | git mktree)
	python3 - "$t" "$s" <<'PY' || fail "colliding tree"
import subprocess, sys
T, S = sys.argv[1], sys.argv[2]
assert (T, S) == ("6e17e26237e12bc64cad4af1d9ddd8e8969d8111", "e9a0af8fa43fb8e8a61f3dd1fc0651ea855c3542"), (T, S)
nT, nS = bytes.fromhex("2c5741f61d71768f"), bytes.fromhex("cbb8414a97119b77")
def ph(oid, path):
    h = 1469598103934665603
    for b in bytes.fromhex(oid) + path: h = ((h ^ b) * 1099511628211) & (2**64 - 1)
    return h
assert ph(T, nT) == ph(S, nS), "no collision"
root = b"40000 " + nT + b"\0" + bytes.fromhex(T) + b"100644 " + nS + b"\0" + bytes.fromhex(S)
t = subprocess.run(["git", "hash-object", "-w", "-t", "tree", "--stdin"], input=root, capture_output=True, check=True).stdout.decode().strip()
c = subprocess.run(["git", "commit-tree", t, "-m", "add config"], capture_output=True, check=True).stdout.decode().strip()
subprocess.run(["git", "update-ref", "refs/heads/main", c], check=True)
PY
	cd ..
	lst git r
	expect_rc 1
	lsr --datastore ds r
	expect_rc 1
	expect_err_has "1 new finding;"
	lsr --datastore ds r
	expect_rc 1
	expect_err_has "(0 scanned, 1 unchanged, 0 failed)"
}

# item 12: a tree nested deeper than git allows is named and skipped by `git` and `repos`
# alike (exit 2), never a crash; what is beside it is still scanned
test_engine_item12_deep_tree_is_bounded_in_every_command() {
	git init -q r
	python3 - r 5000 <<PY || fail "deep tree"
$PYOBJ
import subprocess
depth = int(sys.argv[2])
blob = put(b"blob", b"aws_access_key_id = $AWS_KEY\n")
t = put(b"tree", b"100644 key.txt\0" + bytes.fromhex(blob))
for i in range(depth):
    t = put(b"tree", b"40000 d\0" + bytes.fromhex(t))
top = put(b"blob", b"token = $TOKEN\n")
root = put(b"tree", b"40000 d\0" + bytes.fromhex(t) + b"100644 top.txt\0" + bytes.fromhex(top))
c = put(b"commit", b"tree %s\nauthor a <a@b> 1700000000 +0000\ncommitter a <a@b> 1700000000 +0000\n\ndeep\n" % root.encode())
subprocess.run(["git", "-C", sys.argv[1], "update-ref", "refs/heads/main", c], check=True)
PY
	lst git r
	expect_rc 1
	expect_out_has "top.txt:1:13: test-token:"
	expect_err_has "tree nested deeper than 4096 levels"
	lsr --datastore ds r
	expect_rc 1
	expect_err_has "tree nested deeper than 4096 levels"
	# recorded incomplete: scanned again next time
	lsr --datastore ds r
	expect_err_has "(1 scanned, 0 unchanged, 0 failed)"
}

# a blob larger than a window is searched in windows like a file of the same content: the
# same findings at the same lines and columns, one near a window's edge included
test_engine_large_blob_and_file_agree_across_window_edges() {
	git init -q r && cd r
	python3 - "$AWS_KEY" "$TOKEN" <<'PY'
import sys
key, tok = sys.argv[1], sys.argv[2]
line = ("abcdefghij" * 10 + "\n").encode()
w = 64 << 20
with open("big.txt", "wb") as f:
    n = 0
    while n < w - 300:
        f.write(line); n += len(line)
    f.write(b"edge k=" + key.encode() + b"\n")
    while n < w + (3 << 20):
        f.write(line); n += len(line)
    f.write(("last t=" + tok + "\n").encode())
PY
	git add big.txt && git commit -qm big
	lst scan -f json big.txt
	expect_rc 1
	from_scan=$(finding_set)
	expect_eq "$(printf '%s\n' "$from_scan" | wc -l)" 2
	lst git -f json .
	expect_rc 1
	expect_eq "$(finding_set)" "$from_scan"
	lsr -q --datastore ../ds .
	expect_rc 1
	expect_eq "$(report_set ../ds)" "$from_scan"
}

# the must-show of issue 17: scan, git and repos agree on one repository holding a tag on a
# blob, a tag on a tree, an annotated tag message, a copied allowlisted fixture and a deep tree
test_engine_scan_git_and_repos_agree() {
	git init -q r && cd r
	printf 'allow:\n  - paths: ["tests/fixtures/**"]\n' > .leakscan.yaml
	mkdir -p tests/fixtures config src
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > tests/fixtures/sample.env
	printf 'password = "Zq8#mW2!pLx9"\n' > src/app.cfg
	git add . && git commit -qm 'fixture and app'
	cp tests/fixtures/sample.env config/prod.env && cp src/app.cfg src/copy.cfg
	git add . && git commit -qm 'copies'
	git tag leak-blob "$(printf 'old = %s\n' "$TOKEN" | git hash-object -w --stdin)"
	b=$(printf 'aws = %s\n' "$AWS_KEY2" | git hash-object -w --stdin)
	git tag -a -m 'tree tag' leak-tree "$(printf '100644 blob %s\tcreds.txt\n' "$b" | git mktree)"
	git tag -a -m "release key $AWS_KEY2" v1 HEAD
	lst scan -f json .
	expect_rc 1
	from_scan=$(finding_set)
	expect_eq "$from_scan" "config/prod.env:1:test-aws-key
src/app.cfg:1:test-password
src/copy.cfg:1:test-password"
	lst git -f json .
	expect_rc 1
	from_git=$(finding_set)
	# git: the work tree's findings (each blob once: the copy of app.cfg is the same secret),
	# plus what only history holds
	expect_eq "$from_git" "<tag message: v1>:1:test-aws-key
config/prod.env:1:test-aws-key
creds.txt:1:test-aws-key
refs/tags/leak-blob:1:test-token
src/app.cfg:1:test-password"
	# repos (no configuration: the fixture is reported too) lists every place of each blob
	lsr -q --datastore ../ds .
	expect_rc 1
	expect_eq "$(report_set ../ds)" "<tag message: v1>:1:test-aws-key
config/prod.env:1:test-aws-key
creds.txt:1:test-aws-key
refs/tags/leak-blob:1:test-token
src/app.cfg:1:test-password
src/copy.cfg:1:test-password
tests/fixtures/sample.env:1:test-aws-key"
	# and git without the configuration reports what repos holds, once per secret
	lst git --no-config -f json .
	expect_eq "$(finding_set)" "<tag message: v1>:1:test-aws-key
creds.txt:1:test-aws-key
refs/tags/leak-blob:1:test-token
src/app.cfg:1:test-password
tests/fixtures/sample.env:1:test-aws-key"
}

run_tests
