/* fpkey: the process's fingerprint key (see fpkey.h for the order of its sources). */
#include "fpkey.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define KEY_FILE_MAX 4096

/* Written once (under `once`, or by ls_fpkey_set before any thread), read-only afterwards. */
static struct {
	int ready, err;
	unsigned char key[KEY_FILE_MAX];
	size_t len;
	char id[17];
	char source[1024];
	char msg[1200];  /* the error of the first load */
	char warn[1200]; /* a note for the user (per-process key) */
} K;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void finish(void)
{
	unsigned char d[32];
	static const char label[] = "leakscan fingerprint key id";
	ls_hmac_sha256(d, K.key, K.len, label, sizeof(label) - 1);
	ls_hex(K.id, d, 8);
	K.ready = 1;
}

/* Takes `s` (len bytes) without its surrounding white space as the key. */
static int take(const char *s, size_t len, const char *what)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len < LS_FPKEY_MIN_LEN || len > sizeof(K.key)) {
		snprintf(K.msg, sizeof(K.msg), "%s: a key must have %d to %zu bytes (e.g. 'openssl rand -hex 32')", what,
		         LS_FPKEY_MIN_LEN, sizeof(K.key));
		return LS_EINVAL;
	}
	memcpy(K.key, s, len);
	K.len = len;
	return 0;
}

static void ephemeral(void)
{
	unsigned char r[32];
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* no randomness at all: still never an unkeyed hash */
		unsigned long long t = (unsigned long long)getpid() ^ (unsigned long long)(size_t)&K;
		memcpy(r, &t, sizeof(t));
	}
	ls_hex((char *)K.key, r, sizeof(r));
	K.len = 64;
	snprintf(K.source, sizeof(K.source), "a key of this process only");
}

static void mkdirs(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	mkdir(dir, 0700);
}

/* Creates `path` with a new random key; another process may win the race (then its key is read). */
static int create_key_file(const char *path)
{
	char *dir = ls_xstrdup(path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	char *tmp = ls_xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp), err = -1;
	if (fd >= 0) {
		unsigned char r[32];
		char hex[66];
		if (fchmod(fd, 0600) == 0 && getrandom(r, sizeof(r), 0) == (ssize_t)sizeof(r)) {
			ls_hex(hex, r, sizeof(r));
			hex[64] = '\n';
			hex[65] = '\0';
			if (write(fd, hex, 65) == 65 && fsync(fd) == 0)
				err = 0;
		}
		if (close(fd) != 0)
			err = -1;
		/* link(): never replaces a key another process has just created */
		if (err == 0 && link(tmp, path) < 0 && errno != EEXIST)
			err = -1;
		unlink(tmp);
	}
	free(tmp);
	free(dir);
	return err;
}

static int load_file(const char *path)
{
	ls_buf b = LS_BUF_INIT;
	int err = ls_read_regular(&b, path, KEY_FILE_MAX);
	if (err == LS_ENOTFOUND) {
		ls_buf_dispose(&b);
		if (create_key_file(path) < 0)
			return LS_ENOTFOUND;
		err = ls_read_regular(&b, path, KEY_FILE_MAX);
	}
	if (err < 0) {
		snprintf(K.msg, sizeof(K.msg), "fingerprint key file %s", ls_error_last());
	} else {
		char *what = ls_xasprintf("fingerprint key file '%s'", path);
		err = take(b.ptr ? b.ptr : "", b.len, what);
		free(what);
	}
	ls_buf_dispose(&b);
	return err;
}

static void init(void)
{
	if (K.ready)
		return;
	const char *env = getenv(LS_FPKEY_ENV);
	if (env && *env) {
		snprintf(K.source, sizeof(K.source), "%s", LS_FPKEY_ENV);
		K.err = take(env, strlen(env), LS_FPKEY_ENV);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		char *path = NULL;
		if (xdg && xdg[0] == '/')
			path = ls_xasprintf("%s/leakscan/fingerprint.key", xdg);
		else if (home && home[0] == '/')
			path = ls_xasprintf("%s/.config/leakscan/fingerprint.key", home);
		if (path) {
			snprintf(K.source, sizeof(K.source), "%s", path);
			K.err = load_file(path);
		} else {
			K.err = LS_ENOTFOUND;
		}
		if (K.err == LS_ENOTFOUND) {
			snprintf(K.warn, sizeof(K.warn),
			         "cannot create a fingerprint key%s%s%s: fingerprints and baselines hold for this run only (set %s)",
			         path ? " '" : "", path ? path : " (no HOME)", path ? "'" : "", LS_FPKEY_ENV);
		} else if (K.err < 0) {
			snprintf(K.warn, sizeof(K.warn), "%.900s: fingerprints and baselines hold for this run only (set %s)",
			         K.msg, LS_FPKEY_ENV);
		}
		if (K.err < 0) {
			/* a key file that cannot be used does not stop a scan: a key of this run, never an
			 * unkeyed hash (a baseline's key id then tells why its entries do not match) */
			K.err = 0;
			ephemeral();
		}
		free(path);
	}
	if (K.err)
		ephemeral();
	finish();
}

int ls_fpkey_load(void)
{
	pthread_once(&once, init);
	if (K.err)
		return ls_error_set("%s", K.msg), K.err;
	return 0;
}

void ls_fpkey_set(const void *key, size_t len)
{
	if (len > sizeof(K.key))
		len = sizeof(K.key);
	memcpy(K.key, key, len);
	K.len = len;
	K.err = 0;
	K.warn[0] = '\0';
	snprintf(K.source, sizeof(K.source), "a key set by the program");
	finish();
}

const char *ls_fpkey_warning(void)
{
	pthread_once(&once, init);
	return K.warn[0] ? K.warn : NULL;
}

const char *ls_fpkey_source(void)
{
	pthread_once(&once, init);
	return K.source;
}

const char *ls_fpkey_id(void)
{
	pthread_once(&once, init);
	return K.id;
}

void ls_fpkey_hash_hex(char out[65], const void *data, size_t len)
{
	pthread_once(&once, init);
	unsigned char d[32];
	ls_hmac_sha256(d, K.key, K.len, data, len);
	ls_hex(out, d, 32);
}
