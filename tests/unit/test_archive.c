/* Unit tests of the archive module's walk and its limits, on archives made in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archives.h"

typedef struct {
	char *data;
	size_t len;
} mem;

/* An archive of `n` entries named names[i] holding datas[i] (lens[i] bytes), in `format`
 * (ARCHIVE_FORMAT_ZIP, _TAR_PAX_RESTRICTED) with `filter` (ARCHIVE_FILTER_NONE, _GZIP). */
static mem make(int format, int filter, size_t n, const char *const *names, const char *const *datas,
                const size_t *lens)
{
	size_t cap = 1 << 20, used = 0;
	for (size_t i = 0; i < n; i++)
		cap += lens[i] + 4096;
	mem m = {malloc(cap), 0};
	struct archive *a = archive_write_new();
	if (format == ARCHIVE_FORMAT_RAW)
		assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	else
		assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	if (filter == ARCHIVE_FILTER_GZIP)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, m.data, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, datas[i], lens[i]), (la_ssize_t)lens[i]);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	m.len = used;
	return m;
}

typedef struct {
	char paths[64][128];
	size_t lens[64];
	int container[64];
	int too_large[64];
	size_t n;
	size_t stop_after; /* stop the walk after this many entries (0: never) */
} seen;

static int collect(const ls_archive_entry *e, void *payload)
{
	seen *s = payload;
	if (s->n < 64) {
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", e->path);
		s->lens[s->n] = e->len;
		s->container[s->n] = e->container;
		s->too_large[s->n] = e->too_large;
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static void test_archive_not_an_archive_costs_nothing(void **state)
{
	(void)state;
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	const char *text = "just some text, PK in the middle\n";
	assert_false(ls_archive_detect(text, strlen(text)));
	assert_int_equal(ls_archive_foreach(text, strlen(text), "a.txt", &lim, collect, &s, &st), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.archives, 0);
	ls_archive_stats_dispose(&st);
	assert_false(ls_archive_detect("PK", 2));
	assert_false(ls_archive_detect(NULL, 0));
}

static void test_archive_zip_entries_in_order(void **state)
{
	(void)state;
	const char *names[] = {"a.txt", "dir/b.env"};
	const char *datas[] = {"alpha\n", "beta=1\n"};
	size_t lens[] = {6, 7};
	mem z = make(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, 2, names, datas, lens);
	assert_true(ls_archive_detect(z.data, z.len));
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	assert_int_equal(ls_archive_foreach(z.data, z.len, "x.zip", &lim, collect, &s, &st), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.paths[0], "a.txt");
	assert_string_equal(s.paths[1], "dir/b.env");
	assert_int_equal(s.lens[1], 7);
	assert_int_equal(st.archives, 1);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_NONE);
	assert_null(st.error);
	ls_archive_stats_dispose(&st);
	/* the callback stops it */
	seen s1 = {0};
	s1.stop_after = 1;
	assert_int_equal(ls_archive_foreach(z.data, z.len, "x.zip", &lim, collect, &s1, &st), 1);
	assert_int_equal(s1.n, 1);
	ls_archive_stats_dispose(&st);
	free(z.data);
}

static void test_archive_gzip_of_one_file_is_its_content(void **state)
{
	(void)state;
	const char *names[] = {"data"};
	const char *datas[] = {"line one\nline two\n"};
	size_t lens[] = {18};
	mem g = make(ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_GZIP, 1, names, datas, lens);
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	ls_archive_foreach(g.data, g.len, "app.env.gz", &lim, collect, &s, &st);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.paths[0], "app.env");
	assert_int_equal(s.lens[0], 18);
	ls_archive_stats_dispose(&st);
	free(g.data);
}

static void test_archive_nested_and_depth_limit(void **state)
{
	(void)state;
	const char *n1[] = {"conf.env"};
	const char *d1[] = {"k=v\n"};
	size_t l1[] = {4};
	mem inner = make(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, 1, n1, d1, l1);
	const char *n2[] = {"inner.tar.gz"};
	const char *d2[] = {inner.data};
	size_t l2[] = {inner.len};
	mem outer = make(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, 1, n2, d2, l2);
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	ls_archive_foreach(outer.data, outer.len, "a.zip", &lim, collect, &s, &st);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.paths[0], "inner.tar.gz");
	assert_true(s.container[0]);
	assert_string_equal(s.paths[1], "inner.tar.gz!conf.env");
	assert_false(s.container[1]);
	assert_int_equal(st.archives, 2);
	ls_archive_stats_dispose(&st);
	/* one level only: the inner archive is given as bytes, and the depth limit is noted */
	lim.max_depth = 1;
	seen s1 = {0};
	ls_archive_foreach(outer.data, outer.len, "a.zip", &lim, collect, &s1, &st);
	assert_int_equal(s1.n, 1);
	assert_false(s1.container[0]);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_DEPTH);
	assert_string_equal(st.limit_at, "inner.tar.gz");
	assert_string_equal(st.depth_at, "inner.tar.gz");
	ls_archive_stats_dispose(&st);
	/* depth 0: nothing is opened */
	lim.max_depth = 0;
	seen s0 = {0};
	ls_archive_foreach(outer.data, outer.len, "a.zip", &lim, collect, &s0, &st);
	assert_int_equal(s0.n, 0);
	ls_archive_stats_dispose(&st);
	free(inner.data);
	free(outer.data);
}

static void test_archive_limits_stop_the_walk(void **state)
{
	(void)state;
	size_t big = 4 << 20;
	char *zeros = calloc(1, big);
	const char *names[] = {"zeros.bin", "b.txt", "c.txt"};
	const char *datas[] = {zeros, "b\n", "c\n"};
	size_t lens[] = {big, 2, 2};
	mem z = make(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, 3, names, datas, lens);
	ls_archive_stats st;
	/* ratio: 4 MiB of zeros in a few KiB */
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_foreach(z.data, z.len, "z.zip", &lim, collect, &s, &st);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_RATIO);
	assert_string_equal(st.limit_at, "zeros.bin");
	assert_int_equal(s.n, 1); /* what was read is given, nothing after it */
	assert_true(s.lens[0] < big);
	ls_archive_stats_dispose(&st);
	/* total size */
	lim.max_ratio = 1000000;
	lim.max_total = 1 << 20;
	seen s2 = {0};
	ls_archive_foreach(z.data, z.len, "z.zip", &lim, collect, &s2, &st);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_SIZE);
	assert_true(st.bytes <= (1 << 20) + (64 << 10));
	ls_archive_stats_dispose(&st);
	/* an entry over max_entry is not read; the others are */
	lim = (ls_archive_limits)LS_ARCHIVE_LIMITS_INIT;
	lim.max_ratio = 1000000;
	lim.max_entry = 1 << 20;
	seen s3 = {0};
	ls_archive_foreach(z.data, z.len, "z.zip", &lim, collect, &s3, &st);
	assert_int_equal(s3.n, 3);
	assert_true(s3.too_large[0]);
	assert_int_equal(s3.lens[0], big);
	assert_false(s3.too_large[1]);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_NONE);
	ls_archive_stats_dispose(&st);
	/* in a stream (tar.gz) an entry too large is decompressed through to the next one,
	 * within the limits */
	mem tz = make(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, 3, names, datas, lens);
	seen s6 = {0};
	ls_archive_foreach(tz.data, tz.len, "z.tar.gz", &lim, collect, &s6, &st);
	assert_int_equal(s6.n, 3);
	assert_true(s6.too_large[0]);
	assert_string_equal(s6.paths[2], "c.txt");
	assert_true(st.bytes >= big);
	ls_archive_stats_dispose(&st);
	lim.max_ratio = 100; /* and the ratio stops the draining */
	seen s7 = {0};
	ls_archive_foreach(tz.data, tz.len, "z.tar.gz", &lim, collect, &s7, &st);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_RATIO);
	assert_int_equal(s7.n, 1);
	ls_archive_stats_dispose(&st);
	free(tz.data);
	/* entries */
	lim = (ls_archive_limits)LS_ARCHIVE_LIMITS_INIT;
	lim.max_ratio = 1000000;
	lim.max_entries = 2;
	seen s4 = {0};
	ls_archive_foreach(z.data, z.len, "z.zip", &lim, collect, &s4, &st);
	assert_int_equal(s4.n, 2);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_ENTRIES);
	ls_archive_stats_dispose(&st);
	/* time */
	lim = (ls_archive_limits)LS_ARCHIVE_LIMITS_INIT;
	lim.max_seconds = -1;
	seen s5 = {0};
	ls_archive_foreach(z.data, z.len, "z.zip", &lim, collect, &s5, &st);
	assert_int_equal(st.limit, LS_ARCHIVE_LIMIT_TIME);
	assert_int_equal(s5.n, 0);
	ls_archive_stats_dispose(&st);
	free(z.data);
	free(zeros);
}

static void test_archive_truncated_gives_what_it_read(void **state)
{
	(void)state;
	char *noise = malloc(200000);
	unsigned x = 12345;
	for (size_t i = 0; i < 200000; i++)
		noise[i] = (char)((x = x * 1103515245 + 12345) >> 16);
	const char *names[] = {"first.txt", "noise.bin"};
	const char *datas[] = {"first entry\n", noise};
	size_t lens[] = {12, 200000};
	mem z = make(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, 2, names, datas, lens);
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	ls_archive_foreach(z.data, z.len / 2, "t.tar.gz", &lim, collect, &s, &st);
	assert_true(s.n >= 1);
	assert_string_equal(s.paths[0], "first.txt");
	assert_non_null(st.error);
	assert_true(st.nerrors >= 1);
	ls_archive_stats_dispose(&st);
	free(z.data);
	free(noise);
}

static void test_archive_image_config_views(void **state)
{
	(void)state;
	const char *cfg = "{\"config\":{\"Env\":[\"A=1\",\"B=2\"],\"Cmd\":[\"run\",\"--x\"],"
	                  "\"Labels\":{\"l\":\"v\"}},\"rootfs\":{\"type\":\"layers\"},"
	                  "\"history\":[{\"created_by\":\"ENV A=1\"},{\"empty_layer\":true}]}";
	const char *names[] = {"blobs/sha256/abc"};
	const char *datas[] = {cfg};
	size_t lens[] = {strlen(cfg)};
	mem t = make(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, 1, names, datas, lens);
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	seen s = {0};
	ls_archive_stats st;
	ls_archive_foreach(t.data, t.len, "image.tar", &lim, collect, &s, &st);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.paths[0], "blobs/sha256/abc");
	assert_true(s.container[0]);
	assert_string_equal(s.paths[1], "config:Env");
	assert_int_equal(s.lens[1], 8); /* "A=1\nB=2\n" */
	assert_string_equal(s.paths[2], "config:Cmd");
	assert_string_equal(s.paths[3], "config:Labels");
	assert_string_equal(s.paths[4], "config:history");
	ls_archive_stats_dispose(&st);
	free(t.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_archive_not_an_archive_costs_nothing),
	    cmocka_unit_test(test_archive_zip_entries_in_order),
	    cmocka_unit_test(test_archive_gzip_of_one_file_is_its_content),
	    cmocka_unit_test(test_archive_nested_and_depth_limit),
	    cmocka_unit_test(test_archive_limits_stop_the_walk),
	    cmocka_unit_test(test_archive_truncated_gives_what_it_read),
	    cmocka_unit_test(test_archive_image_config_views),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
