/* leakscan repos: its command line (what to scan, where, how to clone) into a repos_opts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "repos.h"
#include "source_git.h"

enum {
	OPT_LIST = 3000,
	OPT_DATASTORE,
	OPT_SHARD,
	OPT_STORE_SECRETS,
	OPT_OLDER_THAN,
	OPT_CLONE_JOBS,
	OPT_CLONE_WITH,
	OPT_GITHUB_ORG,
	OPT_GITHUB_USER,
	OPT_GITLAB_GROUP,
	OPT_GITEA_ORG,
	OPT_API_URL,
	OPT_INCLUDE_FORKS,
	OPT_INCLUDE_ARCHIVED,
	OPT_INCLUDE_WIKIS,
	OPT_EXCLUDE_REPO,
	OPT_LIST_ONLY
};

static const char *repos_usage =
    "usage: leakscan repos [options] --datastore DIR (--list FILE | URL-or-PATH ... | --github-org ORG ...)\n"
    "\n"
    "Scans the whole history of many repositories into a findings datastore (DIR/datastore.db).\n"
    "Each entry is a local repository path or a clone URL (https://, ssh://, git@host:path,\n"
    "file://); URLs are cloned as bare mirrors into DIR/clones/ and fetched on later runs.\n"
    "A blob is scanned once whatever the number of repositories holding it, and a rerun scans\n"
    "only what is new (everything again when the rules change). Interrupting loses at most\n"
    "the work in flight: run the same command again to continue. Read the results with\n"
    "'leakscan report', 'leakscan summary'; set statuses with 'leakscan triage'.\n"
    "\n"
    "      --datastore DIR        where the datastore and the mirrors live (required)\n"
    "      --list FILE            read entries from FILE, one a line ('#' comments; - for stdin)\n"
    "      --shard K/N            process only the K-th of N slices of the list (1 <= K <= N)\n"
    "      --store-secrets=no     keep only hashes and masked forms of secrets (default: yes)\n"
    "  -j, --jobs N               repositories scanned in parallel (default: number of CPUs)\n"
    "      --clone-jobs N         clones and fetches in parallel, ahead of the scans (default 4)\n"
    "      --clone-with HOW       git (the git program; the default when installed) or libgit2\n"
    "\n"
    "Forges (repeatable, combinable with URLs and --list; tokens only from the environment):\n"
    "      --github-org ORG       every repository of a GitHub organization (GITHUB_TOKEN or GH_TOKEN)\n"
    "      --github-user USER     every repository a GitHub user owns\n"
    "      --gitlab-group GROUP   every project of a GitLab group and its subgroups (GITLAB_TOKEN)\n"
    "      --gitea-org ORG        every repository of a Gitea or Forgejo organization (GITEA_TOKEN)\n"
    "      --api-url URL          the forge's address, for the forge options after it (GitHub\n"
    "                             Enterprise: https://HOST/api/v3; GitLab, Gitea: https://HOST)\n"
    "      --include-forks        forks too     --include-archived   archived repositories too\n"
    "      --include-wikis        the wiki repositories (.wiki.git) too\n"
    "      --exclude-repo GLOB    leave out repositories whose name (org/repo) matches (repeatable)\n"
    "      --list-only            print what would be scanned, one clone URL a line, and stop\n"
    "\n"
    "      --rules PATH           add a rule file or directory (repeatable)\n"
    "      --no-default-rules     use only the --rules given\n"
    "      --disable-rule ID      turn a rule off (repeatable); --enable-rule ID turns one on\n"
    "      --max-file-size N      skip larger blobs (default 100M)\n"
    "      --binary               search binary blobs with the generic rules too\n"
    "      --no-inline-allow      report lines marked leakscan:allow too\n"
    "      --fail-on SEV          exit 1 only for findings of this severity or above (or 'verified')\n"
    "      --no-cache             compile the rules instead of using the cached database\n"
    "  -q, --quiet                no progress and no summary on stderr\n"
    LS_CLI_VERIFY_HELP
    "      --older-than DUR       with --verify, check again what was checked longer ago (1d)\n"
    "\n"
    "Exit status: 1 if the datastore holds findings for the listed repositories that are not\n"
    "triaged false-positive or accepted, else 0; 2 if a repository could not be cloned,\n"
    "fetched or read, or a forge could not be listed (the others are still scanned); 130 (143)\n"
    "after SIGINT (SIGTERM), once what was done is committed.\n"
    "\n"
    "Examples: leakscan repos --datastore scans/ --list repos.txt\n"
    "          leakscan repos --datastore scans/ https://git.example.com/org/app.git /srv/git/infra.git\n"
    "          GITHUB_TOKEN=... leakscan repos --datastore scans/ --github-org example --include-wikis\n"
    "          leakscan repos --datastore scans/ --api-url https://gitlab.example.com --gitlab-group infra --list-only\n";

void repos_opts_dispose(repos_opts *ro)
{
	free(ro->lists);
	for (size_t i = 0; i < ro->nforges; i++) {
		free(ro->forges[i].name);
		free(ro->forges[i].api_url);
	}
	free(ro->forges);
	free(ro->excludes);
	memset(ro, 0, sizeof(*ro));
}

static int parse_count(const char *arg, size_t *out, const char *what)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	if (*arg == '-' || *end || v < 1 || v > 1024) {
		ls_cli_error("repos: %s wants a number from 1 to 1024, not '%s'", what, arg);
		return -1;
	}
	*out = v;
	return 0;
}

static void add_forge(repos_opts *ro, int kind, const char *name, const char *api_url)
{
	ro->forges = ls_xrealloc(ro->forges, (ro->nforges + 1) * sizeof(*ro->forges));
	repos_forge_spec *f = &ro->forges[ro->nforges++];
	f->kind = kind;
	f->name = ls_xstrdup(name);
	f->api_url = api_url ? ls_xstrdup(api_url) : NULL;
}

int repos_opts_parse(repos_opts *ro, ls_cli_options *o, int argc, char **argv)
{
	static const struct option own[] = {{"help", no_argument, NULL, 'h'},
	                                    {"list", required_argument, NULL, OPT_LIST},
	                                    {"datastore", required_argument, NULL, OPT_DATASTORE},
	                                    {"shard", required_argument, NULL, OPT_SHARD},
	                                    {"store-secrets", required_argument, NULL, OPT_STORE_SECRETS},
	                                    {"older-than", required_argument, NULL, OPT_OLDER_THAN},
	                                    {"clone-jobs", required_argument, NULL, OPT_CLONE_JOBS},
	                                    {"clone-with", required_argument, NULL, OPT_CLONE_WITH},
	                                    {"github-org", required_argument, NULL, OPT_GITHUB_ORG},
	                                    {"github-user", required_argument, NULL, OPT_GITHUB_USER},
	                                    {"gitlab-group", required_argument, NULL, OPT_GITLAB_GROUP},
	                                    {"gitea-org", required_argument, NULL, OPT_GITEA_ORG},
	                                    {"api-url", required_argument, NULL, OPT_API_URL},
	                                    {"include-forks", no_argument, NULL, OPT_INCLUDE_FORKS},
	                                    {"include-archived", no_argument, NULL, OPT_INCLUDE_ARCHIVED},
	                                    {"include-wikis", no_argument, NULL, OPT_INCLUDE_WIKIS},
	                                    {"exclude-repo", required_argument, NULL, OPT_EXCLUDE_REPO},
	                                    {"list-only", no_argument, NULL, OPT_LIST_ONLY},
	                                    {NULL, 0, NULL, 0}};
	struct option *longopts = ls_cli_longopts(own);
	int opt, rc = -1;
	const char *api_url = NULL;
	memset(ro, 0, sizeof(*ro));
	ro->secrets = -1;
	ro->older_than = 86400; /* a day */
	ro->clone_jobs = 4;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h" LS_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(repos_usage, stdout);
			rc = 1;
			goto done;
		case OPT_LIST:
			ro->lists = ls_xrealloc(ro->lists, (ro->nlists + 1) * sizeof(char *));
			ro->lists[ro->nlists++] = optarg;
			continue;
		case OPT_DATASTORE: ro->dir = optarg; continue;
		case OPT_SHARD: {
			char *end;
			unsigned long k = strtoul(optarg, &end, 10), n = 0;
			if (*end == '/')
				n = strtoul(end + 1, &end, 10);
			if (*end || k < 1 || n < 1 || k > n) {
				ls_cli_error("repos: --shard wants K/N with 1 <= K <= N, not '%s'", optarg);
				goto done;
			}
			ro->shard_k = k;
			ro->shard_n = n;
			continue;
		}
		case OPT_STORE_SECRETS:
			if (!strcmp(optarg, "yes"))
				ro->secrets = 1;
			else if (!strcmp(optarg, "no"))
				ro->secrets = 0;
			else {
				ls_cli_error("repos: --store-secrets wants yes or no, not '%s'", optarg);
				goto done;
			}
			continue;
		case OPT_OLDER_THAN:
			if (ls_cli_parse_duration(optarg, &ro->older_than) < 0) {
				ls_cli_error("repos: --older-than wants a duration (30m, 12h, 7d), not '%s'", optarg);
				goto done;
			}
			continue;
		case OPT_CLONE_JOBS:
			if (parse_count(optarg, &ro->clone_jobs, "--clone-jobs") < 0)
				goto done;
			continue;
		case OPT_CLONE_WITH:
			if (!strcmp(optarg, "git")) {
				if (!ls_git_mirror_have_program()) {
					ls_cli_error("repos: --clone-with git: no git program on PATH");
					goto done;
				}
				ro->clone_with = LS_GIT_MIRROR_PROGRAM;
			} else if (!strcmp(optarg, "libgit2")) {
				ro->clone_with = LS_GIT_MIRROR_LIBGIT2;
			} else {
				ls_cli_error("repos: --clone-with wants git or libgit2, not '%s'", optarg);
				goto done;
			}
			continue;
		case OPT_GITHUB_ORG: add_forge(ro, LS_FORGE_GITHUB_ORG, optarg, api_url); continue;
		case OPT_GITHUB_USER: add_forge(ro, LS_FORGE_GITHUB_USER, optarg, api_url); continue;
		case OPT_GITLAB_GROUP: add_forge(ro, LS_FORGE_GITLAB_GROUP, optarg, api_url); continue;
		case OPT_GITEA_ORG: add_forge(ro, LS_FORGE_GITEA_ORG, optarg, api_url); continue;
		case OPT_API_URL: api_url = optarg; continue;
		case OPT_INCLUDE_FORKS: ro->forks = 1; continue;
		case OPT_INCLUDE_ARCHIVED: ro->archived = 1; continue;
		case OPT_INCLUDE_WIKIS: ro->wikis = 1; continue;
		case OPT_EXCLUDE_REPO:
			ro->excludes = ls_xrealloc(ro->excludes, (ro->nexcludes + 1) * sizeof(char *));
			ro->excludes[ro->nexcludes++] = optarg;
			continue;
		case OPT_LIST_ONLY: ro->list_only = 1; continue;
		default: break;
		}
		int r = ls_cli_common_option(o, opt, optarg, "repos");
		if (r < 0)
			goto done;
		if (r == 0) {
			ls_cli_unknown_option("repos", argv[optind - 1], longopts);
			goto done;
		}
	}
	if (api_url && !ro->nforges) {
		ls_cli_error("repos: --api-url applies to the forge options after it (--github-org, --gitlab-group, ...)");
		goto done;
	}
	if (!ro->dir && !ro->list_only) {
		ls_cli_error("repos: --datastore DIR is required (see 'leakscan help repos')");
		goto done;
	}
	if (o->output || o->format_set || o->baseline || o->config || o->only_verified) {
		ls_cli_error("repos: --%s does not apply: findings go to the datastore (read them with 'leakscan report')",
		             o->output ? "output" : o->format_set ? "format" : o->baseline ? "baseline" : o->config ? "config" : "only-verified");
		goto done;
	}
	if (optind >= argc && !ro->nlists && !ro->nforges) {
		ls_cli_error("repos: no repositories given (URL-or-PATH arguments, --list FILE or a forge option)");
		goto done;
	}
	ro->args = argv + optind;
	ro->nargs = (size_t)(argc - optind);
	rc = 0;
done:
	free(longopts);
	return rc;
}
