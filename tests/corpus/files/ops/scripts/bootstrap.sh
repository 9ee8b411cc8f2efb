#!/usr/bin/env bash
set -euo pipefail
export PGPASSWORD="u!1zzwSb67hfrfpfPyb9"
export DB_PASSWORD="$(cat /run/secrets/db_password)"
export API_KEY="${API_KEY:-}"
export HTTPS_PROXY=http://proxyuser:9bXIOW1BS7RCSxs6@proxy.acme.dev:3128
curl -sf -H "Authorization: Bearer 22IlCm20HOwb8IzSYiZ4in5HhpEsnJhHAGFr6Ryl" https://api.acme.dev/v2/jobs
curl -sf -H "Authorization: Bearer $TOKEN" https://api.acme.dev/v2/jobs
curl -sf -H 'Authorization: Basic c3ZjLXJlcG9ydDpHMEh0bDJVdkYlbXYySHJYX2s=' https://reports.acme.dev/
psql "postgresql://etl:vKimT!a!C87IzE1L@warehouse.internal:5432/dw" -c 'select 1'
echo "b2344421c5b75a1ad69534f07c37e255eb8a1c095409993fd21b5aaa1c87409c  release.tar.gz" | sha256sum -c -
