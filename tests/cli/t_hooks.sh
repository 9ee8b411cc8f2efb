#!/usr/bin/env bash
# Command-line tests of `leakscan hook`: real `git commit` and `git push` through the hooks.
. "$(dirname "$0")/lib.sh"

# the hooks run `leakscan git ...` with the default rules: point those at the test rules
export LEAKSCAN_PATTERNS_DIR="$TEST_DATA/rules"

# new_repo DIR: a repository with one clean commit, cd into it
new_repo() {
	git init -q "$1" && cd "$1" || return 1
	echo "hello" > README && git add README && git commit -q -m "initial"
}

# commit_try FILE CONTENT: stage FILE and try to commit; RC and ERR hold the result
commit_try() {
	printf '%s\n' "$2" > "$1"
	git add "$1"
	ERR=$(git commit -q -m "add $1" 2>&1); RC=$?
}

hook_run() { ls_run hook "$@"; }

test_hook_install_pre_commit_refuses_secret() {
	new_repo r
	hook_run install
	expect_rc 0
	expect_out "pre-commit: installed .git/hooks/pre-commit"
	[ -x .git/hooks/pre-commit ] || fail "hook not executable"
	commit_try a.txt "key = $AWS_KEY"
	expect_rc 1
	expect_err_has "commit refused"
	expect_err_has "leakscan:allow"
	expect_err_has ".leakscan.yaml"
	expect_err_has "git commit --no-verify"
	expect_err_lacks "$AWS_KEY"
	expect_eq "$(git log --oneline | wc -l)" 1
}

test_hook_clean_commit_accepted() {
	new_repo r
	hook_run install
	commit_try a.txt "nothing to see"
	expect_rc 0
	expect_eq "$(git log --oneline | wc -l)" 2
}

test_hook_unstaged_secret_does_not_block() {
	new_repo r
	hook_run install
	printf 'clean\n' > a.txt && git add a.txt
	printf 'key = %s\n' "$AWS_KEY" >> a.txt
	printf 'key = %s\n' "$TOKEN" > untracked.txt
	ERR=$(git commit -q -m "clean part" 2>&1); RC=$?
	expect_rc 0
}

test_hook_existing_hook_chained_and_its_status_counts() {
	new_repo r
	printf '#!/bin/sh\necho "previous hook ran" >&2\nexit ${PREV_RC:-0}\n' > .git/hooks/pre-commit
	chmod 750 .git/hooks/pre-commit
	cp -p .git/hooks/pre-commit "$WORK/orig"
	hook_run install
	expect_rc 0
	expect_out_has "the previous hook runs after it"
	commit_try a.txt "clean"
	expect_rc 0
	expect_err_has "previous hook ran"
	export PREV_RC=3
	commit_try b.txt "clean too"
	unset PREV_RC
	expect_rc 1
	expect_err_has "previous hook ran"
	# a secret stops the commit before the previous hook runs
	commit_try c.txt "$TOKEN"
	expect_rc 1
	expect_err_lacks "previous hook ran"
	hook_run status
	expect_out_has "then the previous hook"
	# uninstall restores the previous hook byte for byte, with its mode
	hook_run uninstall
	expect_rc 0
	cmp -s .git/hooks/pre-commit "$WORK/orig" || fail "hook not restored byte-identical"
	expect_eq "$(stat -c %a .git/hooks/pre-commit)" 750
	[ ! -e .git/hooks/pre-commit.leakscan-chained ] || fail "chained copy left behind"
}

test_hook_uninstall_without_previous_removes_it() {
	new_repo r
	hook_run install --all
	expect_rc 0
	hook_run uninstall --all
	expect_rc 0
	expect_eq "$(ls .git/hooks | grep -v sample)" ""
	hook_run uninstall
	expect_out "pre-commit: not installed"
}

test_hook_install_twice_and_force_replaces_only_ours() {
	new_repo r
	hook_run install
	hook_run install
	expect_rc 0
	expect_out_has "already installed"
	printf '# stale\n' >> .git/hooks/pre-commit
	hook_run install --force
	expect_rc 0
	expect_out_has "reinstalled"
	grep -q stale .git/hooks/pre-commit && fail "--force did not rewrite our hook"
	# a foreign hook is never overwritten, even with --force: it is chained
	hook_run uninstall
	printf '#!/bin/sh\nexit 0\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
	cp -p .git/hooks/pre-commit "$WORK/orig"
	hook_run install --force
	expect_rc 0
	cmp -s .git/hooks/pre-commit.leakscan-chained "$WORK/orig" || fail "foreign hook lost"
	# a second foreign hook where ours was: nothing is overwritten, the install fails
	cp "$WORK/orig" .git/hooks/pre-commit
	hook_run install --force
	expect_rc 2
	expect_err_has "already exists"
	cmp -s .git/hooks/pre-commit.leakscan-chained "$WORK/orig" || fail "chained hook changed"
}

test_hook_d_directory_used() {
	new_repo r
	mkdir .git/hooks/pre-commit.d
	hook_run install
	expect_out "pre-commit: installed .git/hooks/pre-commit.d/leakscan"
	[ ! -e .git/hooks/pre-commit ] || fail "wrote pre-commit beside pre-commit.d"
	hook_run uninstall
	[ ! -e .git/hooks/pre-commit.d/leakscan ] || fail "not removed from pre-commit.d"
}

test_hook_core_hookspath_respected() {
	new_repo r
	git config core.hooksPath myhooks
	hook_run install
	expect_rc 0
	expect_out "pre-commit: installed myhooks/pre-commit"
	commit_try a.txt "$AWS_KEY"
	expect_rc 1
	expect_err_has "commit refused"
}

test_hook_worktree_shares_hooks() {
	new_repo r
	git worktree add -q ../wt
	cd ../wt
	hook_run install
	expect_rc 0
	[ -x "$WORK/r/.git/hooks/pre-commit" ] || fail "not in the common hooks directory"
	commit_try a.txt "$AWS_KEY"
	expect_rc 1
}

test_hook_template_dir() {
	hook_run install --all --template "$WORK/tpl"
	expect_rc 0
	[ -x tpl/hooks/pre-commit ] && [ -x tpl/hooks/commit-msg ] && [ -x tpl/hooks/pre-push ] || fail "template hooks"
	git init -q --template "$WORK/tpl" r && cd r
	commit_try a.txt "$AWS_KEY"
	expect_rc 1
}

test_hook_global_sets_hookspath_and_runs_repo_hook() {
	new_repo r
	printf '#!/bin/sh\necho "repo hook ran" >&2\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
	hook_run install --global
	expect_rc 0
	expect_eq "$(git config --global core.hooksPath)" "$HOME/.config/leakscan/hooks"
	commit_try a.txt "$AWS_KEY"
	expect_rc 1
	commit_try a.txt "clean"
	expect_rc 0
	expect_err_has "repo hook ran"
	hook_run uninstall --global
	expect_rc 0
	git config --global core.hooksPath >/dev/null && fail "core.hooksPath still set"
	true
}

test_hook_commit_msg_refuses_secret() {
	new_repo r
	hook_run install --commit-msg
	printf 'clean\n' > a.txt && git add a.txt
	ERR=$(git commit -q -m "deploy with $TOKEN" 2>&1); RC=$?
	expect_rc 1
	expect_err_has "commit message"
	ERR=$(git commit -q -m "a clean message" 2>&1); RC=$?
	expect_rc 0
	# git commit -v: the diff below the scissors line is not the message (here it shows a
	# secret the commit removes). The hook cannot see -v: it cuts when commit.verbose is set,
	# or when git's scissors line is followed by comment lines and git's diff (docs/hooks.md)
	printf '%s\n' "$TOKEN" > b.txt && git add b.txt && git commit -q --no-verify -m "b"
	git rm -q b.txt
	ERR=$(GIT_EDITOR='sed -i 1s/^/remove-b/' git commit -q -v 2>&1); RC=$?
	expect_rc 0
	expect_eq "$(git log -1 --format=%s)" "remove-b"
	printf '%s\n' "$TOKEN" > c.txt && git add c.txt && git commit -q --no-verify -m "c"
	git rm -q c.txt
	git config commit.verbose true
	ERR=$(GIT_EDITOR='sed -i 1s/^/remove-c/' git commit -q 2>&1); RC=$?
	expect_rc 0
	expect_eq "$(git log -1 --format=%s)" "remove-c"
}

# editor_sets TEXT: a GIT_EDITOR that replaces the message with TEXT (and a newline)
editor_sets() {
	printf '%s\n' "$1" > "$WORK/edited-msg"
	printf '#!/bin/sh\ncat "%s" > "$1"\n' "$WORK/edited-msg" > "$WORK/editor"
	chmod +x "$WORK/editor"
	export GIT_EDITOR="$WORK/editor"
}

# msg_commit ARGS...: git commit --allow-empty ARGS; RC, ERR; LOGGED is 1 if a commit was made
msg_commit() {
	local before
	before=$(git rev-parse HEAD)
	ERR=$(git commit -q --allow-empty "$@" 2>&1); RC=$?
	LOGGED=0
	[ "$(git rev-parse HEAD)" = "$before" ] || LOGGED=1
}

# issue 18, item 15: the commit-msg hook removes only what git removes from the message
test_item15_commit_msg_scissors() {
	new_repo r
	hook_run install --commit-msg
	local cut='------------------------ >8 ------------------------'
	# the repro: '; ---- >8 ----' is no scissors line for git, the key would be committed
	msg_commit -m "$(printf 'fix typo\n; %s\nkey %s' "$cut" "$AWS_KEY")"
	expect_rc 1
	expect_err_has "commit message"
	# git's own line, but -m: no editor, so git cuts nothing whatever commit.cleanup says
	msg_commit -m "$(printf 'fix typo\n# %s\nkey %s' "$cut" "$AWS_KEY")"
	expect_rc 1
	git config commit.cleanup scissors
	msg_commit -m "$(printf 'fix typo\n# %s\nkey %s' "$cut" "$AWS_KEY")"
	expect_rc 1
	# after an editor, in scissors mode, git cuts at its line: so does the hook
	editor_sets "$(printf 'fix typo\n# %s\nkey %s' "$cut" "$AWS_KEY")"
	msg_commit
	expect_rc 0
	expect_eq "$(git log -1 --format=%B)" "fix typo"
	# ... but only at a line with the real comment character
	git config core.commentChar ';'
	editor_sets "$(printf 'fix typo\n# %s\nkey %s' "$cut" "$AWS_KEY")"
	msg_commit
	expect_rc 1
	expect_eq "$LOGGED" 0
	editor_sets "$(printf 'fix typo\n; %s\nkey %s' "$cut" "$AWS_KEY")"
	msg_commit
	expect_rc 0
	expect_eq "$(git log -1 --format=%B)" "fix typo"
	# core.commentChar=auto: the character git picked is unknown, nothing is cut
	git config core.commentChar auto
	msg_commit
	expect_rc 1
	git config --unset core.commentChar
	# default mode with an editor strips comment lines but cuts nothing without -v
	git config --unset commit.cleanup
	editor_sets "$(printf 'fix typo\n# %s\nkey %s' "$cut" "$AWS_KEY")"
	msg_commit
	expect_rc 1
	expect_eq "$LOGGED" 0
	# strip mode: a comment line is not committed, so not scanned; verbatim keeps it
	git config commit.cleanup strip
	unset GIT_EDITOR
	msg_commit -m "$(printf 'fix typo\n# key %s' "$AWS_KEY")"
	expect_rc 0
	expect_eq "$(git log -1 --format=%B)" "fix typo"
	git config commit.cleanup verbatim
	msg_commit -m "$(printf 'fix typo\n# key %s' "$AWS_KEY")"
	expect_rc 1
	# what the hook let through never holds the key
	ls_run git -q .
	expect_rc 0
}

test_hook_pre_push_refuses_secret_in_new_commits() {
	git init -q --bare remote.git
	new_repo r
	git remote add origin "$WORK/remote.git"
	git push -q origin main 2>/dev/null || fail "first push"
	hook_run install --pre-push
	# a secret committed and then removed is still in the commits to push
	printf '%s\n' "$AWS_KEY" > a.txt && git add a.txt && git commit -q -m "oops"
	git rm -q a.txt && git commit -q -m "remove it"
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 1
	expect_err_has "push refused"
	expect_eq "$(git --git-dir="$WORK/remote.git" log --oneline main | wc -l)" 1
	# a new branch: only its commits that no remote has are scanned
	git checkout -q -b feature HEAD~2
	printf 'clean\n' > b.txt && git add b.txt && git commit -q -m "clean"
	ERR=$(git push -q origin feature 2>&1); RC=$?
	expect_rc 0
	# a new branch carrying the secret commit
	git checkout -q -b leaky main
	ERR=$(git push -q origin leaky 2>&1); RC=$?
	expect_rc 1
	# a commit message with a secret
	git checkout -q feature
	git commit -q --allow-empty -m "token $TOKEN"
	ERR=$(git push -q origin feature 2>&1); RC=$?
	expect_rc 1
	# deleting a remote branch pushes nothing to scan
	ERR=$(git push -q origin :feature 2>&1); RC=$?
	expect_rc 0
}

test_hook_missing_binary_fails_closed_unless_fail_open() {
	mkdir bin && cp "$LEAKSCAN" bin/leakscan
	new_repo r
	"$WORK/bin/leakscan" hook install >/dev/null || fail "install"
	rm "$WORK/bin/leakscan"
	commit_try a.txt "clean"
	expect_rc 1
	expect_err_has "leakscan not found"
	expect_err_has "leakscan.failOpen"
	git config leakscan.failOpen true
	commit_try a.txt "clean"
	expect_rc 0
	expect_err_has "WITHOUT a secret scan"
}

test_hook_broken_binary_fails_closed() {
	mkdir bin && printf '#!/bin/sh\nexit 2\n' > bin/leakscan && chmod +x bin/leakscan
	new_repo r
	hook_run install
	sed -i "s|^leakscan=.*|leakscan='$WORK/bin/leakscan'|" .git/hooks/pre-commit
	commit_try a.txt "clean"
	expect_rc 1
	expect_err_has "(exit status 2)"
	printf '#!/bin/sh\nkill -SEGV $$\n' > "$WORK/bin/leakscan"
	commit_try a.txt "clean2"
	expect_rc 1
	expect_err_has "crashed"
}

test_hook_status_and_bad_usage() {
	new_repo r
	hook_run status
	expect_rc 0
	expect_out "hooks directory: .git/hooks
pre-commit: not installed
commit-msg: not installed
pre-push: not installed
if leakscan cannot run: the hooks refuse (git config leakscan.failOpen)"
	git config leakscan.failOpen true
	hook_run status
	expect_out_has "if leakscan cannot run: the hooks let commits and pushes through"
	hook_run frobnicate
	expect_rc 2
	hook_run install --global --template x
	expect_rc 2
	cd "$WORK" && mkdir plain && cd plain
	GIT_CEILING_DIRECTORIES="$WORK" hook_run install
	expect_rc 2
	expect_err_has "not in a git repository"
}

test_hook_recipes_husky_lefthook_shape() {
	# lefthook.yml and .husky/pre-commit (docs/hooks.md) run `leakscan git --staged`
	new_repo r
	printf 'key = %s\n' "$AWS_KEY" > a.txt && git add a.txt
	ls_run git --staged --redact -q
	expect_rc 1
	git reset -q a.txt
	ls_run git --staged --redact -q
	expect_rc 0
	# husky: a hooks directory in the work tree named by core.hooksPath, a plain sh script
	mkdir .husky && printf '#!/bin/sh\n"%s" git --staged --redact -q\n' "$LEAKSCAN" > .husky/pre-commit
	chmod +x .husky/pre-commit && git config core.hooksPath .husky
	commit_try b.txt "$TOKEN"
	expect_rc 1
	commit_try b.txt "clean"
	expect_rc 0
}

# the pre-commit framework (Debian package pre-commit), offline: the hooks of this
# repository's .pre-commit-hooks.yaml, cloned from a local copy
test_hook_pre_commit_framework() {
	if ! command -v pre-commit >/dev/null; then
		skip "pre-commit is not installed (scripts/deps test installs it)"; return 0
	fi
	mkdir bin && ln -s "$LEAKSCAN" bin/leakscan
	export PATH="$WORK/bin:$PATH" PRE_COMMIT_HOME="$WORK/pc-home"
	git init -q hooksrepo && cp "$SRC_DIR/.pre-commit-hooks.yaml" hooksrepo/
	(cd hooksrepo && git add .pre-commit-hooks.yaml && git commit -q -m hooks) || fail "hooks repo"
	rev=$(git -C hooksrepo rev-parse HEAD)
	new_repo r
	printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: leakscan\n      - id: leakscan-commit-msg\n      - id: leakscan-pre-push\n' \
		"$WORK/hooksrepo" "$rev" > .pre-commit-config.yaml
	git add .pre-commit-config.yaml && git commit -q -m config
	git init -q --bare "$WORK/remote.git" && git remote add origin "$WORK/remote.git"
	git push -q origin main 2>/dev/null || fail "first push"
	pre-commit install --hook-type pre-commit --hook-type commit-msg --hook-type pre-push >/dev/null 2>&1 || fail "pre-commit install"
	commit_try a.txt "key = $AWS_KEY"
	expect_rc 1
	expect_err_has "leakscan (secrets in the staged changes)"
	expect_err_lacks "$AWS_KEY"
	commit_try a.txt "clean"
	expect_rc 0
	ERR=$(git commit -q --allow-empty -m "token $TOKEN" 2>&1); RC=$?
	expect_rc 1
	expect_err_has "leakscan (secrets in the commit message)"
	# pre-push: a commit made without the hooks
	printf '%s\n' "$TOKEN" > c.txt && git add c.txt && git commit -q --no-verify -m sneaky
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 1
	expect_err_has "leakscan (secrets in the commits to push)"
	git reset -q --hard HEAD~1
	git commit -q --allow-empty -m "fine" >/dev/null 2>&1
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 0
}

# husky and lefthook for real when installed (npm packages: npm install -g husky lefthook)
test_hook_husky_real() {
	if ! command -v husky >/dev/null; then
		skip "husky is not installed (npm install -g husky)"; return 0
	fi
	mkdir bin && ln -s "$LEAKSCAN" bin/leakscan && export PATH="$WORK/bin:$PATH"
	new_repo r
	printf '{"name": "t", "version": "1.0.0"}\n' > package.json
	husky >/dev/null 2>&1 || fail "husky"
	printf 'leakscan git --staged --redact -q\n' > .husky/pre-commit
	printf 'leakscan git --redact -q --message "$1"\n' > .husky/commit-msg
	commit_try a.txt "key = $AWS_KEY"
	expect_rc 1
	expect_err_has "husky - pre-commit script failed"
	expect_err_lacks "$AWS_KEY"
	commit_try a.txt "clean"
	expect_rc 0
	ERR=$(git commit -q --allow-empty -m "token $TOKEN" 2>&1); RC=$?
	expect_rc 1
}

test_hook_lefthook_real() {
	if ! command -v lefthook >/dev/null; then
		skip "lefthook is not installed (npm install -g lefthook)"; return 0
	fi
	mkdir bin && ln -s "$LEAKSCAN" bin/leakscan && export PATH="$WORK/bin:$PATH"
	new_repo r
	printf '%s\n' 'pre-commit:' '  commands:' '    leakscan:' '      run: leakscan git --staged --redact -q' \
		'commit-msg:' '  commands:' '    leakscan:' '      run: leakscan git --redact -q --message {1}' > lefthook.yml
	lefthook install >/dev/null 2>&1 || fail "lefthook install"
	commit_try a.txt "key = $AWS_KEY"
	expect_rc 1
	expect_err_lacks "$AWS_KEY"
	commit_try a.txt "clean"
	expect_rc 0
	ERR=$(git commit -q --allow-empty -m "token $TOKEN" 2>&1); RC=$?
	expect_rc 1
	ERR=$(git commit -q --allow-empty -m "all fine" 2>&1); RC=$?
	expect_rc 0
}

test_hook_pre_push_first_push_and_tags() {
	git init -q --bare remote.git
	new_repo r
	git remote add origin "$WORK/remote.git"
	hook_run install --pre-push
	# first push of a history that holds a secret: no remote-tracking ref at all
	printf '%s\n' "$AWS_KEY" > a.txt && git add a.txt && git commit -q -m "oops"
	git rm -q a.txt && git commit -q -m "gone"
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 1
	expect_err_has "push refused"
	# rewritten without it, the first push goes through
	git reset -q --hard HEAD~2
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 0
	# an annotated tag on a pushed commit brings nothing new; its message is scanned
	git tag -a -m "release" v1
	ERR=$(git push -q origin v1 2>&1); RC=$?
	expect_rc 0
	git commit -q --allow-empty -m "next"
	git tag -a -m "release $TOKEN" v2
	ERR=$(git push -q origin v2 2>&1); RC=$?
	expect_rc 1
	# a tag of a tag: the inner message is scanned too
	git tag -d v2 >/dev/null && git tag -a -m "inner $TOKEN" v2 && git tag -a -m "outer" v3 v2 2>/dev/null
	git tag -d v2 >/dev/null
	ERR=$(git push -q origin v3 2>&1); RC=$?
	expect_rc 1
	expect_err_has "the message of refs/tags/v3"
	# a tag of a blob is no commit: refused, not let through unscanned
	git tag -a -m "a file" v4 "$(printf '%s\n' "$AWS_KEY" | git hash-object -w --stdin)"
	ERR=$(git push -q origin v4 2>&1); RC=$?
	expect_rc 1
	expect_err_has "points to a blob, not a commit"
	git --git-dir="$WORK/remote.git" rev-parse -q --verify v4 >/dev/null && fail "v4 reached the remote"
	return 0
}

test_hook_pre_push_chained_gets_args_and_stdin() {
	git init -q --bare remote.git
	new_repo r
	git remote add origin "$WORK/remote.git"
	printf '#!/bin/sh\necho "$1 $2" > "%s/prev-args"\ncat > "%s/prev-stdin"\nexit ${PREV_RC:-0}\n' "$WORK" "$WORK" > .git/hooks/pre-push
	chmod +x .git/hooks/pre-push
	hook_run install --pre-push
	expect_rc 0
	ERR=$(git push -q origin main 2>&1); RC=$?
	expect_rc 0
	expect_eq "$(cat "$WORK/prev-args")" "origin $WORK/remote.git"
	expect_eq "$(cut -d' ' -f1,3 "$WORK/prev-stdin")" "refs/heads/main refs/heads/main"
	git commit -q --allow-empty -m more
	export PREV_RC=1
	ERR=$(git push -q origin main 2>&1); RC=$?
	unset PREV_RC
	expect_rc 1
}

# issue 18, item 16: pre-push trusts only what the destination already has
test_item16_pre_push_other_remote() {
	git init -q --bare origin.git && git init -q --bare fork.git
	new_repo r
	git remote add origin "$WORK/origin.git" && git remote add fork "$WORK/fork.git"
	git push -q origin main 2>/dev/null || fail "first push"
	printf 'aws_access_key_id = %s\n' "$AWS_KEY" > k.env && git add k.env && git commit -q -m key
	git push -q --no-verify fork HEAD:wip 2>/dev/null && git fetch -q fork
	hook_run install --pre-push
	# the repro: a commit fetched from fork is new to origin
	ERR=$(git push -q origin HEAD:feature 2>&1); RC=$?
	expect_rc 1
	expect_err_has "push refused"
	git --git-dir="$WORK/origin.git" rev-parse -q --verify feature >/dev/null && fail "feature reached origin"
	# a remote whose name starts with "origin/" is another remote
	git remote add origin/team "$WORK/fork.git" && git fetch -q origin/team
	ERR=$(git push -q origin HEAD:feature 2>&1); RC=$?
	expect_rc 1
	# pushing to a URL: no remote-tracking ref counts, even origin's
	git push -q --no-verify origin HEAD:leaked 2>/dev/null && git fetch -q origin
	ERR=$(git push -q "$WORK/origin.git" HEAD:other 2>&1); RC=$?
	expect_rc 1
	# what the destination has (its tracking refs, the remote id of an update) is not rescanned
	ERR=$(git push -q origin HEAD:other 2>&1); RC=$?
	expect_rc 0
	git commit -q --allow-empty -m clean
	ERR=$(git push -q "$WORK/origin.git" HEAD:leaked 2>&1); RC=$?
	expect_rc 0
	# lines the hook cannot read fail closed
	ERR=$(printf 'garbage\n' | .git/hooks/pre-push origin "$WORK/origin.git" 2>&1); RC=$?
	expect_rc 1
	expect_err_has "unexpected line"
}

# issue 18, item 22: uninstall keeps edits, restores a stranded hook and a directory
test_item22_hook_uninstall() {
	new_repo r
	printf '#!/bin/sh\necho ORIGINAL\n' > .git/hooks/pre-commit && chmod 750 .git/hooks/pre-commit
	cp -p .git/hooks/pre-commit "$WORK/orig"
	hook_run install
	echo 'echo MY-EDIT' >> .git/hooks/pre-commit
	hook_run status
	expect_out_has "pre-commit: leakscan (.git/hooks/pre-commit), edited"
	hook_run uninstall
	expect_rc 0
	expect_err_has "was edited after leakscan installed it: kept as '.git/hooks/pre-commit.leakscan-edited'"
	grep -q MY-EDIT .git/hooks/pre-commit.leakscan-edited || fail "edit lost"
	cmp -s .git/hooks/pre-commit "$WORK/orig" || fail "previous hook not restored"
	# a second edited copy does not replace the first
	hook_run install
	echo 'echo EDIT-2' >> .git/hooks/pre-commit
	hook_run uninstall
	expect_err_has "kept as '.git/hooks/pre-commit.leakscan-edited.2'"
	grep -q MY-EDIT .git/hooks/pre-commit.leakscan-edited || fail "first edit lost"
	# leakscan's hook deleted by hand: the chained original comes back
	hook_run install
	rm .git/hooks/pre-commit
	hook_run status
	expect_out_has "pre-commit: not installed, but the previous hook is still aside"
	hook_run uninstall
	expect_rc 0
	expect_out_has "restored the previous hook"
	cmp -s .git/hooks/pre-commit "$WORK/orig" || fail "stranded hook not restored"
	[ -e .git/hooks/pre-commit.leakscan-chained ] && fail "chained copy left behind"
	# a directory where the hook goes is moved aside and put back
	rm -rf .git/hooks/pre-commit* && mkdir .git/hooks/pre-commit && touch .git/hooks/pre-commit/inside
	hook_run install
	expect_rc 0
	commit_try a.txt "key = $AWS_KEY"
	expect_rc 1
	commit_try a.txt "clean"
	expect_rc 0
	hook_run uninstall
	expect_rc 0
	[ -d .git/hooks/pre-commit ] && [ -e .git/hooks/pre-commit/inside ] || fail "directory hook not restored"
	# an unedited hook goes without a note
	rm -rf .git/hooks/pre-commit
	hook_run install && hook_run uninstall
	expect_err_lacks "edited"
	[ -e .git/hooks/pre-commit ] && fail "hook left behind"
	return 0
}

run_tests
