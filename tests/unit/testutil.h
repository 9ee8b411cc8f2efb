/* Helpers shared by the unit tests. */
#ifndef LS_TESTUTIL_H
#define LS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>

/* How many compiled-database files (hs-*.db, as hscache names them) `dir` holds. */
static inline size_t count_hs_cache_files(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "ls '%s' 2>/dev/null | grep -c '^hs-.*\\.db$'", dir);
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	if (fscanf(p, "%zu", &n) != 1)
		n = 0;
	pclose(p);
	return n;
}

/* Removes `dir` and everything under it; 0 on success. */
static inline int remove_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
