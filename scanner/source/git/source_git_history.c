/* source_git_history: every blob and message of a repository's history, each once, with the
 * commit that introduced it; commit ranges; the staged index. */
#include "source_git.h"

#include "git2_lazy.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "source_git_internal.h"

void ls_git_history_add_error(ls_git_history *h, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	h->errors = ls_xrealloc(h->errors, (h->nerrors + 1) * sizeof(char *));
	h->errors[h->nerrors++] = ls_xstrdup(tmp);
}

void ls_git_history_add(ls_git_history *h, const git_oid *id, int kind, uint32_t commit, uint32_t path)
{
	if (h->nitems == h->icap) {
		h->icap = h->icap ? h->icap * 2 : 1024;
		h->items = ls_xrealloc(h->items, h->icap * sizeof(item));
	}
	item *it = &h->items[h->nitems++];
	memset(it, 0, sizeof(*it));
	git_oid_cpy(&it->id, id);
	it->kind = (uint8_t)kind;
	it->commit = commit;
	it->path = path;
}

void ls_git_history_add_item(ls_git_history *h, const git_oid *id, int kind, const char *path, size_t len)
{
	ls_git_history_add(h, id, kind, NO_COMMIT, ls_git_strtab_intern(&h->paths, path, len));
}

void ls_git_history_truncate(ls_git_history *h, size_t n)
{
	if (n < h->nitems)
		h->nitems = n;
}


ls_git_history *ls_git_history_alloc(ls_git_repo *r)
{
	ls_git_history *h = ls_xcalloc(1, sizeof(*h));
	h->r = r;
	h->alias_budget = LS_GIT_ALIAS_BUDGET;
	h->last_max = LS_GIT_MAX_LAST_BYTES;
	return h;
}

/* Reads the shallow boundary (commits whose parents are absent on purpose). */
static void load_shallow(ls_git_history *h)
{
	if (!h->r->shallow)
		return;
	char *p = ls_xasprintf("%s/shallow", git_repository_commondir(h->r->repo));
	ls_buf b = LS_BUF_INIT;
	if (ls_read_regular(&b, p, (size_t)1 << 30) == 0) {
		char *line = b.ptr;
		while (line && *line) {
			char *nl = strchr(line, '\n');
			git_oid id;
			if ((nl ? (size_t)(nl - line) : strlen(line)) >= GIT_OID_HEXSZ &&
			    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0) {
				int isnew;
				ls_git_omap_get(&h->shallow, &id, &isnew)->kind = K_COMMIT;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	ls_buf_dispose(&b);
	free(p);
}

/* ---- the commit walk: depth-first, parents before children, tolerant of missing parents ---- */

typedef struct {
	git_oid id, tree;
	git_oid *parents;
	unsigned nparents, next;
} frame;

static int load_frame(ls_git_history *h, frame *f, const git_oid *id, const git_oid *child)
{
	memset(f, 0, sizeof(*f));
	git_oid_cpy(&f->id, id);
	git_commit *c = NULL;
	if (git_commit_lookup(&c, h->r->repo, id) < 0) {
		char cs[GIT_OID_HEXSZ + 1] = "";
		if (child)
			git_oid_tostr(cs, sizeof(cs), child);
		ls_git_history_add_error(h, "object %s: cannot read commit%s%s%s: %s", git_oid_tostr_s(id), child ? " (a parent of " : "", cs,
		          child ? ")" : "", ls_git_msg());
		return -1;
	}
	git_oid_cpy(&f->tree, git_commit_tree_id(c));
	if (!ls_git_omap_find(&h->shallow, id)) {
		f->nparents = git_commit_parentcount(c);
		f->parents = ls_xcalloc(f->nparents ? f->nparents : 1, sizeof(git_oid));
		for (unsigned i = 0; i < f->nparents; i++)
			git_oid_cpy(&f->parents[i], git_commit_parent_id(c, i));
	}
	git_commit_free(c);
	return 0;
}

static void walk_commits(ls_git_history *h, const git_oid *tip, int hide)
{
	int isnew;
	omap_ent *e = ls_git_omap_get(&h->seen, tip, &isnew);
	if (!isnew) {
		/* a commit hidden by the range stays hidden; one already walked is done */
		return;
	}
	e->kind = hide ? K_HIDDEN : K_COMMIT;
	e->val = NO_COMMIT;
	frame *stack = NULL;
	size_t n = 0, cap = 0;
	cap = 64;
	stack = ls_xmalloc(cap * sizeof(frame));
	if (load_frame(h, &stack[0], tip, NULL) < 0) {
		ls_git_omap_find(&h->seen, tip)->kind = K_BAD;
		free(stack);
		return;
	}
	n = 1;
	while (n) {
		frame *f = &stack[n - 1];
		if (f->next < f->nparents) {
			git_oid pid;
			git_oid_cpy(&pid, &f->parents[f->next++]);
			e = ls_git_omap_get(&h->seen, &pid, &isnew);
			if (!isnew)
				continue;
			e->kind = hide ? K_HIDDEN : K_COMMIT;
			e->val = NO_COMMIT;
			if (n == cap) {
				cap *= 2;
				stack = ls_xrealloc(stack, cap * sizeof(frame));
				f = &stack[n - 1];
			}
			if (load_frame(h, &stack[n], &pid, &f->id) < 0) {
				ls_git_omap_find(&h->seen, &pid)->kind = K_BAD;
				continue;
			}
			n++;
			continue;
		}
		if (!hide) {
			if (h->ncommits == h->ccap) {
				h->ccap = h->ccap ? h->ccap * 2 : 256;
				h->commits = ls_xrealloc(h->commits, h->ccap * sizeof(commit_ent));
			}
			git_oid_cpy(&h->commits[h->ncommits].id, &f->id);
			git_oid_cpy(&h->commits[h->ncommits].tree, &f->tree);
			ls_git_omap_find(&h->seen, &f->id)->val = (uint32_t)h->ncommits;
			h->ncommits++;
			if (ls_git_omap_find(&h->shallow, &f->id))
				h->reached_shallow++;
		}
		free(f->parents);
		n--;
	}
	free(stack);
}

/* ---- refs ---- */

typedef struct {
	char *name;
	git_oid id;
} ref_tip;

static int cmp_tip(const void *a, const void *b) { return strcmp(((const ref_tip *)a)->name, ((const ref_tip *)b)->name); }

static void push_tip(ref_tip **v, size_t *n, const char *name, const git_oid *id)
{
	*v = ls_xrealloc(*v, (*n + 1) * sizeof(ref_tip));
	(*v)[*n].name = ls_xstrdup(name);
	git_oid_cpy(&(*v)[*n].id, id);
	(*n)++;
}

/* Every ref's target (symbolic refs resolved), HEAD, and every entry of the stash's reflog. */
static void list_tips(ls_git_history *h, ref_tip **tips, size_t *ntips)
{
	git_strarray names = {0};
	if (git_reference_list(&names, h->r->repo) < 0) {
		ls_git_history_add_error(h, "cannot list references: %s", ls_git_msg());
		return;
	}
	for (size_t i = 0; i < names.count; i++) {
		git_oid id;
		if (git_reference_name_to_id(&id, h->r->repo, names.strings[i]) < 0) {
			/* a symbolic ref to a branch that no longer exists (origin/HEAD after the remote's
			 * default branch was renamed) points to nothing to scan: git ignores it too */
			git_reference *ref = NULL;
			int dangling = git_reference_lookup(&ref, h->r->repo, names.strings[i]) == 0 &&
			               git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC;
			git_reference_free(ref);
			if (!dangling)
				ls_git_history_add_error(h, "reference '%s': %s", names.strings[i], ls_git_msg());
			continue;
		}
		push_tip(tips, ntips, names.strings[i], &id);
		if (!strcmp(names.strings[i], "refs/stash")) {
			git_reflog *rl = NULL;
			if (git_reflog_read(&rl, h->r->repo, "refs/stash") == 0) {
				size_t k = git_reflog_entrycount(rl);
				for (size_t j = 0; j < k; j++) {
					char nm[64];
					snprintf(nm, sizeof(nm), "refs/stash@{%zu}", j);
					push_tip(tips, ntips, nm, git_reflog_entry_id_new(git_reflog_entry_byindex(rl, j)));
				}
				git_reflog_free(rl);
			}
		}
	}
	git_strarray_dispose(&names);
	if (*ntips)
		qsort(*tips, *ntips, sizeof(ref_tip), cmp_tip);
	git_oid head;
	if (git_reference_name_to_id(&head, h->r->repo, "HEAD") == 0)
		push_tip(tips, ntips, "HEAD", &head);
	/* equal digests, same refs: `repos` does not walk an unchanged repository again */
	ls_buf all = LS_BUF_INIT;
	for (size_t i = 0; i < *ntips; i++)
		ls_buf_printf(&all, "%s %s\n", (*tips)[i].name, git_oid_tostr_s(&(*tips)[i].id));
	ls_sha256_hex(h->tips, all.ptr ? all.ptr : "", all.len);
	ls_buf_dispose(&all);
}

static void free_tips(ref_tip *tips, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tips[i].name);
	free(tips);
}

/* Peels `id` through annotated tags (recording each tag's message once); returns the final
 * object's type and id. */
static int peel(ls_git_history *h, const char *refname, git_oid *id, ls_git_target **tags, size_t *ntags)
{
	for (int depth = 0; depth < 32; depth++) {
		size_t len;
		git_object_t type;
		git_odb *odb = NULL;
		if (git_repository_odb(&odb, h->r->repo) < 0)
			return -1;
		int err = git_odb_read_header(&len, &type, odb, id);
		git_odb_free(odb);
		if (err < 0) {
			ls_git_history_add_error(h, "object %s: cannot read the target of '%s': %s", git_oid_tostr_s(id), refname, ls_git_msg());
			return -1;
		}
		if (type != GIT_OBJECT_TAG)
			return type;
		git_tag *tag = NULL;
		if (git_tag_lookup(&tag, h->r->repo, id) < 0) {
			ls_git_history_add_error(h, "object %s: cannot read tag '%s': %s", git_oid_tostr_s(id), refname, ls_git_msg());
			return -1;
		}
		int isnew;
		omap_ent *e = ls_git_omap_get(&h->seen, id, &isnew);
		if (isnew) {
			e->kind = K_TAG;
			*tags = ls_xrealloc(*tags, (*ntags + 1) * sizeof(ls_git_target));
			git_oid_cpy(&(*tags)[*ntags].id, id);
			(*tags)[*ntags].type = GIT_OBJECT_TAG;
			(*tags)[*ntags].name = ls_xstrdup(git_tag_name(tag) ? git_tag_name(tag) : refname);
			(*ntags)++;
		}
		git_oid_cpy(id, git_tag_target_id(tag));
		git_tag_free(tag);
	}
	ls_git_history_add_error(h, "object %s: '%s' is a chain of more than 32 annotated tags; not scanned", git_oid_tostr_s(id), refname);
	return -1;
}

static int cmp_target(const void *a, const void *b)
{
	const ls_git_target *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : git_oid_cmp(&x->id, &y->id);
}


/* ---- ranges: what each commit introduced relative to its parents ---- */

static int get_tree(ls_git_history *h, git_tree **out, const git_oid *commit_id)
{
	git_commit *c = NULL;
	if (git_commit_lookup(&c, h->r->repo, commit_id) < 0)
		return -1;
	int err = git_commit_tree(out, c);
	git_commit_free(c);
	return err;
}

typedef struct {
	git_oid id;
	uint32_t path;
} cand;

static int diff_new_blobs(ls_git_history *h, git_tree *old, git_tree *new_tree, cand **out, size_t *n)
{
	git_diff *diff = NULL;
	git_diff_options dopt;
	git_diff_options_init(&dopt, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_tree(&diff, h->r->repo, old, new_tree, &dopt) < 0)
		return -1;
	size_t nd = git_diff_num_deltas(diff);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED && d->status != GIT_DELTA_TYPECHANGE)
			continue;
		if (d->new_file.mode == GIT_FILEMODE_COMMIT || d->new_file.mode == GIT_FILEMODE_TREE)
			continue;
		*out = ls_xrealloc(*out, (*n + 1) * sizeof(cand));
		git_oid_cpy(&(*out)[*n].id, &d->new_file.id);
		(*out)[*n].path = ls_git_strtab_intern(&h->paths, d->new_file.path, strlen(d->new_file.path));
		(*n)++;
	}
	git_diff_free(diff);
	return 0;
}

static void range_commit(ls_git_history *h, uint32_t ci)
{
	const git_oid *cid = &h->commits[ci].id;
	char cs[GIT_OID_HEXSZ + 1];
	git_oid_tostr(cs, sizeof(cs), cid);
	git_commit *c = NULL;
	git_tree *tree = NULL;
	cand *cands = NULL;
	size_t nc = 0;
	if (git_commit_lookup(&c, h->r->repo, cid) < 0 || git_commit_tree(&tree, c) < 0) {
		ls_git_history_add_error(h, "object %s: cannot read commit: %s", cs, ls_git_msg());
		goto done;
	}
	unsigned np = ls_git_omap_find(&h->shallow, cid) ? 0 : git_commit_parentcount(c);
	for (unsigned p = 0; p < (np ? np : 1); p++) {
		git_tree *pt = NULL;
		if (np && get_tree(h, &pt, git_commit_parent_id(c, p)) < 0) {
			ls_git_history_add_error(h, "object %s: cannot read commit (a parent of %s): %s", git_oid_tostr_s(git_commit_parent_id(c, p)), cs,
			          ls_git_msg());
			/* diff against nothing: everything the commit holds counts as new */
		}
		cand *these = NULL;
		size_t nt = 0;
		if (diff_new_blobs(h, pt, tree, &these, &nt) < 0)
			ls_git_history_add_error(h, "object %s: cannot diff commit: %s", cs, ls_git_msg());
		git_tree_free(pt);
		if (p == 0) {
			cands = these;
			nc = nt;
			continue;
		}
		/* a merge introduces only what differs from every parent */
		omap in = {0};
		int isnew;
		for (size_t k = 0; k < nt; k++)
			ls_git_omap_get(&in, &these[k].id, &isnew)->kind = K_BLOB;
		size_t w = 0;
		for (size_t k = 0; k < nc; k++)
			if (ls_git_omap_find(&in, &cands[k].id))
				cands[w++] = cands[k];
		nc = w;
		ls_git_omap_dispose(&in);
		free(these);
	}
	for (size_t k = 0; k < nc; k++) {
		const char *p = ls_git_strtab_get(&h->paths, cands[k].path);
		ls_git_history_note_blob(h, &cands[k].id, ci, p, strlen(p));
	}
done:
	free(cands);
	git_tree_free(tree);
	git_commit_free(c);
}

/*
 * A..B through libgit2's revwalk, which stops at what A reaches instead of walking all of A's
 * history (pre-push hooks run this on every push). It cannot walk past a shallow boundary or a
 * missing commit: returns -1 (nothing kept) and the caller walks with walk_commits instead.
 */
static int range_revwalk(ls_git_history *h, const git_oid *from, const git_oid *to)
{
	git_revwalk *w = NULL;
	if (git_revwalk_new(&w, h->r->repo) < 0)
		return -1;
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	int err = git_revwalk_push(w, to);
	if (!err)
		err = git_revwalk_hide(w, from);
	git_oid id;
	while (!err && (err = git_revwalk_next(&id, w)) == 0) {
		git_commit *c = NULL;
		if ((err = git_commit_lookup(&c, h->r->repo, &id)) < 0)
			break;
		if (h->ncommits == h->ccap) {
			h->ccap = h->ccap ? h->ccap * 2 : 256;
			h->commits = ls_xrealloc(h->commits, h->ccap * sizeof(commit_ent));
		}
		git_oid_cpy(&h->commits[h->ncommits].id, &id);
		git_oid_cpy(&h->commits[h->ncommits].tree, git_commit_tree_id(c));
		int isnew;
		omap_ent *e = ls_git_omap_get(&h->seen, &id, &isnew);
		e->kind = K_COMMIT;
		e->val = (uint32_t)h->ncommits++;
		git_commit_free(c);
	}
	git_revwalk_free(w);
	if (err == GIT_ITEROVER)
		return 0;
	h->ncommits = 0;
	ls_git_omap_dispose(&h->seen);
	return -1;
}

void ls_git_repo_tips(ls_git_repo *r, char out[65])
{
	ls_git_history *h = ls_git_history_alloc(r);
	ref_tip *tips = NULL;
	size_t n = 0;
	list_tips(h, &tips, &n);
	memcpy(out, h->tips, 65);
	free_tips(tips, n);
	ls_git_history_free(h);
}

/* Groups the places by item (counting sort, discovery order kept within an item). */
static void index_places(ls_git_history *h)
{
	free(h->pstart);
	free(h->pindex);
	h->pstart = ls_xcalloc(h->nitems + 1, sizeof(uint32_t));
	h->pindex = ls_xmalloc((h->nplaces ? h->nplaces : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < h->nplaces; i++)
		h->pstart[h->places[i].item + 1]++;
	for (size_t i = 0; i < h->nitems; i++)
		h->pstart[i + 1] += h->pstart[i];
	uint32_t *fill = ls_xmalloc((h->nitems ? h->nitems : 1) * sizeof(uint32_t));
	memcpy(fill, h->pstart, h->nitems * sizeof(uint32_t));
	for (size_t i = 0; i < h->nplaces; i++)
		h->pindex[fill[h->places[i].item]++] = (uint32_t)i;
	free(fill);
}

/* ---- ranges and --since ---- */

/* Resolves one end of a range to a commit; the message says which end, and what to do when a
 * shallow clone may simply not hold it. */
static int resolve_commit(ls_git_history *h, git_oid *out, const char *rev, const char *what)
{
	git_object *obj = NULL, *peeled = NULL;
	int err = git_revparse_single(&obj, h->r->repo, rev);
	if (err == 0)
		err = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	if (err < 0) {
		int capped = git_error_last() && git_error_last()->klass == GIT_ERROR_INVALID;
		if (capped) /* over the object size cap: libgit2 says so */
			ls_error_set("%s: '%s': %s", what, rev, ls_git_msg());
		else if (h->r->shallow)
			ls_error_set("%s: unknown revision '%s': this clone is shallow and may not hold it; fetch it "
			             "(git fetch --unshallow, or fetch-depth: 0 with actions/checkout)",
			             what, rev);
		else
			ls_error_set("%s: unknown revision '%s' (%s)", what, rev, obj ? "not a commit" : "object not found");
		git_object_free(obj);
		return LS_EINVAL;
	}
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

/* The commits from `from` (hidden) to `to`. */
static void walk_between(ls_git_history *h, const git_oid *from, const git_oid *to)
{
	if (h->r->shallow || range_revwalk(h, from, to) < 0) {
		walk_commits(h, from, 1);
		walk_commits(h, to, 0);
	}
}

/* A date as `--since` takes it: YYYY-MM-DD, optionally with [T ]HH:MM[:SS] (local time, or
 * UTC with a final Z), "N units ago" (seconds to years; git's "2.weeks.ago" too), "yesterday"
 * or "today". Returns 0 with *out, or -1. */
static int parse_date(const char *s, time_t now, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	char rest[8] = "";
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3) {
		const char *p = s + n;
		if ((*p == ' ' || *p == 'T') && sscanf(p + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) == 2) {
			p += 1 + n;
			if (*p == ':' && sscanf(p + 1, "%2d%n", &tm.tm_sec, &n) == 1)
				p += 1 + n;
		}
		int utc = *p == 'Z';
		if ((utc && p[1]) || (!utc && *p) || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
		    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_isdst = -1;
		time_t t = utc ? timegm(&tm) : mktime(&tm);
		if (t == (time_t)-1)
			return -1;
		*out = (int64_t)t;
		return 0;
	}
	if (!strcmp(s, "yesterday") || !strcmp(s, "today")) {
		*out = (int64_t)now - (s[0] == 'y' ? 86400 : 0);
		return 0;
	}
	char unit[16];
	long v;
	char sep1, sep2;
	if (sscanf(s, "%ld%c%15[a-z]%c%7s", &v, &sep1, unit, &sep2, rest) != 5 || v < 0 || (sep1 != ' ' && sep1 != '.') ||
	    (sep2 != ' ' && sep2 != '.') || strcmp(rest, "ago"))
		return -1;
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = {{"second", 1},      {"minute", 60},         {"hour", 3600},          {"day", 86400},
	             {"week", 7 * 86400}, {"month", 30 * 86400}, {"year", 365 * 86400}};
	size_t ul = strlen(unit);
	if (ul > 1 && unit[ul - 1] == 's')
		unit[--ul] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].name) && v <= INT64_MAX / units[i].secs) {
			*out = (int64_t)now - v * units[i].secs;
			return 0;
		}
	return -1;
}

/* --since DATE: the commits of the tip committed at or after the date, in the walk's order. */
static int since_date(ls_git_history *h, const git_oid *tip, int64_t when)
{
	walk_commits(h, tip, 0);
	size_t w = 0;
	for (size_t i = 0; i < h->ncommits; i++) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, h->r->repo, &h->commits[i].id) < 0)
			continue; /* (named when its content is read) */
		int keep = (int64_t)git_commit_time(c) >= when;
		git_commit_free(c);
		if (!keep) {
			ls_git_omap_find(&h->seen, &h->commits[i].id)->val = NO_COMMIT;
			continue;
		}
		h->commits[w] = h->commits[i];
		ls_git_omap_find(&h->seen, &h->commits[w].id)->val = (uint32_t)w;
		w++;
	}
	h->ncommits = w;
	return 0;
}

/*
 * The commits of --range A..B (what B has that A has not), A...B (what B has since it forked
 * from A: their merge base..B, as git diff A...B), or --since REV (REV..tip) or --since DATE.
 */
static int ranged_commits(ls_git_history *h, const ls_git_history_options *o)
{
	git_oid from, to;
	int err;
	if (o->since) {
		const char *tip = o->branch ? o->branch : "HEAD";
		if ((err = resolve_commit(h, &to, tip, "--since")) < 0)
			return err;
		git_object *obj = NULL;
		int isrev = git_revparse_single(&obj, h->r->repo, o->since) == 0;
		git_object_free(obj);
		if (isrev) {
			if ((err = resolve_commit(h, &from, o->since, "--since")) < 0)
				return err;
			walk_between(h, &from, &to);
			return 0;
		}
		int64_t when;
		if (parse_date(o->since, time(NULL), &when) < 0) {
			ls_error_set("--since: '%s' is neither a revision nor a date (YYYY-MM-DD, '2 weeks ago')", o->since);
			return LS_EINVAL;
		}
		return since_date(h, &to, when);
	}
	const char *dots = strstr(o->range, "..");
	if (!dots) {
		ls_error_set("--range: '%s' is not a range: give A..B (what B adds to A) or A...B (what B adds since it forked from A)",
		             o->range);
		return LS_EINVAL;
	}
	int sym = dots[2] == '.';
	char *a = ls_xstrndup(o->range, (size_t)(dots - o->range));
	const char *b = dots + (sym ? 3 : 2);
	/* an empty end is HEAD, as in git */
	err = resolve_commit(h, &from, *a ? a : "HEAD", "--range");
	if (!err)
		err = resolve_commit(h, &to, *b ? b : "HEAD", "--range");
	if (!err && sym) {
		git_oid base;
		if (git_merge_base(&base, h->r->repo, &from, &to) == 0) {
			git_oid_cpy(&from, &base);
		} else {
			ls_error_set("--range: '%s': no common ancestor of '%s' and '%s'%s", o->range, *a ? a : "HEAD", *b ? b : "HEAD",
			             h->r->shallow ? " in this shallow clone; fetch more history (git fetch --unshallow, or fetch-depth: 0)"
			                           : "");
			err = LS_EINVAL;
		}
	}
	free(a);
	if (!err)
		walk_between(h, &from, &to);
	return err;
}

/* ---- building a history ---- */

int ls_git_history_new(ls_git_history **out, ls_git_repo *r, const ls_git_history_options *o)
{
	ls_git_history *h = ls_git_history_alloc(r);
	load_shallow(h);
	ref_tip *tips = NULL;
	size_t ntips = 0;
	ls_git_target *tags = NULL, *others = NULL;
	size_t ntags = 0, nothers = 0;
	int err = 0;
	int ranged = o->range != NULL || o->since != NULL;

	if (o->range || o->since) {
		if ((err = ranged_commits(h, o)) < 0)
			goto fail;
	} else if (o->branch) {
		git_reference *ref = NULL;
		git_oid id;
		if (git_branch_lookup(&ref, r->repo, o->branch, GIT_BRANCH_LOCAL) < 0 &&
		    git_branch_lookup(&ref, r->repo, o->branch, GIT_BRANCH_REMOTE) < 0) {
			if ((err = resolve_commit(h, &id, o->branch, "--branch")) < 0)
				goto fail;
		} else {
			git_object *peeled = NULL;
			if (git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT) < 0) {
				ls_error_set("--branch: '%s' does not point to a commit: %s", o->branch, ls_git_msg());
				git_reference_free(ref);
				err = LS_EINVAL;
				goto fail;
			}
			git_oid_cpy(&id, git_object_id(peeled));
			git_object_free(peeled);
			git_reference_free(ref);
		}
		walk_commits(h, &id, 0);
	} else {
		list_tips(h, &tips, &ntips);
		for (size_t i = 0; i < ntips; i++) {
			git_oid id;
			git_oid_cpy(&id, &tips[i].id);
			int type = peel(h, tips[i].name, &id, &tags, &ntags);
			if (type == GIT_OBJECT_COMMIT) {
				walk_commits(h, &id, 0);
			} else if (type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB) {
				others = ls_xrealloc(others, (nothers + 1) * sizeof(ls_git_target));
				git_oid_cpy(&others[nothers].id, &id);
				others[nothers].type = type;
				others[nothers].name = ls_xstrdup(tips[i].name);
				nothers++;
			}
		}
	}

	/* commits in order: each one's message, then what it introduced; then what refs to trees
	 * and blobs hold */
	if (!ranged) {
		if ((err = ls_git_history_walk(h, others, nothers, o)) < 0)
			goto fail;
	}
	for (uint32_t ci = 0; ranged && ci < h->ncommits; ci++) {
		if (o->stop && *o->stop) {
			ls_error_set("%s: interrupted", r->gitdir);
			err = LS_ESTOP;
			goto fail;
		}
		ls_git_history_add(h, &h->commits[ci].id, IT_COMMIT_MSG, ci, NO_PATH);
		range_commit(h, ci);
	}
	if (ntags)
		qsort(tags, ntags, sizeof(ls_git_target), cmp_target);
	for (size_t i = 0; i < ntags; i++)
		ls_git_history_add(h, &tags[i].id, IT_TAG_MSG, NO_COMMIT, ls_git_strtab_intern(&h->paths, tags[i].name, strlen(tags[i].name)));
	if (o->all_objects)
		ls_git_history_add_unreachable(h, o->alternates);
	index_places(h);
	*out = h;
	h = NULL;
fail:
	free_tips(tips, ntips);
	for (size_t i = 0; i < ntags; i++)
		free(tags[i].name);
	for (size_t i = 0; i < nothers; i++)
		free(others[i].name);
	free(tags);
	free(others);
	ls_git_history_free(h);
	return err;
}

void ls_git_history_free(ls_git_history *h)
{
	if (!h)
		return;
	ls_git_history_drop_last(h);
	ls_git_packplan_free(h->plan);
	free(h->places);
	free(h->pstart);
	free(h->pindex);
	ls_git_pairset_dispose(&h->pairs);
	free(h->commits);
	free(h->items);
	ls_git_omap_dispose(&h->seen);
	ls_git_omap_dispose(&h->shallow);
	ls_git_strtab_dispose(&h->paths);
	ls_strlist_dispose(&h->notes);
	for (size_t i = 0; i < h->nerrors; i++)
		free(h->errors[i]);
	free(h->errors);
	free(h);
}

size_t ls_git_history_count(const ls_git_history *h) { return h->nitems; }
size_t ls_git_history_commits(const ls_git_history *h) { return h->ncommits; }
size_t ls_git_history_reached_shallow(const ls_git_history *h) { return h->reached_shallow; }
size_t ls_git_history_nerrors(const ls_git_history *h) { return h->nerrors; }
const char *ls_git_history_error(const ls_git_history *h, size_t i) { return h->errors[i]; }
size_t ls_git_history_nnotes(const ls_git_history *h) { return h->notes.n; }
const char *ls_git_history_note(const ls_git_history *h, size_t i) { return h->notes.items[i]; }
const char *ls_git_history_tips(const ls_git_history *h) { return h->tips; }
void ls_git_history_item_id(const ls_git_history *h, size_t idx, char out[41]) { git_oid_tostr(out, 41, &h->items[idx].id); }
int ls_git_history_item_is_message(const ls_git_history *h, size_t idx)
{
	return h->items[idx].kind == IT_COMMIT_MSG || h->items[idx].kind == IT_TAG_MSG;
}

