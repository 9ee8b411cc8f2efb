#include "yamlnode.h"

#include <ctype.h>
#include <string.h>

const char *ls_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *ls_yaml_strings(yaml_document_t *doc, yaml_node_t *n, ls_strlist *out)
{
	if (n->type == YAML_SCALAR_NODE) {
		ls_strlist_push(out, ls_yaml_scalar(n));
		return NULL;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return n;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(doc, *it);
		const char *s = ls_yaml_scalar(item);
		if (!s)
			return item ? item : n;
		ls_strlist_push(out, s);
	}
	return NULL;
}

const char *ls_yaml_shown_key(const char *key)
{
	if (!key || !(isalpha((unsigned char)key[0]) || key[0] == '_'))
		return NULL;
	size_t n = 1;
	for (; key[n]; n++)
		if (n >= 64 || !(isalnum((unsigned char)key[n]) || strchr("_-.", key[n])))
			return NULL;
	return key;
}
