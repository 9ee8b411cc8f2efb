/* Fuzz harness: the archive walk (ls_archive_foreach) on any bytes, through every format it
 * opens, nested, with small limits. It must give entries or stop at a limit or an error,
 * never crash, hang, leak or allocate past its limits. */
#include <stddef.h>
#include <stdint.h>

#include "archives.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) { return 0; }

static int touch(const ls_archive_entry *e, void *payload)
{
	size_t *sum = payload;
	for (size_t i = 0; e->data && i < e->len; i += 4096)
		*sum += (unsigned char)e->data[i]; /* every page of what is given is readable */
	*sum += e->path[0] ? (unsigned char)e->path[0] : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ls_archive_limits lim = LS_ARCHIVE_LIMITS_INIT;
	lim.max_total = 16 << 20;
	lim.max_entry = 4 << 20;
	lim.max_entries = 1000;
	lim.max_seconds = 5;
	size_t sum = 0;
	ls_archive_stats st;
	ls_archive_foreach((const char *)data, size, "fuzz.bin", &lim, touch, &sum, &st);
	ls_archive_stats_dispose(&st);
	return 0;
}
