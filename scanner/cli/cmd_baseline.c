/* leakscan baseline: record the current findings so that later scans report only new ones. */
#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"

#define DEFAULT_BASELINE ".leakscan-baseline.json"

static const char *baseline_usage =
    "usage: leakscan baseline create [-o FILE] [scan options] [PATH...]\n"
    "       leakscan baseline create --git [-o FILE] [git options] [REPO]\n"
    "       leakscan baseline update [-o FILE] [--git] [options] [PATH...]\n"
    "\n"
    "Scans like 'leakscan scan' and records every finding (rule id, path, HMAC-SHA-256 of the\n"
    "secret under the fingerprint key, fingerprint; never the secret) in a JSON baseline,\n"
    "default " DEFAULT_BASELINE ". The key comes from $LEAKSCAN_FINGERPRINT_KEY, else from\n"
    "~/.config/leakscan/fingerprint.key (created on first use): a team and its CI share a\n"
    "baseline by sharing that key (see docs/ci.md).\n"
    "Later scans with '--baseline FILE' report and fail only on findings not in it; matching\n"
    "ignores line numbers, so edits that move a secret do not make it new.\n"
    "\n"
    "  create   write a new baseline from the current findings\n"
    "  update   add new findings to an existing baseline and drop the entries no longer\n"
    "           found (entries kept keep their 'added' date); rewrites the plain SHA-256\n"
    "           hashes of older baselines keyed\n"
    "  -o, --output FILE   the baseline file (default " DEFAULT_BASELINE ")\n"
    "  --git               record what 'leakscan git' finds (the history, or --range,\n"
    "                      --branch ...) instead of the files, for 'git --baseline FILE'\n"
    "\n"
    "Every 'leakscan scan' option is accepted (rules, config, allowlists, -j ...); with --git,\n"
    "every 'leakscan git' option. '--baseline FILE' also takes leakscan's own JSON or JSONL\n"
    "report (scan, git or report -f json/jsonl) as it is, as gitleaks takes its reports.\n"
    "Exit status: 0 written, 2 error.\n"
    "\n"
    "Examples: leakscan baseline create -o .leakscan-baseline.json .\n"
    "          leakscan baseline create --git -o history-baseline.json\n"
    "          leakscan git --range origin/main..HEAD --baseline history-baseline.json\n";

typedef struct {
	ls_baseline *next;
	const ls_baseline *old;
	const char *today;
	size_t kept, added;
} collect_ctx;

static void collect(const ls_finding *f, const ls_cli_filters *fl, void *payload)
{
	collect_ctx *c = payload;
	char *rel = ls_allow_relpath(fl->allow, f->path ? f->path : "");
	char fp[sizeof(f->fingerprint)], hash[80];
	snprintf(fp, sizeof(fp), "%.100s:%s:%.16s", rel, f->rule->id, f->secret_hash);
	ls_baseline_hash(hash, f);
	/* an old entry (keyed, or a plain SHA-256 of format 1) keeps its date: update migrates */
	const ls_baseline_entry *prev = c->old ? ls_baseline_match(c->old, rel, f) : NULL;
	if (ls_baseline_add(c->next, f->rule->id, rel, hash, fp, prev && prev->added ? prev->added : c->today)) {
		if (prev)
			c->kept++;
		else
			c->added++;
	}
	free(rel);
}

static int write_atomically(const ls_baseline *b, const char *path)
{
	char *tmp = ls_xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		ls_cli_error("baseline: cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	FILE *fp = fdopen(fd, "w");
	int err = ls_baseline_write(b, fp, LS_VERSION);
	if (err == 0)
		fchmod(fd, ls_cli_file_mode(path));
	if (fclose(fp) != 0)
		err = LS_EIO;
	if (err == 0 && rename(tmp, path) < 0)
		err = LS_EIO;
	if (err) {
		ls_cli_error("baseline: cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return err ? -1 : 0;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(baseline_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? LS_EXIT_ERROR : 0;
	}
	const char *sub = argv[1];
	int update = !strcmp(sub, "update");
	if (!update && strcmp(sub, "create")) {
		ls_cli_error("baseline: unknown subcommand '%s' (create or update)", sub);
		return LS_EXIT_ERROR;
	}
	/* take -o/--output for the baseline file; pass everything else to the scan */
	const char *file = DEFAULT_BASELINE;
	char **args = ls_xcalloc((size_t)argc + 1, sizeof(char *));
	int n = 0, rc = LS_EXIT_ERROR, git = 0;
	args[n++] = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (i < argc)
				args[n++] = argv[i++];
			break;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc) {
				ls_cli_error("baseline: %s needs a file name", a);
				free(args);
				return LS_EXIT_ERROR;
			}
			file = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			file = a + 9;
		} else if (!strncmp(a, "-o", 2)) {
			file = a + 2;
		} else if (!strcmp(a, "--baseline") || !strncmp(a, "--baseline=", 11)) {
			ls_cli_error("baseline: --baseline does not apply here; use -o FILE");
			free(args);
			return LS_EXIT_ERROR;
		} else if (!strcmp(a, "--git")) {
			git = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(baseline_usage, stdout);
			free(args);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	ls_baseline *old = NULL, *next = NULL;
	if (ls_cli_fpkey_load() < 0)
		goto done;
	if (update && ls_baseline_load(&old, file) < 0) {
		ls_cli_error("%s", ls_error_last());
		if (access(file, F_OK) != 0)
			ls_cli_error("baseline: create one first with 'leakscan baseline create -o %s'", file);
		goto done;
	}
	if (old && ls_cli_baseline_check(old, file, 0) < 0) {
		ls_cli_error("%s", ls_error_last());
		ls_cli_error("baseline: or start over with 'leakscan baseline create -o %s'", file);
		goto done;
	}
	ls_baseline_new(&next);
	ls_baseline_set_key_id(next, ls_fpkey_id());
	char today[32];
	time_t now = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde)
		now = (time_t)strtoll(sde, NULL, 10);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	collect_ctx c = {next, old, today, 0, 0};
	int src;
	if (git) {
		args[0] = (char *)"git";
		src = ls_cli_git_run(n, args, collect, &c);
	} else {
		src = ls_cli_scan_run(n, args, "baseline", collect, &c);
	}
	if (src == LS_EXIT_ERROR) {
		ls_cli_error("baseline: '%s' not written", file);
		goto done;
	}
	if (write_atomically(next, file) < 0)
		goto done;
	if (update)
		ls_cli_error("baseline: %s: %zu kept, %zu added, %zu pruned%s", file, c.kept, c.added,
		             ls_baseline_count(old) - c.kept,
		             ls_baseline_legacy_count(old) ? " (old unkeyed hashes rewritten keyed)" : "");
	else
		ls_cli_error("baseline: %s: %zu finding%s recorded", file, ls_baseline_count(next),
		             ls_baseline_count(next) == 1 ? "" : "s");
	rc = 0;
done:
	ls_baseline_free(old);
	ls_baseline_free(next);
	free(args);
	return rc;
}
