/*
 * verify: the request engine. One thread of its own drives a libcurl multi handle: the
 * submitting thread (a command's writer) queues credentials and goes on scanning, the requests
 * run meanwhile, bounded in number, paced per provider, retried on 429 and 5xx answers.
 */
#include "curl_lazy.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "validate.h"
#include "verify_internal.h"

#define MAX_ANSWER ((size_t)1 << 20) /* an identity call's answer is a few KiB */
#define MAX_RETRY_AFTER 30.0         /* seconds: a longer Retry-After ends the check as throttled */
#define DOWN_AFTER 3                 /* failures in a row that mark a provider down for the run */

typedef struct ventry {
	char key[65];
	const vprov *p; /* NULL: nothing to send (result set at submit) */
	char *rule_id;
	vcred c;
	ls_verification res;
	int done, attempts;
	double not_before, deadline;
	CURL *easy;
	struct curl_slist *hdrs;
	vreq rq;
	char *url;
	ls_buf answer, headers;
} ventry;

typedef struct {
	const vprov *p;
	char *endpoint; /* an override, or NULL */
	int http_ok;    /* the override is http on a loopback address */
	double last_start;
	int fails, down;
} vslot;

struct ls_verifier {
	ls_verify_options o;
	char *ca_file;
	ls_strlist canaries;
	vslot *slots;
	size_t nslots;
	CURLM *multi;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ventry **map; /* open addressing on the key */
	size_t mcap, count;
	ventry **queue; /* waiting to start, in submit order */
	size_t qn, qcap;
	size_t running, outstanding;
	int stop;
	ls_verify_stats st;
};

static size_t entry_hash(const char *key)
{
	char h[17];
	memcpy(h, key, 16);
	h[16] = 0;
	return (size_t)strtoull(h, NULL, 16);
}

static ventry **map_slot(ls_verifier *v, const char *key)
{
	size_t i = entry_hash(key) & (v->mcap - 1);
	while (v->map[i] && strcmp(v->map[i]->key, key))
		i = (i + 1) & (v->mcap - 1);
	return &v->map[i];
}

static void map_put(ls_verifier *v, ventry *e)
{
	if ((v->count + 1) * 2 > v->mcap) {
		ventry **old = v->map;
		size_t ocap = v->mcap;
		v->mcap = v->mcap ? v->mcap * 2 : 64;
		v->map = ls_xcalloc(v->mcap, sizeof(*v->map));
		for (size_t i = 0; old && i < ocap; i++)
			if (old[i])
				*map_slot(v, old[i]->key) = old[i];
		free(old);
	}
	*map_slot(v, e->key) = e;
	v->count++;
}

static vslot *slot_of(ls_verifier *v, const vprov *p)
{
	for (size_t i = 0; i < v->nslots; i++)
		if (v->slots[i].p == p)
			return &v->slots[i];
	return NULL;
}

static int is_loopback(const char *host)
{
	return !strcmp(host, "localhost") || !strcmp(host, "::1") || !strcmp(host, "[::1]") ||
	       (!strncmp(host, "127.", 4) && strspn(host, "0123456789.") == strlen(host));
}

/* Checks one PROVIDER=URL override; returns 0, or LS_EINVAL with a message. */
static int endpoint_set(ls_verifier *v, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *name = eq ? ls_xstrndup(spec, (size_t)(eq - spec)) : NULL;
	const vprov *p = ls_verify_provider(name);
	int err = 0;
	if (!p) {
		ls_error_set("--verify-endpoint '%s': expected PROVIDER=URL with a known provider", name ? name : spec);
		free(name);
		return LS_EINVAL;
	}
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *query = NULL, *fragment = NULL;
	if (curl_url_set(u, CURLUPART_URL, eq + 1, 0) != CURLUE_OK || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		err = ls_error_set("--verify-endpoint %s: not a URL", name);
	} else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	           curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	           curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
		err = ls_error_set("--verify-endpoint %s: the URL must hold no credentials, query or fragment", name);
	} else if (strcasecmp(scheme, "https") && !(!strcasecmp(scheme, "http") && is_loopback(host))) {
		err = ls_error_set("--verify-endpoint %s: plain http is accepted only for a loopback address", name);
	} else {
		vslot *s = slot_of(v, p);
		free(s->endpoint);
		s->endpoint = ls_xstrdup(eq + 1);
		size_t n = strlen(s->endpoint);
		while (n && s->endpoint[n - 1] == '/')
			s->endpoint[--n] = 0;
		s->http_ok = !strcasecmp(scheme, "http");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(query);
	curl_free(fragment);
	curl_url_cleanup(u);
	free(name);
	return err < 0 ? LS_EINVAL : 0;
}

static void *run(void *payload);

int ls_verifier_new(ls_verifier **out, const ls_verify_options *o)
{
	*out = NULL;
	/* (made by the main thread, before any other uses libcurl) */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return ls_error_set("verify: libcurl failed to start");
	ls_verifier *v = ls_xcalloc(1, sizeof(*v));
	v->o = *o;
	v->o.endpoints = NULL;
	v->o.canary_accounts = NULL;
	/* (the library checks its numbers itself: NaN or out of range takes the default) */
	ls_verify_options dflt = LS_VERIFY_OPTIONS_INIT;
	if (v->o.jobs < 1 || v->o.jobs > 1024)
		v->o.jobs = dflt.jobs;
	if (!(v->o.rate > 0 && v->o.rate <= 1e6))
		v->o.rate = dflt.rate;
	if (v->o.retries < 0 || v->o.retries > 10)
		v->o.retries = dflt.retries;
	if (!(v->o.timeout > 0 && v->o.timeout <= 3600))
		v->o.timeout = dflt.timeout;
	if (!(v->o.connect_timeout > 0 && v->o.connect_timeout <= v->o.timeout))
		v->o.connect_timeout = v->o.timeout < dflt.connect_timeout ? v->o.timeout : dflt.connect_timeout;
	v->ca_file = o->ca_file ? ls_xstrdup(o->ca_file) : NULL;
	for (size_t i = 0; i < o->ncanary; i++)
		ls_strlist_push(&v->canaries, o->canary_accounts[i]);
	const char *const *names = ls_verify_names();
	while (names[v->nslots])
		v->nslots++;
	v->slots = ls_xcalloc(v->nslots, sizeof(*v->slots));
	for (size_t i = 0; i < v->nslots; i++)
		v->slots[i].p = ls_verify_provider(names[i]);
	int err = 0;
	for (size_t i = 0; i < o->nendpoints && !err; i++)
		err = endpoint_set(v, o->endpoints[i]);
	if (err) {
		ls_verifier_free(v);
		return err;
	}
	v->multi = curl_multi_init();
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	if (!v->multi || pthread_create(&v->thread, NULL, run, v)) {
		if (v->multi)
			curl_multi_cleanup(v->multi);
		v->multi = NULL;
		ls_verifier_free(v);
		return ls_error_set("verify: could not start");
	}
	*out = v;
	return 0;
}

static void wipe(char *s, size_t n)
{
	if (s) {
		explicit_bzero(s, n);
		free(s);
	}
}

static void req_dispose(vreq *rq)
{
	free(rq->base);
	if (rq->path.ptr)
		explicit_bzero(rq->path.ptr, rq->path.len);
	ls_buf_dispose(&rq->path);
	for (size_t i = 0; i < rq->headers.n; i++)
		explicit_bzero(rq->headers.items[i], strlen(rq->headers.items[i]));
	ls_strlist_dispose(&rq->headers);
	ls_buf_dispose(&rq->body);
	wipe(rq->user, rq->user ? strlen(rq->user) : 0);
	wipe(rq->password, rq->password ? strlen(rq->password) : 0);
	free(rq->sigv4);
	memset(rq, 0, sizeof(*rq));
}

static void easy_dispose(ls_verifier *v, ventry *e)
{
	if (e->easy) {
		curl_multi_remove_handle(v->multi, e->easy);
		curl_easy_cleanup(e->easy);
		e->easy = NULL;
	}
	curl_slist_free_all(e->hdrs);
	e->hdrs = NULL;
	req_dispose(&e->rq);
	wipe(e->url, e->url ? strlen(e->url) : 0);
	e->url = NULL;
	ls_buf_dispose(&e->answer);
	ls_buf_dispose(&e->headers);
}

static void entry_free(ls_verifier *v, ventry *e)
{
	easy_dispose(v, e);
	wipe(e->c.secret, e->c.secret_len);
	wipe(e->c.pair, e->c.pair_len);
	wipe(e->c.token, e->c.token_len);
	wipe(e->c.line, e->c.line_len); /* (it holds the secret) */
	free(e->c.aws_account);
	free(e->rule_id);
	ls_verification_dispose(&e->res);
	free(e);
}

void ls_verifier_free(ls_verifier *v)
{
	if (!v)
		return;
	if (v->multi) {
		pthread_mutex_lock(&v->mu);
		v->stop = 1;
		pthread_mutex_unlock(&v->mu);
		curl_multi_wakeup(v->multi);
		pthread_join(v->thread, NULL);
		for (size_t i = 0; i < v->mcap; i++)
			if (v->map[i])
				easy_dispose(v, v->map[i]);
		curl_multi_cleanup(v->multi);
		pthread_mutex_destroy(&v->mu);
		pthread_cond_destroy(&v->cv);
	}
	for (size_t i = 0; i < v->mcap; i++)
		if (v->map[i])
			entry_free(v, v->map[i]);
	free(v->map);
	free(v->queue);
	for (size_t i = 0; i < v->nslots; i++)
		free(v->slots[i].endpoint);
	free(v->slots);
	ls_strlist_dispose(&v->canaries);
	free(v->ca_file);
	free(v);
	curl_global_cleanup();
}

static void key_of(char key[65], const ls_verify_request *rq, const vprov *p)
{
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, p ? p->name : "-");
	ls_buf_putc(&b, 0);
	if (!p)
		ls_buf_puts(&b, rq->rule_id ? rq->rule_id : "");
	ls_buf_putc(&b, 0);
	const char *a = rq->secret, *c = rq->pair;
	size_t al = rq->secret_len, cl = rq->pair_len;
	if (p && p == ls_verify_provider("aws") && c &&
	    (al != cl ? al > cl : memcmp(a, c, al) > 0)) { /* (key id, secret) or (secret, key id): one credential */
		a = rq->pair, c = rq->secret;
		al = rq->pair_len, cl = rq->secret_len;
	}
	ls_buf_put(&b, a, al);
	ls_buf_putc(&b, 0);
	if (c)
		ls_buf_put(&b, c, cl);
	ls_buf_putc(&b, 0);
	if (rq->token)
		ls_buf_put(&b, rq->token, rq->token_len);
	if (p && p->prepare && p != ls_verify_provider("aws")) { /* shop and account come from the line */
		ls_buf_putc(&b, 0);
		if (rq->line)
			ls_buf_put(&b, rq->line, rq->line_len);
	}
	ls_sha256_hex(key, b.ptr, b.len);
	explicit_bzero(b.ptr, b.len);
	ls_buf_dispose(&b);
}

void ls_verify_key(char key[65], const ls_verify_request *rq) { key_of(key, rq, ls_verify_provider(rq->verifier)); }

static int canary(ls_verifier *v, const char *account)
{
	if (!account || !*account)
		return 0;
	if (ls_verify_is_canary(account))
		return 1;
	for (size_t i = 0; i < v->canaries.n; i++)
		if (!strcmp(v->canaries.items[i], account))
			return 1;
	return 0;
}

/* The AWS account of a credential: the finding's, or decoded from whichever part is a key id. */
static char *aws_account_of(const ls_verify_request *rq)
{
	char acct[13] = "";
	if (rq->aws_account && *rq->aws_account)
		return ls_xstrdup(rq->aws_account);
	if ((rq->secret && ls_validate_aws_account(acct, rq->secret, rq->secret_len) == 0) ||
	    (rq->pair && ls_validate_aws_account(acct, rq->pair, rq->pair_len) == 0))
		return ls_xstrdup(acct);
	return NULL;
}

void ls_verifier_submit(ls_verifier *v, const ls_verify_request *rq, char key[65])
{
	const vprov *p = ls_verify_provider(rq->verifier);
	key_of(key, rq, p);
	pthread_mutex_lock(&v->mu);
	if (v->map && *map_slot(v, key)) {
		pthread_mutex_unlock(&v->mu);
		return;
	}
	ventry *e = ls_xcalloc(1, sizeof(*e));
	memcpy(e->key, key, 65);
	e->p = p;
	e->rule_id = ls_xstrdup(rq->rule_id ? rq->rule_id : "");
	e->c.secret = ls_xstrndup(rq->secret, rq->secret_len);
	e->c.secret_len = rq->secret_len;
	if (rq->pair) {
		e->c.pair = ls_xstrndup(rq->pair, rq->pair_len);
		e->c.pair_len = rq->pair_len;
	}
	if (rq->token) {
		e->c.token = ls_xstrndup(rq->token, rq->token_len);
		e->c.token_len = rq->token_len;
	}
	if (rq->line) {
		e->c.line = ls_xstrndup(rq->line, rq->line_len);
		e->c.line_len = rq->line_len;
	}
	v->st.checks++;
	map_put(v, e);
	if (!p) {
		ls_verify_set(&e->res, LS_VERIFY_UNKNOWN, "no verifier for rule %s", e->rule_id);
		e->done = 1;
	} else if (p == ls_verify_provider("aws") && (e->c.aws_account = aws_account_of(rq)) &&
	           canary(v, e->c.aws_account)) {
		ls_verify_set(&e->res, LS_VERIFY_SKIPPED, "canary token (AWS account %s): never sent", e->c.aws_account);
		e->done = 1;
	} else {
		if (v->qn == v->qcap) {
			v->qcap = v->qcap ? v->qcap * 2 : 64;
			v->queue = ls_xrealloc(v->queue, v->qcap * sizeof(*v->queue));
		}
		v->queue[v->qn++] = e;
		v->outstanding++;
	}
	pthread_mutex_unlock(&v->mu);
	curl_multi_wakeup(v->multi);
}

void ls_verifier_wait(ls_verifier *v)
{
	pthread_mutex_lock(&v->mu);
	while (v->outstanding)
		pthread_cond_wait(&v->cv, &v->mu);
	pthread_mutex_unlock(&v->mu);
}

int ls_verifier_result(ls_verifier *v, const char key[65], ls_verification *out)
{
	pthread_mutex_lock(&v->mu);
	ventry *e = v->map ? *map_slot(v, key) : NULL;
	int ret = !e ? LS_ENOTFOUND : !e->done ? LS_EINVAL : 0;
	if (ret == 0)
		ls_verification_copy(out, &e->res);
	pthread_mutex_unlock(&v->mu);
	return ret;
}

void ls_verifier_stats(ls_verifier *v, ls_verify_stats *out)
{
	pthread_mutex_lock(&v->mu);
	*out = v->st;
	pthread_mutex_unlock(&v->mu);
}

/* ---- the verifier's thread (everything below runs there, the map under the lock) ---- */

static void finish(ls_verifier *v, ventry *e)
{
	easy_dispose(v, e);
	e->done = 1;
	switch (e->res.status) {
	case LS_VERIFY_VERIFIED: v->st.verified++; break;
	case LS_VERIFY_INVALID: v->st.invalid++; break;
	case LS_VERIFY_UNKNOWN: v->st.unknown++; break;
	case LS_VERIFY_SKIPPED: v->st.skipped++; break;
	default: v->st.errors++; break;
	}
	v->outstanding--;
	pthread_cond_broadcast(&v->cv);
}

static size_t on_data(char *ptr, size_t size, size_t n, void *payload)
{
	ls_buf *b = payload;
	if (b->len + size * n > MAX_ANSWER)
		return 0; /* CURLE_WRITE_ERROR: "answer too large" */
	ls_buf_put(b, ptr, size * n);
	return size * n;
}

/* Builds the request of `e` and adds it to the multi handle; or ends the check (VP_DONE). */
static void start(ls_verifier *v, ventry *e, vslot *s, double now)
{
	const char *base = s->endpoint ? s->endpoint : e->p->base;
	int (*prepare)(const vprov *, const vcred *, const char *, int, vreq *, ls_verification *) =
	    e->p->prepare ? e->p->prepare : ls_verify_prepare;
	req_dispose(&e->rq);
	if (prepare(e->p, &e->c, base, s->endpoint != NULL, &e->rq, &e->res) == VP_DONE) {
		finish(v, e);
		return;
	}
	e->url = ls_xasprintf("%s%s", e->rq.base && !s->endpoint ? e->rq.base : base, e->rq.path.ptr ? e->rq.path.ptr : "/");
	e->easy = curl_easy_init();
	if (!e->easy) {
		ls_verify_set(&e->res, LS_VERIFY_ERROR, "out of memory");
		finish(v, e);
		return;
	}
	CURL *h = e->easy;
	curl_easy_setopt(h, CURLOPT_URL, e->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, s->http_ok ? "http" : "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (v->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, v->ca_file);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	if (s->http_ok)
		curl_easy_setopt(h, CURLOPT_PROXY, ""); /* plain http on loopback never leaves the machine */
	curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L); /* a proxy's headers are not the provider's */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(v->o.connect_timeout * 1000));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(v->o.timeout * 1000));
	curl_easy_setopt(h, CURLOPT_USERAGENT, "leakscan/" LS_VERSION " (secret verification)");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &e->answer);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &e->headers);
	curl_easy_setopt(h, CURLOPT_PRIVATE, e);
	for (size_t i = 0; i < e->rq.headers.n; i++)
		e->hdrs = curl_slist_append(e->hdrs, e->rq.headers.items[i]);
	e->hdrs = curl_slist_append(e->hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, e->hdrs);
	if (e->rq.user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, e->rq.user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, e->rq.password);
		if (e->rq.sigv4)
			curl_easy_setopt(h, CURLOPT_AWS_SIGV4, e->rq.sigv4);
		else
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (e->rq.post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, e->rq.body.ptr ? e->rq.body.ptr : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)e->rq.body.len);
	}
	if (!e->attempts)
		e->deadline = now + (v->o.retries + 1) * (v->o.timeout + MAX_RETRY_AFTER);
	e->attempts++;
	if (curl_multi_add_handle(v->multi, h) != CURLM_OK) {
		ls_verify_set(&e->res, LS_VERIFY_ERROR, "could not start the request");
		finish(v, e);
		return;
	}
	s->last_start = now;
	v->st.requests++;
	v->running++;
}

/* A provider that failed DOWN_AFTER times in a row is down for the run: what waits for it ends
 * at once, so that it cannot slow the scan by a timeout per secret. */
static void provider_down(ls_verifier *v, vslot *s)
{
	s->down = 1;
	size_t k = 0;
	for (size_t i = 0; i < v->qn; i++) {
		ventry *e = v->queue[i];
		if (e->p == s->p) {
			ls_verify_set(&e->res, LS_VERIFY_ERROR, "not sent: %s did not answer %d checks in a row", s->p->name,
			              DOWN_AFTER);
			finish(v, e);
		} else {
			v->queue[k++] = e;
		}
	}
	v->qn = k;
}

static void requeue(ls_verifier *v, ventry *e, double at)
{
	easy_dispose(v, e);
	e->not_before = at;
	if (v->qn == v->qcap) {
		v->qcap = v->qcap ? v->qcap * 2 : 64;
		v->queue = ls_xrealloc(v->queue, v->qcap * sizeof(*v->queue));
	}
	v->queue[v->qn++] = e;
}

static void completed(ls_verifier *v, ventry *e, CURLcode rc)
{
	vslot *s = slot_of(v, e->p);
	double now = ls_now();
	v->running--;
	e->res.checked_at = (long long)time(NULL);
	if (rc != CURLE_OK) {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			ls_verify_set(&e->res, LS_VERIFY_ERROR, "timeout (no answer in %gs)", v->o.timeout);
		else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
		         rc == CURLE_SSL_CONNECT_ERROR)
			ls_verify_set(&e->res, LS_VERIFY_ERROR, "TLS: %s", curl_easy_strerror(rc));
		else if (rc == CURLE_WRITE_ERROR)
			ls_verify_set(&e->res, LS_VERIFY_ERROR, "answer larger than %zu bytes", MAX_ANSWER);
		else
			ls_verify_set(&e->res, LS_VERIFY_ERROR, "network: %s", curl_easy_strerror(rc));
		finish(v, e);
		if (!e->p->per_host && ++s->fails >= DOWN_AFTER && !s->down)
			provider_down(v, s);
		return;
	}
	s->fails = 0;
	long status = 0;
	curl_easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE, &status);
	vresp r = {status, e->answer.ptr ? e->answer.ptr : "", e->answer.len, e->headers.ptr ? e->headers.ptr : "",
	           e->headers.len};
	int (*judge)(const vprov *, const vcred *, const vresp *, ls_verification *) =
	    e->p->judge ? e->p->judge : ls_verify_judge;
	if (judge(e->p, &e->c, &r, &e->res) == VJ_RETRY && e->attempts <= v->o.retries) {
		double wait = 0.25 * (double)(1 << (e->attempts - 1));
		char *ra = ls_verify_header(&r, "Retry-After");
		if (ra) {
			char *end;
			double secs = strtod(ra, &end);
			if (end != ra && secs >= 0)
				wait = secs;
			free(ra);
		}
		if (wait <= MAX_RETRY_AFTER && now + wait <= e->deadline) {
			requeue(v, e, now + wait);
			return;
		}
	}
	finish(v, e);
}

static void *run(void *payload)
{
	ls_verifier *v = payload;
	pthread_mutex_lock(&v->mu);
	while (!v->stop) {
		double now = ls_now(), wake = now + 1.0;
		size_t k = 0;
		for (size_t i = 0; i < v->qn; i++) {
			ventry *e = v->queue[i];
			vslot *s = slot_of(v, e->p);
			if (s->down) { /* submitted after its provider was found down */
				ls_verify_set(&e->res, LS_VERIFY_ERROR, "not sent: %s did not answer %d checks in a row", e->p->name,
				              DOWN_AFTER);
				finish(v, e);
				continue;
			}
			double at = e->not_before > s->last_start + 1.0 / v->o.rate ? e->not_before : s->last_start + 1.0 / v->o.rate;
			if (v->running < (size_t)v->o.jobs && at <= now) {
				start(v, e, s, now);
				continue;
			}
			if (at < wake)
				wake = at;
			v->queue[k++] = e;
		}
		v->qn = k;
		pthread_mutex_unlock(&v->mu);
		int still = 0;
		curl_multi_perform(v->multi, &still);
		CURLMsg *m;
		int left;
		pthread_mutex_lock(&v->mu);
		while ((m = curl_multi_info_read(v->multi, &left)))
			if (m->msg == CURLMSG_DONE) {
				ventry *e = NULL;
				curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&e);
				completed(v, e, m->data.result);
			}
		int again = 0;
		for (size_t i = 0; i < v->qn && !again; i++)
			again = v->running < (size_t)v->o.jobs && v->queue[i]->not_before <= ls_now() &&
			        slot_of(v, v->queue[i]->p)->last_start + 1.0 / v->o.rate <= ls_now();
		pthread_mutex_unlock(&v->mu);
		if (!again) {
			double ms = (wake - ls_now()) * 1000;
			curl_multi_poll(v->multi, NULL, 0, ms < 1 ? 1 : ms > 1000 ? 1000 : (int)ms, NULL);
		}
		pthread_mutex_lock(&v->mu);
	}
	/* stopped: what has no answer yet ends as an error */
	for (size_t i = 0; i < v->mcap; i++)
		if (v->map[i] && !v->map[i]->done) {
			if (v->map[i]->easy)
				v->running--;
			ls_verify_set(&v->map[i]->res, LS_VERIFY_ERROR, "not checked: stopped");
			finish(v, v->map[i]);
		}
	v->qn = 0;
	pthread_mutex_unlock(&v->mu);
	return NULL;
}
