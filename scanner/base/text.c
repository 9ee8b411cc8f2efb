/* text: UTF-8 checks, escaping for terminals and base64, for output that must not lie. */
#include <stdint.h>
#include <string.h>

#include "common.h"

int ls_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = ls_utf8_len(s + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

/*
 * A terminal obeys more than the C0 controls: DEL, and the C1 controls U+0080-U+009F, which
 * many terminals take both UTF-8 encoded (\xc2\x9b) and as raw bytes (0x9b is CSI, the start
 * of an escape sequence). Every byte that is not valid UTF-8 is shown as \xNN, so that such
 * a byte cannot pair up with what follows and two different names never print alike.
 */
void ls_buf_put_term(ls_buf *b, const char *str, size_t n, int flags)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x20 && (flags & LS_TERM_C0_SPACE)) {
			ls_buf_putc(b, ' ');
			i++;
		} else if (c == '\n') {
			ls_buf_puts(b, "\\n");
			i++;
		} else if (c == '\t') {
			ls_buf_puts(b, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			ls_buf_printf(b, "\\x%02x", c);
			i++;
		} else if (c < 0x80) {
			ls_buf_putc(b, (char)c);
			i++;
		} else {
			size_t k = ls_utf8_len(s + i, n - i);
			if (!k) {
				ls_buf_printf(b, "\\x%02x", c);
				i++;
			} else if (k == 2 && c == 0xc2 && s[i + 1] < 0xa0) {
				ls_buf_printf(b, "\\u%04x", (unsigned)s[i + 1]);
				i += 2;
			} else {
				ls_buf_put(b, s + i, k);
				i += k;
			}
		}
	}
}

int ls_term_safe(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = ls_utf8_len(s + i, n - i);
		if (!k || (k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0))
			return 0;
		i += k;
	}
	return 1;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void ls_base64_encode(ls_buf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char q[4] = {B64[v >> 18], B64[(v >> 12) & 63], B64[(v >> 6) & 63], B64[v & 63]};
		ls_buf_put(b, q, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4] = {B64[v >> 18], B64[(v >> 12) & 63], '=', '='};
		ls_buf_put(b, q, 4);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		char q[4] = {B64[v >> 18], B64[(v >> 12) & 63], B64[(v >> 6) & 63], '='};
		ls_buf_put(b, q, 4);
	}
}

int ls_base64_decode(ls_buf *b, const char *s, size_t n)
{
	if (n % 4)
		return -1;
	size_t pad = 0;
	while (pad < 2 && pad < n && s[n - 1 - pad] == '=')
		pad++;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n - pad; i++) {
		const char *q = s[i] ? memchr(B64, s[i], 64) : NULL;
		if (!q)
			return -1;
		acc = (acc << 6) | (uint32_t)(q - B64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			ls_buf_putc(b, (char)((acc >> bits) & 0xff));
		}
	}
	/* canonical form only: the bits left over by the padding are zero */
	if (acc & ((1u << bits) - 1))
		return -1;
	return 0;
}
