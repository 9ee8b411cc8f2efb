#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "common.h"
#include "confine.h"
#include "yamlnode.h"

typedef struct {
	const char *file;
	yaml_document_t *doc;
} cctx;

/* " 'KEY'" for a key shown in messages (ls_yaml_shown_key), nothing for any other */
#define SHOWN(key) ls_yaml_shown_key(key) ? " '" : "", ls_yaml_shown_key(key) ? (key) : "", ls_yaml_shown_key(key) ? "'" : ""

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int fail(cctx *c, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(cctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ls_error_set("%s:%d: %s", c->file, n ? line_of(n) : 1, msg);
	return LS_EINVAL;
}

/* A string, or a list of strings (a single string is a list of one). */
static int get_list(cctx *c, yaml_node_t *n, const char *key, ls_strlist *out)
{
	yaml_node_t *bad = ls_yaml_strings(c->doc, n, out);
	return bad ? fail(c, bad, "'%s' must be a list of strings", key) : 0;
}

static int get_refs(cctx *c, yaml_node_t *n, const char *key, ls_config_ref **out, size_t *nout)
{
	ls_strlist tmp = {0};
	int err = get_list(c, n, key, &tmp);
	/* each id keeps the line of its own item when the value is a block list */
	for (size_t i = 0; i < tmp.n; i++) {
		int line = line_of(n);
		if (n->type == YAML_SEQUENCE_NODE) {
			yaml_node_t *item = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
			line = line_of(item);
		}
		*out = ls_xrealloc(*out, (*nout + 1) * sizeof(ls_config_ref));
		(*out)[*nout].id = tmp.items[i];
		(*out)[*nout].line = line;
		(*nout)++;
	}
	free(tmp.items);
	return err;
}

static int get_bool(cctx *c, yaml_node_t *n, const char *key, int *out)
{
	const char *s = ls_yaml_scalar(n);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
		*out = 1;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
		*out = 0;
	else
		return fail(c, n, "'%s' must be true or false", key);
	return 0;
}

static int get_severity(cctx *c, yaml_node_t *n, const char *key, ls_severity *out)
{
	const char *s = ls_yaml_scalar(n);
	if (!s || ls_severity_parse(out, s) < 0)
		return fail(c, n, "'%s' must be one of critical, high, medium, low", key);
	return 0;
}

/* Whether a key before `p` in the mapping has the same name. */
static int duplicate_key(cctx *c, yaml_node_t *map, yaml_node_pair_t *p, const char *key)
{
	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
		const char *k = ls_yaml_scalar(yaml_document_get_node(c->doc, q->key));
		if (k && !strcmp(k, key))
			return 1;
	}
	return 0;
}

static int check_globs(cctx *c, yaml_node_t *n, const ls_strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *p = l->items[i];
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		if (!*p || !strcmp(p, "/"))
			return fail(c, n, "empty path glob");
		if (!strcmp(p, "..") || !strncmp(p, "../", 3) || strstr(p, "/../") ||
		    (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")))
			return fail(c, n, "path glob '%s' leaves the directory of the configuration file", l->items[i]);
	}
	return 0;
}

static void allow_dispose(ls_config_allow *a)
{
	for (size_t i = 0; i < a->nrules; i++)
		free(a->rules[i].id);
	free(a->rules);
	ls_strlist *lists[] = {&a->paths, &a->secrets, &a->matches, &a->lines, &a->stopwords, &a->commits, &a->aws_accounts};
	for (size_t i = 0; i < 7; i++)
		ls_strlist_dispose(lists[i]);
}

static int parse_allow(cctx *c, yaml_node_t *n, ls_config_allow *a)
{
	memset(a, 0, sizeof(*a));
	a->line = line_of(n);
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, "an 'allow' entry must be a mapping (paths:, secrets:, rules: ...)");
	static const char *kinds[] = {"paths", "secrets", "matches", "lines", "stopwords", "commits", "aws_accounts"};
	ls_strlist *lists[] = {&a->paths, &a->secrets, &a->matches, &a->lines, &a->stopwords, &a->commits, &a->aws_accounts};
	yaml_node_t *paths_node = NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = ls_yaml_scalar(k);
		int err = 0;
		if (!key || !v)
			return fail(c, k ? k : n, "keys must be strings");
		if (duplicate_key(c, n, p, key))
			return ls_yaml_shown_key(key) ? fail(c, k, "duplicate key '%s'", key) : fail(c, k, "duplicate key");
		int kind = -1;
		for (int i = 0; i < 7; i++)
			if (!strcmp(key, kinds[i]))
				kind = i;
		if (kind >= 0) {
			err = get_list(c, v, key, lists[kind]);
			if (kind == 0)
				paths_node = v;
		} else if (!strcmp(key, "rules")) {
			err = get_refs(c, v, key, &a->rules, &a->nrules);
		} else if (!strcmp(key, "condition")) {
			const char *s = ls_yaml_scalar(v);
			if (s && !strcmp(s, "any"))
				a->condition = LS_ALLOW_ANY;
			else if (s && !strcmp(s, "all"))
				a->condition = LS_ALLOW_ALL;
			else
				err = fail(c, v, "'condition' must be any or all");
		} else if (!strcmp(key, "description")) {
			if (!ls_yaml_scalar(v))
				err = fail(c, v, "'description' must be a string");
		} else {
			err = fail(c, k, "unknown key%s%s%s in an 'allow' entry (expected paths, secrets, matches, lines, stopwords, commits, aws_accounts, rules, condition, description)",
			           SHOWN(key));
		}
		if (err < 0)
			return err;
	}
	size_t total = 0;
	for (int i = 0; i < 7; i++)
		total += lists[i]->n;
	if (!total)
		return fail(c, n, "an 'allow' entry needs at least one of paths, secrets, matches, lines, stopwords, commits, aws_accounts");
	if (paths_node)
		return check_globs(c, paths_node, &a->paths);
	return 0;
}

static int parse_overrides(cctx *c, yaml_node_t *n, ls_config *cfg)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, "'overrides' must map rule ids to settings (severity, min_entropy)");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *id = ls_yaml_scalar(k);
		if (!id || !v)
			return fail(c, k ? k : n, "keys must be strings");
		if (duplicate_key(c, n, p, id))
			return fail(c, k, "rule '%s' is overridden twice", id);
		if (v->type != YAML_MAPPING_NODE)
			return fail(c, v, "override of rule '%s' must be a mapping (severity, min_entropy)", id);
		ls_config_override o;
		memset(&o, 0, sizeof(o));
		o.line = line_of(k);
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *kk = yaml_document_get_node(c->doc, q->key);
			yaml_node_t *vv = yaml_document_get_node(c->doc, q->value);
			const char *key = ls_yaml_scalar(kk);
			if (!key || !vv)
				return fail(c, kk ? kk : v, "keys must be strings");
			if (!strcmp(key, "severity")) {
				if (get_severity(c, vv, key, &o.severity) < 0)
					return LS_EINVAL;
				o.has_severity = 1;
			} else if (!strcmp(key, "min_entropy")) {
				const char *s = ls_yaml_scalar(vv);
				char *end = NULL;
				double d = s ? strtod(s, &end) : -1;
				if (!s || !*s || *end || d < 0 || d > 8)
					return fail(c, vv, "'min_entropy' must be a number from 0 to 8");
				o.min_entropy = d;
				o.has_min_entropy = 1;
			} else {
				return fail(c, kk, "unknown key%s%s%s in the override of rule%s%s%s (expected severity, min_entropy)",
				            SHOWN(key), SHOWN(id));
			}
		}
		o.id = ls_xstrdup(id);
		cfg->overrides = ls_xrealloc(cfg->overrides, (cfg->noverrides + 1) * sizeof(ls_config_override));
		cfg->overrides[cfg->noverrides++] = o;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ls_xstrdup(".");
	if (slash == path)
		return ls_xstrdup("/");
	return ls_xstrndup(path, (size_t)(slash - path));
}

/* `verify: true`, or a mapping (docs/verify.md). */
static int parse_verify(cctx *c, yaml_node_t *v, ls_config *cfg)
{
	cfg->verify_line = line_of(v);
	if (v->type != YAML_MAPPING_NODE)
		return get_bool(c, v, "verify", &cfg->verify);
	cfg->verify = 1; /* a `verify:` mapping turns it on unless it says `enabled: false` */
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
		const char *key = ls_yaml_scalar(k);
		int err = 0;
		if (!key || !val)
			return fail(c, k ? k : v, "keys must be strings");
		if (!strcmp(key, "enabled")) {
			err = get_bool(c, val, key, &cfg->verify);
		} else if (!strcmp(key, "hooks")) {
			err = get_bool(c, val, key, &cfg->verify_hooks);
		} else if (!strcmp(key, "ca_file")) {
			const char *f = ls_yaml_scalar(val);
			if (!f || !*f)
				return fail(c, val, "'ca_file' must be a file name");
			free(cfg->verify_ca_file);
			cfg->verify_ca_file = f[0] == '/' || !strcmp(cfg->dir, ".") ? ls_xstrdup(f) : ls_xasprintf("%s/%s", cfg->dir, f);
		} else if (!strcmp(key, "timeout")) {
			const char *s = ls_yaml_scalar(val);
			char *end = NULL;
			cfg->verify_timeout = s ? strtod(s, &end) : 0;
			if (!s || end == s || *end || !(cfg->verify_timeout > 0 && cfg->verify_timeout <= 600))
				return fail(c, val, "'timeout' must be a number of seconds (0 < SECS <= 600)");
		} else if (!strcmp(key, "canary_accounts")) {
			err = get_list(c, val, key, &cfg->canary_accounts);
			for (size_t i = 0; !err && i < cfg->canary_accounts.n; i++) {
				const char *a = cfg->canary_accounts.items[i];
				if (strlen(a) != 12 || strspn(a, "0123456789") != 12)
					err = fail(c, val, "'canary_accounts': '%s' is not a 12-digit AWS account id", a);
			}
		} else if (!strcmp(key, "endpoints")) {
			if (val->type != YAML_MAPPING_NODE)
				return fail(c, val, "'endpoints' must map providers to URLs (github: https://ghe.example.com/api/v3)");
			for (yaml_node_pair_t *e = val->data.mapping.pairs.start; e < val->data.mapping.pairs.top; e++) {
				const char *name = ls_yaml_scalar(yaml_document_get_node(c->doc, e->key));
				yaml_node_t *un = yaml_document_get_node(c->doc, e->value);
				const char *url = ls_yaml_scalar(un);
				if (!name || !url || !*url)
					return fail(c, un ? un : val, "'endpoints': each provider needs a URL");
				char *spec = ls_xasprintf("%s=%s", name, url);
				ls_strlist_push(&cfg->verify_endpoints, spec);
				free(spec);
			}
		} else {
			err = fail(c, k, "unknown key%s%s%s under 'verify' (expected enabled, hooks, endpoints, ca_file, canary_accounts, timeout)",
			           SHOWN(key));
		}
		if (err < 0)
			return err;
	}
	return 0;
}

static int parse_root(cctx *c, yaml_node_t *root, ls_config *cfg)
{
	if (root->type != YAML_MAPPING_NODE)
		return fail(c, root, "the configuration must be a mapping (rule_files:, disable:, allow: ...)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = ls_yaml_scalar(k);
		int err = 0;
		if (!key || !v)
			return fail(c, k ? k : root, "keys must be strings");
		if (duplicate_key(c, root, p, key))
			return ls_yaml_shown_key(key) ? fail(c, k, "duplicate key '%s'", key) : fail(c, k, "duplicate key");
		if (!strcmp(key, "version")) {
			const char *s = ls_yaml_scalar(v);
			if (!s || strcmp(s, "1"))
				err = fail(c, v, "unsupported configuration version (expected 1)");
		} else if (!strcmp(key, "rule_files")) {
			ls_strlist tmp = {0};
			err = get_list(c, v, key, &tmp);
			for (size_t i = 0; i < tmp.n; i++) {
				const char *f = tmp.items[i];
				if (!*f) {
					err = fail(c, v, "empty path in 'rule_files'");
					break;
				}
				char *full = f[0] == '/' || !strcmp(cfg->dir, ".") ? ls_xstrdup(f) : ls_xasprintf("%s/%s", cfg->dir, f);
				yaml_node_t *item = v->type == YAML_SEQUENCE_NODE
				                        ? yaml_document_get_node(c->doc, v->data.sequence.items.start[i])
				                        : v;
				cfg->rule_file_lines = ls_xrealloc(cfg->rule_file_lines, (cfg->rule_files.n + 1) * sizeof(int));
				cfg->rule_file_lines[cfg->rule_files.n] = line_of(item);
				cfg->rule_files.items = ls_xrealloc(cfg->rule_files.items, (cfg->rule_files.n + 1) * sizeof(char *));
				cfg->rule_files.items[cfg->rule_files.n++] = full;
				ls_strlist_push(&cfg->rule_file_names, f);
			}
			ls_strlist_dispose(&tmp);
		} else if (!strcmp(key, "disable")) {
			err = get_refs(c, v, key, &cfg->disable, &cfg->ndisable);
		} else if (!strcmp(key, "enable")) {
			err = get_refs(c, v, key, &cfg->enable, &cfg->nenable);
		} else if (!strcmp(key, "overrides")) {
			err = parse_overrides(c, v, cfg);
		} else if (!strcmp(key, "fail_on")) {
			err = get_severity(c, v, key, &cfg->fail_on);
			cfg->has_fail_on = 1;
		} else if (!strcmp(key, "min_confidence")) {
			const char *sv = ls_yaml_scalar(v);
			if (!sv || ls_confidence_parse(&cfg->min_confidence, sv) < 0)
				err = fail(c, v, "'min_confidence' must be high, medium or low");
			cfg->has_min_confidence = 1;
		} else if (!strcmp(key, "default_skips")) {
			err = get_bool(c, v, key, &cfg->default_skips);
		} else if (!strcmp(key, "verify")) {
			err = parse_verify(c, v, cfg);
		} else if (!strcmp(key, "allow")) {
			if (v->type != YAML_SEQUENCE_NODE) {
				err = fail(c, v, "'allow' must be a list of entries");
			} else {
				for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top && !err; it++) {
					yaml_node_t *item = yaml_document_get_node(c->doc, *it);
					ls_config_allow a;
					err = parse_allow(c, item, &a);
					if (err < 0) {
						allow_dispose(&a);
						break;
					}
					cfg->allow = ls_xrealloc(cfg->allow, (cfg->nallow + 1) * sizeof(ls_config_allow));
					cfg->allow[cfg->nallow++] = a;
				}
			}
		} else {
			err = fail(c, k, "unknown key%s%s%s (expected version, rule_files, disable, enable, overrides, fail_on, min_confidence, default_skips, allow, verify)", SHOWN(key));
		}
		if (err < 0)
			return err;
	}
	return 0;
}

static int load_text(ls_config **out, const char *path, const char *dir, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	cctx c = {path, &doc};
	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return ls_error_set("%s: cannot initialise the YAML parser", path), LS_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ls_error_set("%s:%zu: invalid YAML: %s%s%s", path, (size_t)parser.problem_mark.line + 1,
		             parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
		             parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return LS_EINVAL;
	}
	ls_config *cfg = ls_xcalloc(1, sizeof(*cfg));
	cfg->path = ls_xstrdup(path);
	cfg->dir = dir ? ls_xstrdup(dir) : dir_of(path);
	cfg->default_skips = -1;
	cfg->verify = -1;
	int err = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && !(root->type == YAML_SCALAR_NODE && !*ls_yaml_scalar(root))) /* an empty file is a valid, empty configuration */
		err = parse_root(&c, root, cfg);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (err < 0) {
		ls_config_free(cfg);
		return err;
	}
	*out = cfg;
	return 0;
}

int ls_config_load_string(ls_config **out, const char *path, const char *text, size_t len)
{
	return load_text(out, path, NULL, text, len);
}

int ls_config_load_buffer(ls_config **out, const char *name, const char *dir, const char *text, size_t len)
{
	return load_text(out, name, dir, text, len);
}

int ls_config_load(ls_config **out, const char *path)
{
	ls_buf b = LS_BUF_INIT;
	*out = NULL;
	int err = ls_read_file(&b, path);
	if (err == LS_ENOTFOUND)
		ls_error_set("configuration '%s': no such file", path);
	if (err == 0)
		err = ls_config_load_string(out, path, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	return err;
}

void ls_config_free(ls_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	ls_strlist_dispose(&c->rule_files);
	ls_strlist_dispose(&c->rule_file_names);
	free(c->rule_file_lines);
	for (size_t i = 0; i < c->ndisable; i++)
		free(c->disable[i].id);
	free(c->disable);
	for (size_t i = 0; i < c->nenable; i++)
		free(c->enable[i].id);
	free(c->enable);
	for (size_t i = 0; i < c->noverrides; i++)
		free(c->overrides[i].id);
	free(c->overrides);
	for (size_t i = 0; i < c->nallow; i++)
		allow_dispose(&c->allow[i]);
	free(c->allow);
	ls_strlist_dispose(&c->verify_endpoints);
	free(c->verify_ca_file);
	ls_strlist_dispose(&c->canary_accounts);
	free(c);
}

static int exists(const char *dir, const char *name, int want_reg)
{
	char *p = ls_xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
	struct stat st;
	int ok = stat(p, &st) == 0 && (!want_reg || S_ISREG(st.st_mode));
	free(p);
	return ok;
}

/* `dir/name`, relative to the current directory when inside it (shorter messages). */
static char *config_path(const char *dir, const char *name)
{
	char cwd[PATH_MAX];
	size_t n;
	if (getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") && !strncmp(dir, cwd, n = strlen(cwd)) &&
	    (dir[n] == '/' || dir[n] == '\0')) {
		if (!dir[n])
			return ls_xstrdup(name);
		return ls_xasprintf("%s/%s", dir + n + 1, name);
	}
	return ls_xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

void ls_config_find(char **root_out, char **config_out, const char *start, ls_config_trust_fn trust, void *payload)
{
	char abs[PATH_MAX];
	*config_out = NULL;
	if (!realpath(start && *start ? start : ".", abs)) {
		*root_out = ls_xstrdup(start && *start ? start : ".");
		return;
	}
	struct stat st;
	if (stat(abs, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(abs, '/');
		if (slash == abs)
			abs[1] = '\0';
		else if (slash)
			*slash = '\0';
	}
	/* the top of the enclosing work tree: the nearest directory holding .git */
	char top[PATH_MAX];
	top[0] = '\0';
	char cur[PATH_MAX];
	snprintf(cur, sizeof(cur), "%s", abs);
	for (;;) {
		if (exists(cur, ".git", 0)) {
			/* a work tree that is not the user's own is no project root: only `start` is */
			if (!trust || trust(cur, payload))
				snprintf(top, sizeof(top), "%s", cur);
			break;
		}
		char *slash = strrchr(cur, '/');
		if (!slash || !strcmp(cur, "/"))
			break;
		if (slash == cur)
			cur[1] = '\0';
		else
			*slash = '\0';
	}
	if (!top[0]) {
		*root_out = ls_xstrdup(abs);
		if (exists(abs, LS_CONFIG_NAME, 1))
			*config_out = config_path(abs, LS_CONFIG_NAME);
		return;
	}
	*root_out = ls_xstrdup(top);
	snprintf(cur, sizeof(cur), "%s", abs);
	for (;;) {
		if (exists(cur, LS_CONFIG_NAME, 1)) {
			*config_out = config_path(cur, LS_CONFIG_NAME);
			return;
		}
		if (!strcmp(cur, top))
			return;
		char *slash = strrchr(cur, '/');
		if (!slash || slash == cur)
			return;
		*slash = '\0';
	}
}

int ls_config_load_rules(const ls_config *c, ls_ruleset *rs)
{
	for (size_t i = 0; i < c->rule_files.n; i++) {
		int err = ls_ruleset_load_path(rs, c->rule_files.items[i]);
		if (err == LS_ENOTFOUND) {
			ls_error_set("%s:%d: rule file '%s': no such file or directory", c->path, c->rule_file_lines[i],
			             c->rule_files.items[i]);
		}
		if (err < 0)
			return err;
	}
	return 0;
}

/* `f` as a path below the configuration's directory: no leading "./", no empty or "."
 * components; NULL when it is absolute or has a ".." component. */
static char *inside_path(const char *f)
{
	if (f[0] == '/')
		return NULL;
	ls_buf b = LS_BUF_INIT;
	const char *p = f;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			ls_buf_dispose(&b);
			return NULL;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (b.len)
				ls_buf_putc(&b, '/');
			ls_buf_put(&b, p, n);
		}
		p = *e ? e + 1 : e;
	}
	if (!b.len)
		ls_buf_puts(&b, ".");
	return ls_buf_detach(&b);
}

static int yaml_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && ((l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml")));
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One rule file (or directory of them) named at `line`: checked, read through `rd`, loaded. */
static int load_one(const ls_config *c, ls_ruleset *rs, const ls_config_reader *rd, const char *f, int line)
{
	char *rel = inside_path(f);
	if (!rel) {
		ls_error_set("%s:%d: rule file '%s': %s is not allowed here: rule files must be inside the repository "
		             "(name them in a configuration given with --config)", c->path, line, f,
		             f[0] == '/' ? "an absolute path" : "'..'");
		return LS_EINVAL;
	}
	ls_buf b = LS_BUF_INIT;
	ls_strlist names = {0};
	int err = rd->read(rd->payload, rel, &b, &names);
	if (err == 1) { /* a directory: its *.yaml and *.yml files in name order */
		ls_strlist keep = {0};
		for (size_t i = 0; i < names.n; i++)
			if (yaml_name(names.items[i]))
				ls_strlist_push(&keep, names.items[i]);
		if (keep.n)
			qsort(keep.items, keep.n, sizeof(char *), cmp_name);
		err = 0;
		for (size_t i = 0; i < keep.n && !err; i++) {
			char *sub = ls_xasprintf("%s/%s", rel, keep.items[i]);
			ls_strlist none = {0};
			err = rd->read(rd->payload, sub, &b, &none);
			if (err == 1) {
				ls_strlist_dispose(&none);
				err = (ls_error_set("not a regular file"), LS_EIO);
			}
			if (err < 0) {
				ls_error_wrap("%s:%d: rule file '%s%s'", c->path, line, rd->prefix, sub);
			} else {
				char *shown = ls_xasprintf("%s%s", rd->prefix, sub);
				err = ls_ruleset_load_string(rs, shown, b.ptr ? b.ptr : "", b.len);
				free(shown);
			}
			free(sub);
		}
		ls_strlist_dispose(&keep);
	} else if (err < 0) {
		ls_error_wrap("%s:%d: rule file '%s'", c->path, line, f);
	} else {
		char *shown = ls_xasprintf("%s%s", rd->prefix, rel);
		err = ls_ruleset_load_string(rs, shown, b.ptr ? b.ptr : "", b.len);
		free(shown);
	}
	ls_strlist_dispose(&names);
	ls_buf_dispose(&b);
	free(rel);
	return err;
}

int ls_config_load_rules_from(const ls_config *c, ls_ruleset *rs, const ls_config_reader *rd)
{
	for (size_t i = 0; i < c->rule_file_names.n; i++) {
		int err = load_one(c, rs, rd, c->rule_file_names.items[i], c->rule_file_lines[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

typedef struct {
	const ls_config *c;
	char root[PATH_MAX];
} fs_reader;

/* Reads `rel` below the configuration's directory, never outside the root. */
static int fs_read(void *payload, const char *rel, ls_buf *out, ls_strlist *names)
{
	fs_reader *r = payload;
	char *full = strcmp(r->c->dir, ".") ? ls_xasprintf("%s/%s", r->c->dir, rel) : ls_xstrdup(rel);
	char real[PATH_MAX];
	struct stat st;
	int err;
	if (realpath(full, real) && ls_path_is_below(real, r->root) && lstat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = opendir(real);
		struct dirent *e;
		err = d ? 1 : (ls_error_set("%s", strerror(errno)), LS_EIO);
		while (d && (e = readdir(d)))
			ls_strlist_push(names, e->d_name);
		if (d)
			closedir(d);
	} else {
		err = ls_read_confined(out, full, r->root, LS_POLICY_MAX_FILE);
	}
	free(full);
	return err;
}

int ls_config_load_rules_confined(const ls_config *c, ls_ruleset *rs, const char *root)
{
	fs_reader r;
	r.c = c;
	if (!realpath(root, r.root)) {
		ls_error_set("'%s': %s", root, strerror(errno));
		return LS_EIO;
	}
	char *prefix = strcmp(c->dir, ".") ? ls_xasprintf("%s/", c->dir) : ls_xstrdup("");
	ls_config_reader rd = {fs_read, prefix, &r};
	int err = ls_config_load_rules_from(c, rs, &rd);
	free(prefix);
	return err;
}

static int find_rule(const ls_config *c, ls_ruleset *rs, const ls_config_ref *ref, size_t *idx)
{
	for (size_t i = 0; i < ls_ruleset_count(rs); i++) {
		if (!strcmp(ls_ruleset_get(rs, i)->id, ref->id)) {
			*idx = i;
			return 0;
		}
	}
	ls_error_set("%s:%d: unknown rule id '%s'", c->path, ref->line, ref->id);
	return LS_EINVAL;
}

int ls_config_apply_rules(const ls_config *c, ls_ruleset *rs)
{
	size_t idx;
	for (size_t i = 0; i < c->ndisable; i++) {
		if (find_rule(c, rs, &c->disable[i], &idx) < 0)
			return LS_EINVAL;
		ls_ruleset_get_mut(rs, idx)->enabled = 0;
	}
	for (size_t i = 0; i < c->nenable; i++) {
		if (find_rule(c, rs, &c->enable[i], &idx) < 0)
			return LS_EINVAL;
		ls_ruleset_get_mut(rs, idx)->enabled = 1;
	}
	for (size_t i = 0; i < c->noverrides; i++) {
		const ls_config_override *o = &c->overrides[i];
		ls_config_ref ref = {o->id, o->line};
		if (find_rule(c, rs, &ref, &idx) < 0)
			return LS_EINVAL;
		ls_rule *r = ls_ruleset_get_mut(rs, idx);
		if (o->has_severity)
			r->severity = o->severity;
		if (o->has_min_entropy)
			r->min_entropy = o->min_entropy;
	}
	return 0;
}

int ls_config_apply_allow(const ls_config *c, const ls_ruleset *rs, ls_allow *a)
{
	if (c->default_skips >= 0)
		ls_allow_set_default_skips(a, c->default_skips);
	for (size_t i = 0; i < c->nallow; i++) {
		const ls_config_allow *ca = &c->allow[i];
		const char **ids = ls_xcalloc(ca->nrules ? ca->nrules : 1, sizeof(char *));
		for (size_t k = 0; k < ca->nrules; k++) {
			if (!ls_ruleset_find(rs, ca->rules[k].id)) {
				ls_error_set("%s:%d: unknown rule id '%s'", c->path, ca->rules[k].line, ca->rules[k].id);
				free(ids);
				return LS_EINVAL;
			}
			ids[k] = ca->rules[k].id;
		}
		char *where = ls_xasprintf("%s:%d", c->path, ca->line);
		ls_allow_entry e = LS_ALLOW_ENTRY_INIT;
		e.where = where;
		e.rules = ids;
		e.nrules = ca->nrules;
#define LIST(f) e.f = (const char *const *)ca->f.items, e.n##f = ca->f.n
		LIST(paths);
		LIST(secrets);
		LIST(matches);
		LIST(lines);
		LIST(stopwords);
		LIST(commits);
		LIST(aws_accounts);
#undef LIST
		e.condition = ca->condition;
		int err = ls_allow_add(a, &e);
		free(where);
		free(ids);
		if (err < 0)
			return err;
	}
	return 0;
}
