/* yamlnode: reading the nodes of a loaded libyaml document, shared by the rule and
 * configuration loaders (which add their own file:line error messages). */
#ifndef LS_YAMLNODE_H
#define LS_YAMLNODE_H

#include <yaml.h>

#include "common.h"

/** The node's string, or NULL when `n` is NULL or not a scalar. Borrowed from the document. */
const char *ls_yaml_scalar(const yaml_node_t *n);

/**
 * Appends the string `n`, or each string of the sequence `n`, to `out` (copies). Returns
 * NULL, or the node that is not a string: an item of the sequence, or `n` itself when it
 * is neither a string nor a sequence (or an item cannot be resolved).
 */
yaml_node_t *ls_yaml_strings(yaml_document_t *doc, yaml_node_t *n, ls_strlist *out);

/**
 * `key` when it is a short plain identifier (a letter or `_`, then at most 63 letters, digits,
 * `_`, `-` or `.`), else NULL. Messages name a key only then: a file that is not YAML at all
 * (a host file named by mistake or by a hostile configuration) must never be echoed.
 */
const char *ls_yaml_shown_key(const char *key);

#endif
