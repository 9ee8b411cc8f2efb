/*
 * Fuzzes the report sinks (report.h) with hostile finding fields: a path, a secret, the line
 * holding it, a commit message and an author taken from the input (NUL-separated), rendered
 * in every format, with and without redaction. Properties:
 *   - JSON, JSONL, SARIF and JUnit output is valid UTF-8 with no control byte but newline
 *     (and tab or CR in JUnit text): file names and lines cannot break the document;
 *   - text output is one line per finding (a newline in a name cannot forge a finding);
 *   - redacted output never holds a secret of 16+ alphanumerics that no unredacted field
 *     (path, author) carries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"
#include "rules.h"
#include "search.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ls_ruleset *rs;
static const char rules_yaml[] =
    "rules:\n"
    "  - id: fuzz-rule\n"
    "    name: Fuzz <rule> & \"name\"\n"
    "    pattern: 'x'\n"
    "    severity: high\n"
    "    description: A rule whose name needs escaping in every format.\n"
    "    examples: ['x']\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (ls_ruleset_new(&rs) < 0 || ls_ruleset_load_string(rs, "fuzz-rules.yaml", rules_yaml, sizeof(rules_yaml) - 1) < 0) {
		fprintf(stderr, "fuzz_report: %s\n", ls_error_last());
		exit(1);
	}
	return 0;
}

/* Returns the length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!len || len > n || (len == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static void check_document(const char *fmt, const char *out, size_t len, const char *allowed_ctl)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)out[i];
		if (c < 0x20 && !strchr(allowed_ctl, c)) {
			fprintf(stderr, "fuzz_report: %s output has control byte 0x%02x at %zu\n", fmt, c, i);
			abort();
		}
		size_t k = utf8_seq((const unsigned char *)out + i, len - i);
		if (!k) {
			fprintf(stderr, "fuzz_report: %s output is not UTF-8 at %zu\n", fmt, i);
			abort();
		}
		i += k;
	}
}

static int alnum_secret(const char *s, size_t n)
{
	if (n < 16)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* Splits the input at NULs into up to `max` fields (missing ones are empty). */
static size_t split(const uint8_t *data, size_t size, char **fields, size_t *lens, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < max; i++) {
		if (i == size || data[i] == 0) {
			fields[n] = ls_xstrndup((const char *)data + start, i - start);
			lens[n++] = i - start;
			start = i + 1;
		}
	}
	for (size_t k = n; k < max; k++) {
		fields[k] = ls_xstrdup("");
		lens[k] = 0;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { PATH, SECRET, LINE, MESSAGE, AUTHOR, NFIELDS };
	char *fld[NFIELDS];
	size_t len[NFIELDS];
	split(data, size, fld, len, NFIELDS);
	ls_finding f;
	memset(&f, 0, sizeof(f));
	f.rule = ls_ruleset_get(rs, 0);
	f.severity = f.rule->severity;
	f.path = fld[PATH];
	f.secret = fld[SECRET];
	f.secret_len = len[SECRET];
	f.match = fld[SECRET];
	f.match_len = len[SECRET];
	/* the line holds the secret somewhere: after the line's own bytes */
	ls_buf line = LS_BUF_INIT;
	ls_buf_put(&line, fld[LINE], len[LINE]);
	f.line_secret_off = line.len;
	ls_buf_put(&line, fld[SECRET], len[SECRET]);
	f.line_text = line.ptr;
	f.line_secret_len = len[SECRET];
	f.line = 1 + len[LINE] % 7;
	f.column = 1 + len[LINE];
	f.end_line = f.line;
	f.end_column = f.column + len[SECRET];
	f.offset = len[LINE];
	f.entropy = ls_entropy(f.secret, f.secret_len);
	ls_sha256_hex(f.secret_hash, f.secret, f.secret_len);
	ls_finding_fingerprint(&f);
	if (size && data[0] & 1) {
		f.prov.commit = (char *)"0123456789abcdef0123456789abcdef01234567";
		f.prov.blob = (char *)"89abcdef0123456789abcdef0123456789abcdef";
		f.prov.author_name = fld[AUTHOR];
		f.prov.author_email = (char *)"fuzz@example.invalid";
		f.prov.date = (char *)"2024-01-02T03:04:05Z";
		f.prov.message = fld[MESSAGE];
	}
	/* what redaction may leave: the fields shown as they are */
	int check_redaction = alnum_secret(f.secret, f.secret_len) && !strstr(f.path, f.secret) &&
	                      !(f.prov.author_name && strstr(f.prov.author_name, f.secret));
	static const ls_format formats[] = {LS_FMT_TEXT, LS_FMT_JSON, LS_FMT_JSONL, LS_FMT_SARIF, LS_FMT_JUNIT, LS_FMT_CSV};
	for (size_t fi = 0; fi < sizeof(formats) / sizeof(formats[0]); fi++) {
		for (int redact = 0; redact <= 1; redact++) {
			char *out = NULL;
			size_t olen = 0;
			FILE *mf = open_memstream(&out, &olen);
			if (!mf)
				abort();
			ls_report_options ro;
			memset(&ro, 0, sizeof(ro));
			ro.format = formats[fi];
			ro.redact = redact;
			ro.tool_version = "fuzz";
			ls_report *r = NULL;
			if (ls_report_new(&r, mf, &ro) < 0)
				abort();
			ls_report_add(r, &f);
			ls_report_add(r, &f);
			ls_report_finish(r);
			ls_report_free(r);
			fclose(mf);
			const char *name = ls_format_name(formats[fi]);
			switch (formats[fi]) {
			case LS_FMT_JSON: case LS_FMT_JSONL: case LS_FMT_SARIF:
				check_document(name, out, olen, "\n");
				break;
			case LS_FMT_JUNIT:
				check_document(name, out, olen, "\n\t\r");
				break;
			case LS_FMT_TEXT: {
				size_t nl = 0;
				for (size_t i = 0; i < olen; i++)
					nl += out[i] == '\n';
				if (nl != 2) {
					fprintf(stderr, "fuzz_report: text output has %zu lines for 2 findings\n", nl);
					abort();
				}
				break;
			}
			default:
				break;
			}
			if (redact && check_redaction && memmem(out, olen, f.secret, f.secret_len)) {
				fprintf(stderr, "fuzz_report: redacted %s output shows the secret\n", name);
				abort();
			}
			free(out);
		}
	}
	ls_buf_dispose(&line);
	for (size_t i = 0; i < NFIELDS; i++)
		free(fld[i]);
	return 0;
}
