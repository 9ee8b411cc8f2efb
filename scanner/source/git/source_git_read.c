/* source_git_read: reading history items on worker threads, their provenance, and every
 * (commit, path) of some blobs for --all-provenance. */
#include "git2_lazy.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "source_git.h"
#include "source_git_internal.h"

/* ---- readers (one per worker thread) ---- */

struct ls_git_reader {
	const ls_git_history *h;
	git_repository *repo;
	git_odb *odb;
	git_odb_object *obj;
	git_commit *commit;
	git_tag *tag;
	ls_buf path;
	ls_origin *places; /* the last ls_git_reader_places answer */
	size_t pcap;
	ls_buf pbuf;          /* its strings */
	ls_git_cursor *cursor; /* blobs of the read plan: built from the packs' bytes */
};

int ls_git_reader_new(ls_git_reader **out, const ls_git_history *h)
{
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	int err = ls_git_repo_reopen(h->r, &repo);
	if (err < 0)
		return err;
	if (git_repository_odb(&odb, repo) < 0) {
		ls_error_set("%s: cannot open: %s", h->r->gitdir, ls_git_msg());
		git_repository_free(repo);
		return LS_EIO;
	}
	ls_git_reader *r = ls_xcalloc(1, sizeof(*r));
	r->h = h;
	r->repo = repo;
	r->odb = odb;
	r->cursor = ls_git_cursor_new();
	*out = r;
	return 0;
}

static void reader_release(ls_git_reader *r)
{
	git_odb_object_free(r->obj);
	git_commit_free(r->commit);
	git_tag_free(r->tag);
	r->obj = NULL;
	r->commit = NULL;
	r->tag = NULL;
}

void ls_git_reader_free(ls_git_reader *r)
{
	if (!r)
		return;
	reader_release(r);
	git_odb_free(r->odb);
	git_repository_free(r->repo);
	ls_buf_dispose(&r->path);
	ls_buf_dispose(&r->pbuf);
	ls_git_cursor_free(r->cursor);
	free(r->places);
	free(r);
}

static void item_path(ls_git_reader *r, const item *it)
{
	const ls_git_history *h = r->h;
	ls_buf_clear(&r->path);
	switch (it->kind) {
	case IT_COMMIT_MSG:
		if (it->alternate)
			ls_buf_printf(&r->path, "<commit message in alternate %s>", ls_git_strtab_get(&h->paths, it->path));
		else
			ls_buf_puts(&r->path, "<commit message>");
		break;
	case IT_TAG_MSG:
		if (it->alternate)
			ls_buf_printf(&r->path, "<tag message in alternate %s>", ls_git_strtab_get(&h->paths, it->path));
		else if (it->path != NO_PATH)
			ls_buf_printf(&r->path, "<tag message: %s>", ls_git_strtab_get(&h->paths, it->path));
		else
			ls_buf_puts(&r->path, "<tag message>");
		break;
	case IT_UNREACHABLE:
		ls_buf_printf(&r->path, "<unreachable blob %.12s", git_oid_tostr_s(&it->id));
		if (it->alternate) /* another repository's object, borrowed through objects/info/alternates */
			ls_buf_printf(&r->path, " in alternate %s", ls_git_strtab_get(&h->paths, it->path));
		ls_buf_putc(&r->path, '>');
		break;
	default:
		ls_buf_puts(&r->path, ls_git_strtab_get(&h->paths, it->path));
		break;
	}
}

size_t ls_git_reader_places(ls_git_reader *r, size_t idx, const ls_origin **out)
{
	const ls_git_history *h = r->h;
	const item *it = &h->items[idx];
	size_t extra = h->pstart ? h->pstart[idx + 1] - h->pstart[idx] : 0, n = extra + 1;
	if (n > r->pcap) {
		r->pcap = n;
		r->places = ls_xrealloc(r->places, n * sizeof(ls_origin));
	}
	/* offsets first: the buffer moves while it grows */
	size_t *offs = ls_xmalloc(2 * n * sizeof(size_t));
	ls_buf_clear(&r->pbuf);
	item_path(r, it);
	offs[0] = r->pbuf.len;
	ls_buf_put(&r->pbuf, r->path.ptr, r->path.len + 1);
	offs[1] = SIZE_MAX;
	if (it->commit != NO_COMMIT && (it->kind == IT_BLOB || it->kind == IT_COMMIT_MSG)) {
		offs[1] = r->pbuf.len;
		ls_buf_put(&r->pbuf, git_oid_tostr_s(&h->commits[it->commit].id), GIT_OID_HEXSZ + 1);
	}
	for (size_t k = 0; k < extra; k++) {
		const place *pl = &h->places[h->pindex[h->pstart[idx] + k]];
		offs[2 * (k + 1)] = r->pbuf.len;
		ls_buf_puts(&r->pbuf, ls_git_strtab_get(&h->paths, pl->path));
		ls_buf_putc(&r->pbuf, '\0');
		offs[2 * (k + 1) + 1] = SIZE_MAX;
		if (pl->commit != NO_COMMIT) {
			offs[2 * (k + 1) + 1] = r->pbuf.len;
			ls_buf_put(&r->pbuf, git_oid_tostr_s(&h->commits[pl->commit].id), GIT_OID_HEXSZ + 1);
		}
	}
	/* the object itself (a message's is its commit or tag) */
	size_t blob_off = r->pbuf.len;
	ls_buf_put(&r->pbuf, git_oid_tostr_s(&it->id), GIT_OID_HEXSZ + 1);
	static const ls_origin_kind kinds[] = {[IT_BLOB] = LS_ORIGIN_BLOB,
	                                       [IT_COMMIT_MSG] = LS_ORIGIN_COMMIT_MESSAGE,
	                                       [IT_TAG_MSG] = LS_ORIGIN_TAG_MESSAGE,
	                                       [IT_UNREACHABLE] = LS_ORIGIN_UNREACHABLE,
	                                       [IT_STAGED] = LS_ORIGIN_STAGED};
	for (size_t k = 0; k < n; k++) {
		r->places[k].kind = kinds[it->kind];
		r->places[k].path = r->pbuf.ptr + offs[2 * k];
		r->places[k].commit = offs[2 * k + 1] == SIZE_MAX ? NULL : r->pbuf.ptr + offs[2 * k + 1];
		r->places[k].blob = r->pbuf.ptr + blob_off;
		r->places[k].is_path = it->kind == IT_BLOB || it->kind == IT_STAGED;
	}
	free(offs);
	*out = r->places;
	return n;
}

/* Names an item in a diagnostic: "object ID (path at commit C)". */
static void describe(ls_buf *b, const ls_git_history *h, const item *it, const char *path)
{
	ls_buf_printf(b, "object %s (%s", git_oid_tostr_s(&it->id), path);
	if (it->commit != NO_COMMIT && it->kind == IT_BLOB)
		ls_buf_printf(b, " at commit %.12s", git_oid_tostr_s(&h->commits[it->commit].id));
	ls_buf_putc(b, ')');
}

/* Item `idx` through the read plan; 0 when libgit2 must read it. */
static int fast_read(ls_git_reader *r, size_t idx, long long max_size, ls_git_content *out)
{
	const ls_git_packplan *pl = r->h->plan;
	if (!pl || pl->item_node[idx] == UINT32_MAX)
		return 0;
	const unsigned char *data;
	size_t len;
	uint64_t size;
	int rc = ls_git_cursor_read(r->cursor, pl, pl->item_node[idx], max_size < 0 ? 0 : (uint64_t)max_size, &data, &len, &size);
	if (rc < 0)
		return 0;
	if (rc == 1) {
		out->size = (long long)size;
		out->too_large = 1;
	} else {
		out->data = (const char *)data;
		out->len = len;
	}
	return 1;
}

int ls_git_reader_read(ls_git_reader *r, size_t idx, long long max_size, ls_git_content *out)
{
	const item *it = &r->h->items[idx];
	memset(out, 0, sizeof(*out));
	reader_release(r);
	item_path(r, it);
	out->path = r->path.ptr;
	out->is_path = it->kind == IT_BLOB || it->kind == IT_STAGED;
	int err = 0;
	size_t hlen;
	git_object_t htype;
	if ((it->kind == IT_COMMIT_MSG || it->kind == IT_TAG_MSG) &&
	    git_odb_read_header(&hlen, &htype, r->odb, &it->id) == 0 && (long long)hlen > max_size) {
		/* a message is (nearly) its whole object: over the size cap, a note, as for a blob */
		out->size = (long long)hlen;
		out->too_large = 1;
	} else if (it->kind == IT_COMMIT_MSG) {
		if (git_commit_lookup(&r->commit, r->repo, &it->id) < 0)
			err = LS_EIO;
		else {
			const char *msg = git_commit_message(r->commit);
			out->data = msg ? msg : "";
			out->len = strlen(out->data);
		}
	} else if (it->kind == IT_TAG_MSG) {
		if (git_tag_lookup(&r->tag, r->repo, &it->id) < 0)
			err = LS_EIO;
		else {
			const char *msg = git_tag_message(r->tag);
			out->data = msg ? msg : "";
			out->len = strlen(out->data);
		}
	} else if (fast_read(r, idx, max_size, out)) {
		/* built from the pack along the read plan */
	} else {
		size_t len;
		git_object_t type;
		if (git_odb_read_header(&len, &type, r->odb, &it->id) < 0) {
			err = LS_EIO;
		} else if ((long long)len > max_size) {
			out->size = (long long)len;
			out->too_large = 1;
		} else {
			/* the header was just checked against max_size: no second header read */
			ls_git_cap_trust(1);
			int rerr = git_odb_read(&r->obj, r->odb, &it->id);
			ls_git_cap_trust(0);
			if (rerr < 0)
				err = LS_EIO;
		}
		if (!err && r->obj) {
			out->data = git_odb_object_data(r->obj);
			out->len = git_odb_object_size(r->obj);
		}
	}
	out->size = out->too_large ? out->size : (long long)out->len;
	if (err < 0) {
		const git_error *e = git_error_last();
		ls_buf b = LS_BUF_INIT;
		describe(&b, r->h, it, r->path.ptr);
		ls_error_set("%s: cannot read: %s", b.ptr,
		             e && e->klass == GIT_ERROR_ODB && strstr(e->message, "not found") ? "object not found"
		             : e && e->message                                                    ? e->message
		                                                                                  : "unknown error");
		ls_buf_dispose(&b);
		return err;
	}
	return 0;
}

static char *iso8601(const git_time *t)
{
	time_t secs = (time_t)t->time + (time_t)t->offset * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (t->offset == 0)
		snprintf(buf + n, sizeof(buf) - n, "Z");
	else {
		int off = t->offset < 0 ? -t->offset : t->offset;
		snprintf(buf + n, sizeof(buf) - n, "%c%02d:%02d", t->offset < 0 ? '-' : '+', off / 60, off % 60);
	}
	return ls_xstrdup(buf);
}

static char *first_line(const char *msg)
{
	if (!msg)
		return ls_xstrdup("");
	while (*msg == '\n')
		msg++;
	size_t n = strcspn(msg, "\r\n");
	return ls_xstrndup(msg, n);
}

static void commit_prov(ls_git_reader *r, const git_oid *id, ls_provenance *out)
{
	git_commit *c = NULL;
	out->commit = ls_xstrdup(git_oid_tostr_s(id));
	if (git_commit_lookup(&c, r->repo, id) < 0)
		return;
	const git_signature *a = git_commit_author(c);
	const git_signature *cm = git_commit_committer(c);
	out->author_name = ls_xstrdup(a && a->name ? a->name : "");
	out->author_email = ls_xstrdup(a && a->email ? a->email : "");
	git_time t = {git_commit_time(c), git_commit_time_offset(c), cm ? cm->when.sign : '+'};
	out->date = iso8601(&t);
	out->message = first_line(git_commit_message(c));
	git_commit_free(c);
}

void ls_git_reader_provenance(ls_git_reader *r, size_t idx, size_t at, ls_provenance *out)
{
	const item *it = &r->h->items[idx];
	const ls_git_history *h = r->h;
	if (at > 0 && h->pstart && at <= (size_t)(h->pstart[idx + 1] - h->pstart[idx])) {
		const place *pl = &h->places[h->pindex[h->pstart[idx] + at - 1]];
		if (pl->commit != NO_COMMIT)
			commit_prov(r, &h->commits[pl->commit].id, out);
		out->blob = ls_xstrdup(git_oid_tostr_s(&it->id));
		return;
	}
	switch (it->kind) {
	case IT_STAGED:
		return;
	case IT_COMMIT_MSG:
		commit_prov(r, &it->id, out);
		return;
	case IT_TAG_MSG: {
		git_tag *tag = NULL;
		if (git_tag_lookup(&tag, r->repo, &it->id) < 0)
			return;
		git_object *peeled = NULL;
		if (git_tag_peel(&peeled, tag) == 0 && git_object_type(peeled) == GIT_OBJECT_COMMIT)
			out->commit = ls_xstrdup(git_oid_tostr_s(git_object_id(peeled)));
		git_object_free(peeled);
		const git_signature *s = git_tag_tagger(tag);
		if (s) {
			out->author_name = ls_xstrdup(s->name ? s->name : "");
			out->author_email = ls_xstrdup(s->email ? s->email : "");
			out->date = iso8601(&s->when);
		}
		out->message = first_line(git_tag_message(tag));
		if (!out->commit)
			out->blob = ls_xstrdup(git_oid_tostr_s(&it->id));
		git_tag_free(tag);
		return;
	}
	default:
		if (it->commit != NO_COMMIT)
			commit_prov(r, &r->h->commits[it->commit].id, out);
		out->blob = ls_xstrdup(git_oid_tostr_s(&it->id));
		return;
	}
}

/* ---- --all-provenance: every (commit, path) holding some blobs ---- */

static long long want_target(void *payload, const git_oid *id, git_filemode_t mode)
{
	omap_ent *e = ls_git_omap_find(payload, id);
	return e ? (long long)e->val : -1;
}

int ls_git_history_all_paths(ls_git_history *h, const size_t *items, size_t n, ls_git_paths *out)
{
	omap targets = {0}; /* blob -> index in the caller's list */
	for (size_t i = 0; i < n; i++) {
		const item *it = &h->items[items[i]];
		if (it->kind != IT_BLOB)
			continue;
		int isnew;
		omap_ent *e = ls_git_omap_get(&targets, &it->id, &isnew);
		e->kind = K_TARGET;
		e->val = (uint32_t)i;
	}
	if (targets.n) {
		/* (unreadable trees list nothing here: the scan itself named them) */
		ls_git_treelist *tl = ls_git_treelist_new(h->r->repo, 0, want_target, &targets);
		for (size_t ci = 0; ci < h->ncommits; ci++) {
			const ls_git_tree_hits *hl;
			if (ls_git_treelist_get(tl, &h->commits[ci].tree, &hl) < 0)
				continue;
			for (size_t k = 0; k < hl->n; k++) {
				ls_git_paths *o = &out[hl->v[k].tag];
				o->v = ls_xrealloc(o->v, (o->n + 1) * sizeof(char *));
				o->v[o->n++] = ls_xasprintf("%s:%s", git_oid_tostr_s(&h->commits[ci].id), hl->v[k].path);
			}
		}
		ls_git_treelist_free(tl);
	}
	ls_git_omap_dispose(&targets);
	return 0;
}

void ls_git_paths_dispose(ls_git_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
