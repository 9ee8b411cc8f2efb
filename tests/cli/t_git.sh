#!/usr/bin/env bash
# Command-line tests of `leakscan git` (issue 3): history, provenance, ranges, the staged index,
# messages, bad repositories, and that a scan never writes into the repository.
. "$(dirname "$0")/lib.sh"
export GIT_OPTIONAL_LOCKS=0

# commit_file PATH CONTENT MESSAGE: writes, stages and commits one file in the current repo.
commit_file() {
	mkdir -p "$(dirname "$1")"
	printf '%s' "$2" > "$1"
	git add -- "$1" && git commit -qm "$3"
}
rev() { git rev-parse "$1"; }
short() { git rev-parse "$1" | cut -c1-12; }
# the repository's state: every file under .git with its size and mtime, and the status
repo_state() { (find "$1/.git" -printf '%P %s %T@\n' | sort; git -C "$1" status --porcelain); }

test_git_secret_added_then_deleted_found_with_provenance() {
	git init -q r && cd r
	commit_file a.txt "hello
" "initial"
	commit_file s.txt "x
key = $AWS_KEY
" "add settings"
	c=$(rev HEAD)
	git rm -q s.txt && git commit -qm "remove settings"
	lst git
	expect_rc 1
	expect_out "${c:0:12}:s.txt:2:7: test-aws-key: key = $AWS_KEY"
	expect_err_has "scanned 5 objects"
	lst git -f json
	printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin); assert len(d)==1, d; d=d[0]
assert d["commit"]=="'"$c"'" and d["path"]=="s.txt" and d["line"]==2 and d["column"]==7, d
assert d["author_name"]=="Test Author" and d["author_email"]=="author@example.invalid", d
assert d["date"]=="2024-01-02T03:04:05Z" and d["message"]=="add settings", d
assert d["blob"]=="'"$(git rev-parse "$c:s.txt")"'", d
' || fail "json provenance"
}

test_git_json_keys_for_history_findings() {
	git init -q r && cd r
	commit_file a.txt "k=$AWS_KEY
" "one"
	lst git -f json
	expect_rc 1
	keys=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(",".join(sorted(d[0].keys())), len(d))')
	expect_eq "$keys" "author_email,author_name,blob,column,commit,confidence,date,end_column,end_line,entropy,fingerprint,line,match,message,path,rule_id,rule_name,secret,severity 1"
}

test_git_blob_shared_by_100_commits_reported_once() {
	git init -q r && cd r
	# 100 commits through fast-import: s.txt never changes, n.txt changes every time; the
	# same content also sits at a second path
	{
		for i in $(seq 1 100); do
			printf 'commit refs/heads/main\ncommitter T <t@example.invalid> %d +0000\ndata 2\nc\n' $((1700000000 + i))
			printf 'M 644 inline s.txt\ndata %d\n%s\n' $((${#AWS_KEY} + 5)) "key=$AWS_KEY"
			printf 'M 644 inline copy/s.txt\ndata %d\n%s\n' $((${#AWS_KEY} + 5)) "key=$AWS_KEY"
			printf 'M 644 inline n.txt\ndata %d\n%s\n' $((${#i} + 1)) "$i"
		done
	} | git fast-import --quiet
	expect_eq "$(git rev-list --count main)" 100
	lst git
	expect_rc 1
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 2 "lines of the one entry"
	expect_out "$(short main~99):copy/s.txt:1:5: test-aws-key: key=$AWS_KEY"
	# one entry for the one secret: its first commit, one occurrence (one blob) at its two
	# paths, still at the tip
	expect_out_has "    first in $(short main~99) by T on 2023-11-14; 1 occurrence at 2 paths; still at the tip (copy/s.txt)"
	expect_err_has "scanned 201 objects"
}

test_git_side_branch_only() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	git checkout -qb side
	commit_file side.txt "t=$TOKEN
" "side work"
	c=$(short HEAD)
	git checkout -q main
	commit_file b.txt "b
" "main work"
	lst git
	expect_rc 1
	expect_out "$c:side.txt:1:7: test-token: t=$TOKEN"
	lst git --branch main
	expect_rc 0
	expect_out ""
	lst git --branch side
	expect_rc 1
	expect_out "$c:side.txt:1:7: test-token: t=$TOKEN"
	lst git --branch nope
	expect_rc 2
	expect_err_has "'nope'"
}

test_git_tag_message_and_tagged_only_commit() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	base=$(short HEAD)
	git tag -a v1 -m "release with $TOKEN"
	git checkout -q --detach
	commit_file t.txt "key $AWS_KEY
" "only tagged"
	c=$(short HEAD)
	git tag only-tag
	git checkout -q main
	lst git
	expect_rc 1
	expect_out "$c:t.txt:1:5: test-aws-key: key $AWS_KEY
$base:<tag message: v1>:1:18: test-token: release with $TOKEN"
	lst git -f json --redact
	expect_out_lacks "$TOKEN"
	expect_out_lacks "$AWS_KEY"
}

test_git_dangling_symbolic_ref_is_ignored() {
	git init -q r && cd r
	commit_file a.txt "k=$AWS_KEY
" "add"
	git symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/gone
	lst git
	expect_rc 1
	expect_err_lacks "error"
	expect_err_lacks "origin"
}

test_git_stash_entries() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	printf 'k=%s\n' "$AWS_KEY" > a.txt && git stash -q
	printf 't=%s\n' "$TOKEN" > a.txt && git stash -q
	expect_eq "$(git stash list | wc -l)" 2
	lst git
	expect_rc 1
	expect_out_has "a.txt:1:3: test-aws-key: k=$AWS_KEY"
	expect_out_has "a.txt:1:7: test-token: t=$TOKEN"
}

test_git_redacted_reports_mask_secrets_in_message_fields() {
	git init -q r && cd r
	commit_file a.txt "k=$AWS_KEY
" "add config with $TOKEN"
	for fmt in json jsonl csv sarif junit; do
		lst git --redact -f "$fmt"
		expect_rc 1
		expect_out_lacks "$AWS_KEY"
		expect_out_lacks "$TOKEN"
	done
	lst git -f json
	expect_out_has "add config with $TOKEN"
}

test_git_commit_message() {
	git init -q r && cd r
	commit_file a.txt "a
" "initial"
	git commit -q --allow-empty -m "rotate

the old one was $TOKEN"
	c=$(short HEAD)
	lst git
	expect_rc 1
	expect_out "$c:<commit message>:3:21: test-token: the old one was $TOKEN"
}

test_git_message_file() {
	printf 'fix things\n\nkey %s\n' "$AWS_KEY" > COMMIT_EDITMSG
	lst git --message COMMIT_EDITMSG
	expect_rc 1
	expect_out "<commit message>:3:5: test-aws-key: key $AWS_KEY"
	printf 'clean\n' > m2
	lst git --message m2
	expect_rc 0
	OUT=$(printf 'x %s\n' "$TOKEN" | "$LEAKSCAN" git --message - --no-default-rules --rules "$RULES" -q); RC=$?
	expect_rc 1
	expect_out "<commit message>:1:7: test-token: x $TOKEN"
	lst git --message missing-file
	expect_rc 2
	expect_err_has "missing-file"
}

test_git_dangling_commit_only_with_all_objects() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	git checkout -qb tmp
	commit_file d.txt "k=$AWS_KEY
" "dangling $TOKEN"
	c=$(rev HEAD)
	b=$(rev HEAD:d.txt)
	git checkout -q main && git branch -qD tmp
	lst git
	expect_rc 0
	expect_out ""
	lst git --all-objects
	expect_rc 1
	expect_out_has "<unreachable blob ${b:0:12}>:1:3: test-aws-key: k=$AWS_KEY"
	expect_out_has "${c:0:12}:<commit message>:1:14: test-token: dangling $TOKEN"
	lst git --all-objects -f json
	printf '%s' "$OUT" | python3 -c '
import json,sys; d={f["rule_id"]: f for f in json.load(sys.stdin)}
assert d["test-aws-key"]["blob"]=="'"$b"'" and d["test-aws-key"]["commit"] is None, d
assert d["test-token"]["commit"]=="'"$c"'", d
' || fail "json for unreachable objects"
}

test_git_range_and_since_only_what_was_introduced() {
	git init -q r && cd r
	commit_file one.txt "k=$AWS_KEY
" "one"
	a=$(rev HEAD)
	commit_file two.txt "t=$TOKEN
" "two"
	b=$(short HEAD)
	commit_file three.txt "password = \"Zq8#mW2!pLx9\"
" "three $AWS_KEY2"
	c=$(short HEAD)
	lst git --range "$a..HEAD"
	expect_rc 1
	expect_out "$b:two.txt:1:7: test-token: t=$TOKEN
$c:<commit message>:1:7: test-aws-key: three $AWS_KEY2
$c:three.txt:1:13: test-password: password = \"Zq8#mW2!pLx9\""
	expect_out_lacks "one.txt"
	first=$OUT
	lst git --since "$a"
	expect_out "$first"
	lst git --range "HEAD~1..HEAD"
	expect_out_lacks "two.txt"
	expect_out_has "three.txt"
	lst git --range "nonsense"
	expect_rc 2
	expect_err_has "range"
}

test_git_merge_commit() {
	git init -q r && cd r
	commit_file f.txt "base
" "base"
	git checkout -qb side
	commit_file side.txt "t=$TOKEN
" "side"
	s=$(short HEAD)
	git checkout -q main
	commit_file m.txt "m
" "main"
	git merge -q --no-ff --no-commit side >/dev/null 2>&1
	printf 'k=%s\n' "$AWS_KEY" > evil.txt && git add evil.txt
	git commit -qm "merge side"
	m=$(short HEAD)
	lst git
	expect_rc 1
	expect_out_has "$s:side.txt:1:7: test-token: t=$TOKEN"
	expect_out_has "$m:evil.txt:1:3: test-aws-key: k=$AWS_KEY"
	# the merge, diffed against both parents, introduced evil.txt only
	lst git --range "HEAD^2..HEAD"
	expect_out "$m:evil.txt:1:3: test-aws-key: k=$AWS_KEY"
}

test_git_renamed_file_reported_once_first_path() {
	git init -q r && cd r
	commit_file old/name.txt "k=$AWS_KEY
" "add"
	c=$(short HEAD)
	git mv old/name.txt new.txt && git commit -qm "rename"
	lst git
	expect_rc 1
	expect_out "$c:old/name.txt:1:3: test-aws-key: k=$AWS_KEY"
	lst git --all-provenance -f json
	printf '%s' "$OUT" | python3 -c '
import json,sys; d=json.load(sys.stdin); assert len(d)==1, d
p=[x.split(":")[1] for x in d[0]["provenance"]]
assert p==["old/name.txt","new.txt"], p
' || fail "all provenance"
}

test_git_bare_repository() {
	git init -q r && (cd r && commit_file a.txt "k=$AWS_KEY
" "add")
	c=$(git -C r rev-parse --short=12 HEAD)
	git clone -q --bare r bare.git
	lst git bare.git
	expect_rc 1
	expect_out "$c:a.txt:1:3: test-aws-key: k=$AWS_KEY"
	lst git --staged bare.git
	expect_rc 2
	expect_err_has "bare"
	# a directory inside a work tree finds its repository
	mkdir r/sub
	lst git r/sub
	expect_out "$c:a.txt:1:3: test-aws-key: k=$AWS_KEY"
}

test_git_not_a_repository_and_empty_repository() {
	mkdir plain
	lst git plain
	expect_rc 2
	expect_err_has "plain: not a git repository"
	lst git nowhere
	expect_rc 2
	expect_err_has "nowhere"
	git init -q empty
	lst git empty
	expect_rc 0
	expect_out ""
	expect_err_has "no commits"
	lst git --staged empty
	expect_rc 0
	(cd empty && printf 'k=%s\n' "$AWS_KEY" > a.txt && git add a.txt)
	lst git --staged empty
	expect_rc 1
	expect_out "a.txt:1:3: test-aws-key: k=$AWS_KEY"
}

test_git_shallow_clone_warns() {
	git init -q r && cd r
	commit_file old.txt "k=$AWS_KEY
" "old"
	git rm -q old.txt && git commit -qm "remove old"
	commit_file newer.txt "n2
" "newer"
	cd ..
	git clone -q --depth 1 "file://$WORK/r" sh
	lst git sh
	expect_rc 2
	expect_err_has "shallow clone"
	expect_out ""
	(cd sh && printf 't=%s\n' "$TOKEN" > t.txt && git add t.txt && git commit -qm tip)
	lst git sh
	expect_rc 1
	expect_out_has "t.txt:1:7: test-token"
	expect_err_lacks "not found"
	# a range that ends at the shallow boundary walks no further
	lst git --range HEAD~1..HEAD sh
	expect_rc 1
	expect_out "$(git -C sh rev-parse --short=12 HEAD):t.txt:1:7: test-token: t=$TOKEN"
	expect_err_lacks "not found"
}

test_git_corrupted_object_named_and_scan_goes_on() {
	git init -q r && cd r
	commit_file a.txt "plain text
" "a"
	commit_file t.txt "t=$TOKEN
" "t"
	b=$(rev HEAD:a.txt)
	rm -f ".git/objects/${b:0:2}/${b:2}"
	lst git
	expect_rc 1
	expect_err_has "$b"
	expect_err_has "a.txt"
	expect_out_has "t.txt:1:7: test-token"
	# findings below --fail-on do not hide the error
	lst git --fail-on critical
	expect_rc 2
	expect_out_has "t.txt:1:7: test-token"
}

test_git_output_identical_for_any_jobs() {
	git init -q r && cd r
	for i in $(seq 1 30); do
		mkdir -p "d$((i % 4))"
		printf 'n=%s\nk=%s\n' "$i" "$AWS_KEY" > "d$((i % 4))/f$i.txt"
		printf 'line %s\nt=%s\n' "$i" "$TOKEN" > "common.txt"
		git add -A && git commit -qm "c$i"
	done
	ls_run git --no-default-rules --rules "$RULES" -f jsonl -j1 --all-provenance
	one=$OUT
	expect_rc 1
	ls_run git --no-default-rules --rules "$RULES" -f jsonl -j4 --all-provenance
	expect_out "$one"
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 60
}

test_git_staged_only_index_content() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	commit_file gone.txt "k=$AWS_KEY2
" "will be deleted"
	printf 'x\ny\nk=%s\n' "$AWS_KEY" > new.txt && git add new.txt
	printf 't=%s\n' "$TOKEN" > a.txt   # unstaged edit
	git rm -q gone.txt                  # staged deletion
	lst git --staged
	expect_rc 1
	expect_out "new.txt:3:3: test-aws-key: k=$AWS_KEY"
	# the index's content counts, not the work tree's
	printf 'clean now\n' > new.txt
	lst git --staged
	expect_out "new.txt:3:3: test-aws-key: k=$AWS_KEY"
	git reset -q new.txt
	lst git --staged
	expect_rc 0
	expect_out ""
}

test_git_max_file_size_and_binary() {
	git init -q r && cd r
	printf 'k=%s\n' "$AWS_KEY" > big.txt && head -c 3000 /dev/zero | tr '\0' 'x' >> big.txt
	printf 'k=%s\0\n' "$TOKEN" > bin.dat
	git add . && git commit -qm add
	lst git --max-file-size 1K
	# binary: searched without the generic rules (issue 18, item 18)
	expect_rc 1
	expect_out "$(git rev-parse --short=12 HEAD):bin.dat:1:7: test-token: k=$TOKEN"
	expect_err_has "big.txt: skipped, larger than --max-file-size"
	expect_err_has "skipped 1 too large, 0 symlinks; 1 binary (searched without the generic rules)"
	lst git --binary
	expect_rc 1
	expect_out_has "bin.dat:1:7: test-token"
}

test_git_scan_never_writes_into_the_repository() {
	git init -q r && cd r
	commit_file a.txt "k=$AWS_KEY
" "add"
	printf 't=%s\n' "$TOKEN" > b.txt && git add b.txt
	printf 'dirty\n' > a.txt
	cd ..
	before=$(repo_state r)
	sleep 0.05
	lst git r
	lst git --staged r
	lst git --all-objects --all-provenance r
	(cd r && lst git --since HEAD)
	after=$(repo_state r)
	expect_eq "$after" "$before" "(repository changed)"
}

test_git_config_allowlists_commits_and_paths() {
	git init -q r && cd r
	commit_file a.txt "k=$AWS_KEY
" "first"
	first=$(rev HEAD)
	commit_file b.txt "k=$AWS_KEY2
" "second"
	commit_file vendor/lib.txt "t=$TOKEN
" "vendored"
	printf 'allow:\n  - commits: [%s]\n  - paths: ["vendor/**"]\n' "${first:0:10}" > .leakscan.yaml
	lst git
	expect_rc 1
	expect_out "$(short HEAD~1):b.txt:1:3: test-aws-key: k=$AWS_KEY2"
	lst git --no-config
	expect_out_has "a.txt"
	expect_out_has "vendor/lib.txt"
}

test_git_staged_in_a_hook_sees_the_temporary_index() {
	git init -q r && cd r
	commit_file a.txt "a
" "base"
	# git commit -a stages into a temporary index named by $GIT_INDEX_FILE for the hook
	printf '#!/bin/sh\nexec "%s" git --staged --no-default-rules --rules "%s" -q\n' "$LEAKSCAN" "$RULES" > .git/hooks/pre-commit
	chmod +x .git/hooks/pre-commit
	printf 'k=%s\n' "$AWS_KEY" >> a.txt
	OUT=$(git commit -qam "with a key" 2>&1); RC=$?
	expect_rc 1
	expect_out_has "a.txt:2:3: test-aws-key"
	expect_eq "$(git rev-list --count HEAD)" 1 "(the commit was refused)"
	git checkout -q a.txt
	printf 'fine\n' >> a.txt
	git commit -qam "clean" || fail "clean commit refused"
}

test_git_absurdly_deep_tree_is_an_error_not_a_crash() {
	git init -q r && cd r
	deep=$(printf 'd/%.0s' $(seq 1 5000))
	printf 'commit refs/heads/main\ncommitter T <t@example.invalid> 1700000000 +0000\ndata 1\nc\nM 644 inline %sf.txt\ndata 4\nabc\nM 644 inline top.txt\ndata %d\n%s\n\n' \
		"$deep" $((${#AWS_KEY} + 3)) "k=$AWS_KEY" | git fast-import --quiet
	lst git
	expect_rc 1
	expect_out "$(short main):top.txt:1:3: test-aws-key: k=$AWS_KEY"
	expect_err_has "nested deeper than 4096 levels"
}

# staged_both: the staged items read from the index file (cache-tree) and through libgit2's
# diff must agree (tests/tools/staged_probe); the fast reading must not have needed the
# fallback. Then runs the real `leakscan git --staged`.
: "${STAGED_PROBE:?STAGED_PROBE must point to the staged_probe test helper}"
staged_both() {
	local fast diff
	fast=$("$STAGED_PROBE" fast) || fail "fast staged reading fell back"
	diff=$("$STAGED_PROBE" diff) || fail "libgit2's diff failed"
	# libgit2's diff lists an intent-to-add entry (git add -N) with the empty blob, which git
	# commit does not record and the index reading skips: nothing to scan either way
	local empty=e69de29bb2d1d6434b8b29ae775ad8c2e48c5391
	expect_eq "$(printf '%s\n' "$fast" | grep -v " $empty\$" | sort)" \
		"$(printf '%s\n' "$diff" | grep -v " $empty\$" | sort)" "(staged items, fast vs diff)"
	ls_run git --staged --no-default-rules --rules "$RULES" -j1 -q
}

test_git_staged_index_file_reading_agrees_with_libgit2_diff() {
	git init -q r && cd r
	mkdir -p d1/d2 b keep/deep/er old && echo a > a.txt && echo f > d1/d2/f.txt && echo g > d1/g.txt
	echo inner > b/inner.txt && echo k > keep/deep/er/k.txt && printf 'k=%s\n' "$AWS_KEY2" > old/old.txt
	printf 'k=%s\n' "$AWS_KEY2" > gone.txt && printf 'k=%s\n' "$AWS_KEY" > mode.txt
	for n in x-y.txt x.txt x0.txt; do echo "$n" > "$n"; done
	git add . && git commit -qm base
	staged_both
	expect_out ""
	printf 'f\nk=%s\n' "$AWS_KEY" > d1/d2/f.txt
	mkdir -p new/dir x && printf 't=%s\n' "$TOKEN" > new/dir/n.txt && printf 't=%s\n' "$TOKEN" > x/z.txt
	git rm -q gone.txt
	git update-index --chmod=+x mode.txt
	git rm -q a.txt && mkdir a.txt && printf 't=%s\n' "$TOKEN" > a.txt/inner.txt
	git rm -rq b && printf 'k=%s\n' "$AWS_KEY" > b
	ln -s "$TOKEN" link
	git mv old/old.txt renamed.txt
	printf 'k=%s\n' "$AWS_KEY" > ita.txt && git add -N ita.txt
	git add -A d1 new x a.txt b link
	printf 'unstaged %s\n' "$TOKEN" >> keep/deep/er/k.txt
	staged_both
	expect_rc 1
	expect_out "a.txt/inner.txt:1:7: test-token: t=$TOKEN
b:1:3: test-aws-key: k=$AWS_KEY
d1/d2/f.txt:2:3: test-aws-key: k=$AWS_KEY
link:1:5: test-token: $TOKEN
mode.txt:1:3: test-aws-key: k=$AWS_KEY
new/dir/n.txt:1:7: test-token: t=$TOKEN
renamed.txt:1:3: test-aws-key: k=$AWS_KEY2
x/z.txt:1:7: test-token: t=$TOKEN"
	# index version 4 (prefix-compressed paths), with enough paths to grow the decoded ones
	mkdir -p many/long-directory-name-for-prefixes
	for i in $(seq 1 300); do echo "$i" > "many/long-directory-name-for-prefixes/file-number-$i.txt"; done
	git add many
	git update-index --index-version 4
	staged_both
	expect_rc 1
	expect_out_has "renamed.txt:1:3"
	# a valid cache-tree that is not HEAD's: after reset --soft everything committed since is staged
	git update-index --index-version 2
	git rm -q --cached ita.txt && git commit -qm next && git reset -q --soft HEAD~1
	staged_both
	expect_rc 1
	expect_out_has "d1/d2/f.txt:2:3"
	expect_out_lacks "keep/"
	# a fresh repository without a commit: everything staged is new
	git init -q ../fresh && cd ../fresh && mkdir s && printf 'k=%s\n' "$AWS_KEY" > s/a.txt && git add s
	staged_both
	expect_out "s/a.txt:1:3: test-aws-key: k=$AWS_KEY"
	git write-tree >/dev/null   # gives the index a cache-tree
	staged_both
	expect_out "s/a.txt:1:3: test-aws-key: k=$AWS_KEY"
}

test_git_pre_receive_hook_sees_quarantined_objects() {
	git init -q --bare srv.git
	{
		printf '#!/bin/sh\nwhile read old new ref; do\n'
		printf '\tcase $old in *[!0]*) set -- --range "$old..$new" ;; *) set -- --branch "$new" ;; esac\n'
		printf '\t"%s" git --no-default-rules --rules "%s" -q "$@" || exit 1\ndone\n' "$LEAKSCAN" "$RULES"
	} > srv.git/hooks/pre-receive
	chmod +x srv.git/hooks/pre-receive
	git init -q c && cd c
	commit_file a.txt "a
" "clean"
	git push -q ../srv.git HEAD:main 2>/dev/null || fail "clean push refused"
	commit_file s.txt "k=$AWS_KEY
" "leak"
	OUT=$(git push ../srv.git HEAD:main 2>&1); RC=$?
	expect_rc 1
	expect_out_has "s.txt:1:3: test-aws-key"
	expect_eq "$(git -C ../srv.git rev-list --count main)" 1 "(the push was refused)"
}

# Grouped output (issue 20): a whole history in text gives one entry per distinct secret (the
# commit that introduced it, author, date, occurrences, paths, whether the tip still holds it);
# --all-occurrences, machine formats and a range keep every occurrence.
test_git_one_entry_per_distinct_secret() {
	git init -q r && cd r
	for i in 1 2 3; do printf 'key = %s\nline %d\n' "$AWS_KEY" "$i" > a.env; git add -A; git commit -qm "c$i"; done
	first=$(git rev-parse HEAD~2 | cut -c1-12)
	cp a.env b.env && git add -A && git commit -qm copy
	git rm -q a.env && git commit -qm rm
	lst git
	expect_rc 1
	expect_out "$first:a.env:1:7: test-aws-key: key = $AWS_KEY
    first in $first by Test Author on 2024-01-02; 3 occurrences at 2 paths; still at the tip (b.env)"
	expect_err_has "3 findings"
	lst git --all-occurrences
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 3 "lines with --all-occurrences"
	lst git -f jsonl
	expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 3 "JSON objects (one per occurrence, see docs/git-history.md)"
	lst git --range HEAD~3..HEAD
	expect_out_lacks "    first "
	git rm -q b.env && git commit -qm "rm copy"
	lst git
	expect_out_has "3 occurrences at 2 paths; no longer at the tip"
	# names from the repository are shown without control characters
	printf 't = %s\n' "$TOKEN" > c.env && git add -A && GIT_AUTHOR_NAME="$(printf 'Eve\033[2J')" git commit -qm c
	lst git
	case "$OUT" in *"$(printf '\033')"*) fail "an escape reached the terminal";; esac
	expect_out_has "by Eve [2J on"
}

run_tests
