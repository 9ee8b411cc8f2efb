#include "hscache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

char *ls_hscache_path(const char *dir, const char *text, size_t len)
{
	hs_platform_info_t plat;
	memset(&plat, 0, sizeof(plat));
	hs_populate_platform(&plat);
	ls_buf b = LS_BUF_INIT;
	ls_buf_printf(&b, "%s\n%u %llu\n", hs_version(), plat.tune, (unsigned long long)plat.cpu_features);
	ls_buf_put(&b, text, len);
	char key[65];
	ls_sha256_hex(key, b.ptr, b.len);
	ls_buf_dispose(&b);
	return ls_xasprintf("%s/hs-%s.db", dir, key);
}

int ls_hscache_load(const char *path, const char magic[8], void *head, size_t head_len, hs_database_t **db)
{
	ls_buf b = LS_BUF_INIT;
	int ok = 0;
	if (ls_read_file(&b, path) == 0 && b.len > 8 + head_len && !memcmp(b.ptr, magic, 8)) {
		if (head_len)
			memcpy(head, b.ptr + 8, head_len);
		ok = hs_deserialize_database(b.ptr + 8 + head_len, b.len - 8 - head_len, db) == HS_SUCCESS;
	}
	ls_buf_dispose(&b);
	return ok;
}

static void mkdir_parents(const char *dir)
{
	char *p = ls_xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	}
	mkdir(p, 0700);
	free(p);
}

void ls_hscache_store(const char *dir, const char *path, const char magic[8], const void *head, size_t head_len,
                      const hs_database_t *db)
{
	char *bytes = NULL;
	size_t len = 0;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	mkdir_parents(dir);
	char *tmp = ls_xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd >= 0) {
		ls_buf b = LS_BUF_INIT;
		ls_buf_put(&b, magic, 8);
		if (head_len)
			ls_buf_put(&b, head, head_len);
		ls_buf_put(&b, bytes, len);
		int ok = write(fd, b.ptr, b.len) == (ssize_t)b.len;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, path) < 0)
			unlink(tmp);
		ls_buf_dispose(&b);
	}
	free(tmp);
	free(bytes);
}
