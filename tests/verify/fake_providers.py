#!/usr/bin/env python3
"""Fake provider APIs for leakscan's verification tests (tests/cli/t_verify.sh, bench/verify).

Listens on 127.0.0.1 on a random port (written to --port-file), plain HTTP or, with --cert and
--key, HTTPS. Every provider lives under /PROVIDER/ (the test points leakscan there with
--verify-endpoint PROVIDER=URL). What a credential gets is read from --state, a JSON file the
test writes: {"PROVIDER": {"TOKEN": "live" | "revoked" | "throttle" | "slow" | "junk" | "error" | "redirect"}}
("throttle": a 429 with Retry-After: 1 on the first call, then live). For "aws", TOKEN is the
key id and the value an object: {"secret": ..., "token": ... or null, "arn": ..., "account": ...,
"behaviour": ...}: the fake STS recomputes the SigV4 signature with that secret and answers
GetCallerIdentity only for a correct one. Each request is logged to --log as one JSON line
{"provider", "token", "signed"} so that tests can count requests and prove what never came.
"""
import argparse, base64, hashlib, hmac, json, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
lock = threading.Lock()
calls = {}

LIVE = {
    "github": ({"login": "octo-test"}, {"X-OAuth-Scopes": "repo, gist"}),
    "gitlab": ({"username": "gl-test"}, {}),
    "slack": ({"ok": True, "user": "bot-test", "team": "Team Test"}, {}),
    "stripe": ({"id": "acct_test1", "email": "billing@example.com"}, {}),
    "openai": ({"object": "list", "data": []}, {}),
    "anthropic": ({"data": []}, {}),
    "huggingface": ({"name": "hf-test"}, {}),
    "npm": ({"username": "npm-test"}, {}),
    "sendgrid": ({"scopes": ["mail.send"]}, {}),
    "twilio": ({"sid": "AC-test", "friendly_name": "Twilio Test"}, {}),
    "datadog": ({"valid": True}, {}),
    "mailgun": ({"items": []}, {}),
    "shopify": ({"access_scopes": []}, {}),
    "digitalocean": ({"account": {"email": "do@example.com", "uuid": "do-uuid-1"}}, {}),
    "heroku": ({"email": "heroku@example.com", "id": "heroku-id-1"}, {}),
    "telegram": ({"ok": True, "result": {"id": 42, "username": "tg_test_bot"}}, {}),
    "discord": ({"id": "1234", "username": "disc-test"}, {}),
}


_cache = {}


def state():
    """The state file, read again only when a test rewrote it."""
    import os
    mtime = os.stat(args.state).st_mtime_ns
    if _cache.get("mtime") != mtime:
        with open(args.state) as f:
            _cache["data"] = json.load(f)
        _cache["mtime"] = mtime
    return _cache["data"]


def log(provider, token, signed=None):
    with lock, open(args.log, "a") as f:
        f.write(json.dumps({"provider": provider, "token": token, "signed": signed}) + "\n")


def sigv4_ok(h, method, path, body, secret):
    auth = h.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    akid, date, region, service, term = parts["Credential"].split("/")
    signed = parts["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return False
    canon_headers = "".join("%s:%s\n" % (n, " ".join(h.headers.get(n, "").split())) for n in signed)
    canon = "\n".join([method, path, "", canon_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    amzdate = h.headers.get("x-amz-date", "")
    scope = "/".join([date, region, service, term])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(canon.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, term):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts["Signature"]) and service == "sts" and amzdate.startswith(date)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None, ctype="application/json"):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def token_of(self, provider, rest):
        h = self.headers
        if provider == "telegram":
            return rest.split("/")[0][3:] if rest.startswith("bot") else ""
        for name in ("PRIVATE-TOKEN", "x-api-key", "DD-API-KEY", "X-Shopify-Access-Token"):
            if h.get(name):
                return h.get(name)
        auth = h.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            return pw
        return auth.split(" ")[-1] if auth else ""

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if args.latency:
            time.sleep(args.latency)
        provider, _, rest = self.path.lstrip("/").partition("/")
        st = state()
        if provider == "aws":
            return self.aws(method, body, st.get("aws", {}))
        token = self.token_of(provider, rest)
        if rest == "steal":  # where "redirect" points: a client that follows it sends the token here
            log("steal", token)
            return self.send(200, LIVE["github"][0])
        log(provider, token)
        behaviour = st.get(provider, {}).get(token, "revoked")
        if behaviour == "throttle":
            with lock:
                n = calls[token] = calls.get(token, 0) + 1
            behaviour = "throttled" if n == 1 else "live"
        if behaviour == "throttled":
            return self.send(429, {"message": "slow down"}, {"Retry-After": "1"})
        if behaviour == "slow":
            time.sleep(30)
        if behaviour == "junk":
            return self.send(200, "<html>not json", ctype="text/html")
        if behaviour == "redirect":
            return self.send(302, "", {"Location": "/%s/steal" % provider})
        if behaviour == "error":
            return self.send(503, {"message": "down"})
        if behaviour == "live":
            body, headers = LIVE[provider]
            return self.send(200, body, headers)
        if provider == "slack":
            return self.send(200, {"ok": False, "error": "invalid_auth"})
        if provider == "datadog":
            return self.send(403, {"errors": ["Forbidden"]})
        if provider == "telegram":
            return self.send(401, {"ok": False, "description": "Unauthorized"})
        return self.send(401, {"message": "Bad credentials"})

    def aws(self, method, body, creds):
        auth = self.headers.get("Authorization", "")
        akid = auth.split("Credential=")[1].split("/")[0] if "Credential=" in auth else ""
        cred = creds.get(akid)
        err = lambda code: self.send(403, "<ErrorResponse><Error><Code>%s</Code></Error></ErrorResponse>" % code,
                                     ctype="text/xml")
        if not cred:
            log("aws", akid, None)
            return err("InvalidClientTokenId")
        ok = sigv4_ok(self, method, self.path, body, cred["secret"])
        ok = ok and body == b"Action=GetCallerIdentity&Version=2011-06-15"
        token = self.headers.get("X-Amz-Security-Token")
        log("aws", akid, ok)
        if not ok:
            return err("SignatureDoesNotMatch")
        if cred.get("token") != token:
            return err("InvalidClientTokenId")
        behaviour = cred.get("behaviour", "live")
        if behaviour == "throttle":
            with lock:
                n = calls[akid] = calls.get(akid, 0) + 1
            if n == 1:
                return self.send(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>",
                                 {"Retry-After": "1"}, ctype="text/xml")
        if behaviour == "revoked":
            return err("InvalidClientTokenId")
        if behaviour == "junk":
            return self.send(200, "<GetCallerIdentityResponse>", ctype="text/xml")
        xml = ("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>%s</Arn><UserId>AIDATESTUSERID</UserId>"
               "<Account>%s</Account></GetCallerIdentityResult></GetCallerIdentityResponse>" % (cred["arn"], cred["account"]))
        return self.send(200, xml, ctype="text/xml")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--latency", type=float, default=0)
    args = p.parse_args()
    ThreadingHTTPServer.request_queue_size = 256  # leakscan opens up to --verify-jobs at once
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
