/* serve: the HTTP side of `leakscan serve`, on libmicrohttpd's one internal thread. */
#include "serve.h"

#include <arpa/inet.h>
#include <jansson.h>
#include "mhd_lazy.h"
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAX_BODY 65536

struct ls_server {
	struct MHD_Daemon *d;
	ls_serve_options o;
	char *token, *csrf;
	unsigned short port;
};

typedef struct {
	ls_buf body;
	int too_large;
} request;

int ls_serve_random_hex(char *out, size_t n)
{
	unsigned char buf[64];
	if (n > sizeof(buf) || getrandom(buf, n, 0) != (ssize_t)n)
		return ls_error_set("serve: no random bytes from the kernel"), LS_EIO;
	ls_hex(out, buf, n);
	out[2 * n] = 0;
	return 0;
}

/* Compares without stopping at the first difference. */
static int same(const char *a, const char *b)
{
	size_t la = a ? strlen(a) : 0, lb = strlen(b);
	unsigned char d = la != lb;
	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)((i < la ? a[i] : 0) ^ b[i]);
	return a && !d;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const void *data, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return reply(c, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* Host must name this server: a page of another site resolving its name to 127.0.0.1 (DNS
 * rebinding) sends its own name. */
static int host_ok(ls_server *s, struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	char a[64], b[64];
	snprintf(a, sizeof(a), "127.0.0.1:%u", s->port);
	snprintf(b, sizeof(b), "localhost:%u", s->port);
	return host && (!strcmp(host, a) || !strcmp(host, b));
}

static enum MHD_Result triage(ls_server *s, struct MHD_Connection *c, request *rq)
{
	if (!s->o.triage)
		return text(c, MHD_HTTP_FORBIDDEN, "read-only\n");
	const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (!same(csrf, s->csrf) || !type || strncmp(type, "application/json", 16))
		return text(c, MHD_HTTP_FORBIDDEN, "forbidden\n");
	if (rq->too_large)
		return text(c, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
	json_error_t jerr;
	json_t *root = json_loadb(rq->body.ptr ? rq->body.ptr : "", rq->body.len, 0, &jerr);
	const char *fp = json_string_value(json_object_get(root, "fingerprint"));
	const char *status = json_string_value(json_object_get(root, "status"));
	json_t *nj = json_object_get(root, "note");
	const char *note = json_is_string(nj) && json_string_length(nj) ? json_string_value(nj) : NULL;
	enum MHD_Result ret;
	if (!fp || !status) {
		ret = text(c, MHD_HTTP_BAD_REQUEST, "expected {\"fingerprint\", \"status\", \"note\"}\n");
	} else {
		int err = s->o.triage(fp, status, note, s->o.payload);
		ret = err == 0 ? reply(c, MHD_HTTP_OK, "application/json", "{\"ok\":true}\n", 12)
		      : err == LS_ENOTFOUND ? text(c, MHD_HTTP_NOT_FOUND, "no such finding\n")
		                            : text(c, MHD_HTTP_BAD_REQUEST, "bad request\n");
	}
	json_decref(root);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	ls_server *s = cls;
	request *rq = *con_cls;
	if (!rq) {
		*con_cls = rq = ls_xcalloc(1, sizeof(*rq));
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->body.len + *upload_size > MAX_BODY)
			rq->too_large = 1;
		else
			ls_buf_put(&rq->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (!token)
		token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Leakscan-Token");
	if (!host_ok(s, c) || !same(token, s->token))
		return text(c, MHD_HTTP_FORBIDDEN, "forbidden\n");
	if (!strcmp(method, "GET") && !strcmp(url, "/")) {
		ls_buf page = LS_BUF_INIT;
		enum MHD_Result ret = s->o.page(&page, s->o.payload) == 0
		                          ? reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", page.ptr ? page.ptr : "", page.len)
		                          : text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "could not read the datastore\n");
		ls_buf_dispose(&page);
		return ret;
	}
	if (!strcmp(url, "/api/triage"))
		return strcmp(method, "POST") ? text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only\n") : triage(s, c, rq);
	return text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	request *rq = *con_cls;
	if (rq) {
		ls_buf_dispose(&rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

int ls_server_start(ls_server **out, const ls_serve_options *o)
{
	*out = NULL;
	ls_server *s = ls_xcalloc(1, sizeof(*s));
	s->o = *o;
	s->token = ls_xstrdup(o->token);
	s->csrf = ls_xstrdup(o->csrf);
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, o->port, NULL, NULL, handle, s,
	                        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	                        MHD_OPTION_END);
	if (!s->d) {
		ls_server_stop(s);
		return ls_error_set("serve: cannot listen on 127.0.0.1:%u", o->port), LS_EIO;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : o->port;
	*out = s;
	return 0;
}

unsigned short ls_server_port(const ls_server *s) { return s->port; }

void ls_server_stop(ls_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	free(s->token);
	free(s->csrf);
	free(s);
}
