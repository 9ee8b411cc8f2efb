/*
 * The pre-push hook's plan: which commits a push sends that the destination does not have.
 * Known to be on the destination (and so scanned when they got there): its remote-tracking
 * refs, refs/remotes/<remote>/..., when the push goes to a named remote, and the remote
 * object ids git puts on the hook's standard input. Nothing else: a commit fetched from
 * another remote is new to this one.
 */
#include "hooks.h"

#include <stdlib.h>
#include <string.h>

static int is_hex_id(const char *s, size_t len)
{
	if (len != 40 && len != 64)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int is_ref_text(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

static int all_zero(const char *s) { return s[strspn(s, "0")] == '\0'; }

int ls_hook_push_parse_line(ls_hook_push_line *out, const char *line, size_t len)
{
	const char *f[4];
	size_t n[4];
	size_t i = 0;
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < 4; k++) {
		f[k] = line + i;
		const char *sp = k < 3 ? memchr(line + i, ' ', len - i) : NULL;
		size_t end = sp ? (size_t)(sp - line) : len;
		if (k < 3 && !sp)
			goto bad;
		n[k] = end - i;
		i = end + (k < 3);
	}
	if (!is_ref_text(f[0], n[0]) || !is_ref_text(f[2], n[2]) || !is_hex_id(f[1], n[1]) ||
	    n[3] != n[1] || !is_hex_id(f[3], n[3]))
		goto bad;
	out->local_ref = f[0];
	out->local_ref_len = n[0];
	out->remote_ref = f[2];
	out->remote_ref_len = n[2];
	memcpy(out->local_id, f[1], n[1]);
	memcpy(out->remote_id, f[3], n[3]);
	out->deleted = all_zero(out->local_id);
	out->remote_new = all_zero(out->remote_id);
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	ls_error_set("pre-push: unexpected line on standard input (not '<local ref> <id> <remote ref> <id>')");
	return LS_EINVAL;
}

int ls_hook_push_parse(ls_hook_push_line **out, size_t *count, const char *input, size_t len)
{
	size_t cap = 0, n = 0;
	ls_hook_push_line *v = NULL;
	int err = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(input + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - input) : len;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = ls_xrealloc(v, cap * sizeof(*v));
		}
		if ((err = ls_hook_push_parse_line(&v[n], input + i, end - i)) < 0)
			break;
		n++;
		i = nl ? end + 1 : len;
	}
	if (err < 0) {
		free(v);
		v = NULL;
		n = 0;
	}
	*out = v;
	*count = n;
	return err;
}

/* 1 if `name` is one of the remotes listed (one a line) in `remotes`. */
static int listed(const char *remotes, const char *name, size_t len)
{
	for (const char *p = remotes; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l == len && !memcmp(p, name, len))
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/*
 * Appends "^<id>\n" to `not` for every remote-tracking ref of `remote`: refs/remotes/
 * <remote>/..., but not those of another remote whose name starts with "<remote>/".
 */
static int known_tracking(ls_buf *not, const char *remote, const char *remotes)
{
	ls_buf refs = LS_BUF_INIT;
	const char *argv[] = {"git", "for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/", NULL};
	if (ls_hook_run_git(&refs, argv, 0) != 0) {
		ls_buf_dispose(&refs);
		ls_error_set("cannot list the remote-tracking refs (git for-each-ref failed)");
		return LS_EIO;
	}
	char *prefix = ls_xasprintf("refs/remotes/%s/", remote);
	size_t plen = strlen(prefix);
	for (char *p = refs.ptr; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *sp = strchr(p, ' ');
		if (sp && !strncmp(sp + 1, prefix, plen)) {
			/* refs/remotes/origin/team/x belongs to a remote "origin/team" if there is one */
			const char *rest = sp + 1 + strlen("refs/remotes/");
			int other = 0;
			for (const char *s = strchr(rest + strlen(remote) + 1, '/'); s && !other; s = strchr(s + 1, '/'))
				other = listed(remotes, rest, (size_t)(s - rest));
			if (!other) {
				ls_buf_putc(not, '^');
				ls_buf_put(not, p, (size_t)(sp - p));
				ls_buf_putc(not, '\n');
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	free(prefix);
	ls_buf_dispose(&refs);
	return 0;
}

/* Types of `ids` ("<type>\n" each, "missing" for an id git cannot resolve), in order. */
static int object_types(ls_buf *out, const ls_buf *ids)
{
	const char *argv[] = {"git", "cat-file", "--batch-check=%(objecttype)", NULL};
	if (!ids->len)
		return 0;
	if (ls_hook_run_git_input(out, argv, ids->ptr, ids->len, 2) != 0) {
		ls_error_set("cannot read the objects to push (git cat-file failed)");
		return LS_EIO;
	}
	return 0;
}

/* The next line of `*p` (advanced), without its '\n'; "" at the end. */
static const char *next_line(char **p)
{
	char *s = *p;
	if (!s || !*s)
		return "";
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

/* "tag <id> <ref>" for the annotated tag l->local_id and each tag it points to in turn. */
static int tag_chain(ls_buf *out, const ls_hook_push_line *l)
{
	char id[65];
	memcpy(id, l->local_id, sizeof(id));
	for (int depth = 0; depth < 64; depth++) {
		ls_buf_printf(out, "tag %s %.*s\n", id, (int)l->local_ref_len, l->local_ref);
		ls_buf t = LS_BUF_INIT;
		const char *argv[] = {"git", "cat-file", "tag", id, NULL};
		if (ls_hook_run_git(&t, argv, 0) != 0 || !t.ptr) {
			ls_buf_dispose(&t);
			ls_error_set("cannot read the tag '%s' (git cat-file failed)", id);
			return LS_EIO;
		}
		/* "object <id>\ntype <type>\n..." */
		size_t idlen = strlen(id);
		int more = !strncmp(t.ptr, "object ", 7) && t.len > 7 + idlen + 10 &&
		           !strncmp(t.ptr + 7 + idlen, "\ntype tag\n", 10);
		if (more) {
			memcpy(id, t.ptr + 7, idlen);
			more = is_hex_id(id, idlen);
		}
		ls_buf_dispose(&t);
		if (!more)
			return 0;
	}
	ls_error_set("pre-push: '%.*s': tags point to tags 64 deep", (int)l->local_ref_len, l->local_ref);
	return LS_EINVAL;
}

int ls_hook_push_plan(ls_buf *out, const char *remote, const char *input, size_t len)
{
	ls_hook_push_line *lines = NULL;
	size_t n = 0;
	ls_buf remotes = LS_BUF_INIT, not = LS_BUF_INIT, ids = LS_BUF_INIT, types = LS_BUF_INIT;
	int err = ls_hook_push_parse(&lines, &n, input, len);
	if (err < 0 || !n)
		goto done;

	/* which remote ids exist here (as commits), which local ids are annotated tags, and
	 * what those tags point to in the end */
	for (size_t i = 0; i < n; i++) {
		ls_buf_printf(&ids, "%s\n", lines[i].local_id);
		ls_buf_printf(&ids, "%s^{}\n", lines[i].local_id);
		ls_buf_printf(&ids, "%s^{commit}\n", lines[i].remote_id);
	}
	if ((err = object_types(&types, &ids)) < 0)
		goto done;
	char *tp = types.ptr;
	int *is_tag = ls_xcalloc(n, sizeof(int));
	for (size_t i = 0; i < n; i++) {
		is_tag[i] = !strcmp(next_line(&tp), "tag");
		const char *peeled = next_line(&tp);
		/* a ref to a tree or a blob sends files that are no commit's: leakscan git scans
		 * commits, so refuse rather than let them through unscanned */
		if (!lines[i].deleted && err == 0 && (!strcmp(peeled, "tree") || !strcmp(peeled, "blob"))) {
			ls_error_set("pre-push: '%.*s' points to a %s, not a commit: it cannot be scanned",
			             (int)lines[i].local_ref_len, lines[i].local_ref, peeled);
			err = LS_EINVAL;
		}
		if (!lines[i].remote_new && !strcmp(next_line(&tp), "commit"))
			ls_buf_printf(&not, "^%s\n", lines[i].remote_id);
		else if (lines[i].remote_new)
			next_line(&tp);
	}

	/* a named remote: its remote-tracking refs; a URL: nothing more */
	const char *rargv[] = {"git", "remote", NULL};
	if (err == 0 && remote && *remote && ls_hook_run_git(&remotes, rargv, 1) == 0 && listed(remotes.ptr, remote, strlen(remote)))
		err = known_tracking(&not, remote, remotes.ptr);

	for (size_t i = 0; i < n && err == 0; i++) {
		const ls_hook_push_line *l = &lines[i];
		if (l->deleted)
			continue;
		if (is_tag[i] && (err = tag_chain(out, l)) < 0)
			break;
		/* the commits of local_id that the remote lacks, and where they meet it */
		ls_buf walk = LS_BUF_INIT, list = LS_BUF_INIT;
		ls_buf_printf(&walk, "%s\n", l->local_id);
		ls_buf_put(&walk, not.ptr ? not.ptr : "", not.len);
		const char *wargv[] = {"git", "rev-list", "--boundary", "--stdin", NULL};
		if (ls_hook_run_git_input(&list, wargv, walk.ptr, walk.len, 0) != 0) {
			ls_error_set("cannot list the commits of '%.*s' to push (git rev-list failed)",
			             (int)l->local_ref_len, l->local_ref);
			err = LS_EIO;
		} else {
			ls_buf ranges = LS_BUF_INIT;
			int any = 0;
			for (char *p = list.ptr; p && *p;) {
				const char *id = next_line(&p);
				if (*id == '-')
					ls_buf_printf(&ranges, "range %s..%s %.*s\n", id + 1, l->local_id,
					              (int)l->remote_ref_len, l->remote_ref);
				else if (*id)
					any = 1;
			}
			/* new commits: B..local for each boundary commit B, or all of local's history */
			if (any && ranges.len)
				ls_buf_put(out, ranges.ptr, ranges.len);
			else if (any)
				ls_buf_printf(out, "range %s %.*s\n", l->local_id, (int)l->remote_ref_len, l->remote_ref);
			ls_buf_dispose(&ranges);
		}
		ls_buf_dispose(&walk);
		ls_buf_dispose(&list);
	}
	free(is_tag);
done:
	free(lines);
	ls_buf_dispose(&remotes);
	ls_buf_dispose(&not);
	ls_buf_dispose(&ids);
	ls_buf_dispose(&types);
	return err;
}
