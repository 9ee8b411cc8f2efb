#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

enum {
	OPT_RULES = 1000,
	OPT_DISABLE,
	OPT_ENABLE,
	OPT_NO_DEFAULT_RULES,
	OPT_REDACT,
	OPT_NO_REDACT,
	OPT_COLOR,
	OPT_MAX_FILE_SIZE,
	OPT_BINARY,
	OPT_NO_IGNORE,
	OPT_FOLLOW,
	OPT_NO_INLINE_ALLOW,
	OPT_NO_CACHE,
	OPT_FAIL_ON,
	OPT_MIN_CONFIDENCE,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_BASELINE,
	OPT_NO_DEFAULT_SKIPS,
	OPT_VERIFY,
	OPT_NO_VERIFY,
	OPT_VERIFY_ENDPOINT,
	OPT_VERIFY_CA_FILE,
	OPT_VERIFY_TIMEOUT,
	OPT_VERIFY_JOBS,
	OPT_VERIFY_RATE,
	OPT_ONLY_VERIFIED,
	OPT_MAX_ARCHIVE_DEPTH,
	OPT_MAX_ARCHIVE_SIZE
};

const struct option ls_cli_common_longopts[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"disable-rule", required_argument, NULL, OPT_DISABLE},
    {"enable-rule", required_argument, NULL, OPT_ENABLE},
    {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"redact", no_argument, NULL, OPT_REDACT},
    {"no-redact", no_argument, NULL, OPT_NO_REDACT},
    {"color", required_argument, NULL, OPT_COLOR},
    {"jobs", required_argument, NULL, 'j'},
    {"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
    {"binary", no_argument, NULL, OPT_BINARY},
    {"no-ignore", no_argument, NULL, OPT_NO_IGNORE},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"no-inline-allow", no_argument, NULL, OPT_NO_INLINE_ALLOW},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"min-confidence", required_argument, NULL, OPT_MIN_CONFIDENCE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-config", no_argument, NULL, OPT_NO_CONFIG},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"no-default-skips", no_argument, NULL, OPT_NO_DEFAULT_SKIPS},
    {"quiet", no_argument, NULL, 'q'},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
    {"verify-endpoint", required_argument, NULL, OPT_VERIFY_ENDPOINT},
    {"verify-ca-file", required_argument, NULL, OPT_VERIFY_CA_FILE},
    {"verify-timeout", required_argument, NULL, OPT_VERIFY_TIMEOUT},
    {"verify-jobs", required_argument, NULL, OPT_VERIFY_JOBS},
    {"verify-rate", required_argument, NULL, OPT_VERIFY_RATE},
    {"only-verified", no_argument, NULL, OPT_ONLY_VERIFIED},
    {"max-archive-depth", required_argument, NULL, OPT_MAX_ARCHIVE_DEPTH},
    {"max-archive-size", required_argument, NULL, OPT_MAX_ARCHIVE_SIZE},
    {NULL, 0, NULL, 0}};

struct option *ls_cli_longopts(const struct option *own)
{
	size_t a = 0, b = 0;
	while (own && own[a].name)
		a++;
	while (ls_cli_common_longopts[b].name)
		b++;
	struct option *all = ls_xcalloc(a + b + 1, sizeof(struct option));
	if (a)
		memcpy(all, own, a * sizeof(struct option));
	memcpy(all + a, ls_cli_common_longopts, (b + 1) * sizeof(struct option));
	return all;
}

void ls_cli_options_init(ls_cli_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = LS_FMT_TEXT;
	o->redact = -1;
	o->color = -1;
	o->jobs = 0;
	o->max_file_size = 100LL << 20;
	o->inline_allow = 1;
	o->fail_on = LS_SEV_LOW;
	o->min_confidence = LS_CONF_MEDIUM;
	o->verify = -1;
	o->max_archive_depth = 3;
	o->max_archive_size = 256LL << 20;
}

void ls_cli_options_dispose(ls_cli_options *o)
{
	free(o->rule_paths);
	free(o->disable);
	free(o->enable);
	free(o->verify_endpoints);
}

void ls_cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ls_cli_verror(fmt, ap);
	va_end(ap);
}

void ls_cli_verror(const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	/* one line, whatever a file name holds: a newline in a name must not forge a second
	 * diagnostic, nor an escape sequence reach the terminal */
	ls_buf b = LS_BUF_INIT;
	ls_buf_puts(&b, "leakscan: ");
	ls_buf_put_term(&b, msg, strlen(msg), 0); /* C0, DEL, C1 (UTF-8 or raw) escaped */
	ls_buf_putc(&b, '\n');
	fwrite(b.ptr, 1, b.len, stderr);
	ls_buf_dispose(&b);
	free(msg);
}

static void append(const char ***list, size_t *n, const char *v)
{
	*list = ls_xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = v;
}

int ls_cli_parse_size(long long *out, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	double mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
	case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end)
		return -1;
	*out = (long long)(v * mul);
	return 0;
}

int ls_cli_common_option(ls_cli_options *o, int opt, const char *arg, const char *cmd)
{
	switch (opt) {
	case OPT_RULES:
		append(&o->rule_paths, &o->nrule_paths, arg);
		return 1;
	case OPT_DISABLE:
		append(&o->disable, &o->ndisable, arg);
		return 1;
	case OPT_ENABLE:
		append(&o->enable, &o->nenable, arg);
		return 1;
	case OPT_NO_DEFAULT_RULES:
		o->no_default_rules = 1;
		return 1;
	case 'f':
		if (ls_format_parse(&o->format, arg) < 0) {
			ls_cli_error("%s: unknown format '%s' (text, json, jsonl, sarif, junit, csv, html)", cmd, arg);
			return -1;
		}
		o->format_set = 1;
		return 1;
	case 'o':
		o->output = arg;
		return 1;
	case OPT_REDACT:
		o->redact = 1;
		return 1;
	case OPT_NO_REDACT:
		o->redact = 0;
		return 1;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			o->color = -1;
		else if (!strcmp(arg, "always"))
			o->color = 1;
		else if (!strcmp(arg, "never"))
			o->color = 0;
		else {
			ls_cli_error("%s: --color takes auto, always or never", cmd);
			return -1;
		}
		return 1;
	case 'j': {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 1024) {
			ls_cli_error("%s: -j takes a number of threads from 1 to 1024", cmd);
			return -1;
		}
		o->jobs = (int)v;
		return 1;
	}
	case OPT_MAX_FILE_SIZE:
		if (ls_cli_parse_size(&o->max_file_size, arg) < 0) {
			ls_cli_error("%s: invalid size '%s' (e.g. 100M, 1G)", cmd, arg);
			return -1;
		}
		return 1;
	case OPT_MAX_ARCHIVE_DEPTH:
	case OPT_MAX_ARCHIVE_SIZE:
		return ls_cli_archive_option(o, opt == OPT_MAX_ARCHIVE_SIZE, arg, cmd);
	case OPT_BINARY:
		o->binary = 1;
		return 1;
	case OPT_NO_IGNORE:
		o->no_ignore = 1;
		return 1;
	case OPT_FOLLOW:
		o->follow = 1;
		return 1;
	case OPT_NO_INLINE_ALLOW:
		o->inline_allow = 0;
		return 1;
	case OPT_FAIL_ON:
		o->fail_on_verified = !strcmp(arg, "verified");
		if (o->fail_on_verified) {
			o->fail_on = LS_SEV_LOW;
		} else if (ls_severity_parse(&o->fail_on, arg) < 0) {
			ls_cli_error("%s: --fail-on takes low, medium, high, critical or verified", cmd);
			return -1;
		}
		o->fail_on_set = 1;
		return 1;
	case OPT_MIN_CONFIDENCE:
		if (ls_confidence_parse(&o->min_confidence, arg) < 0) {
			ls_cli_error("%s: --min-confidence takes high, medium or low", cmd);
			return -1;
		}
		o->min_confidence_set = 1;
		return 1;
	case OPT_VERIFY:
	case OPT_NO_VERIFY:
		o->verify = opt == OPT_VERIFY;
		return 1;
	case OPT_VERIFY_ENDPOINT:
		o->verify_endpoints = ls_xrealloc(o->verify_endpoints, (o->nverify_endpoints + 1) * sizeof(char *));
		o->verify_endpoints[o->nverify_endpoints++] = arg;
		return 1;
	case OPT_VERIFY_CA_FILE:
		o->verify_ca_file = arg;
		return 1;
	case OPT_VERIFY_TIMEOUT:
	case OPT_VERIFY_JOBS:
	case OPT_VERIFY_RATE: {
		/* each a number in (0, max]; --verify-jobs a whole one */
		static const struct {
			int opt;
			const char *name, *what;
			double max;
		} lim[] = {{OPT_VERIFY_TIMEOUT, "verify-timeout", "seconds (0 < SECS <= 600)", 600},
		           {OPT_VERIFY_JOBS, "verify-jobs", "a number from 1 to 256", 256},
		           {OPT_VERIFY_RATE, "verify-rate", "requests per second (0 < N <= 10000)", 10000}};
		size_t k = opt == OPT_VERIFY_TIMEOUT ? 0 : opt == OPT_VERIFY_JOBS ? 1 : 2;
		char *end;
		double v = strtod(arg, &end);
		if (end == arg || *end || !(v > 0 && v <= lim[k].max) || (k == 1 && v != (double)(int)v)) {
			ls_cli_error("%s: --%s takes %s", cmd, lim[k].name, lim[k].what);
			return -1;
		}
		if (k == 0)
			o->verify_timeout = v;
		else if (k == 1)
			o->verify_jobs = (int)v;
		else
			o->verify_rate = v;
		return 1;
	}
	case OPT_ONLY_VERIFIED:
		o->only_verified = 1;
		return 1;
	case OPT_CONFIG:
		o->config = arg;
		o->no_config = 0;
		return 1;
	case OPT_NO_CONFIG:
		o->no_config = 1;
		o->config = NULL;
		return 1;
	case OPT_BASELINE:
		o->baseline = arg;
		return 1;
	case OPT_NO_DEFAULT_SKIPS:
		o->no_default_skips = 1;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case OPT_NO_CACHE:
		o->no_cache = 1;
		return 1;
	default:
		return 0;
	}
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ls_cli_default_rules_dir(void)
{
	static char found[PATH_MAX];
	const char *env = getenv("LEAKSCAN_PATTERNS_DIR");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		static const char *rel[] = {"/../patterns", "/../share/leakscan/patterns", "/patterns"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(found, sizeof(found), "%s%s", exe, rel[i]);
			if (is_dir(found))
				return found;
		}
	}
#ifdef LS_SOURCE_PATTERNS_DIR
	if (is_dir(LS_SOURCE_PATTERNS_DIR))
		return LS_SOURCE_PATTERNS_DIR;
#endif
	return LS_RULES_INSTALL_DIR;
}

const char *ls_cli_cache_dir(const ls_cli_options *o)
{
	static char dir[PATH_MAX];
	const char *env = getenv("LEAKSCAN_CACHE_DIR");
	if (o->no_cache)
		return NULL;
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof(dir), "%s/leakscan", xdg);
	else if (home && home[0] == '/')
		snprintf(dir, sizeof(dir), "%s/.cache/leakscan", home);
	else
		return NULL;
	return dir;
}

int ls_cli_matcher_new(const ls_cli_options *o, const ls_ruleset *rs, ls_matcher **out)
{
	ls_matcher_options mo = LS_MATCHER_OPTIONS_INIT;
	mo.cache_dir = ls_cli_cache_dir(o); /* hooks compile on every commit otherwise */
	if (ls_matcher_new(out, rs, &mo) < 0) {
		ls_cli_error("%s", ls_error_last());
		return LS_ERR;
	}
	return 0;
}

int ls_cli_load_rules(const ls_cli_options *o, ls_ruleset **out)
{
	ls_ruleset *rs = NULL;
	ls_ruleset_new(&rs);
	int err = 0;
	if (!o->no_default_rules) {
		const char *dir = ls_cli_default_rules_dir();
		if ((err = ls_ruleset_load_path(rs, dir)) < 0)
			goto fail;
	}
	for (size_t i = 0; i < o->nrule_paths; i++)
		if ((err = ls_ruleset_load_path(rs, o->rule_paths[i])) < 0)
			goto fail;
	for (size_t i = 0; i < o->ndisable; i++)
		if ((err = ls_ruleset_set_enabled(rs, o->disable[i], 0)) < 0)
			goto fail;
	for (size_t i = 0; i < o->nenable; i++)
		if ((err = ls_ruleset_set_enabled(rs, o->enable[i], 1)) < 0)
			goto fail;
	if ((err = ls_cli_verify_check_rules(rs)) < 0)
		goto fail;
	*out = rs;
	return 0;
fail:
	ls_cli_error("%s", ls_error_last());
	ls_ruleset_free(rs);
	return err;
}

int ls_cli_prepare(ls_cli_filters *fl, ls_cli_options *o, const char *start, ls_ruleset **rs_out)
{
	return ls_cli_prepare_policy(fl, o, start, NULL, rs_out);
}

int ls_cli_prepare_policy(ls_cli_filters *fl, ls_cli_options *o, const char *start, const ls_cli_policy *p,
                          ls_ruleset **rs_out)
{
	memset(fl, 0, sizeof(*fl));
	*rs_out = NULL;
	ls_ruleset *rs = NULL;
	char *found = NULL;
	int err = 0;
	if ((err = ls_cli_fpkey_load()) < 0)
		return err;
	/* the work tree's ownership matters only when policy files are read from it */
	ls_config_find(&fl->root, &found, start && strcmp(start, "-") ? start : ".",
	               p && p->repo ? NULL : ls_cli_policy_trust, &fl->untrusted);
	if ((err = ls_cli_policy_config(fl, o, found, p)) < 0)
		goto fail;
	free(found);
	found = NULL;
	ls_ruleset_new(&rs);
	if (!o->no_default_rules && (err = ls_ruleset_load_path(rs, ls_cli_default_rules_dir())) < 0)
		goto fail;
	if ((err = ls_cli_policy_rules(fl, rs, p)) < 0)
		goto fail;
	for (size_t i = 0; i < o->nrule_paths; i++)
		if ((err = ls_ruleset_load_path(rs, o->rule_paths[i])) < 0)
			goto fail;
	if (fl->config && (err = ls_config_apply_rules(fl->config, rs)) < 0)
		goto fail;
	for (size_t i = 0; i < o->ndisable; i++)
		if ((err = ls_ruleset_set_enabled(rs, o->disable[i], 0)) < 0)
			goto fail;
	for (size_t i = 0; i < o->nenable; i++)
		if ((err = ls_ruleset_set_enabled(rs, o->enable[i], 1)) < 0)
			goto fail;
	if ((err = ls_cli_verify_check_rules(rs)) < 0)
		goto fail;
	/* paths in the configuration are relative to its directory; without one, to the root */
	ls_allow_new(&fl->allow, fl->config ? fl->config->dir : fl->root);
	ls_allow_set_skip_archives(fl->allow, o->max_archive_depth == 0); /* opened: searched */
	if (fl->config && (err = ls_config_apply_allow(fl->config, rs, fl->allow)) < 0)
		goto fail;
	if (o->no_default_skips)
		ls_allow_set_default_skips(fl->allow, 0);
	if ((err = ls_cli_policy_ignore(fl, p)) < 0)
		goto fail;
	if (o->baseline) {
		if ((err = ls_baseline_load(&fl->baseline, o->baseline)) < 0 ||
		    (err = ls_cli_baseline_check(fl->baseline, o->baseline, 1)) < 0)
			goto fail;
		ls_allow_set_baseline(fl->allow, fl->baseline);
	}
	if (fl->config && fl->config->has_fail_on && !o->fail_on_set)
		o->fail_on = fl->config->fail_on;
	if (fl->config && fl->config->has_min_confidence && !o->min_confidence_set)
		o->min_confidence = fl->config->min_confidence;
	*rs_out = rs;
	return 0;
fail:
	ls_cli_error("%s", ls_error_last());
	free(found);
	ls_ruleset_free(rs);
	ls_cli_filters_dispose(fl);
	return err < 0 ? err : LS_ERR;
}

int ls_cli_fpkey_load(void)
{
	static int warned;
	int err = ls_fpkey_load();
	if (err < 0) {
		ls_cli_error("%s", ls_error_last());
		return err;
	}
	if (ls_fpkey_warning() && !warned++)
		ls_cli_error("warning: %s", ls_fpkey_warning());
	return 0;
}

int ls_cli_baseline_check(const ls_baseline *b, const char *file, int note_legacy)
{
	const char *id = ls_baseline_key_id(b);
	if (id[0] && ls_baseline_count(b) > ls_baseline_legacy_count(b) && strcmp(id, ls_fpkey_id()))
		return ls_error_set("baseline '%s': made with another fingerprint key (key id %s; this one, from %s, is %s):"
		                    " its entries cannot match; set " LS_FPKEY_ENV " to the key it was made with",
		                    file, id, ls_fpkey_source(), ls_fpkey_id()),
		       LS_EINVAL;
	size_t n = ls_baseline_legacy_count(b);
	if (n && note_legacy)
		ls_cli_error("warning: baseline '%s': %zu entr%s hold%s a plain SHA-256 of the secret, guessable for weak"
		             " secrets: rewrite it keyed with 'leakscan baseline update -o %s'",
		             file, n, n == 1 ? "y" : "ies", n == 1 ? "s" : "", file);
	return 0;
}

void ls_cli_filters_dispose(ls_cli_filters *fl)
{
	ls_allow_free(fl->allow);
	ls_baseline_free(fl->baseline);
	ls_config_free(fl->config);
	free(fl->root);
	memset(fl, 0, sizeof(*fl));
}

void ls_cli_search_options(ls_search_options *so, const ls_cli_options *o, const ls_cli_filters *fl)
{
	ls_search_options d = LS_SEARCH_OPTIONS_INIT;
	*so = d;
	so->inline_allow = o->inline_allow;
	so->binary = o->binary;
	so->min_confidence = o->min_confidence;
	if (fl->allow) {
		so->allow = ls_allow_search_cb;
		so->skip_path = ls_allow_skip_cb;
		so->relpath = ls_allow_relpath_cb;
		so->allow_payload = fl->allow;
	}
}

/*
 * The temporary report file being written: a signal that ends the process (Ctrl-C, kill)
 * removes it first, so that an interrupted scan leaves neither a partial report nor a
 * stray temporary file. The handler then dies of the same signal (exit status 128+N).
 */
static char *volatile pending_tmp;

static void remove_pending_tmp(int sig)
{
	char *p = pending_tmp;
	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int guarded_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* Blocks (block != 0) or unblocks the signals the handler covers. */
static void block_guarded(int block)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(guarded_sigs) / sizeof(guarded_sigs[0]); i++)
		sigaddset(&set, guarded_sigs[i]);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void guard_pending_tmp(char *path)
{
	static int installed;
	pending_tmp = path;
	if (!path || installed)
		return;
	installed = 1;
	for (size_t i = 0; i < sizeof(guarded_sigs) / sizeof(guarded_sigs[0]); i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = remove_pending_tmp;
		sigemptyset(&sa.sa_mask);
		/* a signal ignored by whoever started us (nohup) stays ignored */
		if (sigaction(guarded_sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(guarded_sigs[i], &sa, NULL);
	}
}

/* The process's umask, read without changing it (umask(2) would, for every thread). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned v;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &v) == 1) {
			fclose(f);
			return (mode_t)v & 0777;
		}
	if (f)
		fclose(f);
	mode_t m = umask(022);
	umask(m);
	return m;
}

unsigned ls_cli_file_mode(const char *path)
{
	struct stat cur;
	return stat(path, &cur) == 0 && S_ISREG(cur.st_mode) ? cur.st_mode & 0777 : 0666 & ~current_umask();
}

int ls_cli_output_open(ls_cli_output *out, const ls_cli_options *o)
{
	memset(out, 0, sizeof(*out));
	if (!o->output || !strcmp(o->output, "-")) {
		out->fp = stdout;
		return 0;
	}
	/* a device or a pipe (-o /dev/null, -o >(cmd)) is written to as it is: renaming a file
	 * over it would replace /dev/null with a regular file */
	struct stat lst, st;
	int special = lstat(o->output, &lst) == 0 &&
	              (S_ISCHR(lst.st_mode) || S_ISFIFO(lst.st_mode) ||
	               (S_ISLNK(lst.st_mode) && (!strncmp(o->output, "/dev/", 5) || !strncmp(o->output, "/proc/", 6)) &&
	                stat(o->output, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))));
	if (special) {
		int fd = open(o->output, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 || !(out->fp = fdopen(fd, "w"))) {
			ls_cli_error("cannot write '%s': %s", o->output, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		out->direct = 1;
		return 0;
	}
	out->final_path = o->output;
	out->tmp_path = ls_xasprintf("%s.tmp.XXXXXX", o->output);
	/* no signal between creating the file and telling the handler about it */
	block_guarded(1);
	int fd = mkstemp(out->tmp_path);
	if (fd < 0) {
		block_guarded(0);
		ls_cli_error("cannot write '%s': %s", o->output, strerror(errno));
		free(out->tmp_path);
		out->tmp_path = NULL;
		return -1;
	}
	guard_pending_tmp(out->tmp_path);
	block_guarded(0);
	/* the temporary file stays 0600 (mkstemp) while it is written, and a killed run leaves it
	 * so; the report gets the mode of the file it replaces, or 0666 less the umask */
	out->mode = ls_cli_file_mode(o->output);
	out->fp = fdopen(fd, "w");
	return 0;
}

int ls_cli_output_close(ls_cli_output *out, int ok)
{
	if (out->direct) {
		out->direct = 0;
		return fclose(out->fp) == 0 ? 0 : -1;
	}
	if (!out->tmp_path)
		return fflush(out->fp) == 0 ? 0 : -1;
	int rc = 0;
	if (ok)
		fchmod(fileno(out->fp), out->mode);
	if (fclose(out->fp) != 0)
		ok = 0, rc = -1;
	if (ok && rename(out->tmp_path, out->final_path) < 0) {
		ls_cli_error("cannot write '%s': %s", out->final_path, strerror(errno));
		rc = -1;
		ok = 0;
	}
	if (!ok)
		unlink(out->tmp_path);
	guard_pending_tmp(NULL);
	free(out->tmp_path);
	out->tmp_path = NULL;
	return rc;
}

void ls_cli_report_options(ls_report_options *ro, const ls_cli_options *o, const ls_cli_output *out)
{
	memset(ro, 0, sizeof(*ro));
	ro->format = o->format;
	/* reports meant for CI systems (SARIF, JUnit) and pages to share (HTML) are redacted
	 * unless --no-redact */
	ro->redact = o->redact >= 0 ? o->redact
	                            : (o->format == LS_FMT_SARIF || o->format == LS_FMT_JUNIT || o->format == LS_FMT_HTML);
	if (o->color >= 0)
		ro->color = o->color;
	else
		ro->color = o->format == LS_FMT_TEXT && out->fp == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	ro->tool_version = LS_VERSION;
}

void ls_cli_result_dispose(ls_cli_result *r)
{
	ls_findings_dispose(&r->findings);
	free(r->error);
	free(r->note);
	free(r->warning);
	free(r->archive_warnings);
	free(r->archive_notes);
	memset(r, 0, sizeof(*r));
}

void ls_cli_result_take(ls_cli_result *r, ls_search_result *sr, int err, size_t len, const char *path)
{
	if (err == LS_EIO)
		r->error = ls_xasprintf("%s: %s", path, strerror(errno));
	else if (err < 0)
		r->error = ls_xasprintf("%s: %s", path, ls_error_last());
	r->bytes = sr->skipped == LS_SEARCH_SKIPPED_PATH ? 0 : len;
	r->skipped = sr->binary;
	if (sr->limit_rule && !r->error)
		r->error = ls_xasprintf("%s: rule '%s' hit the regex match limit; some candidates were not checked", path,
		                        sr->limit_rule->id);
	if (sr->note.text)
		r->warning = ls_xasprintf("warning: %s:%zu: %s", path, sr->note.line, sr->note.text);
	for (size_t i = 0; i < sr->findings.n; i++)
		ls_findings_push(&r->findings, &sr->findings.items[i]);
	ls_search_result_dispose(sr);
}

static const char *memory_window(void *payload, size_t off, size_t len, size_t *got)
{
	*got = len;
	return (const char *)payload + off;
}

int ls_cli_search(const ls_matcher *m, ls_scratch *s, const ls_search_options *so, const char *buf, size_t len,
                  const ls_origin *places, size_t nplaces, ls_search_result *out)
{
	/* as a file of that size would be: in windows past LS_SEARCH_WINDOW */
	return len > LS_SEARCH_WINDOW ? ls_search_windows(m, s, so, len, memory_window, (void *)buf, places, nplaces, out)
	                              : ls_search_blob(m, s, so, buf, len, places, nplaces, out);
}

void ls_cli_result_search(ls_cli_result *r, const ls_matcher *m, ls_scratch *s, const ls_search_options *so,
                          const char *buf, size_t len, const ls_origin *places, size_t nplaces)
{
	ls_search_result sr;
	int err = ls_cli_search(m, s, so, buf, len, places, nplaces, &sr);
	ls_cli_result_take(r, &sr, err, len, places[0].path);
}

void ls_cli_result_tally(ls_cli_stats *st, const ls_cli_result *r, const ls_cli_options *o)
{
	st->items++;
	st->bytes += r->bytes;
	if (r->skipped == 1)
		st->skipped_binary++;
	if (r->skipped == 2)
		st->skipped_large++;
	if (r->skipped == 3)
		st->skipped_default++;
	if (r->error) {
		ls_cli_error("%s", r->error);
		st->errors++;
	}
	if (r->note && !o->quiet)
		ls_cli_error("%s", r->note);
	if (r->warning)
		ls_cli_error("%s", r->warning);
	ls_cli_archive_tally(st, r, o);
}

void ls_cli_stats_count(ls_cli_stats *st, const ls_finding *f, const ls_cli_options *o)
{
	st->findings++;
	st->by_sev[f->severity]++;
	st->by_verify[f->verification.status]++;
	if (o->fail_on_verified ? f->verification.status == LS_VERIFY_VERIFIED : f->severity >= o->fail_on)
		st->failing++;
}

/* Edit distance of two short words (a command name typed wrong), capped at 9. */
size_t ls_cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[16][16];
	if (la > 15 || lb > 15)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t k = 0; k <= lb; k++)
		d[0][k] = k;
	for (size_t i = 1; i <= la; i++)
		for (size_t k = 1; k <= lb; k++) {
			size_t best = d[i - 1][k - 1] + (a[i - 1] != b[k - 1]);
			if (d[i - 1][k] + 1 < best)
				best = d[i - 1][k] + 1;
			if (d[i][k - 1] + 1 < best)
				best = d[i][k - 1] + 1;
			/* a swap of two neighbours counts once */
			if (i > 1 && k > 1 && a[i - 1] == b[k - 2] && a[i - 2] == b[k - 1] && d[i - 2][k - 2] + 1 < best)
				best = d[i - 2][k - 2] + 1;
			d[i][k] = best;
		}
	return d[la][lb];
}

void ls_cli_unknown_option(const char *cmd, const char *arg, const struct option *longopts)
{
	const char *best = NULL;
	size_t bd = 3;
	if (!strncmp(arg, "--", 2)) {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
		for (const struct option *o = longopts; o && o->name; o++) {
			size_t d = ls_cli_distance(name, o->name);
			if (d < bd) {
				bd = d;
				best = o->name;
			}
		}
	}
	if (best)
		ls_cli_error("%s: unknown option '%s'; did you mean '--%s'? (see 'leakscan help %s')", cmd, arg, best, cmd);
	else
		ls_cli_error("%s: unknown option '%s' (see 'leakscan help %s')", cmd, arg, cmd);
}

void ls_cli_progress_init(ls_cli_progress *p, const ls_cli_options *o)
{
	memset(p, 0, sizeof(*p));
	p->mode = o->quiet ? 0 : isatty(STDERR_FILENO) ? 1 : 2;
	p->last = ls_now();
}

void ls_cli_progress_show(ls_cli_progress *p, int now, const char *fmt, ...)
{
	double t = ls_now();
	if (!p->mode || (!now && t - p->last < (p->mode == 1 ? 0.1 : 10.0)))
		return;
	p->last = t;
	va_list ap;
	va_start(ap, fmt);
	fputs(p->mode == 1 ? "\r\033[Kleakscan: " : "leakscan: progress: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (p->mode == 2)
		fputc('\n', stderr);
	p->shown = p->mode == 1;
	fflush(stderr);
}

void ls_cli_progress_clear(ls_cli_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

void ls_cli_print_summary(const ls_cli_stats *st, const ls_cli_options *o)
{
	if (o->quiet)
		return;
	double secs = ls_now() - st->start;
	/* nouns are plural ("files", "staged files"): one item drops the final s */
	size_t nl = strlen(st->noun);
	fprintf(stderr, "leakscan: scanned %zu %.*s (%.1f MB) in %.2fs", st->items,
	        (int)(st->items == 1 && nl && st->noun[nl - 1] == 's' ? nl - 1 : nl), st->noun, (double)st->bytes / 1e6, secs);
	if (st->skipped_large || st->skipped_links)
		fprintf(stderr, "; skipped %zu too large, %zu symlinks", st->skipped_large, st->skipped_links);
	if (st->skipped_binary)
		fprintf(stderr, "; %zu binary (searched without the generic rules)", st->skipped_binary);
	if (st->skipped_default)
		fprintf(stderr, "; skipped %zu by the default skips (lock files, minified bundles, vendored directories, "
		                "leakscan's own reports; --no-default-skips scans them)",
		        st->skipped_default);
	ls_cli_archive_summary(st);
	fprintf(stderr, "; %zu finding%s (critical %zu, high %zu, medium %zu, low %zu)", st->findings,
	        st->findings == 1 ? "" : "s", st->by_sev[LS_SEV_CRITICAL], st->by_sev[LS_SEV_HIGH],
	        st->by_sev[LS_SEV_MEDIUM], st->by_sev[LS_SEV_LOW]);
	if (st->findings > st->by_verify[LS_VERIFY_NONE])
		fprintf(stderr, "; verification: %zu live, %zu invalid, %zu unknown, %zu error, %zu skipped",
		        st->by_verify[LS_VERIFY_VERIFIED], st->by_verify[LS_VERIFY_INVALID], st->by_verify[LS_VERIFY_UNKNOWN],
		        st->by_verify[LS_VERIFY_ERROR], st->by_verify[LS_VERIFY_SKIPPED]);
	if (st->errors)
		fprintf(stderr, "; %zu error%s", st->errors, st->errors == 1 ? "" : "s");
	fputc('\n', stderr);
}

int ls_cli_exit_code(const ls_cli_stats *st)
{
	if (st->failing)
		return LS_EXIT_FINDINGS;
	if (st->errors)
		return LS_EXIT_ERROR;
	return LS_EXIT_CLEAN;
}
