/* Where a scan's policy comes from: `.leakscan.yaml`, the rule files it names and
 * `.leakscanignore`, from the scanned tree (confined to it), from a file the user named, or
 * from a revision's tree (git --config-from). Issue 18, items 5 and 17. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "confine.h"
#include "source_git.h"

void ls_cli_note_dubious(const char *msg)
{
	/* once per repository: the configuration search and each walked path may meet it */
	static ls_strlist noted;
	for (size_t i = 0; i < noted.n; i++)
		if (!strcmp(noted.items[i], msg))
			return;
	ls_strlist_push(&noted, msg);
	ls_cli_error("warning: %s: its ignore rules, .leakscan.yaml and .leakscanignore are not used", msg);
}

int ls_cli_policy_trust(const char *top, void *payload)
{
	int *untrusted = payload;
	if (ls_git_top_check(top) == 0)
		return 1;
	ls_cli_note_dubious(ls_error_last());
	if (untrusted)
		*untrusted = 1;
	return 0;
}

typedef struct {
	ls_git_repo *repo;
	const char *rev;
} rev_reader;

static int rev_read(void *payload, const char *path, ls_buf *out, ls_strlist *names)
{
	rev_reader *r = payload;
	return ls_git_rev_read(r->repo, r->rev, path, LS_POLICY_MAX_FILE, out, names);
}

/* `rev:name` from the object database into `b`: 0, LS_ENOTFOUND, or an error with a message. */
static int read_at_rev(ls_buf *b, const ls_cli_policy *p, const char *name)
{
	ls_strlist names = {0};
	int err = ls_git_rev_read(p->repo, p->rev, name, LS_POLICY_MAX_FILE, b, &names);
	ls_strlist_dispose(&names);
	if (err == LS_EINVAL)
		ls_error_wrap("--config-from");
	else if (err == 1)
		err = (ls_error_set("%s:%s: not a regular file", p->rev, name), LS_EIO);
	else if (err < 0 && err != LS_ENOTFOUND)
		ls_error_wrap("%s:%s", p->rev, name);
	return err;
}

int ls_cli_policy_config(ls_cli_filters *fl, const ls_cli_options *o, const char *found, const ls_cli_policy *p)
{
	ls_buf b = LS_BUF_INIT;
	int err = 0;
	if (p && p->repo) {
		err = read_at_rev(&b, p, LS_CONFIG_NAME);
		if (err == 0) {
			char *name = ls_xasprintf("%s:%s", p->rev, LS_CONFIG_NAME);
			err = ls_config_load_buffer(&fl->config, name, fl->root, b.ptr ? b.ptr : "", b.len);
			free(name);
			fl->repo_config = 1;
		}
		if (err == LS_ENOTFOUND)
			err = 0;
	} else if (o->no_config) {
		err = 0;
	} else if (o->config) {
		err = ls_config_load(&fl->config, o->config); /* named by the user: trusted */
	} else if (found && !fl->untrusted) {
		fl->confined = 1;
		fl->repo_config = 1;
		err = ls_read_confined(&b, found, fl->root, LS_POLICY_MAX_FILE);
		if (err < 0)
			ls_error_wrap("%s", found);
		else
			err = ls_config_load_string(&fl->config, found, b.ptr ? b.ptr : "", b.len);
	}
	ls_buf_dispose(&b);
	return err;
}

int ls_cli_policy_rules(const ls_cli_filters *fl, ls_ruleset *rs, const ls_cli_policy *p)
{
	if (!fl->config)
		return 0;
	if (p && p->repo) {
		rev_reader r = {p->repo, p->rev};
		char *prefix = ls_xasprintf("%s:", p->rev);
		ls_config_reader rd = {rev_read, prefix, &r};
		int err = ls_config_load_rules_from(fl->config, rs, &rd);
		free(prefix);
		return err;
	}
	if (fl->confined)
		return ls_config_load_rules_confined(fl->config, rs, fl->root);
	return ls_config_load_rules(fl->config, rs);
}

int ls_cli_policy_ignore(ls_cli_filters *fl, const ls_cli_policy *p)
{
	ls_buf b = LS_BUF_INIT;
	int err;
	if (p && p->repo) {
		err = read_at_rev(&b, p, LS_IGNORE_NAME);
	} else if (fl->untrusted && !fl->config) {
		err = LS_ENOTFOUND;
	} else {
		char *ign = ls_xasprintf("%s/%s", fl->config ? fl->config->dir : fl->root, LS_IGNORE_NAME);
		/* next to a configuration the user named: any regular file; else inside the root */
		err = ls_read_confined(&b, ign, fl->config && !fl->confined ? NULL : fl->root, LS_POLICY_MAX_FILE);
		if (err < 0 && err != LS_ENOTFOUND)
			ls_error_wrap("%s", ign);
		free(ign);
	}
	if (err == 0)
		ls_allow_load_ignore_buffer(fl->allow, b.ptr ? b.ptr : "", b.len);
	ls_buf_dispose(&b);
	return err == LS_ENOTFOUND ? 0 : err;
}
