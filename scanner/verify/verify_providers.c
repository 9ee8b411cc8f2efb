/*
 * verify: the verifier table. Each entry is a provider's cheapest read-only identity call on
 * its official host (from the provider's API documentation), the shape of secret it accepts,
 * and where the answer names the owner. Adding a provider is an entry here, plus at most a
 * prepare or judge function for what the templates cannot say. See docs/verify.md.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate.h"
#include "verify_internal.h"

void ls_verify_set(ls_verification *out, ls_verify_status st, const char *fmt, ...)
{
	out->status = st;
	free(out->detail);
	out->detail = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&out->detail, fmt, ap) < 0)
			out->detail = NULL;
		va_end(ap);
	}
}

char *ls_verify_header(const vresp *r, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = r->headers, *end = r->headers + r->hlen;
	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		if ((size_t)(le - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = le;
			while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
				ve--;
			return ls_xstrndup(v, (size_t)(ve - v));
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* Only what a token can hold: no space, no CR or LF (it goes into a header or a path). */
static int token_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.:+/=", s[i]))
			return 0;
	return n > 0;
}

static int has_prefix(const char *prefixes, const char *s, size_t n)
{
	if (!*prefixes)
		return 1;
	for (const char *p = prefixes; *p;) {
		size_t k = strcspn(p, " ");
		if (k <= n && !memcmp(p, s, k))
			return 1;
		p += k;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static void fill(ls_buf *b, const char *tpl, const vcred *c, const char *extra)
{
	for (const char *p = tpl; *p;) {
		if (!strncmp(p, "{secret}", 8)) {
			ls_buf_put(b, c->secret, c->secret_len);
			p += 8;
		} else if (!strncmp(p, "{pair}", 6)) {
			if (c->pair)
				ls_buf_put(b, c->pair, c->pair_len);
			p += 6;
		} else if (!strncmp(p, "{extra}", 7)) {
			if (extra)
				ls_buf_puts(b, extra);
			p += 7;
		} else {
			ls_buf_putc(b, *p++);
		}
	}
}

static char *filled(const char *tpl, const vcred *c, const char *extra)
{
	ls_buf b = LS_BUF_INIT;
	fill(&b, tpl, c, extra);
	return ls_buf_detach(&b);
}

static int prepare_with(const vprov *p, const vcred *c, vreq *rq, ls_verification *out, const char *extra)
{
	if (!token_chars(c->secret, c->secret_len) || c->secret_len < p->min_len ||
	    (p->max_len && c->secret_len > p->max_len) || !has_prefix(p->prefixes, c->secret, c->secret_len) ||
	    (p->accepts && !p->accepts(c->secret, c->secret_len))) {
		ls_verify_set(out, LS_VERIFY_UNKNOWN, "not of the shape %s takes: not sent", p->name);
		return VP_DONE;
	}
	vcred alone = {.secret = c->secret, .secret_len = c->secret_len};
	if (c->pair && !token_chars(c->pair, c->pair_len))
		c = &alone; /* a pair with other characters is not put into a request */
	fill(&rq->path, p->path, c, extra);
	if (p->auth) {
		char *h = filled(p->auth, c, extra);
		ls_strlist_push(&rq->headers, h);
		free(h);
	}
	for (size_t i = 0; i < 2 && p->headers[i]; i++)
		ls_strlist_push(&rq->headers, p->headers[i]);
	if (p->basic_user) {
		rq->user = filled(p->basic_user, c, extra);
		rq->password = filled(p->basic_pass, c, extra);
	}
	rq->post = p->post;
	return VP_SEND;
}

int ls_verify_prepare(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
                      ls_verification *out)
{
	return prepare_with(p, c, rq, out, NULL);
}

/* A dotted path ("account.email", "result.username") into a JSON answer, as text. */
static char *json_path(json_t *root, const char *path)
{
	if (!path)
		return NULL;
	json_t *v = root;
	char *copy = ls_xstrdup(path), *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
	free(copy);
	if (json_is_string(v))
		return ls_xstrndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return ls_xasprintf("%lld", (long long)json_integer_value(v));
	return NULL;
}

/* Keeps what an answer says printable and short: it goes into reports. */
static char *clean(char *s)
{
	if (!s)
		return NULL;
	size_t n = 0;
	for (const char *p = s; *p && n < 200; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			s[n++] = *p;
	if (n == 200) { /* cut short: never inside a UTF-8 character */
		size_t k = n;
		while (k && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
			k--;
		unsigned char lead = k ? (unsigned char)s[k - 1] : 0;
		size_t len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (k && k - 1 + len > n)
			n = k - 1;
	}
	s[n] = 0;
	if (!n) {
		free(s);
		return NULL;
	}
	return s;
}

static int retry_or_error(const vresp *r, ls_verification *out)
{
	if (r->status == 429) {
		ls_verify_set(out, LS_VERIFY_ERROR, "throttled (HTTP 429)");
		return VJ_RETRY;
	}
	if (r->status >= 500) {
		ls_verify_set(out, LS_VERIFY_ERROR, "server error (HTTP %ld)", r->status);
		return VJ_RETRY;
	}
	ls_verify_set(out, LS_VERIFY_ERROR, "unexpected answer (HTTP %ld)", r->status);
	return VJ_DONE;
}

/* The identity and account of a 2xx JSON answer; an error if it is not JSON. */
static int judge_live(const vprov *p, const vresp *r, ls_verification *out, json_t **keep)
{
	json_error_t jerr;
	json_t *root = json_loadb(r->body, r->len, 0, &jerr);
	char *identity = root ? json_path(root, p->identity) : NULL;
	if (!root || (p->identity && !identity && !p->account)) {
		json_decref(root);
		ls_verify_set(out, LS_VERIFY_ERROR, "malformed answer from %s", p->name);
		return VJ_DONE;
	}
	free(out->identity);
	free(out->account);
	out->identity = clean(identity);
	out->account = clean(json_path(root, p->account));
	ls_verify_set(out, LS_VERIFY_VERIFIED, NULL);
	if (p->detail_header) {
		char *h = clean(ls_verify_header(r, p->detail_header));
		if (h) {
			ls_verify_set(out, LS_VERIFY_VERIFIED, "%s: %s", p->detail_header, h);
			free(h);
		}
	}
	if (keep)
		*keep = root;
	else
		json_decref(root);
	return VJ_DONE;
}

int ls_verify_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out)
{
	if (r->status >= 200 && r->status < 300)
		return judge_live(p, r, out, NULL);
	if (r->status == 403 && p->live_on_403) {
		ls_verify_set(out, LS_VERIFY_VERIFIED, "live, without permission to read the account (HTTP 403)");
		return VJ_DONE;
	}
	if (r->status == 401 || r->status == 403) {
		ls_verify_set(out, LS_VERIFY_INVALID, "refused by %s (HTTP %ld)", p->name, r->status);
		return VJ_DONE;
	}
	return retry_or_error(r, out);
}

/* ---- AWS: STS GetCallerIdentity, signed with SigV4 by libcurl ---- */

static int aws_key_id(const char *s, size_t n)
{
	if (n != 20 || !s)
		return 0;
	if (memcmp(s, "AKIA", 4) && memcmp(s, "ASIA", 4) && memcmp(s, "ABIA", 4) && memcmp(s, "ACCA", 4) &&
	    memcmp(s, "A3T", 3))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int aws_secret(const char *s, size_t n)
{
	if (n != 40 || !s)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '/' && s[i] != '+')
			return 0;
	return 1;
}

/* The region of an STS host: sts.REGION.amazonaws.com(.cn); the global endpoint signs as us-east-1. */
static char *aws_region(const char *base)
{
	const char *h = strstr(base, "://");
	h = h ? h + 3 : base;
	if (!strncmp(h, "sts.", 4)) {
		const char *r = h + 4, *dot = strchr(r, '.');
		if (dot && !strncmp(dot, ".amazonaws.com", 14) && dot > r) {
			size_t n = (size_t)(dot - r);
			int ok = n < 32;
			for (size_t i = 0; i < n && ok; i++)
				ok = islower((unsigned char)r[i]) || isdigit((unsigned char)r[i]) || r[i] == '-';
			if (ok)
				return ls_xstrndup(r, n);
		}
	}
	return ls_xstrdup("us-east-1");
}

static int aws_prepare(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
                       ls_verification *out)
{
	const char *id = NULL, *sec = NULL;
	if (aws_key_id(c->secret, c->secret_len))
		id = c->secret;
	else if (aws_secret(c->secret, c->secret_len))
		sec = c->secret;
	if (aws_key_id(c->pair, c->pair_len))
		id = c->pair;
	else if (aws_secret(c->pair, c->pair_len))
		sec = c->pair;
	if (!id || !sec) {
		ls_verify_set(out, LS_VERIFY_UNKNOWN, id ? "an access key id without its secret: not verifiable alone"
		                                         : "a secret access key without its key id: not verifiable alone");
		return VP_DONE;
	}
	const char *token = c->token && token_chars(c->token, c->token_len) ? c->token : NULL;
	if (!memcmp(id, "ASIA", 4) && !token) {
		/* STS would refuse a temporary key without its token: that is no sign it was revoked */
		ls_verify_set(out, LS_VERIFY_UNKNOWN, "a temporary key id (ASIA) without its session token: not verifiable alone");
		return VP_DONE;
	}
	rq->user = ls_xstrndup(id, 20);
	rq->password = ls_xstrndup(sec, 40);
	char *region = aws_region(base);
	rq->sigv4 = ls_xasprintf("aws:amz:%s:sts", region);
	free(region);
	ls_buf_puts(&rq->path, "/");
	rq->post = 1;
	ls_buf_puts(&rq->body, "Action=GetCallerIdentity&Version=2011-06-15");
	ls_strlist_push(&rq->headers, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
	if (token) {
		char *h = ls_xasprintf("X-Amz-Security-Token: %.*s", (int)c->token_len, token);
		ls_strlist_push(&rq->headers, h);
		free(h);
	}
	return VP_SEND;
}

/* The text of <tag>...</tag> in an XML answer (STS answers are flat and small). */
static char *xml_text(const vresp *r, const char *tag)
{
	char open[48], close[48];
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	const char *s = memmem(r->body, r->len, open, strlen(open));
	if (!s)
		return NULL;
	s += strlen(open);
	const char *e = memmem(s, r->len - (size_t)(s - r->body), close, strlen(close));
	return e ? clean(ls_xstrndup(s, (size_t)(e - s))) : NULL;
}

static int aws_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out)
{
	if (r->status == 200) {
		char *arn = xml_text(r, "Arn"), *account = xml_text(r, "Account"), *user = xml_text(r, "UserId");
		if (!arn) {
			ls_verify_set(out, LS_VERIFY_ERROR, "malformed answer from aws");
		} else {
			out->identity = arn;
			out->account = account;
			account = NULL;
			ls_verify_set(out, LS_VERIFY_VERIFIED, user ? "user id %s" : NULL, user);
		}
		free(account);
		free(user);
		return VJ_DONE;
	}
	char *code = xml_text(r, "Code");
	int ret = VJ_DONE;
	if (code && (!strcmp(code, "Throttling") || !strcmp(code, "RequestLimitExceeded"))) {
		ls_verify_set(out, LS_VERIFY_ERROR, "throttled (%s)", code);
		ret = VJ_RETRY;
	} else if (code && (!strcmp(code, "InvalidClientTokenId") || !strcmp(code, "SignatureDoesNotMatch") ||
	                    !strcmp(code, "ExpiredToken") || !strcmp(code, "InvalidToken") ||
	                    !strcmp(code, "AuthFailure"))) {
		ls_verify_set(out, LS_VERIFY_INVALID, "%s", code);
	} else if (r->status >= 400 && r->status < 500 && r->status != 429) {
		ls_verify_set(out, LS_VERIFY_ERROR, "unexpected answer (HTTP %ld%s%s)", r->status, code ? ": " : "",
		              code ? code : "");
	} else {
		ret = retry_or_error(r, out);
	}
	free(code);
	return ret;
}

/* ---- the few providers whose call the templates cannot say ---- */

static int slack_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out)
{
	if (r->status != 200)
		return ls_verify_judge(p, c, r, out);
	json_t *root = NULL;
	judge_live(p, r, out, &root);
	if (!root)
		return VJ_DONE;
	json_t *ok = json_object_get(root, "ok");
	if (!json_is_true(ok)) {
		char *err = clean(json_path(root, "error"));
		static const char *const refused[] = {"invalid_auth", "account_inactive", "token_revoked",
		                                      "token_expired", "not_authed", "no_permission"};
		int is_refused = 0;
		for (size_t i = 0; err && i < sizeof(refused) / sizeof(*refused); i++)
			is_refused |= !strcmp(err, refused[i]);
		free(out->identity);
		free(out->account);
		out->identity = out->account = NULL;
		if (err && !strcmp(err, "ratelimited")) {
			ls_verify_set(out, LS_VERIFY_ERROR, "throttled (ratelimited)");
			free(err);
			json_decref(root);
			return VJ_RETRY;
		}
		ls_verify_set(out, is_refused ? LS_VERIFY_INVALID : LS_VERIFY_ERROR, "slack: %s", err ? err : "not ok");
		free(err);
	}
	json_decref(root);
	return VJ_DONE;
}

static int telegram_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out)
{
	if (r->status == 404) { /* Telegram's answer to a token it does not know */
		ls_verify_set(out, LS_VERIFY_INVALID, "refused by telegram (HTTP 404)");
		return VJ_DONE;
	}
	return ls_verify_judge(p, c, r, out);
}

static int datadog_judge(const vprov *p, const vcred *c, const vresp *r, ls_verification *out)
{
	if (r->status != 200)
		return ls_verify_judge(p, c, r, out);
	json_error_t jerr;
	json_t *root = json_loadb(r->body, r->len, 0, &jerr);
	if (!root || !json_is_boolean(json_object_get(root, "valid")))
		ls_verify_set(out, LS_VERIFY_ERROR, "malformed answer from datadog");
	else if (json_is_true(json_object_get(root, "valid")))
		ls_verify_set(out, LS_VERIFY_VERIFIED, NULL);
	else
		ls_verify_set(out, LS_VERIFY_INVALID, "datadog: not valid");
	json_decref(root);
	return VJ_DONE;
}

/* A word of `len` characters of class `cls` after `prefix` in the line (an account SID). */
static char *find_in_line(const vcred *c, const char *prefix, size_t len, int (*cls)(int))
{
	size_t pl = strlen(prefix);
	for (size_t i = 0; c->line && i + pl + len <= c->line_len; i++) {
		if (memcmp(c->line + i, prefix, pl) || (i && isalnum((unsigned char)c->line[i - 1])))
			continue;
		size_t k = 0;
		while (k < len && cls((unsigned char)c->line[i + pl + k]))
			k++;
		if (k == len && (i + pl + k == c->line_len || !isalnum((unsigned char)c->line[i + pl + k])))
			return ls_xstrndup(c->line + i, pl + len);
	}
	return NULL;
}

static int is_lower_hex(int ch) { return isdigit(ch) || (ch >= 'a' && ch <= 'f'); }

static int twilio_prepare(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
                          ls_verification *out)
{
	char *sid = find_in_line(c, "AC", 32, is_lower_hex);
	if (!sid) {
		ls_verify_set(out, LS_VERIFY_UNKNOWN, "no account SID (AC...) on its line: Twilio checks a token with its account");
		return VP_DONE;
	}
	int ret = prepare_with(p, c, rq, out, sid);
	free(sid);
	return ret;
}

static int shop_char(int ch) { return islower(ch) || isdigit(ch) || ch == '-'; }

static int shopify_prepare(const vprov *p, const vcred *c, const char *base, int overridden, vreq *rq,
                           ls_verification *out)
{
	char *shop = NULL;
	for (size_t i = 0; !overridden && c->line && i < c->line_len; i++) {
		static const char dom[] = ".myshopify.com";
		if (i + sizeof(dom) - 1 > c->line_len || memcmp(c->line + i, dom, sizeof(dom) - 1))
			continue;
		size_t s = i;
		while (s > 0 && i - s < 60 && shop_char((unsigned char)c->line[s - 1]))
			s--;
		if (s < i && c->line[s] != '-')
			shop = ls_xstrndup(c->line + s, i - s);
		break;
	}
	if (!overridden && !shop) {
		ls_verify_set(out, LS_VERIFY_UNKNOWN, "no shop (NAME.myshopify.com) on its line: not verifiable alone");
		return VP_DONE;
	}
	if (shop)
		rq->base = ls_xasprintf("https://%s.myshopify.com", shop);
	int ret = prepare_with(p, c, rq, out, shop);
	free(shop);
	return ret;
}

/* ---- the exact shapes of the providers whose tokens have no prefix ---- */

static int all_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]) || !s[i])
			return 0;
	return 1;
}

static const char HEXL[] = "0123456789abcdef";
static const char WORD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

static int hex32(const char *s, size_t n) { return n == 32 && all_of(s, n, HEXL); }

static int mailgun_key(const char *s, size_t n) { return n == 36 && !memcmp(s, "key-", 4) && all_of(s + 4, 32, HEXL); }

static int heroku_key(const char *s, size_t n)
{
	if (n > 7 && !memcmp(s, "HRKU-", 5))
		return all_of(s + 5, n - 5, WORD);
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !strchr(HEXL, s[i]))
			return 0;
	return 1;
}

/* DIGITS:AA + 33 word characters: it goes into the URL path, so no '/', '.' or anything else */
static int telegram_token(const char *s, size_t n)
{
	size_t d = strspn(s, "0123456789");
	return d >= 8 && d <= 10 && n == d + 36 && s[d] == ':' && s[d + 1] == 'A' && s[d + 2] == 'A' &&
	       all_of(s + d + 3, 33, WORD);
}

static int discord_token(const char *s, size_t n)
{
	const char *a = memchr(s, '.', n), *b = a ? memchr(a + 1, '.', n - (size_t)(a + 1 - s)) : NULL;
	return b && a > s && b > a + 1 && b + 1 < s + n && all_of(s, (size_t)(a - s), WORD) &&
	       all_of(a + 1, (size_t)(b - a - 1), WORD) && all_of(b + 1, n - (size_t)(b + 1 - s), WORD);
}

#define HDRS(a, b) {a, b}
static const vprov providers[] = {
    {"aws", "https://sts.amazonaws.com", "/", NULL, NULL, NULL, HDRS(NULL, NULL), 1, "", 20, 0, NULL, NULL, NULL, 0,
     0, NULL, aws_prepare, aws_judge},
    {"github", "https://api.github.com", "/user", "Authorization: token {secret}", NULL, NULL,
     HDRS("Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28"), 0,
     "ghp_ gho_ ghu_ ghs_ ghr_ github_pat_", 20, 255, "login", NULL, "X-OAuth-Scopes", 0, 0, NULL, NULL, NULL},
    {"gitlab", "https://gitlab.com", "/api/v4/user", "PRIVATE-TOKEN: {secret}", NULL, NULL, HDRS(NULL, NULL), 0,
     "glpat-", 20, 400, "username", NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"slack", "https://slack.com", "/api/auth.test", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS("Content-Type: application/x-www-form-urlencoded", NULL), 1, "xoxb- xoxp- xoxe- xoxa- xoxr- xoxs-", 20,
     300, "user", "team", "X-OAuth-Scopes", 0, 0, NULL, NULL, slack_judge},
    {"stripe", "https://api.stripe.com", "/v1/account", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "sk_live_ sk_test_ rk_live_ rk_test_", 20, 300, "email", "id", NULL, 1, 0, NULL, NULL, NULL},
    {"openai", "https://api.openai.com", "/v1/models", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "sk-", 20, 400, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"anthropic", "https://api.anthropic.com", "/v1/models", "x-api-key: {secret}", NULL, NULL,
     HDRS("anthropic-version: 2023-06-01", NULL), 0, "sk-ant-", 20, 400, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"huggingface", "https://huggingface.co", "/api/whoami-v2", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "hf_ api_org_", 20, 100, "name", NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"npm", "https://registry.npmjs.org", "/-/whoami", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "npm_", 20, 100, "username", NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"sendgrid", "https://api.sendgrid.com", "/v3/scopes", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "SG.", 30, 100, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL},
    {"twilio", "https://api.twilio.com", "/2010-04-01/Accounts/{extra}.json", NULL, "{extra}", "{secret}",
     HDRS(NULL, NULL), 0, "", 32, 32, "friendly_name", "sid", NULL, 0, 0, hex32, twilio_prepare, NULL},
    {"datadog", "https://api.datadoghq.com", "/api/v1/validate", "DD-API-KEY: {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "", 32, 32, NULL, NULL, NULL, 0, 0, hex32, NULL, datadog_judge},
    {"mailgun", "https://api.mailgun.net", "/v3/domains", NULL, "api", "{secret}", HDRS(NULL, NULL), 0, "", 32, 64,
     NULL, NULL, NULL, 0, 0, mailgun_key, NULL, NULL},
    {"shopify", "https://{extra}.myshopify.com", "/admin/oauth/access_scopes.json", "X-Shopify-Access-Token: {secret}",
     NULL, NULL, HDRS(NULL, NULL), 0, "shpat_ shpca_ shppa_", 38, 38, NULL, NULL, NULL, 0, 1, NULL, shopify_prepare, NULL},
    {"digitalocean", "https://api.digitalocean.com", "/v2/account", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "dop_v1_ doo_v1_ dor_v1_", 71, 71, "account.email", "account.uuid", NULL, 0, 0, NULL, NULL, NULL},
    {"heroku", "https://api.heroku.com", "/account", "Authorization: Bearer {secret}", NULL, NULL,
     HDRS("Accept: application/vnd.heroku+json; version=3", NULL), 0, "", 36, 80, "email", "id", NULL, 0, 0, heroku_key, NULL, NULL},
    {"telegram", "https://api.telegram.org", "/bot{secret}/getMe", NULL, NULL, NULL, HDRS(NULL, NULL), 0, "", 40,
     60, "result.username", "result.id", NULL, 0, 0, telegram_token, NULL, telegram_judge},
    {"discord", "https://discord.com", "/api/v10/users/@me", "Authorization: Bot {secret}", NULL, NULL,
     HDRS(NULL, NULL), 0, "", 50, 100, "username", "id", NULL, 0, 0, discord_token, NULL, NULL},
};

const vprov *ls_verify_provider(const char *name)
{
	for (size_t i = 0; name && i < sizeof(providers) / sizeof(*providers); i++)
		if (!strcmp(providers[i].name, name))
			return &providers[i];
	return NULL;
}

int ls_verify_known(const char *name) { return ls_verify_provider(name) != NULL; }

const char *const *ls_verify_names(void)
{
	static const char *names[sizeof(providers) / sizeof(*providers) + 1];
	for (size_t i = 0; i < sizeof(providers) / sizeof(*providers); i++)
		names[i] = providers[i].name;
	return names;
}

/* canarytokens.org's AWS accounts, and those of the services that copy it (the lists
 * trufflehog's AWS detector publishes). A call with such a key alerts its owner. */
static const char *const canaries[] = {
    "052310077262", "171436882533", "534261010715", "595918472158", "717712589309", "819147034852",
    "992382622183", "730335385048", "266735846894", "893192397702", "044858866125", "251535659677",
    "344043088457", "351906852752", "390477818340", "426127672474", "427150556519", "439872796651",
    "445142720921", "465867158099", "637958123769", "693412236332", "732624840810", "735421457923",
    "959235150393", "982842642351",
};

int ls_verify_is_canary(const char *account)
{
	for (size_t i = 0; account && i < sizeof(canaries) / sizeof(*canaries); i++)
		if (!strcmp(account, canaries[i]))
			return 1;
	return 0;
}
