#!/usr/bin/env bash
# Command-line tests of forge enumeration and cloning (issue 22): `leakscan repos` listing a
# GitHub organization or user, a GitLab group and a Gitea organization from a fake API on
# 127.0.0.1 (tests/forge/fake_forge.py: pages, forks, archived repositories, wikis, rate
# limits, server errors, malformed answers), cloning their file:// mirrors with the git
# program (no hook or user configuration runs anything) or libgit2, and never showing a token.
. "$(dirname "$0")/lib.sh"
export GIT_OPTIONAL_LOCKS=0
printf 'leak:libpcre2-8.so\n' > "$HOME/lsan.supp" # libgit2 1.5's, see t_repos.sh
export LSAN_OPTIONS="suppressions=$HOME/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# nothing reaches the internet: a request a test forgot to point at the fake goes to a proxy
# that is not there (loopback addresses never use a proxy)
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
unset no_proxy NO_PROXY GITHUB_TOKEN GH_TOKEN GITLAB_TOKEN GITEA_TOKEN
FDIR="$SRC_DIR/tests/forge"
# synthetic tokens: shaped like a forge's, issued by nobody
GH_TOK="ghp_$(printf 'forgetest%.0s' 1 2 3 4)"
GL_TOK="glpat-forgetestforgetest1234"
GT_TOK="0123456789abcdef0123456789abcdef01234567"

mkrepo() {
	git init -q "$1"
	printf '%s\n' "$3" > "$1/$2"
	git -C "$1" add -A && git -C "$1" commit -qm "init $1"
}
lsr() { ls_run repos --no-default-rules --rules "$RULES" -j1 "$@"; }

# forge_setup: repositories (a token in r1, an AWS key in r2, a fork, an archived one, a wiki
# that exists and one that does not) and the fake's configuration, then the fake on $PORT
forge_setup() {
	mkrepo r1 a.txt "t = $TOKEN"
	mkrepo r2 b.txt "key = $AWS_KEY"
	mkrepo r3 c.txt "fork"
	mkrepo r4 d.txt "archived"
	mkrepo r5 e.txt "plain"
	mkrepo r5.wiki.git Home.md "wiki t = $TOKEN"
	mkrepo r6 f.txt "plain"
	python3 - "$WORK" <<'PY' > forge.json
import json, sys
w = sys.argv[1]
def repo(name, **kw):
    d = {"name": name, "url": "file://%s/%s" % (w, name)}
    d.update(kw)
    return d
acme = [repo("r1"), repo("r2"), repo("r3", fork=True), repo("r4", archived=True), repo("r5", wiki=True),
        repo("r6", wiki=True), {"name": "evil", "url": "ext::sh -c touch%% %s/ext-ran" % w}]
print(json.dumps({"github": {"acme": acme, "alice": acme[:2], "ratelimited": acme[:1], "secondary": acme[:1],
                             "offsite": acme[:4], "private": [{"name": "p1", "url": "{API}/git/p1/.git"}]},
                  "gitlab": {"infra/platform": acme[:6], "toomany": acme[:1]},
                  "gitea": {"acme": acme[:6]}}))
PY
	rm -f port
	: > forge.log
	mkdir -p srv && mkrepo srv/p1 p.txt "key = $AWS_KEY"
	python3 "$FDIR/fake_forge.py" --config forge.json --log forge.log --port-file port --git-root "$WORK/srv" \
		--git-token "$GH_TOK" 2>forge.err &
	FAKE_PID=$!
	trap 'kill $FAKE_PID 2>/dev/null' EXIT
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	PORT=$(cat port)
	API="http://127.0.0.1:$PORT"
}

test_github_org_every_page_without_forks_archived_or_refused_urls() {
	forge_setup
	GITHUB_TOKEN=$GH_TOK ls_run repos --api-url "$API" --github-org acme --list-only
	expect_rc 0
	expect_out "file://$WORK/r1
file://$WORK/r2
file://$WORK/r5
file://$WORK/r6"
	expect_err_has "github org 'acme': acme/evil: clone URL refused (not https, ssh or git); skipped"
	# four pages of two, each with the token, and only those
	expect_eq "$(grep -c '"cred": "Bearer '"$GH_TOK"'"' forge.log)" 4 "requests with the token"
	expect_eq "$(wc -l < forge.log)" 4 "requests"
	grep -q 'page=4' forge.log || fail "the last page was not asked: $(cat forge.log)"
	GITHUB_TOKEN= GH_TOKEN=$GH_TOK ls_run repos --api-url "$API" --github-org acme --list-only \
		--include-forks --include-archived --include-wikis --exclude-repo 'ACME/r2'
	expect_rc 0
	expect_out "file://$WORK/r1
file://$WORK/r3
file://$WORK/r4
file://$WORK/r5
file://$WORK/r5.wiki.git
file://$WORK/r6
file://$WORK/r6.wiki.git"
	expect_eq "$(grep -c 'Bearer '"$GH_TOK" forge.log)" 8 "GH_TOKEN is used when GITHUB_TOKEN is empty"
	# a user's repositories
	ls_run repos --api-url "$API" --github-user alice --list-only
	expect_out "file://$WORK/r1
file://$WORK/r2"
	grep -q '"path": "/users/alice/repos?per_page=100&type=owner", "cred": ""' forge.log || fail "anonymous: $(tail -1 forge.log)"
	[ ! -e ext-ran ] || fail "an ext:: URL ran a command"
}

test_forges_scanned_end_to_end_with_a_missing_wiki_only_noted() {
	forge_setup
	GITHUB_TOKEN=$GH_TOK lsr --datastore ds --api-url "$API" --github-org acme --include-wikis
	expect_rc 1
	expect_err_has "6 repositories (5 scanned, 0 unchanged, 0 failed)"
	expect_err_has "warning: file://$WORK/r6.wiki.git: cannot clone:"
	ls_run report --datastore ds
	expect_out_has "file://$WORK/r1:"
	expect_out_has "file://$WORK/r2:"
	expect_out_has "file://$WORK/r5.wiki.git:"
	# the token is never shown nor stored
	expect_err_lacks "$GH_TOK"
	grep -rqa "$GH_TOK" ds && fail "the token is in the datastore"
	# GitLab (group path with a subgroup, X-Next-Page) and Gitea (Link) in the same run
	GITLAB_TOKEN=$GL_TOK GITEA_TOKEN=$GT_TOK lsr --datastore ds2 --api-url "$API" --gitlab-group infra/platform \
		--gitea-org acme --include-archived
	expect_rc 1
	expect_err_has "5 repositories (5 scanned, 0 unchanged, 0 failed)"
	grep -q '"path": "/api/v4/groups/infra%2Fplatform/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc&page=3", "cred": "'"$GL_TOK"'"' forge.log ||
		fail "gitlab's third page: $(grep api/v4 forge.log)"
	expect_eq "$(grep -c '"cred": "token '"$GT_TOK"'"' forge.log)" 3 "gitea pages with its token"
	ls_run report --datastore ds2 --rule test-aws-key
	expect_out_has "file://$WORK/r2:"
}

# A private repository on the forge's own site is cloned with the token (as a credential the
# git program gets from its environment), named and stored without it.
test_private_repository_cloned_with_the_token_of_its_own_site() {
	forge_setup
	export no_proxy=127.0.0.1 # git's libcurl would take the clone to the test's dead proxy
	lsr --datastore ds --api-url "$API" --github-org private
	expect_rc 2
	expect_err_has "$API/git/p1/.git: cannot clone"
	GITHUB_TOKEN=$GH_TOK lsr --datastore ds --api-url "$API" --github-org private
	expect_rc 1
	expect_err_has "1 repository (1 scanned, 0 unchanged, 0 failed)"
	grep -q '"git-user": "x-access-token", "git-ok": true' forge.log || fail "no clone with the token: $(cat forge.log)"
	expect_err_lacks "$GH_TOK"
	grep -rqa "$GH_TOK" ds && fail "the token is in the datastore (or the mirror's configuration)"
	ls_run report --datastore ds
	expect_out_has "$API/git/p1/.git:"
	# libgit2 does the same
	GITHUB_TOKEN=$GH_TOK lsr --datastore ds2 --clone-with libgit2 --api-url "$API" --github-org private
	expect_rc 1
}

test_rate_limits_are_waited_out_and_said() {
	forge_setup
	lsr --datastore ds --api-url "$API" --github-org ratelimited --github-org secondary --gitlab-group toomany
	expect_rc 1
	expect_err_has "github org 'ratelimited': rate limited; waiting "
	expect_err_has "s (until X-RateLimit-Reset)"
	expect_err_has "github org 'secondary': rate limited; waiting 1s (Retry-After)"
	expect_err_has "gitlab group 'toomany': rate limited; waiting 1s (Retry-After)"
	expect_err_has "1 repository (1 scanned, 0 unchanged, 0 failed)"
	# quiet: no notice
	lsr -q --datastore ds --api-url "$API" --github-org ratelimited --list-only
	expect_err_lacks "rate limited"
}

test_forge_errors_are_named_and_the_rest_is_scanned() {
	forge_setup
	lsr --datastore ds --api-url "$API" --github-org broken --github-org malformed --github-org notalist \
		--github-org moved --github-org missing --github-org offsite --github-org acme
	expect_rc 2
	expect_err_has "leakscan: github org 'broken': page 1: HTTP 500: Internal Server Error"
	expect_err_has "leakscan: github org 'malformed': page 1: malformed JSON at line 1:"
	expect_err_has "leakscan: github org 'notalist': page 1: the answer is not a list of repositories"
	expect_err_has "leakscan: github org 'moved': page 1: HTTP 301 (a redirect: is the name or --api-url right?)"
	expect_err_has "leakscan: github org 'missing': page 1: HTTP 404: Not Found"
	expect_err_has "leakscan: github org 'offsite': page 1: the next page is on another site; stopped"
	# the server error was asked three times; the redirect was not followed; the other site never asked
	expect_eq "$(grep -c '/orgs/broken/' forge.log)" 3 "tries of the 500"
	grep -q '"host": "localhost' forge.log && fail "the offsite page was asked"
	# what was listed is still scanned: acme, and offsite's first page (the same two first)
	expect_err_has "4 repositories (4 scanned, 0 unchanged, 0 failed)"
	# an API on another machine must be https
	ls_run repos --datastore ds --api-url http://forge.example.invalid --gitea-org acme
	expect_rc 2
	expect_err_has "gitea org 'acme': the API URL must be https:// (http:// only on this machine)"
	ls_run repos --datastore ds --api-url "$API" --list-only
	expect_rc 2
	expect_err_has "--api-url applies to the forge options after it"
}

# The git program clones with the user's hooks and helpers that run commands turned off, and
# none of the caller's GIT_DIR-like variables; libgit2 gives the same datastore.
test_git_program_clones_run_nothing_and_match_libgit2() {
	command -v git >/dev/null || { skip "no git program"; return; }
	mkrepo a s.txt "key = $AWS_KEY"
	mkrepo b t.txt "t = $TOKEN"
	mkdir hooks
	for h in reference-transaction post-checkout pre-auto-gc post-index-change; do
		printf '#!/bin/sh\ntouch "%s/hook-ran-%s"\n' "$WORK" "$h" > "hooks/$h"
		chmod +x "hooks/$h"
	done
	git config --global core.hooksPath "$WORK/hooks"
	git config --global core.fsmonitor "$WORK/hooks/reference-transaction"
	GIT_DIR=/nonexistent GIT_ALLOW_PROTOCOL=ext:file GIT_CONFIG_PARAMETERS="'core.hookspath'='$WORK/hooks'" \
		lsr --datastore ds --clone-jobs 2 "file://$WORK/a" "file://$WORK/b"
	expect_rc 1
	expect_err_has "2 repositories (2 scanned, 0 unchanged, 0 failed)"
	ls hook-ran-* >/dev/null 2>&1 && fail "a hook ran: $(ls hook-ran-*)"
	git config --global --unset core.hooksPath
	git config --global --unset core.fsmonitor
	ls_run report --datastore ds
	want=$OUT
	lsr --datastore ds-lg2 --clone-with libgit2 "file://$WORK/a" "file://$WORK/b"
	expect_rc 1
	ls_run report --datastore ds-lg2
	expect_out "$want"
	# a fetch after a new commit, by the program
	printf 'x = %s\n' "$TOKEN" > a/new.txt && git -C a add -A && git -C a commit -qm new
	lsr --datastore ds "file://$WORK/a" "file://$WORK/b"
	expect_err_has "(1 scanned, 1 unchanged, 0 failed)"
	# without git on PATH, libgit2 clones (and --clone-with git says why it cannot)
	mkdir nogit
	PATH="$WORK/nogit" "$LEAKSCAN" repos --no-default-rules --rules "$RULES" -j1 --datastore ds-nogit \
		"file://$WORK/a" "file://$WORK/b" 2>err; RC=$?; ERR=$(cat err)
	expect_rc 1
	expect_err_has "2 repositories (2 scanned, 0 unchanged, 0 failed)"
	PATH="$WORK/nogit" "$LEAKSCAN" repos --datastore ds-nogit --clone-with git "file://$WORK/a" 2>err; RC=$?
	ERR=$(cat err)
	expect_rc 2
	expect_err_has "repos: --clone-with git: no git program on PATH"
	ls_run repos --datastore ds --clone-with svn a
	expect_rc 2
	expect_err_has "--clone-with wants git or libgit2, not 'svn'"
	ls_run repos --datastore ds --clone-jobs 0 a
	expect_rc 2
	expect_err_has "--clone-jobs wants a number from 1 to 1024, not '0'"
}

run_tests
