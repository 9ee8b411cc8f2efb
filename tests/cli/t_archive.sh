#!/usr/bin/env bash
# Command-line tests of archives inside files and blobs (issue 22, "Archives and images"):
# zip/jar, tar, gzip, bzip2, xz, zstd, 7z, nested, docker-save and OCI image tarballs, bombs,
# corrupt input. Every archive is made here, with keys generated for this run.
. "$(dirname "$0")/lib.sh"

# a fresh key of the test rule's shape, never issued by anyone: 16 distinct characters, so
# that it always clears the rule's entropy threshold (random ones fall under it 1 in 6000)
rand_key() {
	local a=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 k=AKIA i j
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		j=$((RANDOM % ${#a}))
		k+=${a:j:1}
		a=${a:0:j}${a:j+1}
	done
	echo "$k"
}

# mkzip OUT [--stored] NAME=FILE...: a zip (deflated unless --stored) of the files given
mkzip() {
	python3 - "$@" <<'PY' || fail "mkzip $*"
import sys, zipfile
out, args = sys.argv[1], sys.argv[2:]
mode = zipfile.ZIP_STORED if args and args[0] == "--stored" else zipfile.ZIP_DEFLATED
args = [a for a in args if a != "--stored"]
with zipfile.ZipFile(out, "w", mode) as z:
    for a in args:
        name, path = a.split("=", 1)
        z.write(path, name)
PY
}

test_archive_jar_entry_named_with_bang() {
	K=$(rand_key)
	mkdir -p src/BOOT-INF/classes dist
	printf 'server.port=8080\naws.key=%s\n' "$K" > src/BOOT-INF/classes/application.properties
	printf 'Manifest-Version: 1.0\n' > src/MANIFEST.MF
	mkzip dist/app.jar META-INF/MANIFEST.MF=src/MANIFEST.MF BOOT-INF/classes/application.properties=src/BOOT-INF/classes/application.properties
	lst scan dist
	expect_rc 1
	expect_out "dist/app.jar!BOOT-INF/classes/application.properties:2:9: test-aws-key: aws.key=$K"
	expect_err_has "opened 1 archive (2 entries"
	# the path is the composite in every format, and the fingerprint follows it
	lst scan -f json dist
	printf '%s' "$OUT" | python3 -c '
import json, sys; d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["path"] == "dist/app.jar!BOOT-INF/classes/application.properties", d
assert d[0]["fingerprint"].startswith("app.jar!BOOT-INF/classes/application.properties:test-aws-key:"), d
' || fail "json path: $OUT"
}

test_archive_detected_by_content_not_name() {
	K=$(rand_key)
	printf 'k = %s\n' "$K" > in.txt
	mkzip looks-like-text.txt conf.env=in.txt
	printf 'plain text, k = %s\n' "$K" > not-a-zip.zip
	# an executable jar: a launch script, then the zip
	mkzip plain.jar app.env=in.txt
	{ printf '#!/bin/bash\nexec java -jar "$0" "$@"\n'; cat plain.jar; } > exec.jar
	rm plain.jar
	lst scan looks-like-text.txt not-a-zip.zip exec.jar
	expect_rc 1
	expect_out "looks-like-text.txt!conf.env:1:5: test-aws-key: k = $K
not-a-zip.zip:1:17: test-aws-key: plain text, k = $K
exec.jar!app.env:1:5: test-aws-key: k = $K"
}

test_archive_stored_entry_reported_once() {
	# a stored entry's bytes are in the zip as they are: the raw search finds the key too,
	# but it is reported once, inside, where it is
	K=$(rand_key)
	printf 'k = %s\n' "$K" > in.txt
	mkzip s.zip --stored conf.env=in.txt
	lst scan s.zip
	expect_rc 1
	expect_out "s.zip!conf.env:1:5: test-aws-key: k = $K"
	# without opening archives, the raw bytes still give it
	lst scan --max-archive-depth 0 s.zip
	expect_rc 1
	expect_out_has "s.zip:"
	expect_out_lacks "s.zip!"
	expect_err_lacks "opened"
}

# nest N KEY: n1.zip holds n2.zip ... holds nN.zip holding conf.env with KEY (deflated)
nest() {
	python3 - "$1" "$2" <<'PY' || fail "nest"
import io, sys, zipfile
n, key = int(sys.argv[1]), sys.argv[2]
data, name = ("k = %s\n" % key).encode(), "conf.env"
for i in range(n, 0, -1):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    data, name = b.getvalue(), "n%d.zip" % i
open("n1.zip", "wb").write(data)
PY
}

test_archive_depth_limit_and_option() {
	K=$(rand_key)
	nest 3 "$K" # conf.env at depth 3: found by default
	lst scan n1.zip
	expect_rc 1
	expect_out "n1.zip!n2.zip!n3.zip!conf.env:1:5: test-aws-key: k = $K"
	nest 4 "$K" # depth 4: beyond the default, with a warning
	lst scan n1.zip
	expect_rc 0
	expect_out ""
	expect_err_has "leakscan: warning: n1.zip!n2.zip!n3.zip!n4.zip: archive: not opened, at the depth limit (--max-archive-depth 3); searched as bytes"
	expect_err_has "1 stopped at a limit"
	lst scan --max-archive-depth 4 n1.zip
	expect_rc 1
	expect_out "n1.zip!n2.zip!n3.zip!n4.zip!conf.env:1:5: test-aws-key: k = $K"
	lst scan --max-archive-depth 0 n1.zip
	expect_rc 0
	expect_err_lacks "archive"
	lst scan --max-archive-depth 17 n1.zip
	expect_rc 2
	expect_err_has "--max-archive-depth takes a number from 0 to 16"
}

test_archive_tar_in_zip_and_compressions() {
	K=$(rand_key)
	mkdir -p t/conf && printf 'k = %s\n' "$K" > t/conf/app.env
	tar cf plain.tar t
	gzip -c plain.tar > inner.tar.gz
	mkzip a.zip inner.tar.gz=inner.tar.gz
	bzip2 -c plain.tar > x.tar.bz2
	xz -c plain.tar > x.tar.xz
	zstd -q -c plain.tar > x.tar.zst
	gzip -c t/conf/app.env > app.env.gz
	bzip2 -c t/conf/app.env > app.env.bz2
	xz -c t/conf/app.env > app.env.xz
	zstd -q -c t/conf/app.env > app.env.zst
	rm -r t plain.tar inner.tar.gz
	lst scan .
	expect_rc 1
	expect_out "./a.zip!inner.tar.gz!t/conf/app.env:1:5: test-aws-key: k = $K
./app.env.bz2!app.env:1:5: test-aws-key: k = $K
./app.env.gz!app.env:1:5: test-aws-key: k = $K
./app.env.xz!app.env:1:5: test-aws-key: k = $K
./app.env.zst!app.env:1:5: test-aws-key: k = $K
./x.tar.bz2!t/conf/app.env:1:5: test-aws-key: k = $K
./x.tar.xz!t/conf/app.env:1:5: test-aws-key: k = $K
./x.tar.zst!t/conf/app.env:1:5: test-aws-key: k = $K"
}

test_archive_7z() {
	mk7z="$(dirname "$STAGED_PROBE")/archive_probe"
	[ -x "$mk7z" ] || { skip "tests/tools/archive_probe not built"; return; }
	K=$(rand_key)
	printf 'k = %s\n' "$K" > app.env
	"$mk7z" 7z x.7z conf/app.env=app.env || { fail "7z writer"; return; }
	rm app.env
	lst scan x.7z
	expect_rc 1
	expect_out "x.7z!conf/app.env:1:5: test-aws-key: k = $K"
}

test_archive_zip_bomb_is_bounded() {
	# 300 MiB of zeros in 300 KiB, and a key after them
	K=$(rand_key)
	python3 - "$K" <<'PY' || fail "bomb"
import sys, zipfile
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    with z.open("zeros.bin", "w", force_zip64=True) as f:
        block = bytes(1 << 20)
        for _ in range(300):
            f.write(block)
    z.writestr("after.env", "k = %s\n" % sys.argv[1])
PY
	# (its size is declared: over --max-file-size it is not read at all; here it is read)
	/usr/bin/time -f '%M' -o rss "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -j1 --max-file-size 1G bomb.zip >out 2>err
	RC=$?; ERR=$(cat err)
	expect_rc 0
	expect_err_has "leakscan: warning: bomb.zip: archive: stopped at the ratio limit (compressed more than 100 to 1) in zeros.bin; the rest was not searched"
	expect_err_has "1 stopped at a limit"
	[ "$(tail -n 1 rss)" -lt 300000 ] || fail "peak RSS $(tail -n 1 rss) KiB"
	# the size limit, on content that compresses little
	python3 -c '
import os, zipfile
with zipfile.ZipFile("big.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("random.bin", os.urandom(3 << 20))' || fail "big.zip"
	lst scan --max-archive-size 1M big.zip
	expect_rc 0
	expect_err_has "leakscan: warning: big.zip: archive: stopped at the size limit (1048576 bytes uncompressed, --max-archive-size) in random.bin"
}

test_archive_nesting_bomb_is_bounded() {
	# 16 copies of 16 copies ... of 1 MiB of zeros, 5 levels: 1 TiB if it were all read
	python3 - <<'PY' || fail "nesting bomb"
import io, zipfile
data, name = bytes(1 << 20), "zeros.bin"
for level in range(5):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(16):
            z.writestr("%d-%s" % (i, name), data)
    data, name = b.getvalue(), "l%d.zip" % level
open("nest.zip", "wb").write(data)
PY
	start=$(date +%s)
	/usr/bin/time -f '%M' -o rss "$LEAKSCAN" scan --no-default-rules --rules "$RULES" -j1 --max-archive-depth 16 nest.zip >out 2>err
	RC=$?; ERR=$(cat err)
	expect_rc 0
	expect_err_has "leakscan: warning: nest.zip: archive: stopped at the "
	[ $(($(date +%s) - start)) -le 12 ] || fail "took $(($(date +%s) - start)) s"
	[ "$(tail -n 1 rss)" -lt 600000 ] || fail "peak RSS $(tail -n 1 rss) KiB"
}

test_archive_truncated_zip_scanned_as_far_as_it_reads() {
	K=$(rand_key)
	printf 'k = %s\n' "$K" > first.env
	head -c 200000 /dev/urandom > second.bin
	mkzip full.zip first.env=first.env second.bin=second.bin
	head -c 100000 full.zip > cut.zip
	rm full.zip
	lst scan cut.zip
	expect_rc 1 # findings decide; a corrupt archive is a warning, not an error
	expect_out "cut.zip!first.env:1:5: test-aws-key: k = $K"
	expect_err_has "leakscan: warning: cut.zip: archive: second.bin: "
	expect_err_has "searched as far as it reads"
	expect_err_has "1 unreadable in part"
	expect_err_lacks "error"
	rm first.env
	mkzip ok.zip second.bin=second.bin
	head -c 50000 ok.zip > cut.zip
	rm ok.zip
	lst scan cut.zip
	expect_rc 0
}

test_archive_entry_over_max_file_size() {
	K=$(rand_key)
	head -c 8192 /dev/zero > big.bin
	printf 'k = %s\n' "$K" > small.env
	mkzip a.zip big.bin=big.bin small.env=small.env
	rm big.bin small.env
	lst scan --max-file-size 4K a.zip
	expect_rc 1
	expect_out "a.zip!small.env:1:5: test-aws-key: k = $K"
	expect_err_has "leakscan: a.zip!big.bin: skipped, larger than --max-file-size (8192 bytes)"
	expect_err_has "skipped 1 too large"
}

test_archive_allowlists_and_markers_inside() {
	K=$(rand_key)
	K2=$(rand_key)
	mkdir -p dist lib
	printf 'k = %s\n' "$K" > a.env
	printf 'k = %s # leakscan:allow\nj = %s\n' "$K" "$K2" > b.env
	mkzip dist/app.jar a.env=a.env
	mkzip lib/other.jar b.env=b.env
	rm a.env b.env
	printf 'allow:\n  - paths: ["dist/**"]\n' > .leakscan.yaml
	lst scan .
	expect_rc 1
	expect_out "./lib/other.jar!b.env:2:5: test-aws-key: j = $K2"
	# a glob sees the whole path, '!' included
	printf 'allow:\n  - paths: ["lib/*.jar!b.env"]\n' > .leakscan.yaml
	lst scan .
	expect_out "./dist/app.jar!a.env:1:5: test-aws-key: k = $K"
}

test_archive_redaction_inside() {
	K=$(rand_key)
	printf 'k = %s\n' "$K" > a.env
	mkzip a.zip a.env=a.env
	lst scan --redact a.zip
	expect_rc 1
	expect_out_has "a.zip!a.env:1:5: test-aws-key: "
	expect_out_lacks "$K"
	lst scan -f sarif a.zip
	expect_out_lacks "$K"
	expect_out_has "a.zip!a.env"
}

# make_layer DIR OUT: a tar (OUT.tar) of DIR's contents, as an image layer
image_files() {
	K=$(rand_key)
	SK=$(python3 -c 'import random, string; print("".join(random.choice(string.ascii_letters + string.digits) for _ in range(40)))')
	mkdir -p rootfs/etc/app && printf 'key = %s\n' "$K" > rootfs/etc/app/config.env
}

test_archive_oci_image_layers_and_config() {
	image_files
	python3 - "$K" "$SK" <<'PY' || fail "oci image"
import hashlib, io, json, sys, tarfile, gzip
key, sk = sys.argv[1], sys.argv[2]
def blob(data, out):
    d = hashlib.sha256(data).hexdigest()
    out.append((d, data))
    return "sha256:" + d
blobs = []
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w") as t:
    t.add("rootfs/etc", arcname="etc")
layer = gzip.compress(lb.getvalue(), mtime=0)
ld = blob(layer, blobs)
cfg = {"architecture": "amd64", "os": "linux",
       "config": {"Env": ["PATH=/usr/bin", "AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + sk],
                  "Cmd": ["/app", "--port", "80"], "Labels": {"team": "x"}},
       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(lb.getvalue()).hexdigest()]},
       "history": [{"created_by": "/bin/sh -c #(nop) ENV AWS_ACCESS_KEY_ID=" + key}]}
cd = blob(json.dumps(cfg).encode(), blobs)
man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd},
       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld}]}
md = blob(json.dumps(man).encode(), blobs)
idx = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md}]}
with tarfile.open("image.tar", "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
    add("index.json", json.dumps(idx).encode())
    for d, data in blobs:
        add("blobs/sha256/" + d, data)
open("layer-digest", "w").write(ld[7:])
PY
	rm -r rootfs
	lst scan image.tar
	expect_rc 1
	L=$(cat layer-digest)
	expect_out "image.tar!blobs/sha256/$L!etc/app/config.env:1:7: test-aws-key: key = $K
image.tar!config:Env:2:19: test-aws-key: AWS_ACCESS_KEY_ID=$K
image.tar!config:history:1:41: test-aws-key: /bin/sh -c #(nop) ENV AWS_ACCESS_KEY_ID=$K"
	# the default rules find the secret key of the pair in Env
	ls_run scan -j1 --no-config image.tar
	expect_out_has "image.tar!config:Env:3:"
}

test_archive_docker_save_image() {
	image_files
	python3 - "$K" <<'PY' || fail "docker save image"
import hashlib, io, json, sys, tarfile
key = sys.argv[1]
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w") as t:
    t.add("rootfs/etc", arcname="etc")
layer = lb.getvalue()
lid = hashlib.sha256(b"layer").hexdigest()
cfg = {"config": {"Env": ["AWS_ACCESS_KEY_ID=" + key]}, "rootfs": {"type": "layers", "diff_ids": []}}
cid = hashlib.sha256(json.dumps(cfg).encode()).hexdigest()
with tarfile.open("image.tar", "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    add(lid + "/layer.tar", layer)
    add(cid + ".json", json.dumps(cfg).encode())
    add("manifest.json", json.dumps([{"Config": cid + ".json", "Layers": [lid + "/layer.tar"]}]).encode())
open("lid", "w").write(lid)
PY
	rm -r rootfs
	lst scan image.tar
	expect_rc 1
	expect_out "image.tar!$(cat lid)/layer.tar!etc/app/config.env:1:7: test-aws-key: key = $K
image.tar!config:Env:1:19: test-aws-key: AWS_ACCESS_KEY_ID=$K"
}

test_archive_jar_in_git_history() {
	K=$(rand_key)
	git init -q repo && cd repo || return
	mkdir dist && printf 'db.user=app\naws=%s\n' "$K" > app.properties
	mkzip dist/app.jar BOOT-INF/classes/app.properties=app.properties
	rm app.properties
	git add dist && git commit -qm "add jar"
	c=$(git rev-parse HEAD)
	git rm -q dist/app.jar && git commit -qm "drop jar"
	lst git .
	expect_rc 1
	expect_out_has "dist/app.jar!BOOT-INF/classes/app.properties:2:5: test-aws-key: aws=$K"
	lst git -f json .
	printf '%s' "$OUT" | python3 -c '
import json, sys; d = json.load(sys.stdin)
assert len(d) == 1 and d[0]["path"] == "dist/app.jar!BOOT-INF/classes/app.properties", d
assert d[0]["commit"] == sys.argv[1], d
' "$c" || fail "git json: $OUT"
	lst git --max-archive-depth 0 .
	expect_rc 0
}

test_archive_same_output_for_any_jobs() {
	args=()
	for i in 1 2 3 4 5 6; do
		printf 'k = %s\n' "$(rand_key)" > e$i.env
		gzip -c e$i.env > e$i.env.gz
		args+=("a$i.zip" "e$i.env")
	done
	python3 - "${args[@]}" <<'PY' || fail "zips"
import sys, zipfile
a = sys.argv[1:]
for out, path in zip(a[::2], a[1::2]):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, "conf/e.env")
PY
	rm e?.env
	nest 5 "$(rand_key)"
	ls_run scan --no-default-rules --rules "$RULES" -j1 -f jsonl .
	one=$OUT err1=$(printf '%s\n' "$ERR" | grep -v "scanned")
	ls_run scan --no-default-rules --rules "$RULES" -j2 -f jsonl .
	expect_eq "$OUT" "$one" "(-j2 output)"
	expect_eq "$(printf '%s\n' "$ERR" | grep -v "scanned")" "$err1" "(-j2 stderr)"
	expect_eq "$(printf '%s\n' "$one" | wc -l)" 12
}

run_tests
