/* dynlib: third-party shared libraries opened on first use (see dynlib.h for why). */
#include "dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Loads are rare and short: one at a time, each library tried once. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static void fail(ls_dynlib *lib, const char *what)
{
	snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s", lib->soname, what ? what : "unknown error");
}

static void load(ls_dynlib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fail(lib, dlerror());
		return;
	}
	for (size_t i = 0; i < lib->n; i++) {
		dlerror();
		void *f = dlsym(h, lib->names[i]);
		if (!f) {
			char msg[200];
			snprintf(msg, sizeof(msg), "no function %s (a different version of the library?)", lib->names[i]);
			fail(lib, msg);
			return; /* the handle stays open: the table is never used */
		}
		/* a struct of function pointers, each the size of a data pointer (POSIX dlsym) */
		memcpy((char *)lib->table + i * sizeof(f), &f, sizeof(f));
	}
	__atomic_store_n(&lib->ready, 1, __ATOMIC_RELEASE);
}

int ls_dynlib_load(ls_dynlib *lib)
{
	if (__atomic_load_n(&lib->ready, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&load_lock);
	if (!lib->tried) {
		lib->tried = 1;
		load(lib);
	}
	pthread_mutex_unlock(&load_lock);
	if (__atomic_load_n(&lib->ready, __ATOMIC_ACQUIRE))
		return 0;
	/* (written under the lock, read after it) */
	return ls_error_set("%s", lib->error[0] ? lib->error : "cannot load a shared library");
}

void ls_dynlib_need(ls_dynlib *lib)
{
	if (ls_dynlib_load(lib) == 0)
		return;
	fprintf(stderr, "leakscan: %s\n", ls_error_last());
	exit(2);
}
