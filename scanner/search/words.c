/* search: whether a generic rule's value looks like something a person wrote or a program
 * names (words, leetspeak, keyboard walks, identifiers, paths, format macros) rather than a
 * generated secret. Such a value is reported with low confidence (issue 20): human passwords
 * are words too, so it is never dropped. The words are Debian's wamerican, compiled in at
 * build time (cmake/gen_words.c). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "search.h"
#include "search_internal.h"

extern const char ls_words_text[];
extern const unsigned ls_words_off[];
extern const size_t ls_words_n;

/* Short words people put in passwords, and keyboard walks: words too. */
static const char *const extra[] = {
    "my", "is", "be", "to", "the", "and", "you", "for", "our", "pwd", "pw", "pass", "abc", "qwe", "asd", "zxc",
    "key", "top", "new", "old", "me", "in", "it", "we", "do", "go", "no", "so", "up", "on", "at", "of", "or", "if",
    "am", "an", "get", "set", "all", "one", "two", "big", "bad", "red", "dev", "app", "web", "api", "db", "sql",
    "not", "yes", "win", "let", "hi", "ok", "its", "qwerty", "qwertz", "azerty", "asdf", "asdfgh", "zxcv", "qazwsx",
    "wsx", "qaz", "edc", "rfv", "tgb", "yhn", "ujm", "poiuy", "lkjh", "mnbv", "hjkl", "xyz", "foo", "bar", "baz",
    "qux", "ssh", "aws", "s3", "pg", "cat", "dog", "man", "boy", "sex", "god", "car", "sky", "log", "usr", "tmp",
    NULL};

static int in_dict(const char *s, size_t n)
{
	if (n >= 4 && n <= 20) {
		size_t lo = 0, hi = ls_words_n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const char *w = ls_words_text + ls_words_off[mid];
			int c = strncmp(w, s, n);
			if (c == 0 && w[n] != '\0')
				c = 1; /* w is longer: after s */
			if (c == 0)
				return 1;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (int i = 0; extra[i]; i++)
		if (strlen(extra[i]) == n && !memcmp(extra[i], s, n))
			return 1;
	return 0;
}

/* The letter a digit or sign stands for in leetspeak, or 0. */
static char leet(int c)
{
	switch (c) {
	case '0': return 'o';
	case '1': return 'i';
	case '3': return 'e';
	case '4': return 'a';
	case '5': return 's';
	case '7': return 't';
	case '@': return 'a';
	case '$': return 's';
	case '!': return 'i';
	default: return 0;
	}
}

/* Whether the letters of `s` are mostly words: at least 5 letters (leetspeak read as letters
 * between letters), at least half the value, and 80% of them covered by dictionary words. */
static int mostly_words(const char *s, size_t n)
{
	char t[129];
	size_t letters = 0, longest = 0;
	if (n > 128)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		char l = isalpha(c) ? (char)tolower(c) : 0;
		if (!l && leet(c) && i > 0 && isalpha((unsigned char)s[i - 1]) && i + 1 < n && isalpha((unsigned char)s[i + 1]))
			l = leet(c); /* p4ssw0rd, pa$$word: between letters */
		t[i] = l;
		letters += l != 0;
	}
	if (letters < 5 || letters * 2 < n)
		return 0;
	/* cov[i]: the most letters of t[0..i) that words cover */
	size_t cov[129] = {0}, wl[129] = {0};
	for (size_t i = 0; i < n; i++) {
		if (cov[i] > cov[i + 1] || (cov[i] == cov[i + 1] && wl[i] > wl[i + 1]))
			cov[i + 1] = cov[i], wl[i + 1] = wl[i];
		for (size_t k = 2; k <= 20 && i + k <= n && t[i + k - 1]; k++) {
			if (!t[i])
				break;
			if (in_dict(t + i, k) && cov[i] + k >= cov[i + k]) {
				cov[i + k] = cov[i] + k;
				wl[i + k] = wl[i] > k ? wl[i] : k;
			}
		}
	}
	longest = wl[n];
	return longest >= 4 && cov[n] * 10 >= letters * 8;
}

static int is_upper_ident(const char *s, size_t n)
{
	/* CONSTANT_NAME: capitals, digits and at least one underscore */
	int under = 0;
	if (n < 3 || !isupper((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			under = 1;
		else if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			return 0;
	}
	return under;
}

/* a-kebab-case-name: lowercase letters in two or more dash-joined parts of two letters or
 * more (a Kubernetes resource, `configFromSecret: "prometheus-config"`) */
static int is_kebab_name(const char *s, size_t n)
{
	size_t parts = 0, run = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '-') {
			if (run < 2)
				return 0;
			parts++;
			run = 0;
		} else if (islower((unsigned char)s[i])) {
			run++;
		} else {
			return 0;
		}
	}
	return parts >= 2;
}

/* One part of a dotted name: a lowercase identifier, a CONSTANT_NAME, or words (camelCase). */
static int name_part(const char *s, size_t n)
{
	size_t i = 0;
	if (!n || isdigit((unsigned char)s[0]))
		return 0;
	while (i < n && (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i == n || is_upper_ident(s, n) || (n >= 5 && mostly_words(s, n));
}

static int is_dotted_name(const char *s, size_t n)
{
	/* config.database.password, os.environ.get, settings.DB_PASSWORD: names joined by dots */
	size_t start = 0, parts = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			int c = (unsigned char)s[i];
			if (!isalnum(c) && c != '_')
				return 0;
			continue;
		}
		if (!name_part(s + start, i - start))
			return 0;
		parts++;
		start = i + 1;
	}
	return parts >= 2;
}

static int is_path_like(const char *s, size_t n)
{
	if (n >= 2 && (s[0] == '/' || !strncmp(s, "./", 2) || !strncmp(s, "~/", 2) || !strncmp(s, "@/", 2) ||
	               !strncmp(s, "@.", 2)))
		return 1;
	/* lowercase segments joined by slashes: foo/restricted-users (base64 mixes cases) */
	int slash = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '/')
			slash = 1;
		else if (!islower(c) && !isdigit(c) && c != '-' && c != '_' && c != '.')
			return 0;
	}
	return slash;
}

static int has_format_macro(const char *s, size_t n)
{
	/* a template's slot: %HOSTIP, %USERPROFILE%, %(name)s, a lone %s or %d */
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '%')
			continue;
		size_t k = i + 1;
		while (k < n && (isupper((unsigned char)s[k]) || s[k] == '_'))
			k++;
		if (k - i - 1 >= 3 && (k == n || (s[k] && strchr("% /:;\"'", s[k]))) && (i == 0 || (s[i - 1] && strchr(" /:=\"'@", s[i - 1]))))
			return 1; /* a whole word: %HOSTIP, %USERPROFILE% */
		if (s[i + 1] == '(') {
			k = i + 2;
			while (k < n && (islower((unsigned char)s[k]) || s[k] == '_'))
				k++;
			if (k > i + 2 && k + 1 < n && s[k] == ')' && strchr("sd", s[k + 1]))
				return 1;
		}
		if (strchr("sd", s[i + 1]) && (i + 2 == n || !isalnum((unsigned char)s[i + 2])) &&
		    (i == 0 || !isalnum((unsigned char)s[i - 1])))
			return 1;
	}
	return 0;
}

/* Hex that decodes to text of words (a name typed into a test, hex-encoded). */
static int hex_of_words(const char *s, size_t n)
{
	char d[65];
	if (n < 8 || n % 2 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i += 2) {
		int a = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;
		int b = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' : tolower((unsigned char)s[i + 1]) - 'a' + 10;
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return 0;
		int c = a * 16 + b;
		if (c < 0x20 || c > 0x7e)
			return 0;
		d[i / 2] = (char)c;
	}
	return mostly_words(d, n / 2);
}

static int keyboard_or_sequence(const char *s, size_t n)
{
	/* abcdef, 123456, 987654, qwertyuiop: each next character one step on, or three
	 * characters or fewer in all */
	if (n < 6)
		return 0;
	size_t steps = 0, distinct = 0;
	int seen[256] = {0};
	for (size_t i = 0; i < n; i++) {
		if (!seen[(unsigned char)s[i]]++)
			distinct++;
		if (i && (s[i] - s[i - 1] == 1 || s[i] - s[i - 1] == -1))
			steps++;
	}
	if (distinct <= 3 || steps * 10 >= (n - 1) * 8)
		return 1;
	static const char *rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "1qaz2wsx3edc4rfv", NULL};
	size_t walk = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		int a = tolower((unsigned char)s[i]), b = tolower((unsigned char)s[i + 1]);
		for (int r = 0; rows[r]; r++) {
			const char *p = strchr(rows[r], a);
			if (p && a && (p[1] == b || (p > rows[r] && p[-1] == b))) {
				walk++;
				break;
			}
		}
	}
	return walk * 10 >= (n - 1) * 8;
}

/* A hand mashing the keyboard: lowercase letters and digits only, and two thirds of the
 * letters from the home row (kjfhueyt9485osdfasd), against about a third at random. */
static int mashed(const char *s, size_t n)
{
	size_t letters = 0, home = 0, beyond_hex = 0;
	if (n < 12)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (islower(c)) {
			letters++;
			home += strchr("asdfghjkl", c) != NULL;
			beyond_hex += c > 'f';
		} else if (!isdigit(c)) {
			return 0;
		}
	}
	return letters >= 10 && beyond_hex && home * 3 >= letters * 2; /* (hex is no mash) */
}

/* A template's slot in a match: a format macro, or a shell expansion's alternate value
 * (`${PASSWORD:+has-password}` gives the word when the variable is set, never a value). */
int search_has_template(const char *s, size_t n)
{
	return has_format_macro(s, n) || memmem(s, n, ":+", 2) != NULL;
}

/* Eight characters in a row one step on each (`abcdefgh`, `klmnopqr`, `12345678`): typed,
 * never drawn; a random token has such a run about once in 10^10. */
static int long_run(const char *s, size_t n)
{
	size_t run = 1;
	for (size_t i = 1; i < n; i++) {
		int a = tolower((unsigned char)s[i - 1]), b = tolower((unsigned char)s[i]);
		run = (isalnum(b) && b - a == 1) ? run + 1 : 1;
		if (run >= 8)
			return 1;
	}
	return 0;
}

/* A PEM private key whose body cannot be one: PKCS#1, SEC1, DSA and PKCS#8 bodies are DER
 * (a SEQUENCE: base64 `M`), OpenSSH's start with `openssh-key-v1`. Armour headers
 * (`Proc-Type:`), PGP and PuTTY blocks are not judged. Escaped newlines and string quotes
 * between the lines (a key in source code) are skipped. */
static int pem_body_fake(const char *s, size_t n)
{
	static const char begin[] = "-----BEGIN ";
	if (n < sizeof(begin) || memcmp(s, begin, sizeof(begin) - 1))
		return 0;
	const char *type = s + sizeof(begin) - 1, *end = s + n;
	const char *dash = memmem(type, (size_t)(end - type), "-----", 5);
	if (!dash || !memmem(type, (size_t)(dash - type), "PRIVATE KEY", 11) ||
	    memmem(type, (size_t)(dash - type), "PGP", 3))
		return 0;
	const char *b = dash + 5;
	for (;;) {
		if (b + 1 < end && b[0] == '\\' && (b[1] == 'n' || b[1] == 'r'))
			b += 2;
		else if (b < end && (isspace((unsigned char)*b) || (*b && strchr("\"'+,", *b))))
			b++;
		else
			break;
	}
	if (b >= end || memchr(b, ':', (size_t)(end - b) < 64 ? (size_t)(end - b) : 64))
		return 0; /* armour headers: an encrypted PKCS#1 body follows them */
	if (memmem(type, (size_t)(dash - type), "OPENSSH", 7))
		return (size_t)(end - b) < 19 || memcmp(b, "b3BlbnNzaC1rZXktdjE", 19);
	return *b != 'M';
}

/* `EXAMPLE` or what is left of it after an edit (`EXAMPL2`, `DXAMPLE`) */
static int says_example(const char *s, size_t n)
{
	for (size_t i = 0; i + 5 <= n; i++)
		if (!strncasecmp(s + i, "xampl", 5))
			return 1;
	return 0;
}

int ls_search_looks_fake(const char *s, size_t n)
{
	return pem_body_fake(s, n) || long_run(s, n) || says_example(s, n);
}

int ls_search_looks_made_up(const char *s, size_t n)
{
	return mostly_words(s, n) || is_upper_ident(s, n) || is_kebab_name(s, n) || is_dotted_name(s, n) || is_path_like(s, n) ||
	       has_format_macro(s, n) || hex_of_words(s, n) || keyboard_or_sequence(s, n) || mashed(s, n);
}

/* ---- decoding before judging ---- */

static int b64val(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
	       : c == '+' || c == '-' ? 62 : c == '/' || c == '_' ? 63 : -1;
}

static int hexv(int c) { return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1; }

/* Base64 that decodes to printable text (a Kubernetes Secret's value, a config's encoded
 * password, Basic credentials): the text. Random base64 decodes to bytes that are not. */
static size_t base64_text(const char *s, size_t n, int whole, char *out)
{
	size_t t = 0;
	unsigned acc = 0;
	int bits = 0;
	/* whole: a value that is base64 and nothing else (padded, 8 characters or more) */
	if (n >= JUDGE_MAX || (whole && (n < 8 || n % 4)))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 >= n)
			break;
		int v = b64val((unsigned char)s[i]);
		if (v < 0 || s[i] == '-' || s[i] == '_')
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			int c = (int)((acc >> bits) & 0xff);
			if (c < 0x20 || c > 0x7e)
				return 0;
			out[t++] = (char)c;
		}
	}
	out[t] = '\0';
	return t >= 4 ? t : 0;
}

size_t search_judged_value(int basic, const char *s, size_t n, char out[JUDGE_MAX])
{
	if (basic) {
		/* Basic credentials: base64 of `user:password` (printable text with a colon) */
		char text[JUDGE_MAX];
		size_t t = base64_text(s, n, 0, text);
		const char *colon = t ? memchr(text, ':', t) : NULL;
		if (!colon || colon + 1 == text + t)
			return 0;
		size_t k = t - (size_t)(colon + 1 - text);
		memcpy(out, colon + 1, k);
		out[k] = '\0';
		return k;
	}
	size_t b = base64_text(s, n, 1, out);
	if (b)
		return b;
	/* a URL with credentials (scheme://user:password@host): its password, decoded */
	const char *sep = n < JUDGE_MAX ? memmem(s, n, "://", 3) : NULL;
	if (sep) {
		const char *auth = sep + 3, *end = s + n, *at = NULL;
		for (const char *p = auth; p < end && *p != '/' && *p != '?' && *p != '#'; p++)
			if (*p == '@')
				at = p; /* the last '@' before the path: a password may hold one */
		const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon && at > colon + 1) {
			char pw[JUDGE_MAX];
			size_t k = (size_t)(at - colon - 1);
			memcpy(pw, colon + 1, k);
			pw[k] = '\0';
			size_t d = search_judged_value(0, pw, k, out);
			if (!d) {
				memcpy(out, pw, k + 1);
				d = k;
			}
			return d;
		}
	}
	if (n >= JUDGE_MAX || (!memchr(s, '%', n) && !memchr(s, '\\', n) && !memchr(s, '&', n)))
		return 0;
	size_t o = 0;
	int changed = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && hexv((unsigned char)s[i + 1]) >= 0 && hexv((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexv((unsigned char)s[i + 1]) * 16 + hexv((unsigned char)s[i + 2]));
			i += 2;
			changed = 1;
		} else if (c == '\\' && i + 1 < n && strchr("\"\\/", s[i + 1])) {
			out[o++] = s[++i];
			changed = 1;
		} else if (c == '\\' && i + 5 < n && s[i + 1] == 'u' && hexv((unsigned char)s[i + 2]) == 0 &&
		           hexv((unsigned char)s[i + 3]) == 0 && hexv((unsigned char)s[i + 4]) >= 0 &&
		           hexv((unsigned char)s[i + 5]) >= 0) {
			out[o++] = (char)(hexv((unsigned char)s[i + 4]) * 16 + hexv((unsigned char)s[i + 5])); /* \u00XX */
			i += 5;
			changed = 1;
		} else if (c == '&') {
			static const char *const ents[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
			size_t k;
			for (k = 0; k < 5; k++)
				if (!strncmp(s + i, ents[k][0], strlen(ents[k][0])) && i + strlen(ents[k][0]) <= n)
					break;
			if (k < 5) {
				out[o++] = ents[k][1][0];
				i += strlen(ents[k][0]) - 1;
				changed = 1;
			} else if (i + 3 < n && s[i + 1] == '#') {
				size_t j = i + 2;
				unsigned v = 0;
				int hex = j < n && (s[j] == 'x' || s[j] == 'X');
				j += hex;
				size_t d0 = j;
				while (j < n && j - d0 < 4 && (hex ? hexv((unsigned char)s[j]) >= 0 : isdigit((unsigned char)s[j])))
					v = v * (hex ? 16 : 10) + (unsigned)(hex ? hexv((unsigned char)s[j]) : s[j] - '0'), j++;
				if (j > d0 && j < n && s[j] == ';' && v >= 0x20 && v < 0x7f) {
					out[o++] = (char)v;
					i = j;
					changed = 1;
				} else {
					out[o++] = (char)c;
				}
			} else {
				out[o++] = (char)c;
			}
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return changed ? o : 0;
}
