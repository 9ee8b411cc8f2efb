#!/usr/bin/env python3
"""Generates the labelled leakscan corpus (files under tests/corpus/files/ and labels.json).

Every secret is synthetic (random, seeded): right shape, never a real credential. A secret
is written in a template as «RULE[|ALT...]:EXPR», where EXPR is evaluated with `g` (values.Gen);
the label records the line where the value starts and the rule(s) that may report it.
Everything else in the templates is context or a decoy that must not be reported.

    python3 tests/corpus/generate.py        # rewrites files/ and labels.json
"""
import base64
import hashlib
import json
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from values import Gen  # noqa: E402

OUT = os.path.join(HERE, "files")
TOKEN = re.compile(r"«([a-z0-9|-]+):(.+?)»", re.S)


def b64s(s):
    return base64.b64encode(s.encode()).decode()


def fixed(value, *draws):
    """A hand-written value; `draws` keep the random values after it in the file unchanged."""
    return value


# rules whose finding names a nearby AWS access key ID, which is then not reported alone
AWS_PAIRS = {"aws-secret-access-key", "aws-secret-key-provider-block", "aws-secret-key-after-key-id"}


def absorb_key_ids(labels):
    """Drops the access key ID labels that a paired secret within five lines reports."""
    def rules(l):
        return l["rule_id"] if isinstance(l["rule_id"], list) else [l["rule_id"]]
    keep = []
    for l in labels:
        if l["rule_id"] == "aws-access-key-id" and any(
                o["path"] == l["path"] and abs(o["line"] - l["line"]) <= 5 and AWS_PAIRS & set(rules(o))
                for o in labels):
            continue
        keep.append(l)
    return keep


def build(files):
    labels = []
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for idx, (path, text) in enumerate(files):
        g = Gen(7000 + idx)
        env = {"g": g, "b64s": b64s, "fixed": fixed}
        out = []
        pos = 0
        line = 1
        for m in TOKEN.finditer(text):
            before = text[pos:m.start()]
            out.append(before)
            line += before.count("\n")
            rules = m.group(1).split("|")
            if rules[0] in KEYED and AK not in rules:
                rules.append(AK)
            value = str(eval(m.group(2), env))
            lab = {"path": "files/" + path, "line": line, "rule_id": rules[0] if len(rules) == 1 else rules}
            if (rules[0].startswith("generic-") or rules[0] in MEDIUM_RULES) and EXAMPLE_PLACE.search("/" + path):
                lab["confidence"] = "low"  # a generic value in docs or tests: reported at low only
            labels.append(lab)
            out.append(value)
            line += value.count("\n")
            pos = m.end()
        out.append(text[pos:])
        full = os.path.join(OUT, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", newline="\n") as f:
            f.write("".join(out))
    labels = absorb_key_ids(labels)
    labels.sort(key=lambda l: (l["path"], l["line"]))
    with open(os.path.join(HERE, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1)
        f.write("\n")
    return labels


# Rules of patterns/generic.yaml no surer than medium by their shape: judged by value and place too
MEDIUM_RULES = {"k8s-env-secret-value", "dockerfile-env-secret", "netrc-password", "xml-secret-element",
                "xml-appsettings-secret", "db-connection-uri", "url-credentials", "http-basic-auth-header",
                "http-bearer-token", "sql-password-literal"}
# Where leakscan judges such a rule's value unsure (ls_path_is_example): the labels there say so
EXAMPLE_PLACE = re.compile(r"/(tests?|testing|testdata|spec|specs|fixtures?|mocks?|examples?|samples?|demos?|docs?|"
                           r"documentation|e2e)/|\.(md|markdown|rst|adoc)$|/test_[^/]*$|_test\.[a-z]+$")

# Decoy generators (deterministic, computed at import)
_d = Gen(99)
GIT_SHA = [_d.hexs(40) for _ in range(6)]
SHA256 = [_d.hexs(64) for _ in range(6)]
UUIDS = [_d.uuid() for _ in range(6)]
INTEGRITY = ["sha512-" + _d.b64(64) for _ in range(4)]
PNG_B64 = _d.b64(600)
SSH_PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + _d.b64(32).rstrip("=") + " ops@bastion"
SSH_RSA_PUB = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + _d.b64(380).rstrip("=") + " deploy@ci"

PW = "generic-password"
AK = "generic-api-key"
S_AWS = "aws-secret-access-key|generic-api-key"
# Rules that recognise a secret by its key name (`HEROKU_API_KEY=`, `_authToken=`, ...): the
# generic key-name rule legitimately claims the same secret, so it is listed as an alternative.
KEYED = {"aws-secret-access-key", "aws-secret-key-provider-block", "heroku-api-key",
         "cloudflare-api-token", "twilio-auth-token", "okta-api-token", "datadog-api-key",
         "datadog-app-key", "npmrc-auth-token", "azure-service-bus-shared-access-key",
         "azure-storage-account-key"}

FILES = []


def f(path, text):
    FILES.append((path, text))


# ---------------------------------------------------------------- AWS
f("home/.aws/credentials", """\
[default]
aws_access_key_id = «aws-access-key-id:g.aws_akid()»
aws_secret_access_key = «%s:g.aws_secret()»
region = eu-west-1

[staging]
aws_access_key_id = «aws-access-key-id:g.aws_akid("ASIA")»
aws_secret_access_key = «%s:g.aws_secret()»
aws_session_token = «aws-session-token:g.aws_session_token()»

[docs-example]
# from the AWS documentation, not a real key
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[template]
aws_access_key_id = AKIAXXXXXXXXXXXXXXXX
aws_secret_access_key = <YOUR_SECRET_KEY>
""" % (S_AWS, S_AWS))

f("infra/terraform/main.tf", """\
terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "us-east-1"
  access_key = "«aws-access-key-id:g.aws_akid()»"
  secret_key = "«aws-secret-key-provider-block|generic-api-key:g.aws_secret()»"
}

provider "aws" {
  alias      = "prod"
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
}

resource "aws_db_instance" "main" {
  identifier     = "orders"
  engine         = "postgres"
  username       = "orders"
  password       = random_password.db.result
  kms_key_id     = "arn:aws:kms:us-east-1:%s:key/%s"
}
""" % ("4" * 3 + "1" * 9, UUIDS[0]))

f("infra/terraform/prod.tfvars", """\
environment   = "prod"
instance_type = "m6i.large"
db_password   = "«generic-password:g.password(20)»"
datadog_api_key = "«datadog-api-key|generic-api-key:g.hexs(32)»"
ami_id        = "ami-0c55b159cbfafe1f0"
commit        = "%s"
""" % GIT_SHA[0])

f("app/deploy/docker-compose.yml", """\
version: "3.9"
services:
  api:
    image: registry.internal/api@sha256:%s
    environment:
      AWS_ACCESS_KEY_ID: «aws-access-key-id:g.aws_akid()»
      AWS_SECRET_ACCESS_KEY: «%s:g.aws_secret()»
      DATABASE_URL: postgres://api:«db-connection-uri:g.password(18)»@db:5432/api
      REDIS_URL: redis://:${REDIS_PASSWORD}@redis:6379/0
      SENTRY_DSN: https://%s@o12345.ingest.sentry.io/67890
      STRIPE_SECRET_KEY: «stripe-secret-key:"sk_live_" + g.b62(99)»
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: api
      POSTGRES_PASSWORD: «generic-password:g.password(22)»
      POSTGRES_DB: api
  worker:
    image: registry.internal/worker:1.4.2
    environment:
      - CELERY_BROKER_URL=amqp://worker:«db-connection-uri:g.b62(18)»@rabbitmq:5672//
      - DB_PASSWORD=${DB_PASSWORD}
      - API_TOKEN=${API_TOKEN:?required}
  rabbitmq:
    image: rabbitmq:3-management
    environment:
      RABBITMQ_DEFAULT_USER: guest
      RABBITMQ_DEFAULT_PASS: guest
""" % (SHA256[0], S_AWS, _d.hexs(32)))

f("app/config/aws.json", """\
{
  "Credentials": {
    "AccessKeyId": "«aws-access-key-id:g.aws_akid("ASIA")»",
    "SecretAccessKey": "«%s:g.aws_secret()»",
    "SessionToken": "«aws-session-token:g.aws_session_token()»",
    "Expiration": "2030-01-01T00:00:00Z"
  },
  "AssumedRoleUser": {
    "AssumedRoleId": "«aws-iam-unique-id:g.aws_iam_id("AROA")»:ci-session",
    "Arn": "arn:aws:sts::%s:assumed-role/ci/ci-session"
  }
}
""" % ("aws-secret-access-key", "5" * 12))

f("app/src/s3_client.py", """\
import os

import boto3

# Never do this: keys are hard-coded below for the integration test account.
session = boto3.session.Session(
    aws_access_key_id="«aws-access-key-id:g.aws_akid()»",
    aws_secret_access_key="«%s:g.aws_secret()»",
)

# This is how it should be done.
prod = boto3.session.Session(
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)

BUCKET_CHECKSUM = "%s"
REQUEST_ID = "%s"
MWS_TOKEN = "«aws-mws-auth-token:"amzn.mws." + g.uuid()»"
""" % ("aws-secret-access-key", SHA256[1], UUIDS[1]))

f("app/src/main/java/com/acme/S3Config.java", """\
package com.acme;

import com.amazonaws.auth.BasicAWSCredentials;

public final class S3Config {
    private static final String BUCKET = "acme-reports";
    // sha of the last schema migration
    private static final String SCHEMA = "%s";

    static BasicAWSCredentials credentials() {
        return new BasicAWSCredentials("«aws-access-key-id:g.aws_akid()»", "«aws-secret-key-after-key-id:g.aws_secret()»");
    }

    static BasicAWSCredentials docs() {
        return new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }
}
""" % GIT_SHA[1])

f("app/.env.bedrock", """\
AWS_REGION=us-west-2
AWS_BEARER_TOKEN_BEDROCK=«aws-bedrock-api-key:"ABSK" + g.b64(100)»
BEDROCK_SHORT_TERM=«aws-bedrock-short-term-api-key:"bedrock-api-key-" + g.b64(300)»
BEDROCK_MODEL_ID=anthropic.claude-3-5-sonnet-20240620-v1:0
""")

f("ops/iam/policy-report.json", """\
[
  {"UserName": "ci", "UserId": "«aws-iam-unique-id:g.aws_iam_id("AIDA")»", "Arn": "arn:aws:iam::%s:user/ci"},
  {"UserName": "docs", "UserId": "AIDACKCEVSQ6C2EXAMPLE"},
  {"PolicyName": "ReadOnly", "PolicyId": "«aws-iam-unique-id:g.aws_iam_id("ANPA")»", "DefaultVersionId": "v3"},
  {"GroupName": "admins", "GroupId": "«aws-iam-unique-id:g.aws_iam_id("AGPA")»"}
]
""" % ("6" * 12))

# ---------------------------------------------------------------- private keys
f("ops/keys/deploy_rsa", "«private-key-rsa:g.pem('RSA PRIVATE KEY', 1190)»\n")
f("ops/keys/legacy_encrypted.pem",
  "«private-key-rsa:g.pem('RSA PRIVATE KEY', 1190, 'Proc-Type: 4,ENCRYPTED\\nDEK-Info: AES-256-CBC,' + g.hexs(32).upper() + '\\n\\n')»\n")
f("ops/keys/ec.pem", "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n«private-key-ec:g.pem('EC PRIVATE KEY', 121)»\n")
f("ops/keys/dsa.pem", "«private-key-dsa:g.pem('DSA PRIVATE KEY', 440)»\n")
f("ops/keys/tls.key", "«private-key-pkcs8:g.pem('PRIVATE KEY', 1217)»\n")
f("ops/keys/tls-encrypted.key", "«private-key-pkcs8-encrypted:g.pem('ENCRYPTED PRIVATE KEY', 1298)»\n")
f("ops/keys/id_ed25519", """\
«private-key-openssh:"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n" + g.private_key_body(300) + "\\n-----END OPENSSH PRIVATE KEY-----"»
""")
f("ops/keys/id_ed25519.pub", SSH_PUB + "\n")
f("ops/keys/authorized_keys", SSH_PUB + "\n" + SSH_RSA_PUB + "\n")
f("ops/keys/putty.ppk", """\
«private-key-putty:"PuTTY-User-Key-File-3: ssh-rsa\\nEncryption: none\\nComment: rsa-key-20240301\\nPublic-Lines: 6\\n" + g.private_key_body(270) + "\\nPrivate-Lines: 14\\n" + g.private_key_body(800)»
Private-MAC: %s
""" % _d.hexs(64))
f("ops/keys/signing.asc", """\
«private-key-pgp:"-----BEGIN PGP PRIVATE KEY BLOCK-----\\n\\n" + g.private_key_body(1800) + "\\n=" + g.b64(3) + "\\n-----END PGP PRIVATE KEY BLOCK-----"»
""")
f("ops/keys/age.txt", """\
# created: 2024-05-01T10:00:00Z
# public key: age1%s
«age-secret-key:"AGE-SECRET-KEY-1" + g.s("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)»
""" % _d.s("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58))
# one credential, one finding: the key id names it, the private key beside it is its pair
f("ops/gcp/service-account.json", """\
{
  "type": "service_account",
  "project_id": "acme-analytics-prod",
  "private_key_id": "«gcp-service-account-key-id:g.hexs(40)»",
  "private_key": "%s\\n",
  "client_email": "etl@acme-analytics-prod.iam.gserviceaccount.com",
  "client_id": "1%s",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/etl%%40acme-analytics-prod.iam.gserviceaccount.com"
}
""" % (_d.pem('PRIVATE KEY', 1217).replace(chr(10), chr(92) + 'n'), _d.s("0123456789", 20)))
f("docs/tls-setup.md", """\
# TLS setup

Put the key in `/etc/ssl/private/app.key`. It looks like this (truncated):

```
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA...
...
-----END RSA PRIVATE KEY-----
```

Never paste your `-----BEGIN PRIVATE KEY-----` block into a ticket. The public half is
fine to share:

```
%s
```

Logo (inline PNG): `data:image/png;base64,%s`
""" % (SSH_RSA_PUB, PNG_B64))

# ---------------------------------------------------------------- forges, CI
f("ci/.github/workflows/release.yml", """\
name: release
on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@%s
      - uses: actions/setup-node@%s
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
      - run: echo "fallback token «github-classic-pat:g.github('ghp')»" > /dev/null
""" % (GIT_SHA[2], GIT_SHA[3]))

f("ci/scripts/mirror.sh", """\
#!/usr/bin/env bash
set -euo pipefail
export GH_TOKEN=«github-fine-grained-pat:"github_pat_" + g.b62(22) + "_" + g.b62(59)»
export GITLAB_TOKEN=«gitlab-pat:"glpat-" + g.urlsafe(20)»
export GH_OAUTH=«github-oauth-token:g.github('gho')»
git remote add mirror "https://x-access-token:«github-classic-pat:g.github('ghp')»@github.com/acme/mirror.git"
git push mirror --mirror
curl -X POST -F token=«gitlab-pipeline-trigger-token:"glptt-" + g.hexs(40)» -F ref=main https://gitlab.acme.dev/api/v4/projects/42/trigger/pipeline
# token with a bad checksum (typo), not a live token:
BROKEN=ghp_%s
# same for npm
NPM_BROKEN=npm_%s
git checkout %s
""" % (_d.b62(36), _d.b62(36), GIT_SHA[4]))

f("ci/gitlab-runner/config.toml", """\
concurrent = 4

[[runners]]
  name = "docker-runner"
  url = "https://gitlab.acme.dev/"
  token = "«gitlab-runner-token:"glrt-" + g.urlsafe(20)»"
  executor = "docker"
  [runners.docker]
    image = "alpine:3.19"
    privileged = false

[[runners]]
  name = "legacy"
  url = "https://gitlab.acme.dev/"
  token = "«gitlab-runner-registration-token:"GR1348941" + g.urlsafe(20)»"
""")

f("ci/github-app/tokens.env", """\
GITHUB_APP_INSTALLATION_TOKEN=«github-app-token:g.github('ghs')»
GITHUB_USER_TO_SERVER=«github-app-token:g.github('ghu')»
GITHUB_REFRESH_TOKEN=«github-refresh-token:g.github('ghr')»
GITHUB_OAUTH_TOKEN=«github-oauth-token:g.github('gho')»
GITHUB_APP_ID=123456
""")

f("ci/bitbucket-pipelines.yml", """\
image: atlassian/default-image:4
pipelines:
  default:
    - step:
        script:
          - export BITBUCKET_APP_PASSWORD=«bitbucket-app-password:"ATBB" + g.b62(32)»
          - export JIRA_API_TOKEN=«atlassian-api-token:"ATATT3xFfGF0" + g.urlsafe(170) + "=" + g.hexs(8).upper()»
          - export GITLAB_DEPLOY=«gitlab-deploy-token:"gldt-" + g.urlsafe(20)»
          - ./deploy.sh
""")

f("ci/.netrc", """\
machine github.com
  login acme-bot
  password «github-classic-pat:g.github('ghp')»

machine nexus.acme.dev login deploy password «netrc-password:g.password(20)»

machine ftp.example.org
  login anonymous
  password changeme
""")

# ---------------------------------------------------------------- package registries
f("pkg/.npmrc", """\
//registry.npmjs.org/:_authToken=«npm-access-token:g.npm()»
//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}
//npm.acme.dev/:_authToken=«npmrc-auth-token:g.uuid()»
@acme:registry=https://npm.acme.dev/
always-auth=true
""")

f("pkg/.pypirc", """\
[distutils]
index-servers =
    pypi
    internal

[pypi]
username = __token__
password = «pypi-upload-token:"pypi-AgEIcHlwaS5vcmc" + g.urlsafe(170)»

[internal]
repository = https://nexus.acme.dev/repository/pypi-internal/
username = deploy
password = «generic-password:g.password(18)»
""")

f("pkg/docker/config.json", """\
{
  "auths": {
    "https://index.docker.io/v1/": {
      "auth": "«docker-config-auth:b64s('acmeci:' + g.password(20))»"
    },
    "registry.acme.dev": {
      "auth": "«docker-config-auth:b64s('deploy:' + g.password(24))»"
    },
    "ghcr.io": {}
  },
  "credsStore": "desktop"
}
""")

f("pkg/package-lock.json", """\
{
  "name": "web",
  "lockfileVersion": 3,
  "packages": {
    "node_modules/react": {
      "version": "18.3.1",
      "resolved": "https://registry.npmjs.org/react/-/react-18.3.1.tgz",
      "integrity": "%s"
    },
    "node_modules/loose-envify": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/loose-envify/-/loose-envify-1.4.0.tgz",
      "integrity": "%s"
    }
  }
}
""" % (INTEGRITY[0], INTEGRITY[1]))

f("pkg/yarn.lock", """\
"js-tokens@^3.0.0 || ^4.0.0":
  version "4.0.0"
  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz#%s"
  integrity %s
""" % (GIT_SHA[5], INTEGRITY[2]))

f("pkg/go.sum", "".join(
    "github.com/acme/lib%d v1.%d.0 h1:%s\ngithub.com/acme/lib%d v1.%d.0/go.mod h1:%s\n" % (
        i, i, _d.b64(32), i, i, _d.b64(32)) for i in range(5)))

f("pkg/ci-publish.sh", """\
#!/bin/sh
echo «dockerhub-pat:"dckr_pat_" + g.urlsafe(27)» | docker login -u acmeci --password-stdin
gem push pkg/acme-1.0.gem --key «rubygems-api-key:"rubygems_" + g.hexs(48)»
dotnet nuget push out/Acme.1.0.nupkg --api-key «nuget-api-key:"oy2" + g.s("abcdefghijklmnopqrstuvwxyz0123456789", 43)»
export ARTIFACTORY_API_KEY=«jfrog-api-key:"AKCp8" + g.b62(68)»
export SONAR_TOKEN=«sonarqube-token:"sqp_" + g.hexs(40)»
export CLOJARS_PASSWORD=«clojars-token:"CLOJARS_" + g.s("abcdefghijklmnopqrstuvwxyz0123456789", 60)»
export POSTMAN_API_KEY=«postman-api-key:"PMAK-" + g.hexs(24) + "-" + g.hexs(34)»
sha256sum pkg/acme-1.0.gem  # %s
""" % SHA256[2])

# ---------------------------------------------------------------- SaaS in .env files
f("app/.env.production", """\
# production settings
NODE_ENV=production
PORT=8080
DATABASE_URL=mysql://app:«db-connection-uri:g.password(20)»@mysql.internal:3306/app
MONGO_URI=mongodb+srv://svc:«db-connection-uri:g.b62(24)»@cluster0.ab1cd.mongodb.net/prod?retryWrites=true
SLACK_BOT_TOKEN=«slack-bot-token:"xoxb-" + g.s("0123456789", 12) + "-" + g.s("0123456789", 13) + "-" + g.b62(24)»
SLACK_WEBHOOK_URL=«slack-webhook-url:"https://hooks.slack.com/services/T" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/B" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "/" + g.b62(24)»
SENDGRID_API_KEY=«sendgrid-api-key:"SG." + g.urlsafe(22) + "." + g.urlsafe(43)»
TWILIO_ACCOUNT_SID=AC%s
TWILIO_AUTH_TOKEN=«twilio-auth-token:g.hexs(32)»
TWILIO_API_KEY=«twilio-api-key:"SK" + g.hexs(32)»
MAILGUN_API_KEY=«mailgun-api-key:"key-" + g.hexs(32)»
MAILCHIMP_API_KEY=«mailchimp-api-key:g.hexs(32) + "-us14"»
STRIPE_SECRET_KEY=«stripe-secret-key:"sk_live_" + g.b62(24)»
STRIPE_PUBLISHABLE_KEY=pk_live_%s
STRIPE_WEBHOOK_SECRET=«stripe-webhook-secret:"whsec_" + g.b62(32)»
OPENAI_API_KEY=«openai-api-key:"sk-proj-" + g.urlsafe(74) + "T3BlbkFJ" + g.urlsafe(74)»
ANTHROPIC_API_KEY=«anthropic-api-key:"sk-ant-api03-" + g.urlsafe(93) + "AA"»
HF_TOKEN=«huggingface-token:"hf_" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)»
GOOGLE_MAPS_API_KEY=«google-api-key:"AIza" + g.urlsafe(35)»
SESSION_SECRET=«generic-api-key:g.b62(48)»
JWT_SIGNING_KEY=«generic-api-key:g.b64(32)»
FEATURE_FLAGS=new-checkout,dark-mode
LOG_LEVEL=info
BUILD_SHA=%s
""" % (_d.hexs(32), _d.b62(24), GIT_SHA[0]))

f("app/.env.example", """\
# Copy to .env and fill in
DATABASE_URL=postgres://user:password@localhost:5432/app
SLACK_BOT_TOKEN=xoxb-your-token-here
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
OPENAI_API_KEY=sk-...
AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX
AWS_SECRET_ACCESS_KEY=<YOUR_SECRET_KEY>
API_KEY=<YOUR_API_KEY>
DB_PASSWORD=changeme
SESSION_SECRET=
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
""")

f("app/.env.ai", """\
GROQ_API_KEY=«groq-api-key:"gsk_" + g.b62(52)»
PERPLEXITY_API_KEY=«perplexity-api-key:"pplx-" + g.b62(48)»
XAI_API_KEY=«xai-api-key:"xai-" + g.b62(80)»
REPLICATE_API_TOKEN=«replicate-api-token:"r8_" + g.b62(37)»
OPENAI_LEGACY_KEY=«openai-api-key:"sk-" + g.b62(20) + "T3BlbkFJ" + g.b62(20)»
HF_ORG_TOKEN=«huggingface-token:"api_org_" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)»
ANTHROPIC_ADMIN_KEY=«anthropic-api-key:"sk-ant-admin01-" + g.urlsafe(93) + "AA"»
MODEL=gpt-4o-mini
""")

f("app/.env.saas", """\
SHOPIFY_ACCESS_TOKEN=«shopify-access-token:"shpat_" + g.hexs(32)»
SHOPIFY_API_SECRET=«shopify-shared-secret:"shpss_" + g.hexs(32)»
SQUARE_ACCESS_TOKEN=«square-access-token:"sq0atp-" + g.urlsafe(22)»
SQUARE_APP_SECRET=«square-oauth-secret:"sq0csp-" + g.urlsafe(43)»
BRAINTREE_TOKEN=«paypal-braintree-access-token:"access_token$production$" + g.s("abcdefghijklmnopqrstuvwxyz0123456789", 16) + "$" + g.hexs(32)»
SHIPPO_TOKEN=«shippo-api-token:"shippo_live_" + g.hexs(40)»
BREVO_API_KEY=«brevo-api-key:"xkeysib-" + g.hexs(64) + "-" + g.b62(16)»
LINEAR_API_KEY=«linear-api-key:"lin_api_" + g.b62(40)»
NOTION_TOKEN=«notion-token:"ntn_" + g.s("0123456789", 11) + g.b62(35)»
FIGMA_TOKEN=«figma-token:"figd_" + g.urlsafe(40)»
AIRTABLE_TOKEN=«airtable-pat:"pat" + g.b62(14) + "." + g.hexs(64)»
OKTA_API_TOKEN=«okta-api-token:"00" + g.urlsafe(40)»
MAPBOX_SECRET_TOKEN=«mapbox-secret-token:"sk.eyJ1Ijoi" + g.b62(40) + "." + g.urlsafe(22)»
DROPBOX_TOKEN=«dropbox-access-token:"sl." + g.urlsafe(138)»
PLANETSCALE_PASSWORD=«planetscale-token:"pscale_pw_" + g.urlsafe(43)»
SUPABASE_ACCESS_TOKEN=«supabase-service-key:"sbp_" + g.hexs(40)»
SUPABASE_SERVICE_ROLE_KEY=«jwt:g.jwt()»
STRIPE_TEST_KEY=«stripe-test-secret-key:"sk_test_" + g.b62(24)»
DISCORD_TOKEN=«discord-bot-token:fixed("MTc5Mjc4MjgyMTMwNDQ4MjM0.lI8ihN.5KXSc7Tvo-hBKqFYY-kv5ZJr3J1", g.b62(23), g.urlsafe(6), g.urlsafe(27))»
DISCORD_WEBHOOK=«discord-webhook-url:"https://discord.com/api/webhooks/" + g.s("0123456789", 19) + "/" + g.urlsafe(68)»
TELEGRAM_BOT_TOKEN=«telegram-bot-token:g.s("123456789", 10) + ":AA" + g.urlsafe(33)»
TEAMS_WEBHOOK=«microsoft-teams-webhook-url:"https://acme.webhook.office.com/webhookb2/" + g.uuid() + "@" + g.uuid() + "/IncomingWebhook/" + g.hexs(32) + "/" + g.uuid()»
SLACK_APP_TOKEN=«slack-app-token:"xapp-1-A" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 10) + "-" + g.s("0123456789", 13) + "-" + g.hexs(64)»
SLACK_USER_TOKEN=«slack-user-token:"xoxp-" + g.s("0123456789", 12) + "-" + g.s("0123456789", 12) + "-" + g.s("0123456789", 13) + "-" + g.hexs(32)»
SLACK_CONFIG_TOKEN=«slack-config-token:"xoxe.xoxp-1-" + g.b62(164)»
SLACK_REFRESH=«slack-legacy-token:"xoxr-" + g.s("0123456789", 12) + "-" + g.b62(40)»
""")

f("app/.env.cloud", """\
DIGITALOCEAN_TOKEN=«digitalocean-token:"dop_v1_" + g.hexs(64)»
ALIBABA_CLOUD_ACCESS_KEY_ID=«alibaba-access-key-id:"LTAI" + g.b62(20)»
HEROKU_API_KEY=«heroku-api-key:g.uuid()»
HEROKU_API_KEY_V2=«heroku-api-key-v2:"HRKU-AA" + g.urlsafe(58)»
CLOUDFLARE_API_TOKEN=«cloudflare-api-token:g.urlsafe(40)»
CF_ORIGIN_CA_KEY=«cloudflare-origin-ca-key:"v1.0-" + g.hexs(24) + "-" + g.hexs(146)»
VAULT_TOKEN=«vault-token:"hvs." + g.urlsafe(90)»
DOPPLER_TOKEN=«doppler-token:"dp.st.prd." + g.b62(40)»
PULUMI_ACCESS_TOKEN=«pulumi-access-token:"pul-" + g.hexs(40)»
DATABRICKS_TOKEN=«databricks-token:"dapi" + g.hexs(32)»
FLY_API_TOKEN=«flyio-token:"fm2_" + g.b64(150).rstrip("=")»
DD_API_KEY=«datadog-api-key:g.hexs(32)»
DD_APP_KEY=«datadog-app-key:g.hexs(40)»
NEW_RELIC_API_KEY=«newrelic-user-api-key:"NRAK-" + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 27)»
NEW_RELIC_LICENSE_KEY=«newrelic-license-key:g.hexs(36) + "NRAL"»
NEW_RELIC_INSERT_KEY=«newrelic-insert-key:"NRII-" + g.urlsafe(32)»
SENTRY_AUTH_TOKEN=«sentry-auth-token:"sntryu_" + g.hexs(64)»
GRAFANA_TOKEN=«grafana-token:"glsa_" + g.b62(32) + "_" + g.hexs(8)»
DT_API_TOKEN=«dynatrace-api-token:"dt0c01." + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 24) + "." + g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 64)»
AZURE_CLIENT_SECRET=«azure-ad-client-secret:g.b62(3) + "8Q~" + g.urlsafe(34)»
AZURE_STORAGE_KEY=«azure-storage-account-key:g.b64(64)»
FCM_SERVER_KEY=«firebase-cloud-messaging-server-key:"AAAA" + g.urlsafe(7) + ":APA91b" + g.urlsafe(134)»
APPSYNC_API_KEY=«aws-appsync-api-key:"da2-" + g.s("abcdefghijklmnopqrstuvwxyz0123456789", 26)»
""")

# ---------------------------------------------------------------- Azure / Google
f("app/appsettings.Production.json", """\
{
  "ConnectionStrings": {
    "Storage": "DefaultEndpointsProtocol=https;AccountName=stacmeprod;AccountKey=«azure-storage-connection-string:g.b64(64)»;EndpointSuffix=core.windows.net",
    "Dev": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
    "ServiceBus": "Endpoint=sb://acme-orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=«azure-service-bus-shared-access-key:g.b64(32)»",
    "Sql": "Server=tcp:acme.database.windows.net,1433;Initial Catalog=orders;User ID=app;Password=«generic-password:g.password(18)»;Encrypt=True;",
    "Local": "Server=(localdb)\\\\mssqllocaldb;Database=orders;Trusted_Connection=True;"
  },
  "AzureAd": {
    "Instance": "https://login.microsoftonline.com/",
    "TenantId": "%s",
    "ClientId": "%s",
    "ClientSecret": "«azure-ad-client-secret:g.b62(3) + '7Q~' + g.urlsafe(34)»"
  },
  "Backups": {
    "SasUrl": "https://stacmeprod.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=«azure-sas-token:g.b64(32).replace('+', '%%2B').replace('/', '%%2F').replace('=', '%%3D')»"
  },
  "Logging": { "LogLevel": { "Default": "Information" } }
}
""" % (UUIDS[2], UUIDS[3]))

f("app/web.config", """\
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="Environment" value="Production" />
    <add key="PaymentApiKey" value="«xml-appsettings-secret:g.b62(32)»" />
    <add key="SmtpPassword" value="«xml-appsettings-secret:g.password(16)»" />
    <add key="ReportingToken" value="" />
    <add key="BuildHash" value="%s" />
  </appSettings>
  <connectionStrings>
    <add name="Orders" connectionString="Data Source=sql01;Initial Catalog=Orders;User Id=orders_app;Password=«generic-password:g.password(16)»;" providerName="System.Data.SqlClient" />
    <add name="Reports" connectionString="Data Source=sql01;Initial Catalog=Reports;Integrated Security=SSPI;" />
  </connectionStrings>
</configuration>
""" % SHA256[3])

f("app/client_secret.json", """\
{"installed":{"client_id":"%s-%s.apps.googleusercontent.com","project_id":"acme-cli","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"«google-oauth-client-secret:'GOCSPX-' + g.urlsafe(28)»","redirect_uris":["http://localhost"]}}
""" % (_d.s("0123456789", 12), _d.s("abcdefghijklmnopqrstuvwxyz0123456789", 32)))

f("app/google-tokens.json", """\
{
  "access_token": "«google-oauth-access-token:'ya29.' + g.urlsafe(160)»",
  "refresh_token": "«google-oauth-refresh-token:'1//0' + g.urlsafe(100)»",
  "scope": "https://www.googleapis.com/auth/drive.readonly",
  "token_type": "Bearer",
  "expires_in": 3599
}
""")

f("mobile/android/google-services.json", """\
{
  "project_info": {"project_number": "%s", "project_id": "acme-mobile"},
  "client": [{
    "client_info": {"mobilesdk_app_id": "1:%s:android:%s"},
    "api_key": [{"current_key": "«google-api-key:'AIza' + g.urlsafe(35)»"}]
  }]
}
""" % (_d.s("0123456789", 12), _d.s("0123456789", 12), _d.hexs(16)))

# ---------------------------------------------------------------- config formats (generic rules)
f("app/src/main/resources/application.yml", """\
server:
  port: 8080
spring:
  datasource:
    url: jdbc:postgresql://db.internal:5432/orders
    username: orders
    password: «generic-password:g.password(20)»
  mail:
    host: smtp.internal
    password: ${MAIL_PASSWORD}
  security:
    oauth2:
      client:
        registration:
          acme:
            client-id: orders-service
            client-secret: «generic-api-key:g.urlsafe(40)»
management:
  endpoints:
    web:
      exposure:
        include: health,info
jwt:
  secret: «generic-api-key:g.b64(48)»
  expiration: 3600
""")

f("app/src/main/resources/application.properties", """\
spring.application.name=billing
spring.datasource.url=jdbc:mysql://db.internal:3306/billing?useSSL=true&user=billing&password=«generic-password:g.password(16)»
spring.datasource.password=«generic-password:g.password(18)»
spring.jpa.hibernate.ddl-auto=validate
billing.api.key=«generic-api-key:g.hexs(40)»
billing.api.key.header=X-Api-Key
billing.password.min-length=12
billing.token.ttl=3600
""")

f("app/config/settings.toml", """\
[database]
host = "db.internal"
user = "analytics"
password = "«generic-password:g.password(18)»"
pool = 10

[redis]
url = "rediss://default:«db-connection-uri:g.b62(32)»@cache.internal:6380"

[api]
token = "«generic-api-key:g.b62(40)»"
timeout = 30
token_header = "Authorization"
""")

f("app/config/database.ini", """\
[postgresql]
host=db.internal
port=5432
database=warehouse
user=etl
password=«generic-password:g.password(16)»

[mysql]
host=legacy.internal
user=reporting
passwd=«generic-password:g.password(14)»
""")

f("ops/ansible/group_vars/all.yml", """\
---
app_user: deploy
app_db_password: "{{ vault_app_db_password }}"
app_secret_key: "{{ lookup('env', 'APP_SECRET_KEY') }}"
smtp_password: «generic-password:g.password(18)»
ntp_servers:
  - 0.pool.ntp.org
  - 1.pool.ntp.org
become_pass: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  %s
  %s
""" % (_d.hexs(64), _d.hexs(64)))

f("ops/k8s/deployment.yaml", """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: registry.acme.dev/api@sha256:%s
          env:
            - name: DB_HOST
              value: postgres.default.svc
            - name: DB_PASSWORD
              value: "«k8s-env-secret-value:g.password(20)»"
            - name: API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: api-secrets
                  key: token
            - name: STRIPE_SECRET
              value: «k8s-env-secret-value:g.b62(32)»
            - name: REDIS_PASSWORD
              value: "${REDIS_PASSWORD}"
          volumeMounts:
            - name: tls
              mountPath: /etc/tls
      volumes:
        - name: tls
          secret:
            secretName: api-tls
""" % SHA256[4])

f("ops/k8s/secret.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
type: Opaque
stringData:
  username: app
  password: «generic-password:g.password(24)»
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: %s
""" % b64s('{"auths":{"registry.acme.dev":{"username":"ci","password":"${CI_PASSWORD}"}}}'))

f("ops/docker/Dockerfile", """\
FROM python:3.12-slim@sha256:%s
ARG PIP_INDEX_URL=https://deploy:«url-credentials:g.password(20)»@nexus.acme.dev/repository/pypi/simple
ENV APP_HOME=/srv/app \\
    PYTHONDONTWRITEBYTECODE=1
ENV API_TOKEN «dockerfile-env-secret:g.b62(32)»
ENV DB_PASSWORD=«generic-password:g.password(18)»
ARG NPM_TOKEN
ENV REPLICA_DB_PASSWORD_2=«generic-password:g.password(18)»
ENV SECRET_KEY_FILE=/run/secrets/secret_key
RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci
COPY . $APP_HOME
""" % SHA256[5])

f("ops/maven/settings.xml", """\
<settings>
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deploy</username>
      <password>«xml-secret-element:g.password(18)»</password>
    </server>
    <server>
      <id>nexus-snapshots</id>
      <username>deploy</username>
      <password>${env.NEXUS_PASSWORD}</password>
    </server>
    <server>
      <id>encrypted</id>
      <username>deploy</username>
      <password>{COQLCE6DU6GtcS5P=KOh2nYRjg8Q9h7kmzsCGz+AXjUxAZNABvvBd5tE=}</password>
    </server>
  </servers>
  <profiles>
    <profile>
      <properties>
        <sonar.token>«sonarqube-token:'squ_' + g.hexs(40)»</sonar.token>
      </properties>
    </profile>
  </profiles>
</settings>
""")

f("ops/scripts/bootstrap.sh", """\
#!/usr/bin/env bash
set -euo pipefail
export PGPASSWORD="«generic-password:g.password(20)»"
export DB_PASSWORD="$(cat /run/secrets/db_password)"
export API_KEY="${API_KEY:-}"
export HTTPS_PROXY=http://proxyuser:«url-credentials:g.b62(16)»@proxy.acme.dev:3128
curl -sf -H "Authorization: Bearer «http-bearer-token:g.b62(40)»" https://api.acme.dev/v2/jobs
curl -sf -H "Authorization: Bearer $TOKEN" https://api.acme.dev/v2/jobs
curl -sf -H 'Authorization: Basic «http-basic-auth-header:b64s("svc-report:" + g.password(18))»' https://reports.acme.dev/
psql "postgresql://etl:«db-connection-uri:g.password(16)»@warehouse.internal:5432/dw" -c 'select 1'
echo "%s  release.tar.gz" | sha256sum -c -
""" % SHA256[0])

f("ops/sql/001_users.sql", """\
-- roles for the reporting stack
CREATE USER 'report'@'%%' IDENTIFIED BY '«sql-password-literal:g.password(16)»';
ALTER ROLE etl WITH PASSWORD '«sql-password-literal:g.password(18)»';
CREATE USER app WITH PASSWORD :'app_password';
ALTER USER legacy IDENTIFIED BY 'changeme';
GRANT SELECT ON reports.* TO 'report'@'%%';
""")

f("web/wp-config.php", """\
<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', '«generic-secret-literal-pair:g.password(16)»' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY',         '«generic-secret-literal-pair:g.urlsafe(64)»' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
define( 'LOGGED_IN_SALT',   getenv('LOGGED_IN_SALT') );
$table_prefix = 'wp_';
""")

# ---------------------------------------------------------------- source code
f("app/src/settings.py", """\
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "«generic-api-key:g.urlsafe(50)»"
DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": "db",
    }
}
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD")
STRIPE_API_KEY = settings_from_vault.stripe_api_key if False else None
CACHE_KEY_PREFIX = "shop"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []
STATIC_HASH = "%s"
""" % GIT_SHA[1])

f("app/src/client.go", """\
package client

import (
	"net/http"
	"os"
)

const defaultToken = "«generic-api-key:g.b62(40)»"

type Config struct {
	Endpoint string `json:"endpoint"`
	Password string `json:"password"`
	Token    string `json:"token"`
}

func New() *Config {
	return &Config{
		Endpoint: "https://api.acme.dev",
		Password: os.Getenv("ACME_PASSWORD"),
		Token:    os.Getenv("ACME_TOKEN"),
	}
}

var _ = http.MethodGet
var commit = "%s"
var requestID = "%s"
""" % (GIT_SHA[2], UUIDS[4]))

f("app/src/api.ts", """\
import axios from "axios";

const apiKey = process.env.ACME_API_KEY;
const sentryDsn = "https://%s@o1.ingest.sentry.io/2";

export const client = axios.create({
  baseURL: "https://api.acme.dev",
  headers: { "X-Api-Key": apiKey ?? "" },
});

// TODO remove before release
const legacyToken = "«jwt:g.jwt()»";
export const mapboxPublic = "pk.eyJ1IjoiYWNtZSIsImEiOiJjbHJ6In0.%s";
export const password = "";
export const tokenStorageKey = "acme.auth.token";
""" % (_d.hexs(32), _d.urlsafe(22)))

f("app/src/Payments.cs", """\
namespace Acme.Payments;

public sealed class PaymentOptions
{
    public string ApiKey { get; init; } = "«generic-api-key:g.b62(32)»";
    public string Password { get; init; } = Environment.GetEnvironmentVariable("PAY_PASSWORD") ?? "";
    public string WebhookSecret { get; init; } = "«stripe-webhook-secret:'whsec_' + g.b62(32)»";
    public Guid MerchantId { get; init; } = Guid.Parse("%s");
}
""" % UUIDS[5])

f("app/src/Mailer.java", """\
package com.acme.mail;

import java.util.Properties;

final class Mailer {
    static Properties props() {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "smtp.acme.dev");
        p.setProperty("mail.smtp.user", "noreply");
        p.setProperty("mail.smtp.password", "«generic-secret-literal-pair:g.password(16)»");
        p.setProperty("mail.smtp.password.env", System.getenv("SMTP_PASSWORD"));
        return p;
    }
}
""")

f("app/src/config.rb", """\
Rails.application.configure do
  config.secret_key_base = ENV.fetch("SECRET_KEY_BASE")
  config.x.slack_webhook = "«slack-webhook-url:'https://hooks.slack.com/services/T' + g.s('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 8) + '/B' + g.s('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10) + '/' + g.b62(24)»"
  config.x.sentry_token = "«sentry-auth-token:'sntryu_' + g.hexs(64)»"
end
""")

f("app/tests/fixtures/http_session.txt", """\
GET /v1/orders HTTP/1.1
Host: api.acme.dev
Authorization: Bearer «http-bearer-token:g.b62(48)»
X-Request-Id: %s

GET /v1/me HTTP/1.1
Host: api.acme.dev
Authorization: Bearer «jwt:g.jwt()»
""" % UUIDS[0])

# ---------------------------------------------------------------- decoys only
f("docs/configuration.md", """\
# Configuration

Set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the environment; the AWS docs use
`AKIAIOSFODNN7EXAMPLE` and `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` as examples.

| variable | example |
|---|---|
| `DB_PASSWORD` | `${DB_PASSWORD}` |
| `API_KEY` | `<YOUR_API_KEY>` |
| `GITHUB_TOKEN` | `ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` |
| `SLACK_WEBHOOK_URL` | `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX` |

The password: must be at least 12 characters long. Password reset links expire after one hour.
Tokens look like `sk_live_...`; a JWT looks like
`eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`.

```yaml
database:
  password: "{{ vault_db_password }}"
  password_file: /run/secrets/db_password
api:
  key: ${API_KEY}
  token: $(cat /run/secrets/token)
```

```python
password = os.environ["DB_PASSWORD"]
api_key = os.environ.get("API_KEY")
token = settings.API_TOKEN
secret = get_secret("prod/api")
```

Connect with `postgres://user:password@localhost:5432/app` or `amqp://guest:guest@localhost:5672/`.
Commit %s fixed the BACKGROUNDPROCESSING and AUTHORIZATIONHEADER constants.
""" % GIT_SHA[3])

f("docs/CHANGELOG.md", "".join(
    "- %s %s (%s)\n" % (GIT_SHA[i % 6][:12], msg, GIT_SHA[(i + 1) % 6])
    for i, msg in enumerate([
        "rotate the API key handling", "password policy: require 12 characters",
        "fix token refresh", "bump checksum of release", "drop AKIA-prefixed test ids",
        "new secret scanning config"])))

f("data/checksums.txt", "".join("%s  dist/acme-%d.tar.gz\n" % (SHA256[i], i) for i in range(6)) +
  "".join("%s\n" % u for u in UUIDS))

f("data/assets.json", """\
{
  "logo": "data:image/png;base64,%s",
  "etag": "%s",
  "ids": ["%s", "%s"],
  "secretName": "assets-tls",
  "passwordRequired": true,
  "tokenExpiry": 3600,
  "password": null,
  "apiKey": "",
  "token": "REPLACE_ME"
}
""" % (PNG_B64[:400], SHA256[1], UUIDS[1], UUIDS[2]))

f("data/sample.log", "".join(
    "2024-03-0%d 12:00:0%d INFO request_id=%s sha=%s user=ops status=200\n" % (i % 9 + 1, i % 10, UUIDS[i % 6], GIT_SHA[i % 6])
    for i in range(12)))

f("app/src/generated/constants.h", """\
/* generated: do not edit */
#define BUILD_ID "%s"
#define UPPER_WORDS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define KEY_TABLE_SIZE 256
#define TOKEN_MAX_LEN 4096
static const char *const kHashes[] = {
    "%s",
    "%s",
};
""" % (GIT_SHA[4], SHA256[2], SHA256[3]))


# ---------------------------------------------------------------- pairs and decoded values
f("app/src/archive_upload.py", """\
\"\"\"Uploads nightly exports to the archive bucket.\"\"\"
import boto3

ARCHIVE_KEY = "AKIASVIZX3ORO7NZQDG4"
REGION = "eu-west-1"
ARCHIVE_SECRET = "«aws-secret-access-key-near-key-id:"S6xxMYHxq2B5kRP0r6UV1cZB3urJ1mKpWx+KA7Ev"»"



def client():
    return boto3.client("s3", aws_access_key_id=ARCHIVE_KEY,
                        aws_secret_access_key=ARCHIVE_SECRET, region_name=REGION)



# A 40-character base64 string with no access key id nearby is not a finding:
THUMBPRINT = "PI89Aay6Sa7XXhV6L9uf9D8DXa+RAnfBmKOO5KMO"
""")

f("infra/k8s/orders-db-secret.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: orders-db
  namespace: shop
type: Opaque
data:
  username: b3JkZXJzX2FwcA==
  DB_PASSWORD: «generic-password:"XkVYZWhYY3YzJSVEVU1aSCE4"»
  port: NTQzMg==
  host: b3JkZXJzLWRiLnNob3Auc3ZjLmNsdXN0ZXIubG9jYWw=
""")

f("ops/legacy-deploy.sh", """\
#!/bin/sh
# legacy deploy credentials (synthetic)
KEY=AKIAZJLI6UFH3REOSFHY
SEC=«aws-secret-access-key-near-key-id:"FB7BSv0hD9Oi22Jc8FQF6cA1EZeXrddMgg1mhzLa"»
exec deploy --key "$KEY" --secret "$SEC"
""")

# ---------------------------------------------------------------- real-world decoys
# Shapes found when scanning real third-party code (Debian's python3 and perl libraries):
# type annotations, OID names, identifier tables, auth-method names, anonymous FTP, and the
# example values of the OAuth RFCs. One real secret per file keeps recall honest.
f("app/crypto/keys.py", """\
from cryptography.hazmat.primitives.asymmetric import ed25519

_OID_NAMES = {
    NameOID.COMMON_NAME: "commonName",
    AttributeOID.CHALLENGE_PASSWORD: "challengePassword",
}


class _EllipticCurvePublicKey:
    def __init__(self, backend, private_key: "_EllipticCurvePrivateKey"):
        self._backend = backend


def load_ssh_private_key(data, password=None) -> ed25519.Ed25519PrivateKey:
    private_key: ed25519.Ed25519PrivateKey
    return private_key


SIGNING_KEY = "«generic-api-key:g.urlsafe(40)»"
""")

f("app/vendor/builtins_table.py", """\
COCOA_TYPES = {'CMBufferQueueTriggerCondition', 'opaqueCMBufferQueueTriggerToken', 'sfntCMapEncoding',
               'opaqueCMSimpleQueue', 'sfntDescriptorHeader'}
""")

f("ops/postgres/pg_hba.conf", """\
# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",
# ("password", "scram-sha-256") are the recommended pair for remote hosts.
local   all   postgres                 peer
host    all   all       0.0.0.0/0      scram-sha-256
""")

f("ops/postgres/postgresql.conf", """\
listen_addresses = '*'
password_encryption = scram-sha-256
""")

f("app/auth/hashing.py", """\
hash_password = argon2id
PASSWORD_HASHER = "bcrypt"
admin_password = "«generic-password:g.password(18)»"
""")

f("home/.netrc", """\
machine ftp.example.org login anonymous password user@site
machine build.internal login ci password «netrc-password:g.password(20)»
""")

f("app/ftp/client.pl", """\
sub login {
    my ($ftp, $user, $pass) = @_;
    $user = "anonymous" unless defined $user;
    $pass = '-anonymous@' if $user eq 'anonymous';
}
""")

f("docs/oauth2.md", """\
# OAuth 2.0 in our API

The token endpoint answers as in RFC 6749, section 5.1:

    HTTP/1.1 200 OK
    Content-Type: application/json

    {"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}

The client authenticates with HTTP Basic (client id s6BhdRkqt3):

    Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW

and a resource request carries the bearer token of RFC 6750:

    Authorization: Bearer mF_9.B5f-4.1JqM

A sample token from jwt.io:
eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c

Revoking a token, as in RFC 7009, section 2.1:

    token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token

Legacy partners sign with OAuth 1.0a (RFC 5849, section 3.5.1):

    Authorization: OAuth realm="Example",
        oauth_consumer_key="0685bd9184jfhq22",
        oauth_token="ad180jjd733klru7",
        oauth_signature_method="HMAC-SHA1",
        oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D"

and the temporary credentials of section 1.2 look like oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdk48Djdsa.

PyJWT's README encodes {"some": "payload"}:
eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg
and jwt.io's claims also appear signed with RS256:
eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.NHVaYe26MbtOYhSKkoKYdFVomg4i8ZJd8_-RU8VNbftc4TSMb4bXP3l3YlNWACwyXPGffz5aXHc6lty1Y2t4SWRqGteragsVdZufDn5BlnJl9pdR_kdVFUsra2rWKEofkZeIC4yWytE58sMIihvo9H1ScmmVwBcQP6XETqYd0aSHp1gOa9RdUPDvoXQ5oqygTqVtxaDr6wUFKrKItgBMzWIdNZ6y7O9E0DhEPTbE9rfBo6KTFsHAZnMg4k68CDp2woYIaXbmYTWcvbzIuHO7_37GT79XdIwkm95QJ7hYC9RiwrV7mesbY4PAahERJawntho0my942XheVLmGwLMBkQ

Our staging client still uses client_secret=«generic-api-key:g.urlsafe(32)»
""")

# Source code: an unquoted value after a password-like name is an identifier, a type or an
# expression, never a literal (the generic rules' quoted_in_code); quoted literals still count.
f("app/src/legacy/dbauth.pas", """\
unit DBAuth;

type
  TDBConnection = class
  private
    FPassword: UTF8String;
    FApiToken: TSecretString;
  public
    property Password : UTF8String read FPassword write FPassword;
  end;

const
  CURLOPT_PASSWORD = CURLOPTTYPE_STRINGPOINT+174;
  DefaultPassword = '«generic-password:g.password(20)»';

implementation
end.
""")

f("app/src/session.py", """\
class Session:
    \"\"\"A database session.

    Attributes:
        password: Optional. The password of the database user.
    \"\"\"

    # CHECK: PASS: session-tests :: test_login.py
    def login(self, user, pwd=None):
        pwd = pwd or self.default_pwd
        secret_token = HmacTokenProvider
        return connect(user=user, password=pwd)

SERVICE_API_KEY = "«generic-api-key:g.b62(40)»"
""")

f("app/App.config", """\
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <runtime>
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <dependentAssembly>
        <assemblyIdentity name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" culture="neutral" />
        <bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />
      </dependentAssembly>
    </assemblyBinding>
  </runtime>
  <system.web>
    <machineKey validationKey="AutoGenerate" />
  </system.web>
  <appSettings>
    <add key="GuidType" value="System.Guid, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089" />
  </appSettings>
</configuration>
""")

# ---------------------------------------------------------------- issue 20: false-positive patterns seen on
# real code (one decoy file each, written for this corpus) and the misses seen there (positives)

# 1. HTTP Basic credentials in protocol test data: judged decoded (user:password, admin:admin)
f("web/proxy/upstream_auth.http", """\
GET /status HTTP/1.1
Host: upstream.internal
Authorization: Basic dXNlcjpwYXNzd29yZA==
Proxy-Authorization: Basic YWRtaW46YWRtaW4=
""")

# 2. Kubernetes Secret values that decode to words
f("infra/k8s/demo-credentials.yaml", """\
apiVersion: v1
kind: Secret
metadata:
  name: demo-credentials
data:
  password: cGFzc3dvcmQ=
  DB_PASSWORD: c3VwZXJzZWNyZXRwYXNzd29yZA==
""")

# 3. human-chosen dummies
f("app/config/local.env", """\
DB_PASSWORD=SuperSecretPassw0rd
ADMIN_PASSWORD="YourPwdShouldBeLongAndSecure!"
APP_SECRET=thisISverySECRET123
SMTP_PASSWORD='MySuperStrongPassword!'
""")

# 4. random-looking values in documentation
f("docs/api/authentication.rst", """\
Authentication
==============

Pass your key in the request::

    api_key = "Zr8Qw2Lk5Jp9Xv3Tn7Bm4Hc6"
""")

# 5. nonces and CSRF tokens keyed on "token"
f("ops/logs/sample-requests.log", """\
Started POST "/session" for 10.0.0.7
  Parameters: {"authenticity_token"=>"Lq3vN8xR2mT6wZ9pK4jH7cB5fD1sG0aY", "commit"=>"Log in"}
webhook delivered: nonce_token=8f3a9c2e7b1d4f6a0c5e9b2d7a4f1c8e
""")

# 6. non-values after password=
f("ops/scripts/upload.sh", """\
curl -F password=@/etc/passwd https://upload.internal/form
export PGPASSWORD=${DB_PASSWORD:+set}
ldapsearch -b ou=people password=foo/restricted-users
""")

# 7. a constant name as the value, or a redaction marker
f("app/src/filters.py", """\
SENSITIVE = {"password": "[FILTERED]", "secret": "[REDACTED]"}
FIELD_NAMES = ("PASSWORD_FIELD", "SECRET_KEY_SETTING")
api_key = "CONFIG_API_KEY_NAME"
""")

# 8. URL credentials in URL-parser tests and docs
f("lib/urlparse/README.md", """\
Parsing keeps options after a semicolon: `imap://user:secret;auth=PLAIN@mail.example.com/`
and `ftp://anonymous:guest@ftp.example.com/pub`.
""")

# 9. netrc lines made from a template
f("ops/templates/netrc.in", """\
machine %HOSTIP login user1 password passwd1
machine %HOSTIP login %USER password %PASSWORD
""")

# 10. encoded or keyboard-mash test inputs
f("app/fixtures_inline.cfg", """\
secret = kjfhueyt9485osdfasdkjh
token = 6a6f686e2d736d6974682d74657374
""")

# misses seen on real code, now found: Django's SECRET_KEY (its special characters), a
# password with `$`, a URL password holding `@`, a long random key holding `xxXX`
f("app/mysite/settings.py", """\
SECRET_KEY = '«django-secret-key:g.s("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50)»'
""")

f("app/mysite/settings_dev.py", """\
SECRET_KEY = "«django-secret-key:"django-insecure-" + g.s("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)", 50)»"
""")

f("ops/deploy/db.env", """\
DB_PASSWORD="«generic-password:"Tq9" + "$" + "vLm2xRw7Zp4"»"
DATABASE_URL=«db-connection-uri:"postgres://orders:" + "s2Tf@rLMy8" + "@db.internal:5432/orders"»
""")

f("app/billing/keys.env", """\
BILLING_SECRET=«generic-api-key:g.b62(40) + "xxXX" + g.b62(55)»
""")

# seen by bench/precision on real histories: provider-shaped dummies typed by hand (sequences,
# an edited EXAMPLE key), a "private key" whose body is no key, a shell expansion's
# alternate value; and a miss: the key given to a search client in a docs template
f("internal/scan/fixtures_test.go", """\
var dummies = map[string]string{
	"google": "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
	"aws":    "AKIAIO5FODNN7DXAMPLE",
	"key":    "-----BEGIN PRIVATE KEY-----\\n135f/bRUBHrbHqLY/xS3I7Oth+8rgG+0tBwfMcbk05Sgxq6QUzSYIQAop+WvsTwk2sR+C38g0Mnb\\nu+QDkg0spw==\\n-----END PRIVATE KEY-----",
}
""")

f("tools/mvnw-auth.sh", """\
case "${MVNW_PASSWORD:+has-password}" in
'') MVNW_USERNAME='' MVNW_PASSWORD='' ;;
esac
""")

f("site/_templates/search.html", """\
<script src="/static/docsearch.min.js" onload="docsearch({
  apiKey: '«algolia-search-api-key:g.hexs(32)»',
  indexName: 'project-docs',
})"></script>
""")

# seen on git/git's history (held out from the tuning above): a Makefile's targets named after
# secrets and askpass helpers, and prose that says "identified by"
f("src/credential/Makefile", """\
tool-credential-libsecret: tool-credential-libsecret.o
\t$(CC) -o $@ $^ $(LIBS)

tool-gui--askpass: tool-gui--askpass.sh GUI-BUILD-OPTIONS
\t./generate.sh $@ $<
""")

f("ChangeLog", """\
* perl: Strawberry perl, which is identified by 'MSWin32', needs the wrapper.
* gui: set GIT_ASKPASS=tool-gui--askpass when nothing else is set.
""")

# seen on a Helm charts repository (held out): a Secret's name where the chart takes one
f("deploy/chart/ci/secret-values.yaml", """\
server:
  configFromSecret: "metrics-server-config"
  existingSecret: "metrics-basic-auth"
""")

if __name__ == "__main__":
    labels = build(FILES)
    print("%d files, %d labels" % (len(FILES), len(labels)))
