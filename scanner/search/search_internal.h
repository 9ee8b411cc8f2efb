/* search: what its files share (search.c, words.c); nothing else includes it. */
#ifndef LS_SEARCH_INTERNAL_H
#define LS_SEARCH_INTERNAL_H

#include <stddef.h>

#define JUDGE_MAX 512 /* the longest value judged decoded; a longer one is judged as written */

/*
 * What a value means rather than how it is written, into `out` (NUL-terminated): with
 * `basic`, the password of base64 `user:password` (Basic credentials); else the value with
 * percent-encoding (`%40`), JSON escapes (`\u0040`, `\"`) and XML entities (`&amp;`, `&#64;`)
 * undone. Returns its length, or 0 when there is nothing to undo (judge the value as written).
 */
size_t search_judged_value(int basic, const char *s, size_t n, char out[JUDGE_MAX]);

/* Whether `s` holds a template's slot (`%HOSTIP`, `%(name)s`): a line made from a template. */
int search_has_template(const char *s, size_t n);

#endif
