#!/usr/bin/env bash
# Command-line tests of history read from packs (issue 17): blobs are built from the packs'
# bytes along their delta trees (source_git_unpack.c), and must come out exactly as libgit2
# reads them from loose objects, whatever the delta encoding; a damaged pack is never a crash
# nor a silent difference.
. "$(dirname "$0")/lib.sh"
export GIT_OPTIONAL_LOCKS=0

# A history where delta trees form: one file edited in 80 commits (a secret in some versions,
# removed later), a larger file edited often, a binary file, a file that outgrows the size cap.
make_history() {
	git init -q r && cd r
	python3 - <<'PY'
import os, subprocess, random
rng = random.Random(17)
lines = ["line %d of the configuration %x" % (i, rng.getrandbits(48)) for i in range(200)]
big = ["%06d %s" % (i, "".join(rng.choice("abcdefghij ") for _ in range(60))) for i in range(4000)]
for c in range(80):
    lines.insert(rng.randrange(len(lines)), "edit %d %x" % (c, rng.getrandbits(40)))
    body = list(lines)
    if 20 <= c < 30:
        body.insert(50, "key = AKIAQYLPMN5HFIQR7BTW")
    if 40 <= c < 45:
        body.insert(120, 'token: tok_mptlatjiaac5zrg12gn2x2ai')
    open("settings.conf", "w").write("\n".join(body) + "\n")
    big[rng.randrange(len(big))] = "%06d changed in %d" % (c, c)
    open("big.txt", "w").write("\n".join(big) + ("\nkey = ASIAZ3MXK7QPL2RTV5WY\n" if c == 60 else "\n"))
    open("blob.bin", "wb").write(bytes(rng.getrandbits(8) for _ in range(300)) + b"\0AKIAQYLPMN5HFIQR7BTW\0" * (c % 2))
    open("grows.txt", "w").write("x" * (1000 * c) + "\n")
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "commit", "-qm", "commit %d" % c], check=True)
PY
}

# scan_both LABEL: scans at -j1 and -j2; both must print the same, saved as $WORK/LABEL.
scan_both() {
	lst git -f jsonl --max-file-size 50K
	printf '%s\n' "$OUT" > "$WORK/$1.out"
	printf '%s\n' "$ERR" | grep -v ' in [0-9.]*s' > "$WORK/$1.err" || true
	printf '%s\n' "$RC" > "$WORK/$1.rc"
	ls_run git -f jsonl --max-file-size 50K --no-default-rules --rules "$RULES" -j2
	[ "$OUT" = "$(cat "$WORK/$1.out")" ] || fail "$1: -j2 prints differently from -j1"
}

# deltas: how many objects of the packs are stored as deltas
deltas() { git verify-pack -v .git/objects/pack/*.idx | awk '$6 ~ /^[0-9]+$/ && NF >= 7 {n++} END {print n+0}'; }

test_pack_blobs_read_as_from_loose_objects() {
	make_history
	[ -z "$(ls .git/objects/pack/)" ] || fail "expected loose objects only"
	scan_both loose
	expect_eq "$(cat "$WORK/loose.rc")" 1 "(loose)"
	grep -q 'test-aws-key' "$WORK/loose.out" || fail "the secret was not found in loose objects"
	grep -q 'skipped, larger than --max-file-size' "$WORK/loose.err" || fail "no too-large note: $(cat "$WORK/loose.err")"
	# offset deltas (what git writes), deep chains
	git gc -q --aggressive
	[ "$(deltas)" -gt 100 ] || fail "the pack holds few deltas ($(deltas)): the test would not test them"
	scan_both ofs
	# deltas whose base is named by object id (older packs, fixed thin packs)
	git -c repack.useDeltaBaseOffset=false repack -adfq
	[ "$(deltas)" -gt 100 ] || fail "the ref-delta pack holds few deltas"
	scan_both ref
	for k in ofs ref; do
		cmp -s "$WORK/loose.out" "$WORK/$k.out" || fail "$k: findings differ from loose objects: $(diff "$WORK/loose.out" "$WORK/$k.out" | head -5)"
		cmp -s "$WORK/loose.err" "$WORK/$k.err" || fail "$k: diagnostics differ: $(diff "$WORK/loose.err" "$WORK/$k.err" | head -5)"
		expect_eq "$(cat "$WORK/$k.rc")" 1 "($k)"
	done
}

# Bytes flipped all over a pack: every run ends with an exit code, prints the findings of the
# intact pack or says on stderr what it could not read; never a crash, never a silent change.
test_pack_damaged_bytes_never_crash_nor_hide() {
	make_history
	git gc -q --aggressive
	lst git -f jsonl
	clean=$OUT
	expect_rc 1
	pack=$(ls .git/objects/pack/*.pack)
	size=$(stat -c %s "$pack")
	cp "$pack" "$WORK/pack.orig"
	for i in $(seq 1 24); do
		off=$(( (size - 40) * i / 25 + 12 ))
		chmod u+w "$pack"
		cp "$WORK/pack.orig" "$pack"
		python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); b=f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0]^0x5a]))' "$pack" "$off"
		lst git -f jsonl
		case "$RC" in 1|2) ;; *) fail "byte $off: exit code $RC: $ERR" ;; esac
		case "$ERR" in *AddressSanitizer*|*"runtime error"*) fail "byte $off: $ERR" ;; esac
		if [ "$OUT" != "$clean" ] && [ "$RC" != 2 ] && ! printf '%s' "$ERR" | grep -q 'cannot read\|corrupt\|error'; then
			fail "byte $off: findings changed without a word: $(diff <(printf '%s\n' "$clean") <(printf '%s\n' "$OUT") | head -4)"
		fi
	done
}

# A pack written by hand with one delta chain of 10,050 blobs (git writes at most 4,095): the
# blob 9,000 deltas deep is built along the chain, the one 10,050 deep (past the bound) is
# left to libgit2; both give what the same objects give loose.
test_pack_chain_past_the_bound_left_to_libgit2() {
	git init -q r && cd r
	python3 - <<'PY' || fail "pack"
import hashlib, struct, subprocess, zlib
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: return bytes(out)
def header(kind, size):
    b = (kind << 4) | (size & 15); size >>= 4; out = bytearray()
    while size:
        out.append(b | 0x80); b = size & 0x7f; size >>= 7
    out.append(b); return bytes(out)
def ofs(d):
    out = bytearray([d & 0x7f]); d >>= 7
    while d:
        d -= 1; out.insert(0, 0x80 | (d & 0x7f)); d >>= 7
    return bytes(out)
def copy_op(off, size):
    op, args = 0x80, bytearray()
    for i in range(4):
        if (off >> (8 * i)) & 0xff: op |= 1 << i; args.append((off >> (8 * i)) & 0xff)
    for i in range(3):
        if (size >> (8 * i)) & 0xff: op |= 0x10 << i; args.append((size >> (8 * i)) & 0xff)
    return bytes([op]) + bytes(args)
content = b"aws_access_key_id = AKIAQYLPMN5HFIQR7BTW\n" + b"".join(b"base line %d\n" % i for i in range(8))
entries, ids, offsets, pos = [], [], [], 12
def put(kind, raw, extra=b""):
    global pos
    e = header(kind, len(raw)) + extra + zlib.compress(raw)
    offsets.append(pos); entries.append(e); pos += len(e)
put(3, content)
ids.append(hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest())
for i in range(1, 10051):
    line = b"v%d\n" % i
    new = content + line
    delta = varint(len(content)) + varint(len(new)) + copy_op(0, len(content)) + bytes([len(line)]) + line
    put(6, delta, ofs(pos - offsets[-1]))
    content = new
    ids.append(hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest())
body = b"PACK" + struct.pack(">II", 2, len(entries)) + b"".join(entries)
pack = body + hashlib.sha1(body).digest()
open("chain.pack", "wb").write(pack)
subprocess.run(["git", "index-pack", "-o", "chain.idx", "chain.pack"], check=True, capture_output=True)
open("ids", "w").write("%s %s\n" % (ids[9000], ids[10050]))
first = content[:len(content) - sum(len(b"v%d\n" % i) for i in range(9001, 10051))]
open("../mid.txt", "wb").write(first)
open("../deep.txt", "wb").write(content)
PY
	read -r mid deep < ids
	mv chain.pack chain.idx .git/objects/pack/ && rm ids
	# the same history, loose, in ../loose (same contents, same dates: the same object ids)
	git init -q ../loose
	[ "$(git -C ../loose hash-object -w ../mid.txt)" = "$mid" ] || fail "mid blob"
	[ "$(git -C ../loose hash-object -w ../deep.txt)" = "$deep" ] || fail "deep blob"
	for d in . ../loose; do
		t1=$(printf '100644 blob %s\tmid.txt\n' "$mid" | git -C "$d" mktree)
		t2=$(printf '100644 blob %s\tdeep.txt\n' "$deep" | git -C "$d" mktree)
		c1=$(git -C "$d" commit-tree "$t1" -m mid) && c2=$(git -C "$d" commit-tree "$t2" -p "$c1" -m deep)
		git -C "$d" update-ref refs/heads/main "$c2"
	done
	[ -z "$(ls ../loose/.git/objects/pack)" ] || fail "the loose copy has a pack"
	lst git -f jsonl
	expect_rc 1
	packed=$OUT
	[ "$(printf '%s\n' "$OUT" | grep -c test-aws-key)" = 2 ] || fail "expected the key in both blobs: $OUT"
	cd ../loose
	lst git -f jsonl
	expect_rc 1
	[ "$OUT" = "$packed" ] || fail "packed and loose differ: $(diff <(printf '%s\n' "$packed") <(printf '%s\n' "$OUT") | head -4)"
}

run_tests
