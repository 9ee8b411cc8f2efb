#!/usr/bin/env bash
set -euo pipefail
export GH_TOKEN=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
export GITLAB_TOKEN=glpat-GMXi1AJBPpMeLSkej3Y7
export GH_OAUTH=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
git remote add mirror "https://x-access-token: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@github.com/acme/mirror.git"
git push mirror --mirror
curl -X POST -F token=glptt-b70b385fea413595e583d444b864e3355b4efcce -F ref=main https://gitlab.acme.dev/api/v4/projects/42/trigger/pipeline
# token with a bad checksum (typo), not a live token:
BROKEN=ghp_qWx44PFWIUCtZokLbRvbcKkAS8lE9QTUGuNi
# same for npm
NPM_BROKEN=npm_OM4dW2DVXhY1ShuRY3hDx5SbteQU1CE4FYfO
git checkout e68de96039211d9b963cc58ea44ecd5b868ec5ff
