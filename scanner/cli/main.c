/* leakscan: the command-line entry point; dispatches to cmd_<name>. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "source_git.h"

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
    {"scan", cmd_scan, "scan files, directories or stdin"},
    {"rules", cmd_rules, "list the loaded rules, or check rule files and their examples"},
    {"git", cmd_git, "scan a repository's history, a commit range, the staged index or a message"},
    {"hook", cmd_hook, "install, uninstall or show the git hooks that run leakscan"},
    {"secrets", cmd_secrets, "git-secrets 1.3 command line (also when installed as git-secrets)"},
    {"baseline", cmd_baseline, "record current findings so that scans report only new ones"},
    {"repos", cmd_repos, "scan many repositories (paths, clone URLs) into a findings datastore"},
    {"report", cmd_report, "print the deduplicated findings of a datastore"},
    {"summary", cmd_summary, "count a datastore's findings per rule and per repository"},
    {"triage", cmd_triage, "mark a datastore finding false-positive, revoked or accepted"},
    {"serve", cmd_serve, "a datastore's report as a local web page, with triage"},
    {"verify", cmd_verify, "ask the providers again whether a datastore's secrets are live"},
    {"datastore", cmd_datastore, "merge shard datastores"},
    {"import", cmd_import, "convert a gitleaks configuration (.gitleaks.toml, .gitleaksignore)"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *fp)
{
	fputs("usage: leakscan <command> [options] [args]\n\ncommands:\n", fp);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help CMD   show the options of a command\n\n"
	      "options:\n  -V, --version  print the version\n  -h, --help     print this help\n\n"
	      "Exit status: 0 nothing found, 1 findings, 2 error.\n",
	      fp);
}

static const command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* "unknown command 'X'", with the nearest command when one is close. */
static int unknown_command(const char *what, const char *name)
{
	const char *best = NULL;
	size_t bd = 3;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t dd = ls_cli_distance(name, commands[i].name);
		if (dd < bd) {
			bd = dd;
			best = commands[i].name;
		}
	}
	if (best)
		ls_cli_error("%sunknown command '%s'; did you mean '%s'? (see 'leakscan --help')", what, name, best);
	else
		ls_cli_error("%sunknown command '%s' (see 'leakscan --help')", what, name);
	return LS_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	/* installed as `git-secrets`: the git-secrets 1.3 command line (cmd_secrets.c) */
	const char *base = strrchr(argv[0], '/');
	if (!strcmp(base ? base + 1 : argv[0], "git-secrets"))
		return cmd_secrets(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return LS_EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("leakscan %s\n", LS_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		const command *c = find(argv[2]);
		if (!c)
			return unknown_command("help: ", argv[2]);
		char *args[] = {argv[2], (char *)"--help", NULL};
		int rc = c->fn(2, args);
		if (c->fn == cmd_secrets) {
			/* git-secrets' own usage (as `git secrets -h` prints it, exit 129: asking for help
			 * is no error here), then what leakscan adds */
			fputs("\nExit status: 0 nothing matched, 1 a prohibited pattern matched (as git-secrets).\n"
			      "\n"
			      "Examples: git secrets --register-aws && git secrets --install\n"
			      "          git secrets --scan-history\n"
			      "          leakscan secrets --scan config/   # the same without the git-secrets link\n",
			      stdout);
			return 0;
		}
		return rc;
	}
	const command *c = find(cmd);
	if (!c)
		return unknown_command("", cmd);
	/* libgit2 is initialized by the first source_git call that needs it: its start-up (the
	 * TLS backend reads every CA certificate) is a tenth of a small scan's time */
	int rc = c->fn(argc - 1, argv + 1);
	ls_git_shutdown();
	return rc;
}
