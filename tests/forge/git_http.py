"""Smart HTTP for test servers: git http-backend behind a BaseHTTPRequestHandler.

Shared by tests/forge/fake_forge.py and tests/cli/t_repos.sh's http_server.
"""
import os
import subprocess


def deny(handler):
    """401 asking for Basic credentials."""
    handler.send_response(401)
    handler.send_header("WWW-Authenticate", 'Basic realm="git"')
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def serve(handler, root, path, query, user, data):
    """Answers the request (`data`: its body) with `git http-backend` for the repositories
    under `root`, as REMOTE_USER `user`."""
    env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
               QUERY_STRING=query, REQUEST_METHOD=handler.command, REMOTE_USER=user,
               REMOTE_ADDR="127.0.0.1", CONTENT_TYPE=handler.headers.get("Content-Type", ""),
               CONTENT_LENGTH=str(len(data)))
    out = subprocess.run(["git", "http-backend"], input=data, env=env, capture_output=True).stdout
    head, _, rest = out.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode().split("\r\n"):
        k, _, v = line.partition(": ")
        if k.lower() == "status":
            status = int(v.split()[0])
        elif k:
            headers.append((k, v))
    handler.send_response(status)
    for k, v in headers:
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(rest)))
    handler.end_headers()
    handler.wfile.write(rest)
