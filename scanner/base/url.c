/* url: clone URLs without their credentials. */
#include "url.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common.h"

/* Whether a query parameter's name says that its value is a credential. */
static int is_cred_param(const char *k, size_t n)
{
	static const char *words[] = {"token", "pass", "secret", "auth", "key", "sig", "cred", "session"};
	char low[64];
	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)k[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

/* Appends query `q` (after '?', up to '#' or the end, `n` bytes) with credential values masked. */
static void put_query(ls_buf *b, const char *q, size_t n)
{
	const char *end = q + n;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(pe - q));
		if (eq && is_cred_param(q, (size_t)(eq - q))) {
			ls_buf_put(b, q, (size_t)(eq - q) + 1);
			ls_buf_puts(b, "***");
		} else {
			ls_buf_put(b, q, (size_t)(pe - q));
		}
		if (amp)
			ls_buf_putc(b, '&');
		q = amp ? amp + 1 : end;
	}
}

char *ls_url_redact(const char *url, int how)
{
	ls_buf b = LS_BUF_INIT;
	const char *p = url;
	const char *sep = strstr(url, "://");
	/* a scheme is letters, digits, '+', '-', '.' */
	if (sep) {
		for (const char *c = url; c < sep; c++)
			if (!isalnum((unsigned char)*c) && *c != '+' && *c != '-' && *c != '.')
				sep = NULL;
	}
	if (sep && sep > url) {
		const char *auth = sep + 3;
		size_t alen = strcspn(auth, "/?#");
		const char *at = NULL;
		for (const char *c = auth; c < auth + alen; c++)
			if (*c == '@')
				at = c; /* the last '@': a password may hold one */
		ls_buf_put(&b, url, (size_t)(auth - url));
		if (at) {
			int ssh = !strncasecmp(url, "ssh", 3) || !strncasecmp(url, "git+ssh", 7);
			const char *colon = memchr(auth, ':', (size_t)(at - auth));
			size_t ulen = colon ? (size_t)(colon - auth) : (size_t)(at - auth);
			if (how == LS_URL_MASK) {
				if (ssh || colon)
					ls_buf_put(&b, auth, ulen);
				if (colon)
					ls_buf_putc(&b, ':');
				if (!ssh || colon)
					ls_buf_puts(&b, "***");
				ls_buf_putc(&b, '@');
			} else if (ssh) {
				ls_buf_put(&b, auth, ulen);
				ls_buf_putc(&b, '@');
			}
			p = at + 1;
		} else {
			p = auth;
		}
	}
	/* the rest: host and path as they are, then the query with its credentials masked */
	size_t rest = strcspn(p, "?#");
	ls_buf_put(&b, p, rest);
	p += rest;
	if (*p == '?') {
		size_t qn = strcspn(p + 1, "#");
		ls_buf_putc(&b, '?');
		put_query(&b, p + 1, qn);
		p += 1 + qn;
	}
	if (*p == '#') { /* git never sends it, but an OAuth fragment holds a token */
		ls_buf_putc(&b, '#');
		put_query(&b, p + 1, strlen(p + 1));
	}
	return ls_buf_detach(&b);
}
