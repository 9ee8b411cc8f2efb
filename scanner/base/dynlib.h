/*
 * dynlib: third-party shared libraries opened on first use.
 *
 * libgit2, libcurl, libmicrohttpd and libarchive bring some 45 shared libraries with them
 * (TLS, Kerberos, LDAP, ICU, compressors). Linked the usual way, the dynamic loader maps and
 * relocates all of them before main(): about 20 ms of every run, more than a pre-commit
 * hook's whole scan, and paid by `leakscan scan` although a plain directory needs none of
 * them. Their owner modules call them through a table instead, filled by dlopen() and
 * dlsym() the first time a function of the table is called.
 *
 * An owner declares its table in a header of its own (source/git/git2_lazy.h is one):
 *
 *     #define LS_FOO_FUNCTIONS(X) X(foo_open) X(foo_close)
 *     LS_DYNLIB_DECLARE(foo, LS_FOO_FUNCTIONS)
 *     #define foo_open (*ls_foo()->foo_open)
 *     #define foo_close (*ls_foo()->foo_close)
 *
 * and defines it in one source file with LS_DYNLIB_DEFINE(foo, LS_FOO_FUNCTIONS, "libfoo.so.1").
 * Calls then read as before (`foo_open(x)`). The redirections come after the declaration,
 * whose member names would otherwise be redirected too. A function missing from the table
 * is a link error (the library is not linked), so the table cannot silently fall behind.
 *
 * Thread-safe: the library is loaded once (under a lock); the table is read-only after.
 * A library that cannot be loaded is, like a missing DT_NEEDED library at start-up, the end
 * of the run: one line on stderr and exit code 2 (ls_dynlib_load reports it instead).
 */
#ifndef LS_DYNLIB_H
#define LS_DYNLIB_H

#include <stddef.h>

/** One library: its soname and the functions to resolve into `table` (in `names` order). */
typedef struct {
	const char *soname;       /**< e.g. "libgit2.so.1.5" (from the build's pkg-config) */
	const char *const *names; /**< function names, one per pointer of `table` */
	size_t n;
	void *table;              /**< a struct of `n` function pointers, filled on load */
	int tried;                /**< a load was attempted (under the loading lock) */
	int ready;                /**< 1 once the table is filled (read with acquire) */
	char error[400];          /**< why the load failed (written once, under the lock) */
} ls_dynlib;

/** Loads `lib` if not yet done. Returns 0, or LS_ERR with a one-line message. Thread-safe. */
int ls_dynlib_load(ls_dynlib *lib);
/** Loads `lib` or ends the process (message on stderr, exit code 2). Thread-safe. */
void ls_dynlib_need(ls_dynlib *lib);

#define LS_DYNLIB_FIELD(f) __typeof__(f) *f;
#define LS_DYNLIB_NAME(f) #f,

/** Declares `struct ls_<name>_api`, its loader `ls_<name>_lib` and `ls_<name>()`. */
#define LS_DYNLIB_DECLARE(name, FUNCTIONS)                                                     \
	struct ls_##name##_api {                                                               \
		FUNCTIONS(LS_DYNLIB_FIELD)                                                     \
	};                                                                                     \
	extern struct ls_##name##_api ls_##name##_table;                                        \
	extern ls_dynlib ls_##name##_lib;                                                      \
	static inline const struct ls_##name##_api *ls_##name(void)                            \
	{                                                                                      \
		if (!__atomic_load_n(&ls_##name##_lib.ready, __ATOMIC_ACQUIRE))                 \
			ls_dynlib_need(&ls_##name##_lib);                                      \
		return &ls_##name##_table;                                                     \
	}

/** Defines the table and loader declared by LS_DYNLIB_DECLARE (in one source file). */
#define LS_DYNLIB_DEFINE(name, FUNCTIONS, soname_)                                             \
	struct ls_##name##_api ls_##name##_table;                                               \
	static const char *const ls_##name##_names[] = {FUNCTIONS(LS_DYNLIB_NAME)};             \
	ls_dynlib ls_##name##_lib = {soname_, ls_##name##_names,                               \
	                             sizeof(ls_##name##_names) / sizeof(ls_##name##_names[0]), \
	                             &ls_##name##_table, 0, 0, {0}}

#endif
