#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Thread_local char err_msg[1024];

int ls_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
	return LS_ERR;
}

const char *ls_error_last(void) { return err_msg; }

void ls_error_clear(void) { err_msg[0] = '\0'; }

static void oom(void)
{
	fputs("leakscan: out of memory\n", stderr);
	abort();
}

void *ls_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *ls_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *ls_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *ls_xstrdup(const char *s) { return ls_xstrndup(s, strlen(s)); }

char *ls_xstrndup(const char *s, size_t n)
{
	char *p = ls_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ls_xasprintf(const char *fmt, ...)
{
	char *p = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

void ls_buf_grow(ls_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->ptr = ls_xrealloc(b->ptr, cap);
	b->cap = cap;
}

void ls_buf_put(ls_buf *b, const void *data, size_t len)
{
	ls_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void ls_buf_puts(ls_buf *b, const char *s) { ls_buf_put(b, s, strlen(s)); }

void ls_buf_putc(ls_buf *b, char c) { ls_buf_put(b, &c, 1); }

void ls_buf_put_utf8(ls_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		ls_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		ls_buf_putc(b, (char)(0xc0 | (cp >> 6)));
		ls_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		ls_buf_putc(b, (char)(0xe0 | (cp >> 12)));
		ls_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		ls_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		ls_buf_putc(b, (char)(0xf0 | (cp >> 18)));
		ls_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		ls_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		ls_buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

void ls_buf_printf(ls_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ls_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void ls_buf_clear(ls_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void ls_buf_dispose(ls_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

char *ls_buf_detach(ls_buf *b)
{
	char *p = b->ptr ? b->ptr : ls_xstrdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void ls_strlist_push(ls_strlist *l, const char *s)
{
	l->items = ls_xrealloc(l->items, (l->n + 1) * sizeof(char *));
	l->items[l->n++] = ls_xstrdup(s);
}

void ls_strlist_dispose(ls_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

size_t ls_utf8_len(const void *str, size_t n)
{
	const unsigned char *s = str;
	if (s[0] < 0x80)
		return 1;
	size_t need;
	uint32_t cp;
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

void ls_buf_put_json_str(ls_buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	ls_buf_putc(b, '"');
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			ls_buf_putc(b, '\\');
			ls_buf_putc(b, (char)c);
			i++;
		} else if (c == '\n') {
			ls_buf_puts(b, "\\n");
			i++;
		} else if (c == '\r') {
			ls_buf_puts(b, "\\r");
			i++;
		} else if (c == '\t') {
			ls_buf_puts(b, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			ls_buf_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			ls_buf_putc(b, (char)c);
			i++;
		} else {
			size_t n = ls_utf8_len(p + i, len - i);
			if (n) {
				ls_buf_put(b, p + i, n);
				i += n;
			} else {
				/* invalid UTF-8: U+FFFD keeps the output valid JSON */
				ls_buf_puts(b, "\xef\xbf\xbd");
				i++;
			}
		}
	}
	ls_buf_putc(b, '"');
}

/* SHA-256 (FIPS 180-4). */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void ls_sha256(unsigned char out[32], const void *data, size_t len)
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	size_t n = len;
	while (n >= 64) {
		sha256_block(h, p);
		p += 64;
		n -= 64;
	}
	unsigned char tail[128] = {0};
	memcpy(tail, p, n);
	tail[n] = 0x80;
	size_t tl = n + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tl == 128)
		sha256_block(h, tail + 64);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

void ls_hex(char *out, const unsigned char *bytes, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

void ls_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char d[32];
	ls_sha256(d, data, len);
	ls_hex(out, d, 32);
}

void ls_hmac_sha256(unsigned char out[32], const void *key, size_t keylen, const void *data, size_t len)
{
	unsigned char k[64] = {0}, inner[32];
	if (keylen > 64)
		ls_sha256(k, key, keylen);
	else if (keylen)
		memcpy(k, key, keylen);
	/* H((K ^ opad) || H((K ^ ipad) || data)); the one-shot ls_sha256 takes one buffer */
	unsigned char *buf = ls_xmalloc(64 + (len > 32 ? len : 32));
	for (int i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x36;
	if (len)
		memcpy(buf + 64, data, len);
	ls_sha256(inner, buf, 64 + len);
	for (int i = 0; i < 64; i++)
		buf[i] = k[i] ^ 0x5c;
	memcpy(buf + 64, inner, 32);
	ls_sha256(out, buf, 64 + 32);
	memset(buf, 0, 64 + (len > 32 ? len : 32));
	memset(k, 0, sizeof(k));
	free(buf);
}

double ls_entropy(const char *s, size_t len)
{
	if (!len)
		return 0.0;
	size_t counts[256] = {0};
	for (size_t i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	double h = 0.0;
	for (int i = 0; i < 256; i++) {
		if (!counts[i])
			continue;
		double p = (double)counts[i] / (double)len;
		h -= p * log2(p);
	}
	return h;
}

int ls_is_binary(const char *s, size_t len)
{
	return memchr(s, '\0', len < 8192 ? len : 8192) != NULL;
}

int ls_temp_fd(const char *tag)
{
	const char *tmpdir = getenv("TMPDIR");
	char *path = ls_xasprintf("%s/leakscan-%s.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp", tag);
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

/* Opens `path` (with `oflags` added) for reading without blocking, only if it is a regular
 * file: the descriptor, in blocking mode again, or -1 with errno (EINVAL: not a regular file). */
static int open_regular(const char *path, int oflags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | oflags);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

int ls_open_regular(const char *path) { return open_regular(path, 0); }

/* Reads `fd` to its end into `out` and closes it: LS_EIO past `max` bytes (a file that grew
 * while read) or on a read error, with a message that does not name the file. */
static int read_fd(ls_buf *out, int fd, size_t max)
{
	struct stat st;
	size_t start = out->len;
	/* a regular file's size is known: one allocation, no copies while growing */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		ls_buf_grow(out, (size_t)st.st_size + 1); /* +1: room to read the end of file */
	int err = 0;
	for (;;) {
		if (out->len - start > max) {
			err = (ls_error_set("larger than %zu bytes", max), LS_EIO);
			break;
		}
		if (out->cap - out->len < 2)
			ls_buf_grow(out, 65536);
		ssize_t n = read(fd, out->ptr + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = (ls_error_set("%s", strerror(errno)), LS_EIO);
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->ptr[out->len] = '\0';
	close(fd);
	return err;
}

/* The message of the last error, prefixed with 'PATH': */
static int name_path(int err, const char *path)
{
	char *msg = ls_xstrdup(ls_error_last());
	ls_error_set("'%s': %s", path, msg);
	free(msg);
	return err;
}

int ls_read_regular_bare(ls_buf *out, const char *path, int oflags, size_t max)
{
	int fd = open_regular(path, oflags);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ls_error_set("no such file or directory"), LS_ENOTFOUND;
		return ls_error_set("%s", errno == EINVAL ? "not a regular file"
		                          : errno == ELOOP && (oflags & O_NOFOLLOW) ? "a symbolic link"
		                                                                    : strerror(errno)),
		       LS_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || (unsigned long long)st.st_size > max) {
		close(fd);
		return ls_error_set("larger than %zu bytes", max), LS_EIO;
	}
	return read_fd(out, fd, max);
}

int ls_read_regular(ls_buf *out, const char *path, size_t max)
{
	int err = ls_read_regular_bare(out, path, 0, max);
	return err < 0 ? name_path(err, path) : 0;
}

int ls_read_file(ls_buf *out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? (ls_error_set("'%s': no such file", path), LS_ENOTFOUND)
		                       : (ls_error_set("'%s': %s", path, strerror(errno)), LS_EIO);
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		ls_error_set("'%s': is a directory", path);
		return LS_EIO;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	int err = read_fd(out, fd, SIZE_MAX);
	return err < 0 ? name_path(err, path) : 0;
}

int ls_open_deep(const char *path, int flags)
{
	int fd = open(path, flags);
	if (fd >= 0 || errno != ENAMETOOLONG)
		return fd;
	int dir = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *p = path;
	while (dir >= 0) {
		while (*p == '/')
			p++;
		const char *slash = strchr(p, '/');
		int e;
		if (!slash) {
			fd = openat(dir, p, flags);
			e = errno;
			close(dir);
			errno = e;
			return fd;
		}
		char name[NAME_MAX + 1];
		size_t n = (size_t)(slash - p);
		if (n > NAME_MAX) {
			close(dir);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		int next = openat(dir, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		e = errno;
		close(dir);
		errno = e;
		dir = next;
		p = slash + 1;
	}
	return -1;
}

int ls_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

double ls_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- child processes ---- */

static void proc_fd(posix_spawn_file_actions_t *fa, int fd, int target)
{
	if (fd == LS_PROC_NULL)
		posix_spawn_file_actions_addopen(fa, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
	else if (fd >= 0)
		posix_spawn_file_actions_adddup2(fa, fd, target); /* dup2 clears close-on-exec on the copy */
}

static pid_t proc_spawn(const char *const argv[], int in, int out, int err, char *const env[], int session)
{
	extern char **environ;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	if (session)
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	proc_fd(&fa, in, 0);
	proc_fd(&fa, out, 1);
	proc_fd(&fa, err, 2);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, env ? env : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

pid_t ls_proc_spawn(const char *const argv[], int in, int out, int err, char *const env[])
{
	return proc_spawn(argv, in, out, err, env, 0);
}

pid_t ls_proc_spawn_session(const char *const argv[], int in, int out, int err, char *const env[])
{
	return proc_spawn(argv, in, out, err, env, 1);
}

int ls_proc_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
