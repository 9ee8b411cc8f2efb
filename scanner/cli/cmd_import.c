/* leakscan import gitleaks: a gitleaks configuration (.gitleaks.toml, .gitleaksignore) as
 * leakscan's (.leakscan.yaml, .leakscan-rules.yaml), saying what could not be converted. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "toml.h"

static const char *import_usage =
    "usage: leakscan import gitleaks [FILE] [-o DIR] [--force]\n"
    "\n"
    "Converts a gitleaks configuration (FILE, default .gitleaks.toml) and the .gitleaksignore\n"
    "beside it into DIR/.leakscan.yaml and, when it has rules, DIR/.leakscan-rules.yaml (DIR:\n"
    "FILE's directory). Each rule is checked as leakscan loads it (both regex engines); what\n"
    "has no equivalent is listed on stderr, one line each, and left out:\n"
    "  - rules without a regex (path-only rules), a rule's 'path' (it applies everywhere),\n"
    "    rules leakscan's engines reject;\n"
    "  - allowlist 'paths' regexes that are not a literal path (write them as globs);\n"
    "  - .gitleaksignore lines: gitleaks' fingerprints (commit:path:rule:line) have no leakscan\n"
    "    equivalent; each becomes an allowlist entry for that rule in that file (and commit).\n"
    "Rules get severity high (gitleaks has none); secretGroup picks the capture group that\n"
    "holds the secret (the first one otherwise); leakscan's own rules stay on.\n"
    "\n"
    "      -o DIR      write the files into DIR\n"
    "      --force     replace existing .leakscan.yaml / .leakscan-rules.yaml\n"
    "\n"
    "Exit status: 0 written (items left out are listed), 2 error (nothing written).\n"
    "\n"
    "Example: leakscan import gitleaks .gitleaks.toml && leakscan rules check .leakscan-rules.yaml\n";

typedef struct {
	ls_buf rules, allow;   /* YAML: the rule list, the allowlist entries */
	ls_strlist skipped;    /* what was left out, one line each */
	ls_strlist rule_ids;   /* rules converted */
	size_t nrules, nallow;
	ls_ruleset *defaults;  /* leakscan's, to keep ids unique */
	const char *file;
} conv;

static void note(conv *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(conv *c, int line, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	char *l = line ? ls_xasprintf("%s:%d: %s", c->file, line, m) : ls_xstrdup(m);
	ls_strlist_push(&c->skipped, l);
	free(l);
}

/* A YAML scalar: single-quoted, or double-quoted with escapes when it holds control bytes. */
static void yaml_str(ls_buf *b, const char *s)
{
	int plain = 1;
	for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
		plain = *p >= 0x20 && *p != 0x7f;
	if (plain) {
		ls_buf_putc(b, '\'');
		for (const char *p = s; *p; p++) {
			if (*p == '\'')
				ls_buf_putc(b, '\'');
			ls_buf_putc(b, *p);
		}
		ls_buf_putc(b, '\'');
		return;
	}
	ls_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			ls_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			ls_buf_puts(b, "\\n");
		else if (*p == '\t')
			ls_buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			ls_buf_printf(b, "\\x%02x", *p);
		else
			ls_buf_putc(b, (char)*p);
	}
	ls_buf_putc(b, '"');
}

/* A list of the strings of array `a` under `key` (indent: the entry's). */
static size_t yaml_list(ls_buf *b, const char *indent, const char *key, const ls_toml *a)
{
	size_t n = 0;
	for (size_t i = 0; a && a->type == LS_TOML_ARRAY && i < a->n; i++) {
		if (a->items[i]->type != LS_TOML_STRING)
			continue;
		ls_buf_printf(b, n ? ", " : "%s%s: [", indent, key);
		yaml_str(b, a->items[i]->s);
		n++;
	}
	if (n)
		ls_buf_puts(b, "]\n");
	return n;
}

/* `re` with only capture group `keep` (1-based) left capturing: leakscan's secret is the one
 * capture group of a pattern. Named groups become plain ones. */
static char *one_group(const char *re, long keep)
{
	ls_buf b = LS_BUF_INIT;
	long group = 0;
	int in_class = 0;
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			ls_buf_putc(&b, *p++);
			ls_buf_putc(&b, *p);
			continue;
		}
		if (in_class) {
			in_class = *p != ']';
			ls_buf_putc(&b, *p);
			continue;
		}
		if (*p == '[') {
			in_class = 1;
			ls_buf_putc(&b, *p);
			if (p[1] == '^')
				ls_buf_putc(&b, *++p);
			if (p[1] == ']')
				ls_buf_putc(&b, *++p);
			continue;
		}
		if (*p != '(') {
			ls_buf_putc(&b, *p);
			continue;
		}
		const char *name_end = NULL;
		if (p[1] == '?' && (p[2] == 'P' || p[2] == '<') && p[2 + (p[2] == 'P')] == '<' && p[3 + (p[2] == 'P')] != '=' &&
		    p[3 + (p[2] == 'P')] != '!')
			name_end = strchr(p, '>');
		if (p[1] == '?' && !name_end) {
			ls_buf_putc(&b, *p); /* a group that captures nothing: as it is */
			continue;
		}
		group++;
		ls_buf_puts(&b, group == keep ? "(" : "(?:");
		if (name_end)
			p = name_end;
	}
	return ls_buf_detach(&b);
}

/*
 * A path regex made of a literal path, as globs in `out` (how many; 0: not convertible):
 * `^a/b` anchored at the top, `(^|/)` or `(?:^|/)` before a name at any depth, none before a
 * name or suffix (`\.bb$`: `*.bb`); then `$`, a trailing `/` or `(?:/.*)?$` (the directory
 * and what it holds). Alternations, classes and flags are not converted.
 */
static size_t path_globs(const char *re, ls_strlist *out)
{
	static const char *const tree_tails[] = {"(?:/.*)?$", "(?:/.*?)?$", "(?:/.+)?$", "(/.*)?$"};
	ls_buf b = LS_BUF_INIT;
	const char *p = re;
	int any = 0, anchored = 0, end = 0, tree = 0, dir = 0;
	if (!strncmp(p, "(^|/)", 5) || !strncmp(p, "(?:^|/)", 7)) {
		any = 1;
		p += p[1] == '?' ? 7 : 5;
	} else if (*p == '^') {
		anchored = 1;
		p++;
	}
	for (; *p; p++) {
		size_t t = 0;
		while (t < sizeof(tree_tails) / sizeof(tree_tails[0]) && strcmp(p, tree_tails[t]))
			t++;
		if (t < sizeof(tree_tails) / sizeof(tree_tails[0])) {
			tree = end = 1;
			break;
		}
		if (*p == '\\' && p[1] && strchr("./-_@+", p[1]))
			ls_buf_putc(&b, *++p);
		else if (*p == '$' && !p[1])
			end = 1;
		else if (*p == '/' && !p[1] && b.len)
			dir = 1;
		else if (isalnum((unsigned char)*p) || strchr("_-/@+", *p))
			ls_buf_putc(&b, *p);
		else
			break;
	}
	int slash = b.len && memchr(b.ptr, '/', b.len) != NULL;
	if (*p && !tree) /* (a character no literal path holds) */
		goto fail;
	if (!b.len || (!any && !anchored && slash))
		goto fail;
	char *base = anchored ? ls_xasprintf("/%s", b.ptr)
	             : any    ? (slash ? ls_xasprintf("**/%s", b.ptr) : ls_xstrdup(b.ptr))
	             : ls_xasprintf("*%s%s", b.ptr, end ? "" : "*");
	if (!dir)
		ls_strlist_push(out, base);
	if (dir || tree) {
		char *under = ls_xasprintf("%s%s/**", any && !slash ? "**/" : "", base);
		ls_strlist_push(out, under);
		free(under);
	}
	free(base);
	ls_buf_dispose(&b);
	return dir || tree ? 1 + !dir : 1;
fail:
	ls_buf_dispose(&b);
	return 0;
}

/* One gitleaks allowlist as a leakscan allowlist entry (for `rule`, or every rule). */
static void convert_allowlist(conv *c, const ls_toml *al, const char *rule)
{
	ls_buf e = LS_BUF_INIT;
	const ls_toml *desc = ls_toml_get(al, "description"), *target = ls_toml_get(al, "regexTarget"),
	              *cond = ls_toml_get(al, "condition"), *paths = ls_toml_get(al, "paths");
	ls_buf_puts(&e, "  - description: ");
	yaml_str(&e, desc && desc->type == LS_TOML_STRING ? desc->s : "from gitleaks");
	ls_buf_putc(&e, '\n');
	if (rule) {
		ls_buf_puts(&e, "    rules: [");
		yaml_str(&e, rule);
		ls_buf_puts(&e, "]\n");
	}
	int all = cond && cond->type == LS_TOML_STRING && !strcasecmp(cond->s, "AND");
	if (all)
		ls_buf_puts(&e, "    condition: all\n");
	const char *t = target && target->type == LS_TOML_STRING ? target->s : "secret";
	size_t n = yaml_list(&e, "    ", !strcmp(t, "match") ? "matches" : !strcmp(t, "line") ? "lines" : "secrets",
	                     ls_toml_get(al, "regexes"));
	n += yaml_list(&e, "    ", "stopwords", ls_toml_get(al, "stopwords"));
	n += yaml_list(&e, "    ", "commits", ls_toml_get(al, "commits"));
	size_t np = 0;
	for (size_t i = 0; paths && paths->type == LS_TOML_ARRAY && i < paths->n; i++) {
		ls_strlist globs = {0};
		if (paths->items[i]->type != LS_TOML_STRING || !path_globs(paths->items[i]->s, &globs)) {
			note(c, paths->items[i]->line, "allowlist path '%s' is no literal path: not converted (write it as a glob)",
			     paths->items[i]->s ? paths->items[i]->s : "?");
			continue;
		}
		for (size_t k = 0; k < globs.n; k++) {
			ls_buf_printf(&e, np++ ? ", " : "    paths: [");
			yaml_str(&e, globs.items[k]);
		}
		ls_strlist_dispose(&globs);
	}
	if (np)
		ls_buf_puts(&e, "]\n");
	if (n + np) {
		ls_buf_put(&c->allow, e.ptr, e.len);
		c->nallow++;
	} else {
		note(c, al->line, "an allowlist%s%s with nothing leakscan can use: not converted", rule ? " of rule " : "", rule ? rule : "");
	}
	ls_buf_dispose(&e);
}

static void convert_allowlists(conv *c, const ls_toml *t, const char *rule)
{
	const ls_toml *one = ls_toml_get(t, "allowlist"), *many = ls_toml_get(t, "allowlists");
	if (one && one->type == LS_TOML_TABLE)
		convert_allowlist(c, one, rule);
	for (size_t i = 0; many && many->type == LS_TOML_ARRAY && i < many->n; i++)
		if (many->items[i]->type == LS_TOML_TABLE)
			convert_allowlist(c, many->items[i], rule);
}

/* Whether the rule text loads and compiles as leakscan's (its error in `err`, allocated). */
static int rule_loads(const char *text, char **err)
{
	ls_ruleset *rs = NULL;
	ls_matcher *m = NULL;
	ls_ruleset_new(&rs);
	int ok = ls_ruleset_load_string(rs, "rule", text, strlen(text)) == 0 && ls_matcher_new(&m, rs, NULL) == 0;
	if (!ok) {
		/* "rule:LINE: rule 'ID': what": keep what */
		const char *msg = ls_error_last(), *q = strstr(msg, "': ");
		*err = ls_xstrdup(q ? q + 3 : msg);
	}
	ls_matcher_free(m);
	ls_ruleset_free(rs);
	return ok;
}

static void convert_rule(conv *c, const ls_toml *r)
{
	const ls_toml *id = ls_toml_get(r, "id"), *re = ls_toml_get(r, "regex"), *desc = ls_toml_get(r, "description"),
	              *group = ls_toml_get(r, "secretGroup"), *ent = ls_toml_get(r, "entropy"), *path = ls_toml_get(r, "path");
	if (!id || id->type != LS_TOML_STRING) {
		note(c, r->line, "a rule without an id: not converted");
		return;
	}
	if (!re || re->type != LS_TOML_STRING) {
		note(c, r->line, "rule '%s' has no regex (a path-only rule): not converted", id->s);
		return;
	}
	char *rid = ls_xstrdup(id->s);
	if (ls_ruleset_find(c->defaults, rid)) {
		free(rid);
		rid = ls_xasprintf("gitleaks-%s", id->s);
		note(c, r->line, "rule '%s': leakscan has a rule of that id; this one is '%s'", id->s, rid);
	}
	if (path && path->type == LS_TOML_STRING)
		note(c, path->line, "rule '%s': 'path' has no equivalent: the rule applies to every file", rid);
	char *pattern = one_group(re->s, group && group->type == LS_TOML_INT && group->num > 0 ? (long)group->num : 1);
	ls_buf y = LS_BUF_INIT;
	ls_buf_puts(&y, "  - id: ");
	yaml_str(&y, rid);
	ls_buf_puts(&y, "\n    name: ");
	yaml_str(&y, desc && desc->type == LS_TOML_STRING ? desc->s : rid);
	ls_buf_puts(&y, "\n    description: ");
	yaml_str(&y, desc && desc->type == LS_TOML_STRING ? desc->s : rid);
	ls_buf_puts(&y, "\n    pattern: ");
	yaml_str(&y, pattern);
	ls_buf_puts(&y, "\n    severity: high\n");
	if (ent && (ent->type == LS_TOML_FLOAT || ent->type == LS_TOML_INT) && ent->num > 0 && ent->num <= 8)
		ls_buf_printf(&y, "    min_entropy: %.2f\n", ent->num);
	yaml_list(&y, "    ", "keywords", ls_toml_get(r, "keywords"));
	char *text = ls_xasprintf("rules:\n%s", y.ptr), *err = NULL;
	if (rule_loads(text, &err)) {
		ls_buf_put(&c->rules, y.ptr, y.len);
		ls_strlist_push(&c->rule_ids, rid);
		c->nrules++;
		convert_allowlists(c, r, rid);
	} else {
		note(c, re->line, "rule '%s': not converted: %s", rid, err);
	}
	free(err);
	free(text);
	free(pattern);
	free(rid);
	ls_buf_dispose(&y);
}

/* .gitleaksignore: [commit:]path:rule-id:line per line. */
static void convert_ignore(conv *c, const char *dir)
{
	char *path = ls_xasprintf("%s/.gitleaksignore", dir);
	ls_buf b = LS_BUF_INIT;
	int line = 0;
	if (ls_read_regular(&b, path, (size_t)1 << 20) < 0)
		goto done;
	for (char *l = b.ptr; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		line++;
		if (*l && *l != '#') {
			/* from the end: the line number, the rule id, then the path (which may hold ':') */
			char *c3 = strrchr(l, ':');
			char *c2 = c3 ? (*c3 = '\0', strrchr(l, ':')) : NULL;
			if (c3)
				*c3 = ':';
			char *rule = c2 ? ls_xstrndup(c2 + 1, (size_t)(c3 - c2 - 1)) : NULL;
			char *head = c2 ? ls_xstrndup(l, (size_t)(c2 - l)) : NULL;
			char *commit = NULL, *fpath = head;
			char *c1 = head ? strchr(head, ':') : NULL;
			if (c1 && c1 - head == 40) {
				commit = head;
				*c1 = '\0';
				fpath = c1 + 1;
			}
			int known = 0;
			for (size_t i = 0; rule && i < c->rule_ids.n; i++)
				known |= !strcmp(c->rule_ids.items[i], rule);
			char *f = ls_xasprintf("%s:%d", ".gitleaksignore", line);
			if (!rule || !fpath || !*fpath) {
				note(c, 0, "%s: not a gitleaks fingerprint: not converted", f);
			} else if (!known) {
				note(c, 0, "%s: rule '%s' was not converted (leakscan's own rules have other ids): not converted", f, rule);
			} else if (strpbrk(fpath, "*?[\\")) {
				note(c, 0, "%s: the path holds glob characters: not converted", f);
			} else {
				ls_buf_printf(&c->allow, "  - description: 'from .gitleaksignore line %d (broader: any line of that file)'\n"
				                         "    condition: all\n    rules: [",
				              line);
				yaml_str(&c->allow, rule);
				ls_buf_puts(&c->allow, "]\n    paths: [");
				char *g = ls_xasprintf("/%s", fpath);
				yaml_str(&c->allow, g);
				free(g);
				ls_buf_puts(&c->allow, "]\n");
				if (commit) {
					ls_buf_puts(&c->allow, "    commits: [");
					yaml_str(&c->allow, commit);
					ls_buf_puts(&c->allow, "]\n");
				}
				c->nallow++;
			}
			free(f);
			free(rule);
			free(head);
		}
		l = nl ? nl + 1 : NULL;
	}
done:
	ls_buf_dispose(&b);
	free(path);
}

/* Writes `text` to `path` unless it exists (and not `force`). */
static int write_new(const char *path, const ls_buf *text, int force)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | (force ? 0 : O_EXCL), 0644);
	if (fd < 0) {
		ls_cli_error("import: cannot write '%s': %s%s", path, strerror(errno), errno == EEXIST ? " (--force replaces it)" : "");
		return -1;
	}
	int ok = write(fd, text->ptr, text->len) == (ssize_t)text->len;
	ok &= close(fd) == 0;
	if (!ok)
		ls_cli_error("import: cannot write '%s': %s", path, strerror(errno));
	return ok ? 0 : -1;
}

int cmd_import(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(import_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? LS_EXIT_ERROR : 0;
	}
	if (strcmp(argv[1], "gitleaks")) {
		ls_cli_error("import: unknown source '%s' (gitleaks)", argv[1]);
		return LS_EXIT_ERROR;
	}
	const char *file = ".gitleaks.toml", *outdir = NULL;
	int force = 0, rc = LS_EXIT_ERROR;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outdir = argv[++i];
		else if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (argv[i][0] == '-') {
			ls_cli_error("import: unknown option '%s' (see 'leakscan help import')", argv[i]);
			return LS_EXIT_ERROR;
		} else
			file = argv[i];
	}
	char *dir = ls_xstrdup(file), *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	conv c;
	memset(&c, 0, sizeof(c));
	c.file = file;
	ls_buf text = LS_BUF_INIT, cfg = LS_BUF_INIT;
	ls_toml *t = NULL;
	if (ls_read_regular(&text, file, (size_t)4 << 20) < 0 ||
	    ls_toml_parse(&t, file, text.ptr ? text.ptr : "", text.len) < 0) {
		ls_cli_error("import: %s", ls_error_last());
		goto done;
	}
	ls_ruleset_new(&c.defaults);
	ls_ruleset_load_path(c.defaults, ls_cli_default_rules_dir());
	const ls_toml *ext = ls_toml_get(t, "extend"), *rules = ls_toml_get(t, "rules");
	if (ls_toml_get(ext, "path"))
		note(&c, ext->line, "[extend] path: the configuration it extends is not read");
	for (size_t i = 0; rules && rules->type == LS_TOML_ARRAY && i < rules->n; i++)
		if (rules->items[i]->type == LS_TOML_TABLE)
			convert_rule(&c, rules->items[i]);
	convert_allowlists(&c, t, NULL);
	convert_ignore(&c, dir);
	const char *od = outdir ? outdir : dir;
	ls_buf_printf(&cfg, "# converted from %s by 'leakscan import gitleaks' (leakscan's own rules stay on)\nversion: 1\n",
	              file);
	if (c.nrules) {
		ls_buf rf = LS_BUF_INIT;
		ls_buf_printf(&rf, "# rules converted from %s by 'leakscan import gitleaks'\nrules:\n%s", file, c.rules.ptr);
		char *rpath = ls_xasprintf("%s/.leakscan-rules.yaml", od);
		int w = write_new(rpath, &rf, force);
		free(rpath);
		ls_buf_dispose(&rf);
		if (w < 0)
			goto done;
		ls_buf_puts(&cfg, "rule_files: [.leakscan-rules.yaml]\n");
	}
	if (c.nallow)
		ls_buf_printf(&cfg, "allow:\n%s", c.allow.ptr);
	char *cpath = ls_xasprintf("%s/.leakscan.yaml", od);
	int w = write_new(cpath, &cfg, force);
	if (w == 0)
		printf("wrote %s: %zu rule%s, %zu allowlist entr%s; %zu item%s not converted\n", cpath, c.nrules,
		       c.nrules == 1 ? "" : "s", c.nallow, c.nallow == 1 ? "y" : "ies", c.skipped.n, c.skipped.n == 1 ? "" : "s");
	free(cpath);
	if (w < 0)
		goto done;
	for (size_t i = 0; i < c.skipped.n; i++)
		ls_cli_error("import: %s", c.skipped.items[i]);
	rc = 0;
done:
	ls_toml_free(t);
	ls_ruleset_free(c.defaults);
	ls_buf_dispose(&c.rules);
	ls_buf_dispose(&c.allow);
	ls_strlist_dispose(&c.skipped);
	ls_strlist_dispose(&c.rule_ids);
	ls_buf_dispose(&text);
	ls_buf_dispose(&cfg);
	free(dir);
	return rc;
}
