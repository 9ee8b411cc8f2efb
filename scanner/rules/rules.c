#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <dirent.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common.h"
#include "hsexpr.h"
#include "yamlnode.h"

struct ls_ruleset {
	ls_rule **rules;
	size_t n, cap;
	/* the rules by id: open addressing, a rule's index + 1 (0: empty), kept by ruleset_push
	 * and id_index_rebuild; 380 rules made the duplicate check a quadratic strcmp loop */
	size_t *by_id;
	size_t nby_id; /* a power of two, at least twice n; 0 before the first rule */
	/* compiled `allow` regexes, each source once: rules share lists (YAML anchors) */
	char **re_src;
	pcre2_code **re;
	size_t nre;
};

static const char *sev_names[] = {"low", "medium", "high", "critical"};

const char *ls_severity_name(ls_severity s)
{
	return (unsigned)s < 4 ? sev_names[s] : "unknown";
}

int ls_severity_parse(ls_severity *out, const char *name)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(name, sev_names[i])) {
			*out = (ls_severity)i;
			return 0;
		}
	}
	return LS_EINVAL;
}

static const char *conf_names[] = {"low", "medium", "high"};

const char *ls_confidence_name(ls_confidence c)
{
	return (unsigned)c < 3 ? conf_names[c] : "unknown";
}

int ls_confidence_parse(ls_confidence *out, const char *name)
{
	for (int i = 0; i < 3; i++) {
		if (!strcmp(name, conf_names[i])) {
			*out = (ls_confidence)i;
			return 0;
		}
	}
	return LS_EINVAL;
}

int ls_ruleset_new(ls_ruleset **out)
{
	*out = ls_xcalloc(1, sizeof(ls_ruleset));
	return 0;
}

static void rule_free(ls_rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->name);
	free(r->pattern);
	free(r->description);
	ls_strlist_dispose(&r->keywords);
	free(r->allow_re); /* the codes belong to the ruleset */
	ls_strlist_dispose(&r->allow);
	free(r->allow_match_re);
	ls_strlist_dispose(&r->allow_match);
	ls_strlist_dispose(&r->references);
	ls_strlist_dispose(&r->examples);
	ls_strlist_dispose(&r->negative_examples);
	free(r->validate);
	free(r->verify);
	free(r->pair_with);
	free(r->file);
	free(r);
}

void ls_ruleset_free(ls_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	free(rs->by_id);
	for (size_t i = 0; i < rs->nre; i++) {
		free(rs->re_src[i]);
		pcre2_code_free(rs->re[i]);
	}
	free(rs->re_src);
	free(rs->re);
	free(rs);
}

size_t ls_ruleset_count(const ls_ruleset *rs) { return rs->n; }

const ls_rule *ls_ruleset_get(const ls_ruleset *rs, size_t i) { return rs->rules[i]; }

ls_rule *ls_ruleset_get_mut(ls_ruleset *rs, size_t i) { return rs->rules[i]; }

static size_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (size_t)h;
}

/* The slot of `id` in the index: the rule's, or the empty one where it would go. */
static size_t id_slot(const ls_ruleset *rs, const char *id)
{
	size_t mask = rs->nby_id - 1, i = id_hash(id) & mask;
	while (rs->by_id[i] && strcmp(rs->rules[rs->by_id[i] - 1]->id, id))
		i = (i + 1) & mask;
	return i;
}

static void id_index_rebuild(ls_ruleset *rs)
{
	size_t want = 64;
	while (want < 2 * (rs->n + 1))
		want *= 2;
	free(rs->by_id);
	rs->by_id = ls_xcalloc(want, sizeof(size_t));
	rs->nby_id = want;
	for (size_t i = 0; i < rs->n; i++)
		rs->by_id[id_slot(rs, rs->rules[i]->id)] = i + 1;
}

static ls_rule *find_rule(const ls_ruleset *rs, const char *id)
{
	if (!rs->nby_id)
		return NULL;
	size_t i = id_slot(rs, id);
	return rs->by_id[i] ? rs->rules[rs->by_id[i] - 1] : NULL;
}

const ls_rule *ls_ruleset_find(const ls_ruleset *rs, const char *id) { return find_rule(rs, id); }

int ls_ruleset_set_enabled(ls_ruleset *rs, const char *id, int enabled)
{
	ls_rule *r = find_rule(rs, id);
	if (r) {
		r->enabled = enabled;
		return 0;
	}
	ls_error_set("unknown rule id '%s'", id);
	return LS_ENOTFOUND;
}

/* ---- loading ---- */

typedef struct {
	const char *file;
	yaml_document_t *doc;
	const char *rule_id; /* for messages, may be NULL */
	ls_ruleset *rs;
} load_ctx;

static int node_line(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int fail(load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(load_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->rule_id)
		ls_error_set("%s:%d: rule '%s': %s", c->file, node_line(n), c->rule_id, msg);
	else
		ls_error_set("%s:%d: %s", c->file, node_line(n), msg);
	return LS_EINVAL;
}

static int get_string(load_ctx *c, yaml_node_t *n, const char *key, char **out)
{
	const char *s = ls_yaml_scalar(n);
	if (!s)
		return fail(c, n, "'%s' must be a string", key);
	free(*out); /* a key given twice: the last value wins */
	*out = ls_xstrdup(s);
	return 0;
}

/* A whole number from lo to hi. */
static int get_int(load_ctx *c, yaml_node_t *n, const char *key, long lo, long hi, int *out)
{
	const char *s = ls_yaml_scalar(n);
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : lo - 1;
	if (!s || !*s || *end || v < lo || v > hi)
		return fail(c, n, "%s must be a number from %ld to %ld", key, lo, hi);
	*out = (int)v;
	return 0;
}

static int get_list(load_ctx *c, yaml_node_t *n, const char *key, ls_strlist *out)
{
	yaml_node_t *bad = ls_yaml_strings(c->doc, n, out);
	return bad ? fail(c, bad, "'%s' must be a list of strings", key) : 0;
}

static int valid_id(const char *s)
{
	if (!*s)
		return 0;
	int prev_dash = 1;
	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (prev_dash)
				return 0;
			prev_dash = 1;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
			prev_dash = 0;
		} else {
			return 0;
		}
	}
	return !prev_dash;
}

static int compile_check(load_ctx *c, yaml_node_t *n, const char *what, const char *re,
                         pcre2_code **keep)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR buf[256];
		pcre2_get_error_message(errcode, buf, sizeof(buf));
		return fail(c, n, "invalid %s: %s at offset %zu", what, (const char *)buf, (size_t)erroff);
	}
	if (keep)
		*keep = code;
	else
		pcre2_code_free(code);
	return 0;
}

/* An `allow` regex, compiled once per ruleset whatever the number of rules listing it. */
static int allow_regex(load_ctx *c, yaml_node_t *n, const char *re, pcre2_code **out)
{
	ls_ruleset *rs = c->rs;
	for (size_t i = 0; i < rs->nre; i++)
		if (!strcmp(rs->re_src[i], re)) {
			*out = rs->re[i];
			return 0;
		}
	int err = compile_check(c, n, "allow regex", re, out);
	if (err < 0)
		return err;
	rs->re_src = ls_xrealloc(rs->re_src, (rs->nre + 1) * sizeof(char *));
	rs->re = ls_xrealloc(rs->re, (rs->nre + 1) * sizeof(pcre2_code *));
	rs->re_src[rs->nre] = ls_xstrdup(re);
	rs->re[rs->nre++] = *out;
	return 0;
}

static int parse_rule(load_ctx *c, yaml_node_t *map, ls_rule **out)
{
	int err = 0;
	ls_rule *r = ls_xcalloc(1, sizeof(*r));
	r->enabled = 1;
	r->pair_lines = -1;
	r->file = ls_xstrdup(c->file);
	r->line = node_line(map);
	c->rule_id = NULL;
	if (map->type != YAML_MAPPING_NODE) {
		err = fail(c, map, "a rule must be a mapping");
		goto done;
	}
	/* find the id first so that every later message can name the rule */
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (k && ls_yaml_scalar(k) && !strcmp(ls_yaml_scalar(k), "id")) {
			c->rule_id = NULL; /* get_string frees an id given before */
			if ((err = get_string(c, v, "id", &r->id)) < 0)
				goto done;
			if (!valid_id(r->id)) {
				err = ls_yaml_shown_key(r->id)
				          ? fail(c, v, "invalid id '%s': use lowercase letters, digits and single dashes", r->id)
				          : fail(c, v, "invalid id: use lowercase letters, digits and single dashes");
				goto done;
			}
			c->rule_id = r->id;
		}
	}
	if (!r->id) {
		err = fail(c, map, "missing field 'id'");
		goto done;
	}
	int have_sev = 0, have_conf = 0;
	yaml_node_t *pattern_node = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		const char *key = k ? ls_yaml_scalar(k) : NULL;
		if (!key || !v) {
			err = fail(c, k ? k : map, "keys must be strings");
			goto done;
		}
		if (!strcmp(key, "id")) {
			continue;
		} else if (!strcmp(key, "name")) {
			err = get_string(c, v, key, &r->name);
		} else if (!strcmp(key, "pattern")) {
			err = get_string(c, v, key, &r->pattern);
			pattern_node = v;
			r->pattern_line = node_line(v);
		} else if (!strcmp(key, "description")) {
			err = get_string(c, v, key, &r->description);
		} else if (!strcmp(key, "severity")) {
			const char *s = ls_yaml_scalar(v);
			if (!s || ls_severity_parse(&r->severity, s) < 0)
				err = fail(c, v, "severity must be one of critical, high, medium, low");
			have_sev = 1;
		} else if (!strcmp(key, "confidence")) {
			const char *s = ls_yaml_scalar(v);
			if (!s || ls_confidence_parse(&r->confidence, s) < 0)
				err = fail(c, v, "confidence must be one of high, medium, low");
			have_conf = 1;
		} else if (!strcmp(key, "min_entropy")) {
			const char *s = ls_yaml_scalar(v);
			char *end = NULL;
			double d = s ? strtod(s, &end) : -1;
			if (!s || !*s || *end || d < 0 || d > 8)
				err = fail(c, v, "min_entropy must be a number from 0 to 8");
			else
				r->min_entropy = d;
		} else if (!strcmp(key, "keywords")) {
			err = get_list(c, v, key, &r->keywords);
			for (size_t i = 0; !err && i < r->keywords.n; i++) {
				for (char *q = r->keywords.items[i]; *q; q++)
					*q = (char)tolower((unsigned char)*q);
				if (!*r->keywords.items[i])
					err = fail(c, v, "empty keyword");
			}
		} else if (!strcmp(key, "allow")) {
			err = get_list(c, v, key, &r->allow);
		} else if (!strcmp(key, "references")) {
			err = get_list(c, v, key, &r->references);
		} else if (!strcmp(key, "examples")) {
			err = get_list(c, v, key, &r->examples);
		} else if (!strcmp(key, "negative_examples")) {
			err = get_list(c, v, key, &r->negative_examples);
		} else if (!strcmp(key, "validate")) {
			err = get_string(c, v, key, &r->validate);
			if (!err && !(r->validate_fn = ls_validate_find(r->validate)))
				err = fail(c, v, "unknown validator '%s'", r->validate);
		} else if (!strcmp(key, "verify")) {
			/* the name is checked against the verifier table by the command (ls_cli_load_rules) */
			err = get_string(c, v, key, &r->verify);
			r->verify_line = (int)v->start_mark.line + 1;
		} else if (!strcmp(key, "allow_match")) {
			err = get_list(c, v, key, &r->allow_match);
		} else if (!strcmp(key, "enabled") || !strcmp(key, "generic") || !strcmp(key, "context") ||
		           !strcmp(key, "quoted_in_code")) {
			const char *s = ls_yaml_scalar(v);
			int *dst = key[0] == 'e' ? &r->enabled : key[0] == 'g' ? &r->generic : key[0] == 'q' ? &r->quoted_in_code : &r->context;
			if (s && !strcmp(s, "true"))
				*dst = 1;
			else if (s && !strcmp(s, "false"))
				*dst = 0;
			else
				err = fail(c, v, "%s must be true or false", key);
		} else if (!strcmp(key, "decode")) {
			const char *s = ls_yaml_scalar(v);
			if (s && !strcmp(s, "base64"))
				r->decode_base64 = 1;
			else if (s && !strcmp(s, "basic-auth"))
				r->decode_basic = 1;
			else
				err = fail(c, v, "decode must be base64 or basic-auth");
		} else if (!strcmp(key, "pair_with")) {
			err = get_string(c, v, key, &r->pair_with);
		} else if (!strcmp(key, "pair_lines")) {
			err = get_int(c, v, key, 0, 1000, &r->pair_lines);
		} else if (!strcmp(key, "split_alternatives")) {
			err = get_int(c, v, key, 1, 64, &r->split_alternatives);
		} else {
			err = ls_yaml_shown_key(key) ? fail(c, k, "unknown field '%s'", key) : fail(c, k, "unknown field");
		}
		if (err < 0)
			goto done;
	}
	/* id, pattern and severity are all a rule needs (as gitleaks users expect): the name
	 * defaults to the id, the description to the name; 'rules check' warns about a missing
	 * description or examples, and the shipped rules are checked to have them */
	if (!r->pattern) {
		err = fail(c, map, "missing field 'pattern'");
		goto done;
	}
	r->no_description = !r->description;
	if (!r->name)
		r->name = ls_xstrdup(r->id);
	if (!r->description)
		r->description = ls_xstrdup(r->name);
	if (!have_sev) {
		err = fail(c, map, "missing field 'severity'");
		goto done;
	}
	if (!have_conf)
		r->confidence = r->generic ? LS_CONF_MEDIUM : LS_CONF_HIGH;
	if (!*r->pattern) {
		err = fail(c, pattern_node, "empty pattern");
		goto done;
	}
	if (r->context && (r->decode_base64 || r->pair_with)) {
		err = fail(c, map, "a context rule cannot also have decode or pair_with");
		goto done;
	}
	pcre2_code *code = NULL;
	if ((err = compile_check(c, pattern_node, "regex", r->pattern, &code)) < 0)
		goto done;
	uint32_t ncap = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
	pcre2_code_free(code);
	if (ncap > 1) {
		err = fail(c, pattern_node, "pattern has %u capture groups; at most one may mark the secret (use (?:...) to group)", ncap);
		goto done;
	}
	if (r->split_alternatives) {
		/* the pattern's leading group is the derived expression's: a cut closes it, a
		 * relaxed repeat stays a repeat (and checking the pattern costs no Hyperscan call) */
		ls_strlist pieces = {0};
		int n = ls_hsexpr_split(r->pattern, r->split_alternatives, &pieces);
		ls_strlist_dispose(&pieces);
		if (n < 0) {
			err = fail(c, pattern_node, "split_alternatives needs a pattern that begins with a group (?:A|B|...), "
			                            "after an optional (?i) and \\b");
			goto done;
		}
	}
	r->allow_re = ls_xcalloc(r->allow.n, sizeof(void *));
	for (size_t i = 0; i < r->allow.n && err == 0; i++)
		err = allow_regex(c, map, r->allow.items[i], (pcre2_code **)&r->allow_re[i]);
	r->allow_match_re = ls_xcalloc(r->allow_match.n ? r->allow_match.n : 1, sizeof(void *));
	for (size_t i = 0; i < r->allow_match.n && err == 0; i++)
		err = allow_regex(c, map, r->allow_match.items[i], (pcre2_code **)&r->allow_match_re[i]);
	if (err < 0)
		goto done;
done:
	if (err < 0) {
		rule_free(r);
		return err;
	}
	*out = r;
	return 0;
}

static void ruleset_push(ls_ruleset *rs, ls_rule *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 32;
		rs->rules = ls_xrealloc(rs->rules, rs->cap * sizeof(ls_rule *));
	}
	rs->rules[rs->n++] = r;
	if (2 * (rs->n + 1) > rs->nby_id)
		id_index_rebuild(rs);
	else
		rs->by_id[id_slot(rs, r->id)] = rs->n;
}

int ls_ruleset_load_string(ls_ruleset *rs, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	int err = 0;
	size_t start_n = rs->n;
	load_ctx c = {name, &doc, NULL, rs};

	if (!yaml_parser_initialize(&parser))
		return ls_error_set("%s: cannot initialise the YAML parser", name), LS_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ls_error_set("%s:%zu: invalid YAML: %s%s%s", name,
		             (size_t)parser.problem_mark.line + 1, parser.problem ? parser.problem : "syntax error",
		             parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return LS_EINVAL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) /* empty file: no rules */
		goto done;
	yaml_node_t *seq = root;
	if (root->type == YAML_MAPPING_NODE) {
		seq = NULL;
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&doc, p->key);
			const char *key = k ? ls_yaml_scalar(k) : NULL;
			if (key && !strcmp(key, "rules")) {
				seq = yaml_document_get_node(&doc, p->value);
			} else {
				const char *shown = ls_yaml_shown_key(key);
				err = shown ? fail(&c, k ? k : root, "unknown top-level field '%s' (expected 'rules')", shown)
				            : fail(&c, k ? k : root, "unknown top-level field (expected 'rules')");
				goto done;
			}
		}
		if (!seq) {
			err = fail(&c, root, "missing 'rules' list");
			goto done;
		}
	}
	if (seq->type != YAML_SEQUENCE_NODE) {
		err = fail(&c, seq, "a rule file must hold a list of rules");
		goto done;
	}
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(&doc, *it);
		ls_rule *r = NULL;
		if ((err = parse_rule(&c, n, &r)) < 0)
			goto done;
		const ls_rule *first = find_rule(rs, r->id);
		if (first) {
			ls_error_set("%s:%d: rule '%s': duplicate id (first defined at %s:%d)", name, r->line, r->id,
			             first->file, first->line);
			rule_free(r);
			err = LS_EINVAL;
			goto done;
		}
		ruleset_push(rs, r);
	}
done:
	if (err < 0 && rs->n > start_n) {
		while (rs->n > start_n)
			rule_free(rs->rules[--rs->n]);
		id_index_rebuild(rs);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return err;
}

static int load_file(ls_ruleset *rs, const char *path)
{
	ls_buf b = LS_BUF_INIT;
	int err = ls_read_file(&b, path);
	if (err == 0)
		err = ls_ruleset_load_string(rs, path, b.ptr, b.len);
	ls_buf_dispose(&b);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ls_ruleset_load_path(ls_ruleset *rs, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		ls_error_set("'%s': no such rule file or directory", path);
		return LS_ENOTFOUND;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path);
	DIR *d = opendir(path);
	if (!d) {
		ls_error_set("'%s': cannot open rule directory", path);
		return LS_EIO;
	}
	ls_strlist names = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if ((l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) || (l > 4 && !strcmp(e->d_name + l - 4, ".yml")))
			ls_strlist_push(&names, e->d_name);
	}
	closedir(d);
	if (names.n)
		qsort(names.items, names.n, sizeof(char *), cmp_str);
	int err = 0;
	size_t start_n = rs->n;
	for (size_t i = 0; i < names.n && err == 0; i++) {
		char *full = ls_xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names.items[i]);
		err = load_file(rs, full);
		free(full);
	}
	if (err < 0 && rs->n > start_n) {
		while (rs->n > start_n)
			rule_free(rs->rules[--rs->n]);
		id_index_rebuild(rs);
	}
	ls_strlist_dispose(&names);
	return err;
}

void ls_ruleset_digest(const ls_ruleset *rs, char out[65])
{
	ls_buf b = LS_BUF_INIT;
	for (size_t i = 0; i < rs->n; i++) {
		const ls_rule *r = rs->rules[i];
		if (!r->enabled)
			continue;
		ls_buf_printf(&b, "%s\n%s\n%d\n%.3f\n%s\n%d %d %s %d %d\n", r->id, r->pattern, (int)r->severity,
		              r->min_entropy, r->validate ? r->validate : "", r->generic, r->decode_base64 + 2 * r->decode_basic,
		              r->pair_with ? r->pair_with : "", r->pair_lines, r->context);
		for (size_t k = 0; k < r->keywords.n; k++)
			ls_buf_printf(&b, "k%s\n", r->keywords.items[k]);
		for (size_t k = 0; k < r->allow.n; k++)
			ls_buf_printf(&b, "a%s\n", r->allow.items[k]);
		for (size_t k = 0; k < r->allow_match.n; k++)
			ls_buf_printf(&b, "m%s\n", r->allow_match.items[k]);
		if (r->quoted_in_code)
			ls_buf_puts(&b, "q\n");
		ls_buf_putc(&b, '\0');
	}
	ls_sha256_hex(out, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
}

static int any_matches(void *const *codes, size_t n, const char *text, size_t len)
{
	int allowed = 0;
	for (size_t i = 0; i < n && !allowed; i++) {
		pcre2_match_data *md = pcre2_match_data_create_from_pattern(codes[i], NULL);
		if (pcre2_match(codes[i], (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0)
			allowed = 1;
		pcre2_match_data_free(md);
	}
	return allowed;
}

int ls_rule_allows(const ls_rule *rule, const char *secret, size_t len)
{
	return any_matches(rule->allow_re, rule->allow.n, secret, len);
}

int ls_rule_allows_match(const ls_rule *rule, const char *match, size_t len)
{
	return any_matches(rule->allow_match_re, rule->allow_match.n, match, len);
}

int ls_path_is_code(const char *path)
{
	static const char *const exts[] = {
	    "c", "h", "cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "m", "mm", "cs", "vb", "fs", "java", "kt",
	    "kts", "scala", "groovy", "clj", "go", "rs", "swift", "dart", "py", "pyi", "pyx", "rb", "php", "pl",
	    "pm", "lua", "js", "mjs", "cjs", "jsx", "ts", "tsx", "vue", "svelte", "ex", "exs", "erl", "hs",
	    "ml", "jl", "r", "nim", "zig", "d", "pas", "pp", "inc", "dpr", "lpr", "vim", "el", "f90"};
	if (!path)
		return 0;
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base + 1 : path, '.');
	if (!dot || dot[1] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return 1;
	return 0;
}

/* Whether `name` (n bytes) equals one of `names`, ignoring case. */
static int name_in(const char *name, size_t n, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]) == n && !strncasecmp(name, names[i], n))
			return 1;
	return 0;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !strncasecmp(s + n - k, suffix, k);
}

int ls_path_is_example(const char *path)
{
	static const char *const dirs[] = {"test", "tests", "testing", "testdata", "test-data", "test_data", "__tests__",
	                                   "spec", "specs", "fixture", "fixtures", "__fixtures__", "mock", "mocks",
	                                   "__mocks__", "example", "examples", "sample", "samples", "demo", "demos",
	                                   "doc", "docs", "documentation", "e2e", "testsuite", "unittest", "unittests"};
	static const char *const doc_exts[] = {".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".rdoc", ".pod",
	                                       ".textile", ".1", ".3", ".5", ".7", ".8"};
	if (!path || !*path || *path == '<')
		return 0;
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (slash) {
			if (name_in(p, n, dirs, sizeof(dirs) / sizeof(dirs[0])))
				return 1;
			p = slash + 1;
			continue;
		}
		/* the file's own name: test_x.py, x_test.go, x.test.ts, x.spec.js, XTest.java, x_spec.rb,
		 * README.md, x.example, x.sample */
		for (size_t i = 0; i < sizeof(doc_exts) / sizeof(doc_exts[0]); i++)
			if (ends_with_ci(p, n, doc_exts[i]))
				return 1;
		const char *dot = memchr(p, '.', n);
		size_t stem = dot ? (size_t)(dot - p) : n;
		return (n > 5 && !strncasecmp(p, "test_", 5)) || (stem > 5 && ends_with_ci(p, stem, "_test")) ||
		       (stem > 5 && ends_with_ci(p, stem, "_spec")) || (stem > 4 && !strncmp(p + stem - 4, "Test", 4)) ||
		       (stem > 5 && !strncmp(p + stem - 5, "Tests", 5)) || strstr(p, ".test.") || strstr(p, ".spec.") ||
		       ends_with_ci(p, n, ".example") || ends_with_ci(p, n, ".sample") || ends_with_ci(p, n, ".dist") ||
		       ends_with_ci(p, n, ".template") || strstr(p, ".example.") || strstr(p, ".sample.");
	}
}
