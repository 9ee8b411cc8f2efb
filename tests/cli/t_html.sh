#!/usr/bin/env bash
# Command-line tests of the HTML report and `leakscan serve` (issue 23), looked at in a real
# headless browser (Debian's chromium, --dump-dom): the page's numbers equal `summary -f
# json`'s, a filter shows exactly its rows, triage through the served page lands in the
# datastore, requests without the token are refused, no planted secret is in a redacted page.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

# dom URL: the page's DOM after its script ran, on stdout
dom() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$WORK/.chromium" \
		--dump-dom "$1" 2>/dev/null
}

# make_ds: three repositories with synthetic secrets (a shared one, in two), scanned into ds/;
# made once per run (in $DS_CACHE), each test gets its own copy of the datastore
DS_CACHE=$(mktemp -d)
trap 'rm -rf "$DS_CACHE"' EXIT
make_ds() {
	if [ ! -e "$DS_CACHE/ds" ]; then
		(cd "$DS_CACHE" && make_ds_once) || { fail "making the datastore"; return; }
	fi
	cp -r "$DS_CACHE/ds" "$DS_CACHE/secrets.txt" .
	ln -s "$DS_CACHE/repos" repos
}

make_ds_once() {
	"$PY" - "$SRC_DIR/tests/corpus" <<'PY' || return 1
import os, subprocess, sys
sys.path.insert(0, sys.argv[1])
from values import Gen
g = Gen(23)
shared = g.github()
secrets = [shared]
for name, n in (("app", 3), ("infra", 2), ("docs", 1)):
    d = os.path.join("repos", name)
    os.makedirs(d)
    lines = ["GITHUB_TOKEN=" + shared] if name != "docs" else []
    for i in range(n):
        t = g.github(); k = g.aws_akid(); s = g.aws_secret()
        lines += ["token_%d = %s" % (i, t), "aws_access_key_id = " + k, "aws_secret_access_key = " + s]
        secrets += [t, k, s]
    open(os.path.join(d, "config.env"), "w").write("\n".join(lines) + "\n")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "add config"]):
        subprocess.run(cmd, cwd=d, check=True)
    if name == "app":  # its first own token is no longer at the tip
        open(os.path.join(d, "config.env"), "w").write("\n".join(l for l in lines if not l.startswith("token_0")) + "\n")
        subprocess.run(["git", "commit", "-qam", "drop token_0"], cwd=d, check=True)
open("secrets.txt", "w").write("\n".join(secrets) + "\n")
PY
	"$LEAKSCAN" repos -q --datastore ds "$PWD/repos/app" "$PWD/repos/infra" "$PWD/repos/docs"
	[ $? = 1 ]
}

# rows FILE: the secrets' rows in a dumped DOM (one line: count the matches, not the lines)
rows() { grep -o '<tr class="secret"' "$1" | wc -l; }

need_chromium() {
	[ -n "$CHROMIUM" ] && return 0
	skip "chromium is not installed (scripts/deps test installs it)"
	return 1
}

test_report_page_shows_what_summary_counts() {
	need_chromium || return
	make_ds
	ls_run report --datastore ds -f html -o report.html
	expect_rc 1
	grep -q "default-src 'none'; script-src 'sha256-" report.html || fail "no strict CSP"
	grep -Eq '<(script|link|img|iframe)[^>]* (src|href)=' report.html && fail "the page loads something"
	dom "file://$PWD/report.html" >dom.html
	grep -q 'data-ready="1"' dom.html || fail "the page's script did not run (CSP?): $(head -c 300 dom.html)"
	ls_run summary --datastore ds -f json
	"$PY" - "$OUT" <<'PY' || fail "the page's numbers differ from summary -f json"
import json, re, sys
s = json.loads(sys.argv[1])
dom = open("dom.html").read()
n = int(re.search(r'id="n-secrets">(\d+)<', dom).group(1))
total = sum(r["secrets"] for r in s["rules"])
assert n == total, (n, total)
locs = int(re.search(r'id="n-locations">(\d+)<', dom).group(1))
assert locs == sum(r["locations"] for r in s["rules"]), locs
def counts(kind):
    return {m.group(1): int(m.group(2)) for m in re.finditer(r'data-kind="%s" data-name="([^"]*)" data-secrets="(\d+)"' % kind, dom)}
assert counts("rule") == {r["rule"]: r["secrets"] for r in s["rules"]}, counts("rule")
assert counts("repo") == {r["repo"]: r["secrets"] for r in s["repos"]}, counts("repo")
assert counts("status") == {r["status"]: r["secrets"] for r in s["statuses"]}, counts("status")
assert len(re.findall(r'<tr class="secret"', dom)) == total
assert counts("run") == {"1": total}, counts("run")
# "At tip" (the 7th column): the token dropped from app's tip is the only "no"
tips = [re.findall(r"<td[^>]*>(.*?)</td>", row)[6] for row in re.findall(r'<tr class="secret".*?</tr>', dom)]
assert tips.count("no") == 1 and tips.count("yes") == total - 1, tips
PY
	# links to the forge a repository URL names (here as if the datastore had cloned GitHub URLs)
	"$PY" - <<'PY' || fail "editing the page's data"
import re
page = open("report.html").read()
page = re.sub(r'"repo":"[^"]*/repos/(\w+)"', r'"repo":"https://github.com/acme/\1.git"', page)
assert "github.com/acme/app.git" in page
open("forge.html", "w").write(page)
PY
	dom "file://$PWD/forge.html" >forge.dom
	grep -Eq 'href="https://github.com/acme/app/blob/[0-9a-f]{40}/config.env#L[0-9]+"' forge.dom || fail "no link to the file on GitHub"
	grep -Eq 'href="https://github.com/acme/app/commit/[0-9a-f]{40}"' forge.dom || fail "no link to the commit on GitHub"
}

test_filter_to_one_rule_shows_exactly_its_rows() {
	need_chromium || return
	make_ds
	ls_run report --datastore ds -f html -o report.html
	ls_run summary --datastore ds -f json
	want=$("$PY" -c 'import json,sys; print([r["secrets"] for r in json.loads(sys.argv[1])["rules"] if r["rule"]=="github-classic-pat"][0])' "$OUT")
	dom "file://$PWD/report.html#rule=github-classic-pat" >dom.html
	rows=$(grep -o '<tr class="secret"[^>]*>' dom.html)
	expect_eq "$(printf '%s\n' "$rows" | grep -c .)" "$want" "rows shown"
	printf '%s\n' "$rows" | grep -v 'data-rule="github-classic-pat"' && fail "a row of another rule is shown"
	grep -q "data-shown=\"$want\"" dom.html || fail "the count shown is not $want"
	# sorted by any column, both ways (the order lives in the address too)
	dom "file://$PWD/report.html#sort=rule" >asc.dom
	dom "file://$PWD/report.html#sort=rule&desc=1" >desc.dom
	"$PY" - <<'PY' || fail "rows not sorted by rule"
import re
asc = re.findall(r'<tr class="secret" data-fp="[^"]*" data-rule="([^"]*)"', open("asc.dom").read())
desc = re.findall(r'<tr class="secret" data-fp="[^"]*" data-rule="([^"]*)"', open("desc.dom").read())
assert asc == sorted(asc) and desc == sorted(desc, reverse=True) and len(asc) == len(desc) > 2, (asc, desc)
assert 'class="sorted asc"' in open("asc.dom").read()
PY
	# the shared token: one row, in two repositories
	dom "file://$PWD/report.html#repo=$DS_CACHE/repos/docs" >dom2.html
	expect_eq "$(rows dom2.html)" 2 "the rows of docs/"
}

test_redacted_page_holds_no_secret() {
	make_ds
	ls_run report --datastore ds -f html -o report.html
	while read -r s; do grep -qF -- "$s" report.html && fail "a secret (${s:0:6}...) is in the redacted page"; done <secrets.txt
	ls_run report --datastore ds -f html --no-redact -o clear.html
	grep -qF -- "$(head -1 secrets.txt)" clear.html || fail "--no-redact does not show the secret"
	# a page leakscan wrote is left out of a scan of the tree holding it (default skips)
	mkdir out && mv clear.html out/
	ls_run scan -q --no-config out
	expect_rc 0
}

test_scan_and_git_write_the_page_too() {
	need_chromium || return
	make_ds
	ls_run scan --no-config -f html -o scan.html repos/app
	expect_rc 1
	ls_run git --no-config -f html -o git.html repos/infra
	expect_rc 1
	dom "file://$PWD/scan.html" >scan.dom
	dom "file://$PWD/git.html" >git.dom
	expect_eq "$(rows scan.dom)" 6 "scan rows (app without its dropped token)"
	expect_eq "$(rows git.dom)" 5 "git rows"
	grep -q "leakscan git: repos/infra" git.dom || fail "the page names the repository"
}

# start_serve ARGS: leakscan serve in the background; $URL, $BASE (scheme://host:port), $TOKEN
start_serve() {
	"$LEAKSCAN" serve --datastore ds "$@" >serve.out 2>serve.err &
	SERVE_PID=$!
	trap 'kill $SERVE_PID 2>/dev/null' EXIT
	for _ in $(seq 100); do [ -s serve.out ] && break; sleep 0.05; done
	URL=$(head -1 serve.out)
	BASE=${URL%%/\?*}
	TOKEN=${URL##*token=}
}

# http METHOD PATH [HEADER=VALUE...] [--body JSON] [--host HOST]: prints "STATUS BODY"
http() {
	"$PY" - "$BASE" "$@" <<'PY'
import sys, http.client, urllib.parse
base, method, path = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(base)
headers, body, host = {}, None, None
args = sys.argv[4:]
while args:
    a = args.pop(0)
    if a == "--body": body = args.pop(0); headers["Content-Type"] = "application/json"
    elif a == "--host": host = args.pop(0)
    else: k, _, v = a.partition("="); headers[k] = v
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.putrequest(method, path, skip_host=host is not None)
if host: c.putheader("Host", host)
for k, v in headers.items(): c.putheader(k, v)
data = body.encode() if body else b""
c.putheader("Content-Length", str(len(data)))
c.endheaders(data)
r = c.getresponse()
print(r.status, r.read().decode(errors="replace"))
PY
}

test_serve_refuses_without_the_token_and_triage_lands_in_the_datastore() {
	make_ds
	start_serve
	case $URL in http://127.0.0.1:*/\?token=*) ;; *) fail "serve printed '$URL'"; return ;; esac
	expect_eq "$(http GET / | cut -c1-3)" 403 "no token"
	expect_eq "$(http GET "/?token=nope" | cut -c1-3)" 403 "wrong token"
	expect_eq "$(http GET "/?token=$TOKEN" --host "evil.example:80" | cut -c1-3)" 403 "another Host (DNS rebinding)"
	page=$(http GET "/?token=$TOKEN")
	expect_eq "${page:0:3}" 200 "the page"
	csrf=$(printf '%s' "$page" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
	[ ${#csrf} = 64 ] || fail "no CSRF token in the page"
	while read -r s; do case $page in *"$s"*) fail "a secret (${s:0:6}...) is in the served page";; esac; done <secrets.txt
	fp=$("$LEAKSCAN" report --datastore ds -f jsonl | head -1 | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["fingerprint"])')
	body="{\"fingerprint\":\"$fp\",\"status\":\"revoked\",\"note\":\"rotated by the page\"}"
	expect_eq "$(http POST "/api/triage?token=$TOKEN" --body "$body" | cut -c1-3)" 403 "no CSRF token"
	expect_eq "$(http POST "/api/triage?token=$TOKEN" X-CSRF-Token=bad --body "$body" | cut -c1-3)" 403 "wrong CSRF token"
	expect_eq "$(http POST "/api/triage" X-CSRF-Token="$csrf" --body "$body" | cut -c1-3)" 403 "CSRF without the token"
	expect_eq "$(http GET "/api/triage?token=$TOKEN" | cut -c1-3)" 405 "GET on the triage endpoint"
	r=$(http POST "/api/triage?token=$TOKEN" X-CSRF-Token="$csrf" --body "$body")
	expect_eq "${r:0:3}" 200 "the page's triage request ($r)"
	ls_run report --datastore ds --status revoked
	expect_out_has "$fp"
	expect_out_has "[revoked: rotated by the page]"
	r=$(http POST "/api/triage?token=$TOKEN" X-CSRF-Token="$csrf" --body '{"fingerprint":"nosuch:0000000000000000","status":"revoked"}')
	expect_eq "${r:0:3}" 404 "an unknown fingerprint"
	r=$(http POST "/api/triage?token=$TOKEN" X-CSRF-Token="$csrf" --body "{\"fingerprint\":\"$fp\",\"status\":\"gone\"}")
	expect_eq "${r:0:3}" 400 "a bad status"
	kill -INT $SERVE_PID
	wait $SERVE_PID
	expect_eq "$?" 0 "serve's exit status after Ctrl-C"
}

test_served_page_in_the_browser_and_read_only() {
	need_chromium || return
	make_ds
	start_serve --read-only
	dom "$URL" >dom.html
	grep -q 'data-ready="1"' dom.html || fail "the served page's script did not run"
	grep -q 'read-only' dom.html || fail "the page does not say read-only"
	grep -q '<select aria-label="status"' dom.html && fail "read-only page offers triage"
	csrf=$(http GET "/?token=$TOKEN" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
	fp=$("$LEAKSCAN" report --datastore ds -f jsonl | head -1 | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.readline())["fingerprint"])')
	r=$(http POST "/api/triage?token=$TOKEN" X-CSRF-Token="$csrf" --body "{\"fingerprint\":\"$fp\",\"status\":\"revoked\"}")
	expect_eq "${r:0:3}" 403 "a change to a read-only server"
	kill $SERVE_PID; wait $SERVE_PID 2>/dev/null
	start_serve
	dom "$URL" >dom2.html
	[ "$(grep -c '<select aria-label="status"' dom2.html)" -ge 1 ] || fail "the served page offers no triage"
}

run_tests
