/* common: errors, growable buffers, hashing and small helpers shared by every module. */
#ifndef LS_COMMON_H
#define LS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/** Error codes: every fallible function returns 0 or one of these (negative). */
enum {
	LS_OK = 0,
	LS_ERR = -1,      /**< generic failure, message in ls_error_last() */
	LS_ENOMEM = -2,   /**< out of memory */
	LS_EINVAL = -3,   /**< invalid input from the user (rules, flags, config) */
	LS_EIO = -4,      /**< a file or object could not be read */
	LS_ESTOP = -5,    /**< a callback asked to stop */
	LS_ENOTFOUND = -6 /**< no such file, repository or object */
};

/** Sets this thread's error message (printf-style). Returns LS_ERR for convenience. */
int ls_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** This thread's last error message; never NULL (empty if none). Valid until the next set. */
const char *ls_error_last(void);
/** Clears this thread's error message. */
void ls_error_clear(void);

/** Allocation that aborts with a message on exhaustion; never returns NULL. */
void *ls_xmalloc(size_t n);
void *ls_xcalloc(size_t n, size_t size);
void *ls_xrealloc(void *p, size_t n);
char *ls_xstrdup(const char *s);
char *ls_xstrndup(const char *s, size_t n);
char *ls_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A growable byte buffer owned by its user; `_init` and `_dispose`. Always NUL-terminated. */
typedef struct {
	char *ptr;
	size_t len;
	size_t cap;
} ls_buf;

#define LS_BUF_INIT {NULL, 0, 0}
void ls_buf_grow(ls_buf *b, size_t extra);
void ls_buf_put(ls_buf *b, const void *data, size_t len);
void ls_buf_puts(ls_buf *b, const char *s);
void ls_buf_putc(ls_buf *b, char c);
/** Appends code point `cp` (at most 0x10FFFF) encoded as UTF-8. */
void ls_buf_put_utf8(ls_buf *b, unsigned cp);
void ls_buf_printf(ls_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ls_buf_clear(ls_buf *b);
void ls_buf_dispose(ls_buf *b);
/** Takes the buffer's memory (caller frees it) and resets the buffer. */
char *ls_buf_detach(ls_buf *b);

/** A list of owned strings; `{0}` is empty. */
typedef struct {
	char **items;
	size_t n;
} ls_strlist;

/** Appends a copy of `s`. */
void ls_strlist_push(ls_strlist *l, const char *s);
/** Frees every string and the list's array, leaving it empty. */
void ls_strlist_dispose(ls_strlist *l);

/** Appends `s` as a JSON string literal (with quotes), escaping control and invalid UTF-8 bytes. */
void ls_buf_put_json_str(ls_buf *b, const char *s, size_t len);

/** Length of the valid UTF-8 character at `s` (1 for ASCII), or 0 if the byte starts none. */
size_t ls_utf8_len(const void *s, size_t n);
/** 1 if `s` is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
int ls_utf8_valid(const char *s, size_t n);

/** ls_buf_put_term: C0 controls become a space instead of an escape. */
#define LS_TERM_C0_SPACE 1
/**
 * Appends `s` for a terminal or a log: newline and tab as \n and \t, other C0 controls,
 * DEL and bytes that are not UTF-8 as \xNN, C1 controls (U+0080-U+009F) as \uNNNN.
 */
void ls_buf_put_term(ls_buf *b, const char *s, size_t n, int flags);
/** 1 if ls_buf_put_term would copy `s` unchanged (no control character, valid UTF-8). */
int ls_term_safe(const char *s, size_t n);

/** Appends standard base64 (with padding). */
void ls_base64_encode(ls_buf *b, const void *data, size_t n);
/** Appends the bytes of canonical, padded standard base64. Returns 0, or -1 if `s` is not. */
int ls_base64_decode(ls_buf *b, const char *s, size_t n);

/** SHA-256 of `data`, written as 64 lowercase hex digits and a NUL into `out`. */
void ls_sha256_hex(char out[65], const void *data, size_t len);
/** SHA-256 raw digest. */
void ls_sha256(unsigned char out[32], const void *data, size_t len);
/** HMAC-SHA-256 (RFC 2104) of `data` under `key` (any length), raw digest. Pure, thread-safe. */
void ls_hmac_sha256(unsigned char out[32], const void *key, size_t keylen, const void *data, size_t len);
/** Writes `n` bytes as lowercase hex digits and a NUL into `out` (2n + 1 bytes). */
void ls_hex(char *out, const unsigned char *bytes, size_t n);

/** Shannon entropy of the bytes, in bits per byte (0 for an empty string). */
double ls_entropy(const char *s, size_t len);

/** Returns 1 if `s` looks like binary data (a NUL byte in the first 8 KiB). */
int ls_is_binary(const char *s, size_t len);

/** Reads a whole file into a buffer. Returns 0, LS_ENOTFOUND or LS_EIO with a message. */
int ls_read_file(ls_buf *out, const char *path);
/**
 * Like ls_read_file, for a file that a repository or a user's tree may have planted: refuses
 * (LS_EIO, with a message) anything but a regular file, before reading a byte of it (a FIFO
 * would block, /dev/zero would never end), and a file over `max` bytes.
 */
int ls_read_regular(ls_buf *out, const char *path, size_t max);
/** ls_read_regular with extra open(2) flags (O_NOFOLLOW: a symbolic link is refused) and a
 * message that does not name the file, for a caller that names it: "no such file or
 * directory" (LS_ENOTFOUND), "not a regular file", "a symbolic link", "larger than N bytes"
 * or the system's message (LS_EIO). Never a byte of the file's content. */
int ls_read_regular_bare(ls_buf *out, const char *path, int oflags, size_t max);
/** Opens `path` for reading only if it is a regular file: the descriptor, or -1 with errno
 * set (ENOENT, EACCES, ... and EINVAL for a FIFO, device, socket or directory). Never blocks. */
int ls_open_regular(const char *path);

/**
 * A new temporary file under $TMPDIR (or /tmp), already unlinked, open for reading and
 * writing; `tag` goes into its name while it exists. Returns a descriptor (the caller closes
 * it) or -1 with errno set.
 */
int ls_temp_fd(const char *tag);

/**
 * open(2) for a path of any length: one deeper than PATH_MAX is resolved a directory at a
 * time (with openat), so it costs one call per component. Returns a descriptor or -1 with
 * errno set.
 */
int ls_open_deep(const char *path, int flags);

/* ---- child processes: the one way leakscan starts another program (git) ---- */

enum { LS_PROC_INHERIT = -1, LS_PROC_NULL = -2 };

/**
 * Starts `argv[0]` (looked up in PATH) with arguments `argv` (NULL-terminated), its standard
 * input, output and error taken from the descriptors `in`, `out` and `err` (LS_PROC_INHERIT:
 * ours; LS_PROC_NULL: /dev/null) and the environment `env` (NULL: ours). posix_spawn, not
 * fork: safe in a threaded process, and this process's own descriptors are never swapped.
 * Descriptors opened with O_CLOEXEC stay out of the child. Returns the pid, or -1 with errno
 * set (the program could not be started). Thread-safe.
 */
pid_t ls_proc_spawn(const char *const argv[], int in, int out, int err, char *const env[]);
/** ls_proc_spawn, the child in a session of its own: no controlling terminal (nothing it
 * starts can prompt on ours), and kill(-pid, sig) reaches every process it started. */
pid_t ls_proc_spawn_session(const char *const argv[], int in, int out, int err, char *const env[]);
/** Waits for `pid`: its exit status (0-255), or -1 if it died of a signal. Retries on EINTR. */
int ls_proc_wait(pid_t pid);

/** Number of online CPUs (at least 1). */
int ls_ncpus(void);

/** Monotonic time in seconds. */
double ls_now(void);

#endif
