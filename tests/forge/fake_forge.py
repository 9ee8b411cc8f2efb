#!/usr/bin/env python3
"""A fake GitHub, GitLab and Gitea REST API on 127.0.0.1 for tests/cli/t_forge.sh.

    fake_forge.py --config FORGE.json --log LOG --port-file FILE

FORGE.json: {"github": {"ORG-or-USER": [REPO, ...]}, "gitlab": {"GROUP": [...]}, "gitea": {"ORG": [...]}}
where REPO is {"name": "r1", "url": "file:///...", "fork": false, "archived": false, "wiki": false}.
Pages hold 2 repositories (the listing asks for more: the fake decides, as real forges may).

Targets with special names misbehave:
  ratelimited   the first request gets 403 with X-RateLimit-Remaining: 0 and a reset 1 s later
  secondary     the first request gets 403 with Retry-After: 1 (GitHub's secondary limit)
  toomany       429 with Retry-After: 1, then success (GitLab, Gitea)
  broken        500 every time
  malformed     a JSON answer cut in the middle
  notalist      a JSON object instead of a list
  moved         301 to another place
  offsite       its Link: rel="next" points at another origin (localhost instead of 127.0.0.1)
  missing       404 with a message
A repository URL may hold "{API}" (this server's address). With --git-root DIR, paths under
/git/ serve the repositories under DIR over smart HTTP (git http-backend) to a client that
sends Basic credentials whose password is --git-token (401 otherwise).
Every request is logged as one JSON line: method, path, and the credential header it carried.
"""
import argparse, base64, json, http.server, os, socketserver, threading, time, urllib.parse
import git_http  # beside this file

PER_PAGE = 2
ap = argparse.ArgumentParser()
ap.add_argument("--config", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--port-file", required=True)
ap.add_argument("--git-root")
ap.add_argument("--git-token")
args = ap.parse_args()
cfg = json.load(open(args.config))
seen = set()  # targets that already misbehaved once
lock = threading.Lock()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def git(self):
        """Smart HTTP for /git/..., behind Basic authentication with the token as password."""
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        ok = False
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            ok = pw == args.git_token
            with lock:
                with open(args.log, "a") as f:
                    f.write(json.dumps({"path": self.path, "git-user": user, "git-ok": ok}) + "\n")
        if not ok:
            return git_http.deny(self)
        path, _, query = self.path[4:].partition("?")
        git_http.serve(self, args.git_root, path, query, "git", data)

    def do_POST(self):
        if self.path.startswith("/git/") and args.git_root:
            return self.git()
        self.send(405, {"message": "Method Not Allowed"})

    def do_GET(self):
        if self.path.startswith("/git/") and args.git_root:
            return self.git()
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query))
        cred = self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN") or ""
        with lock:
            with open(args.log, "a") as f:
                f.write(json.dumps({"path": self.path, "cred": cred, "host": self.headers.get("Host")}) + "\n")
        parts = [urllib.parse.unquote(p) for p in u.path.split("/") if p]
        forge = target = None
        if len(parts) == 3 and parts[0] in ("orgs", "users") and parts[2] == "repos":
            forge, target = "github", parts[1]
        elif len(parts) == 5 and parts[:3] == ["api", "v4", "groups"] and parts[4] == "projects":
            forge, target = "gitlab", parts[3]
        elif len(parts) == 5 and parts[:3] == ["api", "v1", "orgs"] and parts[4] == "repos":
            forge, target = "gitea", parts[3]
        if forge is None:
            return self.send(404, {"message": "Not Found"})
        if forge == "gitlab" and q.get("include_subgroups") != "true":
            return self.send(400, {"error": "include_subgroups not asked"})
        page = int(q.get("page", "1"))
        once = (forge, target, page) not in seen
        seen.add((forge, target, page))
        if target == "ratelimited" and once:
            return self.send(403, {"message": "API rate limit exceeded"},
                             [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", str(int(time.time()) + 1))])
        if target == "secondary" and once:
            return self.send(403, {"message": "You have exceeded a secondary rate limit"}, [("Retry-After", "1")])
        if target == "toomany" and once:
            return self.send(429, {"message": "Too Many Requests"}, [("Retry-After", "1")])
        if target == "broken":
            return self.send(500, {"message": "Internal\nServer Error"})
        if target == "malformed":
            return self.send(200, b'[{"full_name": "malformed/a", "clone_url": ')
        if target == "notalist":
            return self.send(200, {"message": "a list was expected here"})
        if target == "moved":
            return self.send(301, {"message": "Moved Permanently"}, [("Location", "http://127.0.0.1:9/elsewhere")])
        if target == "missing" or target not in cfg.get(forge, {}):
            return self.send(404, {"message": "Not Found"})
        repos = cfg[forge][target]
        if forge == "gitlab" and q.get("archived") == "false":
            repos = [r for r in repos if not r.get("archived")]
        chunk = repos[(page - 1) * PER_PAGE: page * PER_PAGE]
        items = []
        for r in chunk:
            full = "%s/%s" % (target, r["name"])
            r = dict(r, url=r["url"].replace("{API}", "http://127.0.0.1:%d" % self.server.server_address[1]))
            if forge == "gitlab":
                it = {"path_with_namespace": full, "http_url_to_repo": r["url"], "archived": bool(r.get("archived")),
                      "wiki_enabled": bool(r.get("wiki"))}
                if r.get("fork"):
                    it["forked_from_project"] = {"id": 1}
            else:
                it = {"full_name": full, "clone_url": r["url"], "fork": bool(r.get("fork")),
                      "archived": bool(r.get("archived")), "has_wiki": bool(r.get("wiki"))}
            items.append(it)
        headers = []
        more = page * PER_PAGE < len(repos)
        if more:
            host = "localhost" if target == "offsite" else "127.0.0.1"
            nq = dict(q)
            nq["page"] = str(page + 1)
            nxt = "http://%s:%d%s?%s" % (host, self.server.server_address[1], u.path, urllib.parse.urlencode(nq))
            if forge == "gitlab":
                headers.append(("X-Next-Page", str(page + 1)))  # GitLab: both, the fake gives only this
            else:
                headers.append(("Link", '<%s>; rel="next", <%s>; rel="last"' % (nxt, nxt)))
        elif forge == "gitlab":
            headers.append(("X-Next-Page", ""))
        headers.append(("X-RateLimit-Remaining", "4999"))
        self.send(200, items, headers)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
