/* serve: a small local HTTP server for `leakscan serve` (libmicrohttpd). */
#ifndef LS_SERVE_H
#define LS_SERVE_H

#include "common.h"

/**
 * Safe by default: it listens on 127.0.0.1 only; every request must carry the access token
 * (`?token=` or an `X-Leakscan-Token` header) and name this server in its Host header (no DNS
 * rebinding); a state change must be a POST with the CSRF token in `X-CSRF-Token` and a JSON
 * body; without a triage callback (read-only) every POST is refused. Refusals are 403 with no
 * detail. Handlers run on the server's one thread, one request at a time.
 */
typedef struct {
	unsigned short port;   /**< 0: a random free port */
	const char *token;     /**< required on every request (copied) */
	const char *csrf;      /**< required on every POST (copied) */
	/** GET /: fills `out` with the page (text/html). Returns 0 or an error (500). */
	int (*page)(ls_buf *out, void *payload);
	/** POST /api/triage {"fingerprint","status","note"}: 0, LS_ENOTFOUND (404), LS_EINVAL (400);
	 * NULL: read-only (403). */
	int (*triage)(const char *fingerprint, const char *status, const char *note, void *payload);
	void *payload;
} ls_serve_options;

typedef struct ls_server ls_server;

/** Starts listening (its own thread). Returns 0 or LS_EIO with a message. */
int ls_server_start(ls_server **out, const ls_serve_options *o);
/** The port it listens on. */
unsigned short ls_server_port(const ls_server *s);
/** Stops and frees; accepts NULL. */
void ls_server_stop(ls_server *s);

/** `n` random bytes from the kernel, as 2n hex digits into `out` (2n + 1 bytes). 0 or LS_EIO. */
int ls_serve_random_hex(char *out, size_t n);

#endif
