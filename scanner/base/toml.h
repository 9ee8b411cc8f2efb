/* toml: a reader for the TOML that gitleaks configurations are written in (leakscan import).
 * Debian 12 packages no C TOML library (only C++ ones), so this reads the subset such files
 * use: tables, arrays of tables, dotted keys, the four kinds of strings, integers, floats,
 * booleans, arrays and inline tables. Dates and times are refused with a message. */
#ifndef LS_TOML_H
#define LS_TOML_H

#include <stddef.h>

typedef enum { LS_TOML_STRING, LS_TOML_INT, LS_TOML_FLOAT, LS_TOML_BOOL, LS_TOML_ARRAY, LS_TOML_TABLE } ls_toml_type;

typedef struct ls_toml ls_toml;
/** A value: strings in `s` (NUL-terminated; TOML strings hold no NUL), numbers in `num`,
 * booleans in `b`; arrays' items and tables' values in `items` (with `keys` for tables). */
struct ls_toml {
	ls_toml_type type;
	char *s;
	double num;
	int b;
	ls_toml **items;
	char **keys;
	size_t n;
	int line; /**< where it was defined (1-based) */
	int defined; /**< a table given by a header or key (not only made as a parent) */
};

/** Parses `text` (len bytes) of file `name` into a root table. Returns 0, or LS_EINVAL with
 * "NAME:LINE: what" as the message. */
int ls_toml_parse(ls_toml **out, const char *name, const char *text, size_t len);
void ls_toml_free(ls_toml *t);
/** The value of `key` in table `t`, or NULL (also when `t` is NULL or no table). */
const ls_toml *ls_toml_get(const ls_toml *t, const char *key);

#endif
