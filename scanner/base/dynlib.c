/* dynlib: third-party shared libraries opened on first use (see dynlib.h for why). */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The library being loaded: pthread_once's routine takes no argument, and loads are rare
 * enough to go one at a time. */
static pthread_mutex_t loading_lock = PTHREAD_MUTEX_INITIALIZER;
static ls_dynlib *loading;

static void fail(ls_dynlib *lib, const char *what)
{
	snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s", lib->soname, what ? what : "unknown error");
}

static void load_once(void)
{
	ls_dynlib *lib = loading;
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
	pthread_mutex_lock(&loading_lock);
	loading = lib;
	pthread_once(&lib->once, load_once);
	pthread_mutex_unlock(&loading_lock);
	if (__atomic_load_n(&lib->ready, __ATOMIC_ACQUIRE))
		return 0;
	/* (pthread_once made the loading thread's writes visible) */
	return ls_error_set("%s", lib->error[0] ? lib->error : "cannot load a shared library");
}

void ls_dynlib_need(ls_dynlib *lib)
{
	if (ls_dynlib_load(lib) == 0)
		return;
	fprintf(stderr, "leakscan: %s\n", ls_error_last());
	exit(2);
}
