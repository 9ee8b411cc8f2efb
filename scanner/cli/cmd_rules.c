/* leakscan rules list|check */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"

static const char *rules_usage =
    "usage: leakscan rules list [--hyperscan] [--rules PATH] [--no-default-rules]\n"
    "       leakscan rules show [--rules PATH] [--no-default-rules] ID\n"
    "       leakscan rules check [FILE|DIR...]\n"
    "\n"
    "list   prints every loaded rule: id, severity, state (enabled, disabled, or context: never\n"
    "       reported, see docs/rule-format.md), name, and where it is defined. With\n"
    "       --hyperscan: each rule's id, a tab, and the expression Hyperscan compiles for it\n"
    "       (rules confirmed by their pair instead are left out).\n"
    "check  compiles every rule of the given files (default: the default rules) with both\n"
    "       engines and runs its examples (must match) and negative examples (must not);\n"
    "       exit 1 on any mismatch, 2 if a file cannot be loaded. Warns (on stderr, without\n"
    "       failing) about a rule whose confirmation reads up to 64 KiB per candidate because\n"
    "       of an unbounded repeat before its secret, and about one with no description or no\n"
    "       examples (a rule needs only id, pattern and severity).\n"
    "show   prints one rule: where it is defined, its pattern, settings and examples.\n"
    "\n"
    "Exit status: 0 ok, 1 an example failed (check), 2 error (a file cannot be loaded, no\n"
    "such rule).\n"
    "\n"
    "Examples: leakscan rules list\n"
    "          leakscan rules show aws-access-key-id\n"
    "          leakscan rules check .leakscan-rules.yaml\n";

static void show_list(const char *what, const ls_strlist *l)
{
	if (!l->n)
		return;
	printf("%s:\n", what);
	for (size_t i = 0; i < l->n; i++)
		printf("  %s\n", l->items[i]);
}

static int rules_show(const ls_ruleset *rs, const char *id)
{
	const ls_rule *r = ls_ruleset_find(rs, id);
	if (!r) {
		ls_cli_error("rules show: no rule '%s' (see 'leakscan rules list')", id);
		return LS_EXIT_ERROR;
	}
	printf("id: %s\nname: %s\nseverity: %s\nstate: %s\ndefined at: %s:%d\ndescription: %s\npattern: %s\n", r->id,
	       r->name, ls_severity_name(r->severity), r->context ? "context" : r->enabled ? "enabled" : "disabled", r->file,
	       r->line, r->description, r->pattern);
	if (r->min_entropy > 0)
		printf("min_entropy: %.2f\n", r->min_entropy);
	if (r->pair_with)
		printf("pair_with: %s (within %d lines)\n", r->pair_with, r->pair_lines >= 0 ? r->pair_lines : 5);
	if (r->generic)
		printf("generic: true\n");
	show_list("keywords", &r->keywords);
	show_list("allow", &r->allow);
	show_list("examples", &r->examples);
	show_list("negative_examples", &r->negative_examples);
	show_list("references", &r->references);
	return LS_EXIT_CLEAN;
}

static int context_hit(const ls_match *mt, void *payload)
{
	const ls_rule **r = payload;
	if (mt->rule == *r)
		*r = NULL;
	return 0;
}

/* Whether a context rule (never reported) matches the example. */
static int context_matches(const ls_matcher *m, ls_scratch *s, const ls_rule *r, const char *ex)
{
	const ls_rule *want = r;
	ls_matcher_scan(m, s, ex, strlen(ex), context_hit, &want);
	return want == NULL;
}

/* Whether the rule produced a finding; a decoding rule's own findings are those it decoded. */
static int has_rule(const ls_findings *fs, const ls_rule *r)
{
	for (size_t i = 0; i < fs->n; i++)
		if (r->decode_base64 ? fs->items[i].decoded : fs->items[i].rule == r)
			return 1;
	return 0;
}

static int rules_check(ls_ruleset *rs)
{
	/* examples of rules shipped disabled are checked too */
	for (size_t i = 0; i < ls_ruleset_count(rs); i++)
		ls_ruleset_get_mut(rs, i)->enabled = 1;
	ls_matcher *m = NULL;
	ls_scratch *s = NULL;
	if (ls_matcher_new(&m, rs, NULL) < 0 || ls_scratch_new(&s, m) < 0) {
		ls_cli_error("%s", ls_error_last());
		ls_matcher_free(m);
		return LS_EXIT_ERROR;
	}
	size_t failures = 0, nexamples = 0;
	for (size_t i = 0; i < ls_ruleset_count(rs); i++) {
		const ls_rule *r = ls_ruleset_get(rs, i);
		int capped;
		size_t w = ls_matcher_window(m, r, &capped);
		if (r->no_description)
			fprintf(stderr, "%s:%d: rule '%s': warning: no description: say what it finds and why it matters\n",
			        r->file, r->line, r->id);
		if (!r->examples.n && !r->context)
			fprintf(stderr, "%s:%d: rule '%s': warning: no examples: nothing checks that it finds what it should\n",
			        r->file, r->line, r->id);
		if (capped)
			fprintf(stderr,
			        "%s:%d: rule '%s': warning: an unbounded repeat before the secret makes each "
			        "candidate's confirmation read up to %zu bytes; bound it (docs/rule-format.md)\n",
			        r->file, r->pattern_line, r->id, w);
		for (int neg = 0; neg < 2; neg++) {
			const ls_strlist *l = neg ? &r->negative_examples : &r->examples;
			for (size_t k = 0; k < l->n; k++) {
				ls_findings fs = LS_FINDINGS_INIT;
				const char *ex = l->items[k];
				nexamples++;
				if (ls_search_buffer(m, s, NULL, ex, strlen(ex), LS_ORIGIN_TEXT, "example", &fs) < 0) {
					fprintf(stderr, "%s:%d: rule '%s': %s\n", r->file, r->line, r->id, ls_error_last());
					failures++;
				} else if ((r->context ? context_matches(m, s, r, ex) : has_rule(&fs, r)) == neg) {
					fprintf(stderr, "%s:%d: rule '%s': %s %zu %s: %s\n", r->file, r->line, r->id,
					        neg ? "negative example" : "example", k + 1,
					        neg ? "matches" : "does not match", ex);
					failures++;
				}
				ls_findings_dispose(&fs);
			}
		}
	}
	ls_scratch_free(s);
	ls_matcher_free(m);
	if (failures) {
		fprintf(stderr, "leakscan: rules check: %zu of %zu examples failed\n", failures, nexamples);
		return LS_EXIT_FINDINGS;
	}
	printf("ok: %zu rules, %zu examples\n", ls_ruleset_count(rs), nexamples);
	return LS_EXIT_CLEAN;
}

static void rules_list(const ls_ruleset *rs, int hyperscan)
{
	for (size_t i = 0; i < ls_ruleset_count(rs); i++) {
		const ls_rule *r = ls_ruleset_get(rs, i);
		if (hyperscan) {
			if (r->enabled && !r->pair_with) {
				ls_strlist hx = {0};
				ls_matcher_hyperscan_expressions(r, &hx);
				for (size_t k = 0; k < hx.n; k++)
					printf("%s\t%s\n", r->id, hx.items[k]);
				ls_strlist_dispose(&hx);
			}
			continue;
		}
		printf("%-40s %-8s %-8s %s (%s:%d)\n", r->id, ls_severity_name(r->severity),
		       !r->enabled ? "disabled" : r->context ? "context" : "enabled", r->name, r->file, r->line);
	}
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(rules_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? LS_EXIT_ERROR : LS_EXIT_CLEAN;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "list") && strcmp(sub, "check") && strcmp(sub, "show")) {
		ls_cli_error("rules: unknown subcommand '%s' (list, show, check)", sub);
		return LS_EXIT_ERROR;
	}
	ls_cli_options o;
	ls_cli_options_init(&o);
	enum { OPT_HYPERSCAN = 2000 }; /* past the common options (cli.c) */
	static const struct option own[] = {{"hyperscan", no_argument, NULL, OPT_HYPERSCAN}, {NULL, 0, NULL, 0}};
	struct option *longopts = ls_cli_longopts(own);
	int opt, rc = LS_EXIT_ERROR, hyperscan = 0;
	ls_ruleset *rs = NULL;
	opterr = 0;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "+" LS_CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == OPT_HYPERSCAN) {
			if (strcmp(sub, "list")) {
				ls_cli_error("rules %s: unknown option '--hyperscan'", sub);
				goto done;
			}
			hyperscan = 1;
			continue;
		}
		int r = ls_cli_common_option(&o, opt, optarg, "rules");
		if (r < 0)
			goto done;
		if (r == 0) {
			ls_cli_error("rules: unknown option '%s'", argv[optind - 1]);
			goto done;
		}
	}
	const char *show = NULL;
	if (!strcmp(sub, "show")) {
		if (optind + 1 != argc) {
			ls_cli_error("rules show: one rule id expected");
			goto done;
		}
		show = argv[optind++];
	}
	/* `rules check FILE...` checks exactly those files */
	if (optind < argc) {
		o.no_default_rules = 1;
		for (int i = optind; i < argc; i++) {
			o.rule_paths = ls_xrealloc(o.rule_paths, (o.nrule_paths + 1) * sizeof(char *));
			o.rule_paths[o.nrule_paths++] = argv[i];
		}
	}
	if (ls_cli_load_rules(&o, &rs) < 0)
		goto done;
	if (show) {
		rc = rules_show(rs, show);
	} else if (!strcmp(sub, "list")) {
		rules_list(rs, hyperscan);
		rc = LS_EXIT_CLEAN;
	} else {
		rc = rules_check(rs);
	}
done:
	ls_ruleset_free(rs);
	ls_cli_options_dispose(&o);
	free(longopts);
	return rc;
}
