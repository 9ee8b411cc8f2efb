/* leakscan serve: a datastore's HTML report, live, with triage that writes back. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"
#include "store.h"

enum { OPT_DATASTORE = 6000, OPT_PORT, OPT_READ_ONLY, OPT_NO_REDACT };

static const char *serve_usage =
    "usage: leakscan serve --datastore DIR [--port N] [--read-only] [--no-redact]\n"
    "\n"
    "Serves the datastore's report (the page 'leakscan report -f html' writes) on this machine\n"
    "only, and takes triage decisions made on it (status and note, as 'leakscan triage').\n"
    "It listens on 127.0.0.1, on a random port unless --port, and prints the address with a\n"
    "random access token: a request without it is refused, and so is a change without the\n"
    "page's CSRF token. Ctrl-C stops it.\n"
    "\n"
    "      --datastore DIR    the datastore (required)\n"
    "      --port N           listen on this port (default: any free one)\n"
    "      --read-only        show the report, refuse every change\n"
    "      --no-redact        show secrets in clear (never without this flag)\n"
    "\n"
    "Exit status: 0 stopped, 2 error.\n"
    "\n"
    "Example: leakscan serve --datastore scans/\n";

typedef struct {
	ls_store *store;
	const char *dir;
	int redact, readonly;
	char csrf[65];
} serve_ctx;

static int page(ls_buf *out, void *payload)
{
	serve_ctx *c = payload;
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	if (!fp)
		return LS_EIO;
	int err = ls_cli_report_html(c->store, fp, c->dir, c->redact, c->csrf, c->readonly);
	fclose(fp);
	if (!err)
		ls_buf_put(out, mem, len);
	free(mem);
	return err;
}

static int triage(const char *fingerprint, const char *status, const char *note, void *payload)
{
	serve_ctx *c = payload;
	int err = ls_cli_triage(c->store, fingerprint, status, note);
	if (err < 0)
		ls_cli_error("serve: triage: %s", ls_error_last());
	return err == LS_ENOTFOUND ? LS_ENOTFOUND : err < 0 ? LS_EINVAL : 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
	                                         {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                         {"port", required_argument, NULL, OPT_PORT},
	                                         {"read-only", no_argument, NULL, OPT_READ_ONLY},
	                                         {"no-redact", no_argument, NULL, OPT_NO_REDACT},
	                                         {NULL, 0, NULL, 0}};
	serve_ctx c;
	memset(&c, 0, sizeof(c));
	c.redact = 1;
	long port = 0;
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h': fputs(serve_usage, stdout); return 0;
		case OPT_DATASTORE: c.dir = optarg; break;
		case OPT_PORT: {
			char *end;
			port = strtol(optarg, &end, 10);
			if (end == optarg || *end || port < 0 || port > 65535) {
				ls_cli_error("serve: --port takes a number from 0 to 65535");
				return LS_EXIT_ERROR;
			}
			break;
		}
		case OPT_READ_ONLY: c.readonly = 1; break;
		case OPT_NO_REDACT: c.redact = 0; break;
		default: ls_cli_unknown_option("serve", argv[optind - 1], longopts); return LS_EXIT_ERROR;
		}
	}
	if (!c.dir) {
		ls_cli_error("serve: --datastore DIR is required (see 'leakscan help serve')");
		return LS_EXIT_ERROR;
	}
	if (optind < argc) {
		ls_cli_error("serve: unexpected argument '%s'", argv[optind]);
		return LS_EXIT_ERROR;
	}
	/* the signals that stop it are taken by sigwait below, in every thread */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	int rc = LS_EXIT_ERROR;
	ls_server *srv = NULL;
	char token[65];
	if ((c.readonly ? ls_store_open_readonly(&c.store, c.dir) : ls_store_open(&c.store, c.dir, 0)) < 0 ||
	    ls_serve_random_hex(token, 32) < 0 || ls_serve_random_hex(c.csrf, 32) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	ls_serve_options so = {(unsigned short)port, token, c.csrf, page, c.readonly ? NULL : triage, &c};
	if (ls_server_start(&srv, &so) < 0) {
		ls_cli_error("%s", ls_error_last());
		goto done;
	}
	printf("http://127.0.0.1:%u/?token=%s\n", ls_server_port(srv), token);
	fflush(stdout);
	fprintf(stderr, "leakscan: serving %s%s%s at the address above (this machine only); Ctrl-C stops\n", c.dir,
	        c.readonly ? ", read-only" : "", c.redact ? "" : ", SECRETS SHOWN IN CLEAR");
	int sig = 0;
	sigwait(&stop, &sig);
	rc = 0;
done:
	ls_server_stop(srv);
	ls_store_close(c.store);
	explicit_bzero(token, sizeof(token));
	return rc;
}
