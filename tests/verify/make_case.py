#!/usr/bin/env python3
"""Writes a verification test case: files holding a synthetic credential of every verified
provider in every behaviour the fake providers play (fake_providers.py), their state file, and
what leakscan must report for each.

usage: make_case.py DIR [SEED]
  DIR/src/...      the files to scan
  DIR/state.json   the fake providers' state
  DIR/expect.json  {secret: [status, identity or null, detail substring or null]}
  DIR/secrets.txt  every secret written, one per line (to prove none leaks)
  DIR/canary.txt   the canary key id (its account is canarytokens.org's)
Every value is random and of the right shape only: none is a real credential.
"""
import base64, json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus"))
from values import Gen, B32, HEX, URLSAFE, B62  # noqa: E402

out = sys.argv[1]
g = Gen(int(sys.argv[2]) if len(sys.argv) > 2 else 2026)
os.makedirs(os.path.join(out, "src"), exist_ok=True)
state, expect, lines, secrets = {}, {}, [], []

IDENT = {"github": "octo-test", "gitlab": "gl-test", "slack": "bot-test", "stripe": "billing@example.com",
         "huggingface": "hf-test", "npm": "npm-test", "twilio": "Twilio Test", "digitalocean": "do@example.com",
         "heroku": "heroku@example.com", "telegram": "tg_test_bot", "discord": "disc-test"}


def discord():
    first = "".join(g.s(a, 1) for a in ("MNO", "DTjz", "AEIMQUYcgk", "wxyz012345")) * 4
    return first + g.s(URLSAFE, 8) + "." + g.s(URLSAFE, 6) + "." + g.s(URLSAFE, 30)


# provider: (make a token, the line holding it)
PROVIDERS = {
    "github": (lambda: g.github(), "GITHUB_TOKEN={}"),
    "gitlab": (lambda: "glpat-" + g.b62(20), "GITLAB_TOKEN={}"),
    "slack": (lambda: "xoxb-%s-%s-%s" % (g.s("0123456789", 11), g.s("0123456789", 12), g.b62(24)), "SLACK_BOT_TOKEN={}"),
    "stripe": (lambda: "sk_" + "live_" + g.b62(24), "STRIPE_KEY={}"),
    "openai": (lambda: "sk-proj-" + g.b62(24) + "T3BlbkFJ" + g.b62(24), "OPENAI_API_KEY={}"),
    "anthropic": (lambda: "sk-ant-api03-" + g.b62(90) + "AA", "ANTHROPIC_API_KEY={}"),
    "huggingface": (lambda: "hf_" + g.s("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 34), "HF_TOKEN={}"),
    "npm": (lambda: g.npm(), "NPM_TOKEN={}"),
    "sendgrid": (lambda: "SG." + g.b62(22) + "." + g.b62(43), "SENDGRID_API_KEY={}"),
    "twilio": (lambda: g.hexs(32), "twilio_auth_token = {}  # account AC" + "0" * 4 + g.hexs(28)),
    "datadog": (lambda: g.hexs(32), "DD_API_KEY={}"),
    "mailgun": (lambda: "key-" + g.hexs(32), "MAILGUN_KEY={}"),
    "shopify": (lambda: "shpat_" + g.hexs(32), "SHOPIFY_TOKEN={}  # shop-test.myshopify.com"),
    "digitalocean": (lambda: "dop_v1_" + g.hexs(64), "DIGITALOCEAN_TOKEN={}"),
    "heroku": (lambda: "HRKU-AA" + g.s(URLSAFE, 58), "HEROKU_API_KEY={}"),
    "telegram": (lambda: g.s("123456789", 9) + ":AA" + g.s(URLSAFE, 33), "TELEGRAM_BOT_TOKEN={}"),
    "discord": (lambda: discord(), "DISCORD_BOT_TOKEN={}  # discord"),
}

# behaviour -> expected (status, identity?, detail substring)
for name, (make, fmt) in PROVIDERS.items():
    state[name] = {}
    for behaviour in ("live", "revoked", "throttle", "junk", "slow"):
        tok = make()
        state[name][tok] = behaviour
        lines.append(fmt.format(tok))
        secrets.append(tok)
        ident = IDENT.get(name)
        if name == "datadog" and behaviour == "junk":
            want = ["error", None, "malformed"]
        else:
            want = {"live": ["verified", ident, None], "throttle": ["verified", ident, None],
                    "revoked": ["invalid", None, None], "junk": ["error", None, "malformed"],
                    "slow": ["error", None, "timeout"]}[behaviour]
        expect[tok] = want
with open(os.path.join(out, "src", "providers.env"), "w") as f:
    f.write("\n".join(lines) + "\n")

# the same live GitHub token in two more files and twice in one: checked once
live_gh = next(t for t, b in state["github"].items() if b == "live")
with open(os.path.join(out, "src", "copy1.env"), "w") as f:
    f.write("TOKEN_A=%s\nTOKEN_B=%s\n" % (live_gh, live_gh))
with open(os.path.join(out, "src", "copy2.env"), "w") as f:
    f.write("GH=%s\n" % live_gh)


def akid_for(account, prefix="AKIA"):
    """A key id that decodes to `account` (validate.c: bits 46..7 of the first 6 bytes)."""
    x = (int(account) << 7) | g.r.randrange(128)
    raw = x.to_bytes(6, "big") + g.r.randbytes(4)
    return prefix + base64.b32encode(raw).decode()[:16]


state["aws"] = {}
aws_lines = []
for behaviour in ("live", "revoked", "wrongsig", "throttle", "junk", "session"):
    account = g.aws_account()
    akid = akid_for(account, "ASIA" if behaviour == "session" else "AKIA")
    sec = g.aws_secret()
    token = g.aws_session_token() if behaviour == "session" else None
    arn = "arn:aws:iam::%s:user/leakscan-test-%s" % (account, behaviour)
    state["aws"][akid] = {"secret": g.aws_secret() if behaviour == "wrongsig" else sec, "token": token,
                          "arn": arn, "account": account,
                          "behaviour": {"revoked": "revoked", "throttle": "throttle", "junk": "junk"}.get(behaviour, "live")}
    aws_lines += ["[%s]" % behaviour, "aws_access_key_id = " + akid, "aws_secret_access_key = " + sec]
    if token:
        aws_lines.append("aws_session_token = " + token)
    aws_lines.append("")
    secrets += [akid, sec] + ([token] if token else [])
    expect[sec] = {"live": ["verified", arn, None], "session": ["verified", arn, None],
                   "throttle": ["verified", arn, None], "revoked": ["invalid", None, "InvalidClientTokenId"],
                   "wrongsig": ["invalid", None, "SignatureDoesNotMatch"], "junk": ["error", None, "malformed"]}[behaviour]
    if token:
        expect[token] = ["verified", arn, None]

# a canarytokens.org key (account 052310077262): skipped, never sent
canary = akid_for("052310077262")
csec = g.aws_secret()
state["aws"][canary] = {"secret": csec, "token": None, "arn": "arn:aws:iam::052310077262:user/canary",
                        "account": "052310077262"}
aws_lines += ["[canary]", "aws_access_key_id = " + canary, "aws_secret_access_key = " + csec, ""]
secrets += [canary, csec]
expect[csec] = ["skipped", None, "canary"]
# a key id alone: not verifiable alone
lone = akid_for(g.aws_account())
aws_lines += ["[lone]", "", "", "", "", "", "", "", "region = eu-west-1", "key_id = " + lone]
secrets.append(lone)
expect[lone] = ["unknown", None, "without its secret"]
with open(os.path.join(out, "src", "aws-credentials.ini"), "w") as f:
    f.write("\n".join(aws_lines) + "\n")

with open(os.path.join(out, "state.json"), "w") as f:
    json.dump(state, f, indent=1)
with open(os.path.join(out, "expect.json"), "w") as f:
    json.dump(expect, f, indent=1)
with open(os.path.join(out, "secrets.txt"), "w") as f:
    f.write("\n".join(secrets) + "\n")
with open(os.path.join(out, "canary.txt"), "w") as f:
    f.write(canary + "\n")
