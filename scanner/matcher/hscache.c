#include "hscache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
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

/* Hyperscan's databases: pages mapped and filled in one call (MAP_POPULATE) rather than
 * faulted in one by one while Hyperscan writes them, which took most of the time of loading
 * a 1 MB database. The size sits in front of the database. */
#define DB_HEAD 64 /* keeps Hyperscan's 64-byte alignment */
static void *db_alloc(size_t size)
{
	if (size < (256u << 10)) {
		char *p = aligned_alloc(DB_HEAD, (size + DB_HEAD + DB_HEAD - 1) / DB_HEAD * DB_HEAD);
		if (!p)
			return NULL;
		*(size_t *)p = 0;
		return p + DB_HEAD;
	}
	void *m = mmap(NULL, size + DB_HEAD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	*(size_t *)m = size + DB_HEAD;
	return (char *)m + DB_HEAD;
}

static void db_free(void *p)
{
	if (!p)
		return;
	char *m = (char *)p - DB_HEAD;
	size_t mapped = *(size_t *)m;
	if (mapped)
		munmap(m, mapped);
	else
		free(m);
}

static pthread_once_t allocator_once = PTHREAD_ONCE_INIT;
static void set_allocator(void) { hs_set_database_allocator(db_alloc, db_free); }
void ls_hscache_init(void) { pthread_once(&allocator_once, set_allocator); }

int ls_hscache_load(const char *path, const char magic[8], void *head, size_t head_len, hs_database_t **db)
{
	int ok = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > 8 + head_len) {
		size_t len = (size_t)st.st_size;
		/* the page cache's pages, mapped at once (a read would copy them into fresh ones) */
		char *b = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (b != MAP_FAILED) {
			if (!memcmp(b, magic, 8)) {
				if (head_len)
					memcpy(head, b + 8, head_len);
				ok = hs_deserialize_database(b + 8 + head_len, len - 8 - head_len, db) == HS_SUCCESS;
			}
			munmap(b, len);
		}
	}
	close(fd);
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
