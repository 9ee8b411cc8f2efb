/* leakscan hook: install, uninstall and show the git hooks that run leakscan. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "hooks.h"

static const char *hook_usage =
    "usage: leakscan hook install   [--pre-commit] [--commit-msg] [--pre-push] [--all]\n"
    "                               [--global | --template DIR] [--force]\n"
    "       leakscan hook uninstall [--pre-commit] [--commit-msg] [--pre-push] [--all]\n"
    "                               [--global | --template DIR]\n"
    "       leakscan hook status    [--global | --template DIR]\n"
    "\n"
    "Installs git hooks that run leakscan: pre-commit scans the staged changes\n"
    "(leakscan git --staged), commit-msg the commit message, pre-push the commits the\n"
    "remote does not have yet. Without a hook flag, install and uninstall act on pre-commit.\n"
    "\n"
    "The hooks go where git looks for them (core.hooksPath, or the repository's hooks\n"
    "directory, shared by its work trees). A hook that is already there is kept: it is moved\n"
    "to <hook>.leakscan-chained and runs after the scan; if <hook>.d/ exists, leakscan goes\n"
    "into it. Uninstall puts back exactly what was there; a leakscan hook you edited is\n"
    "kept as <hook>.leakscan-edited.\n"
    "\n"
    "      --pre-commit, --commit-msg, --pre-push   the hooks to act on; --all for every one\n"
    "      --global        for every repository of this user: core.hooksPath in the global\n"
    "                      git config (set to ~/.config/leakscan/hooks unless already set);\n"
    "                      those hooks also run each repository's own .git/hooks/<hook>\n"
    "      --template DIR  into DIR/hooks, for git init --template / init.templateDir\n"
    "      --force         rewrite a hook leakscan installed (never another one)\n"
    "\n"
    "Hook managers are joined, never bypassed: with husky (core.hooksPath .husky/_), install\n"
    "adds a block to .husky/<hook> that runs 'leakscan hook run <hook>' and uninstall removes\n"
    "it; with the pre-commit framework (.pre-commit-config.yaml) or lefthook (lefthook.yml),\n"
    "install prints the lines to add to their configuration and installs nothing; with a\n"
    "core.hooksPath from the global git config, install refuses unless --global. A leakscan\n"
    "hook that 'pre-commit install' moved to <hook>.legacy still runs (the framework runs it);\n"
    "status says so and uninstall removes it.\n"
    "\n"
    "If leakscan cannot run, the hooks refuse (fail closed) unless\n"
    "'git config leakscan.failOpen true'.\n"
    "\n"
    "Exit status: 0 done, 2 error.\n"
    "\n"
    "Examples: leakscan hook install --all\n"
    "          leakscan hook status\n"
    "          leakscan hook install --global\n";

enum { OPT_PRE_COMMIT = 1000, OPT_COMMIT_MSG, OPT_PRE_PUSH, OPT_ALL, OPT_GLOBAL, OPT_TEMPLATE, OPT_FORCE };

static char *global_default_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg)
		return ls_xasprintf("%s/leakscan/hooks", xdg);
	const char *home = getenv("HOME");
	return ls_xasprintf("%s/.config/leakscan/hooks", home ? home : "");
}

/* core.hooksPath from the global config, with ~/ expanded; NULL if unset. */
static char *global_hooks_path(void)
{
	ls_buf b = LS_BUF_INIT;
	const char *argv[] = {"git", "config", "--global", "--get", "core.hooksPath", NULL};
	if (ls_hook_run_git(&b, argv, 1) != 0 || !b.len) {
		ls_buf_dispose(&b);
		return NULL;
	}
	char *v = ls_buf_detach(&b);
	if (v[0] == '~' && v[1] == '/') {
		const char *home = getenv("HOME");
		char *e = ls_xasprintf("%s%s", home ? home : "", v + 1);
		free(v);
		return e;
	}
	return v;
}

/* `git config [--type=T] --get KEY`: the value, or NULL when unset (or unreadable). */
static char *config_get(const char *type, const char *key)
{
	ls_buf b = LS_BUF_INIT;
	const char *argv[] = {"git", "config", type ? type : "--get", type ? "--get" : key, type ? key : NULL, NULL};
	if (ls_hook_run_git(&b, argv, 1) != 0) {
		ls_buf_dispose(&b);
		return NULL;
	}
	return ls_buf_detach(&b);
}

/*
 * leakscan hook clean-message FILE (run by the commit-msg hook): writes to stdout the
 * message as git will record it, from the repository's commit.cleanup, core.commentChar and
 * commit.verbose and whether git ran an editor (git sets GIT_EDITOR=: for the hook when it
 * did not). What the hook cannot know is kept (see ls_hook_msg_cleanup).
 */
static int hook_clean_message(const char *file)
{
	ls_buf in = LS_BUF_INIT, out = LS_BUF_INIT;
	if (ls_read_file(&in, file) < 0) {
		ls_cli_error("hook: %s", ls_error_last());
		return LS_EXIT_ERROR;
	}
	ls_hook_msg_options o = LS_HOOK_MSG_OPTIONS_INIT;
	char *cleanup = config_get(NULL, "commit.cleanup");
	char *comment = config_get(NULL, "core.commentChar");
	char *comment_string = config_get(NULL, "core.commentString");
	char *verbose = config_get("--type=bool-or-int", "commit.verbose");
	const char *editor = getenv("GIT_EDITOR");
	if (ls_hook_cleanup_parse(cleanup, &o.cleanup) < 0)
		ls_error_clear();
	/* "auto" picks a character from the message before it was edited: unknown here;
	 * git 2.45's core.commentString: not read by every git, so unknown too */
	if (comment_string || (comment && !strcasecmp(comment, "auto")))
		o.comment = NULL;
	else if (comment)
		o.comment = comment;
	o.editor = !(editor && !strcmp(editor, ":"));
	o.verbose = verbose && (!strcmp(verbose, "true") || atoi(verbose) > 0);
	ls_hook_msg_cleanup(&out, in.ptr ? in.ptr : "", in.len, &o);
	int rc = 0;
	if (out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len)
		rc = LS_EXIT_ERROR;
	if (fflush(stdout) != 0)
		rc = LS_EXIT_ERROR;
	if (rc)
		ls_cli_error("hook: cannot write the commit message");
	free(cleanup);
	free(comment);
	free(comment_string);
	free(verbose);
	ls_buf_dispose(&in);
	ls_buf_dispose(&out);
	return rc;
}

/* The first line git prints for ARGV, or NULL. */
static char *git_line(const char *const argv[])
{
	ls_buf b = LS_BUF_INIT;
	if (ls_hook_run_git(&b, argv, 1) != 0 || !b.len) {
		ls_buf_dispose(&b);
		return NULL;
	}
	char *nl = strchr(b.ptr, '\n');
	if (nl)
		*nl = '\0';
	return ls_buf_detach(&b);
}

/*
 * leakscan hook run HOOK [ARGS...]: what leakscan's installed hook does, for a hook manager
 * to call (husky's script, lefthook): the same script, run by sh with the hook's arguments and
 * standard input, with nothing to chain.
 */
static int hook_run(int argc, char **argv, const char *self)
{
	ls_hook_kind kind = 0;
	for (int k = LS_HOOK_PRE_COMMIT; k <= LS_HOOK_PRE_PUSH; k <<= 1)
		if (!strcmp(argv[0], ls_hook_name((ls_hook_kind)k)))
			kind = (ls_hook_kind)k;
	if (!kind) {
		ls_cli_error("hook: run: unknown hook '%s' (pre-commit, commit-msg or pre-push)", argv[0]);
		return LS_EXIT_ERROR;
	}
	ls_hook_options ho = LS_HOOK_OPTIONS_INIT;
	ho.leakscan_path = self;
	char *script = ls_hook_script(kind, &ho);
	char **args = ls_xcalloc((size_t)argc + 4, sizeof(char *));
	args[0] = (char *)"sh";
	args[1] = (char *)"-c";
	args[2] = script;
	/* $0: a place with no chained hook beside it */
	args[3] = ls_xasprintf("/dev/null/%s", argv[0]);
	for (int i = 1; i < argc; i++)
		args[3 + i] = argv[i];
	fflush(NULL);
	execv("/bin/sh", args);
	ls_cli_error("hook: run: cannot run /bin/sh: %s", strerror(errno));
	return LS_EXIT_ERROR;
}

/* What the hook manager `m` needs instead of leakscan's own hook (install), or its state
 * (status). Returns 1 when it took care of the action. */
static int managed(int act, ls_hook_manager m, const char *dir, const char *husky, const char *top, int kinds,
                   ls_buf *msg, int *rc)
{
	if (m == LS_HOOKMGR_NONE)
		return 0;
	if (m == LS_HOOKMGR_GLOBAL_PATH) {
		if (act == 3)
			return 0;
		ls_cli_error("hook: core.hooksPath is set in the global git config (%s): hooks there run for every "
		             "repository; use 'leakscan hook %s --global' for that, or give this repository its own "
		             "hooks first: git config core.hooksPath .git/hooks",
		             dir, act == 1 ? "install" : "uninstall");
		*rc = LS_EXIT_ERROR;
		return 1;
	}
	if (m == LS_HOOKMGR_HUSKY) {
		for (int k = LS_HOOK_PRE_COMMIT; k <= LS_HOOK_PRE_PUSH; k <<= 1) {
			if (!(kinds & k))
				continue;
			int err = 0;
			if (act == 1)
				err = ls_hook_husky_add(husky, (ls_hook_kind)k, msg);
			else if (act == 2)
				err = ls_hook_husky_remove(husky, (ls_hook_kind)k, msg);
			else
				ls_buf_printf(msg, "%s: husky runs %s/%s: leakscan %s\n", ls_hook_name((ls_hook_kind)k), husky,
				              ls_hook_name((ls_hook_kind)k), ls_hook_husky_has(husky, (ls_hook_kind)k) ? "is in it" : "is not in it");
			if (err < 0) {
				ls_cli_error("hook: %s", ls_error_last());
				*rc = LS_EXIT_ERROR;
			}
		}
		return 1;
	}
	/* the pre-commit framework, lefthook: their configuration runs leakscan */
	const char *who = m == LS_HOOKMGR_PRE_COMMIT ? "the pre-commit framework" : "lefthook";
	const char *conf = m == LS_HOOKMGR_PRE_COMMIT ? ".pre-commit-config.yaml" : "lefthook.yml";
	if (act == 2)
		return 0; /* leakscan's own hooks, .legacy ones included, are uninstalled as usual */
	char *cpath = ls_xasprintf("%s/%s", top ? top : ".", conf);
	ls_buf c = LS_BUF_INIT;
	int listed = ls_read_regular(&c, cpath, (size_t)1 << 20) == 0 && c.ptr && strstr(c.ptr, "leakscan");
	ls_buf_dispose(&c);
	if (act == 3) {
		ls_buf_printf(msg, "hooks are run by %s: leakscan %s %s\n", who, listed ? "is in" : "is not in", cpath);
		free(cpath);
		return 0; /* and leakscan's own hooks, as usual */
	}
	char *legacy = ls_xasprintf("%s/pre-commit.legacy", dir);
	int as_legacy = m == LS_HOOKMGR_PRE_COMMIT && (kinds & LS_HOOK_PRE_COMMIT) && ls_hook_is_ours(legacy);
	if (as_legacy)
		ls_buf_printf(msg, "pre-commit: installed; %s runs it as %s\n", who, legacy);
	free(legacy);
	if (as_legacy && kinds == LS_HOOK_PRE_COMMIT) {
		/* nothing more to do */
	} else if (listed) {
		ls_buf_printf(msg, "%s already names leakscan in %s: nothing to install\n", who, cpath);
	} else {
		ls_buf_printf(msg, "this repository's hooks are run by %s: leakscan installs no hook of its own, which %s "
		                   "would replace or bypass; add to %s%s:\n\n",
		              who, who, cpath, m == LS_HOOKMGR_PRE_COMMIT ? ", under 'repos:'" : "");
		ls_hook_manager_snippet(msg, m, kinds);
	}
	free(cpath);
	return 1;
}

/*
 * leakscan hook push-plan REMOTE [URL] (run by the pre-push hook with pre-push's standard
 * input): prints the scans the push needs (see ls_hook_push_plan).
 */
static int hook_push_plan(const char *remote)
{
	ls_buf in = LS_BUF_INIT, out = LS_BUF_INIT;
	int rc = 0;
	if (ls_read_file(&in, "/dev/stdin") < 0 || ls_hook_push_plan(&out, remote, in.ptr ? in.ptr : "", in.len) < 0) {
		ls_cli_error("hook: %s", ls_error_last());
		rc = LS_EXIT_ERROR;
	} else if ((out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len) || fflush(stdout) != 0) {
		ls_cli_error("hook: cannot write the pre-push plan");
		rc = LS_EXIT_ERROR;
	}
	ls_buf_dispose(&in);
	ls_buf_dispose(&out);
	return rc;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"pre-commit", no_argument, NULL, OPT_PRE_COMMIT},
	    {"commit-msg", no_argument, NULL, OPT_COMMIT_MSG},
	    {"pre-push", no_argument, NULL, OPT_PRE_PUSH},
	    {"all", no_argument, NULL, OPT_ALL},
	    {"global", no_argument, NULL, OPT_GLOBAL},
	    {"template", required_argument, NULL, OPT_TEMPLATE},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int kinds = 0, global = 0, force = 0, opt;
	const char *template_dir = NULL;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "hf", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(hook_usage, stdout);
			return 0;
		case OPT_PRE_COMMIT: kinds |= LS_HOOK_PRE_COMMIT; break;
		case OPT_COMMIT_MSG: kinds |= LS_HOOK_COMMIT_MSG; break;
		case OPT_PRE_PUSH: kinds |= LS_HOOK_PRE_PUSH; break;
		case OPT_ALL: kinds |= LS_HOOK_ALL; break;
		case OPT_GLOBAL: global = 1; break;
		case OPT_TEMPLATE: template_dir = optarg; break;
		case 'f':
		case OPT_FORCE: force = 1; break;
		default:
			ls_cli_unknown_option("hook", argv[optind - 1], longopts);
			return LS_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		ls_cli_error("hook: say install, uninstall or status (see 'leakscan help hook')");
		return LS_EXIT_ERROR;
	}
	const char *action = argv[optind++];
	/* what the installed hooks run; not for people */
	if (!strcmp(action, "clean-message") && argc - optind == 1)
		return hook_clean_message(argv[optind]);
	if (!strcmp(action, "push-plan") && argc - optind >= 1 && argc - optind <= 2)
		return hook_push_plan(argv[optind]);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (!strcmp(action, "run") && argc - optind >= 1)
		return hook_run(argc - optind, argv + optind, n > 0 ? exe : "leakscan");
	int act = !strcmp(action, "install") ? 1 : !strcmp(action, "uninstall") ? 2 : !strcmp(action, "status") ? 3 : 0;
	if (!act) {
		ls_cli_error("hook: unknown action '%s' (install, uninstall or status)", action);
		return LS_EXIT_ERROR;
	}
	if (optind < argc) {
		ls_cli_error("hook: unexpected argument '%s'", argv[optind]);
		return LS_EXIT_ERROR;
	}
	if (global && template_dir) {
		ls_cli_error("hook: --global and --template cannot be used together");
		return LS_EXIT_ERROR;
	}
	if (force && act != 1) {
		ls_cli_error("hook: --force only applies to install");
		return LS_EXIT_ERROR;
	}
	if (act == 3)
		kinds = LS_HOOK_ALL;
	else if (!kinds)
		kinds = LS_HOOK_PRE_COMMIT;

	char *dir = NULL;
	int set_global = 0;
	if (template_dir) {
		dir = ls_xasprintf("%s/hooks", template_dir);
	} else if (global) {
		dir = global_hooks_path();
		if (!dir) {
			dir = global_default_dir();
			set_global = act == 1;
		}
	} else {
		ls_buf b = LS_BUF_INIT;
		const char *gargv[] = {"git", "rev-parse", "--git-path", "hooks", NULL};
		int grc = ls_hook_run_git(&b, gargv, 1);
		if (grc != 0 || !b.len) {
			ls_buf_dispose(&b);
			if (grc < 0)
				ls_cli_error("hook: cannot run git");
			else
				ls_cli_error("hook: not in a git repository (use --global or --template DIR)");
			return LS_EXIT_ERROR;
		}
		dir = ls_buf_detach(&b);
	}

	ls_hook_options ho = LS_HOOK_OPTIONS_INIT;
	ho.leakscan_path = n > 0 ? exe : "leakscan";
	ho.force = force;
	ho.global = global;

	int rc = 0;
	ls_buf msg = LS_BUF_INIT, warn = LS_BUF_INIT;
	if (act == 3)
		printf("hooks directory: %s\n", dir);
	if (!global && !template_dir) {
		const char *topv[] = {"git", "rev-parse", "--show-toplevel", NULL};
		const char *scopev[] = {"git", "config", "--show-scope", "--get", "core.hooksPath", NULL};
		char *top = git_line(topv), *scope = git_line(scopev), *husky = NULL;
		if (scope) {
			char *sp = strpbrk(scope, " \t");
			if (sp)
				*sp = '\0';
		}
		ls_hook_manager m = ls_hook_manager_detect(top, dir, scope, &husky);
		int done = managed(act, m, dir, husky, top, kinds, &msg, &rc);
		if (msg.len)
			fputs(msg.ptr, stdout);
		ls_buf_clear(&msg);
		free(top);
		free(scope);
		free(husky);
		if (done) {
			free(dir);
			ls_buf_dispose(&msg);
			ls_buf_dispose(&warn);
			return rc;
		}
	}
	for (int k = LS_HOOK_PRE_COMMIT; k <= LS_HOOK_PRE_PUSH; k <<= 1) {
		if (!(kinds & k))
			continue;
		int err = 0;
		if (act == 1)
			err = ls_hook_install(dir, (ls_hook_kind)k, &ho, &msg, &warn);
		else if (act == 2)
			err = ls_hook_uninstall(dir, (ls_hook_kind)k, &msg, &warn);
		else
			ls_hook_status(dir, (ls_hook_kind)k, &msg);
		/* the pre-commit framework moves a hook it finds to <hook>.legacy and runs it */
		char *legacy = ls_xasprintf("%s/%s.legacy", dir, ls_hook_name((ls_hook_kind)k));
		if (ls_hook_is_ours(legacy)) {
			if (act == 3)
				ls_buf_printf(&msg, "%s: leakscan's hook is %s, moved there by 'pre-commit install', which runs it\n",
				              ls_hook_name((ls_hook_kind)k), legacy);
			else if (act == 2 && unlink(legacy) == 0)
				ls_buf_printf(&msg, "%s: removed %s (leakscan's hook, moved there by 'pre-commit install')\n",
				              ls_hook_name((ls_hook_kind)k), legacy);
		}
		free(legacy);
		if (msg.len)
			fputs(msg.ptr, stdout);
		ls_buf_clear(&msg);
		for (char *p = warn.ptr; p && *p;) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			fflush(stdout);
			fprintf(stderr, "leakscan: hook: %s\n", p);
			p = nl ? nl + 1 : NULL;
		}
		ls_buf_clear(&warn);
		if (err < 0) {
			ls_cli_error("hook: %s", ls_error_last());
			rc = LS_EXIT_ERROR;
		}
	}
	if (act == 3) {
		ls_buf v = LS_BUF_INIT;
		const char *gargv[] = {"git", "config", "--type=bool", "leakscan.failOpen", NULL};
		int open_ = ls_hook_run_git(&v, gargv, 1) == 0 && v.ptr && !strcmp(v.ptr, "true");
		printf("if leakscan cannot run: %s (git config leakscan.failOpen)\n",
		       open_ ? "the hooks let commits and pushes through" : "the hooks refuse");
		ls_buf_dispose(&v);
	}
	if (set_global && rc == 0) {
		const char *gargv[] = {"git", "config", "--global", "core.hooksPath", dir, NULL};
		if (ls_hook_run_git(NULL, gargv, 0) != 0) {
			ls_cli_error("hook: cannot set core.hooksPath in the global git config");
			rc = LS_EXIT_ERROR;
		} else {
			printf("set core.hooksPath=%s in the global git config\n", dir);
		}
	}
	if (global && act == 2) {
		/* unset core.hooksPath if it points to leakscan's own directory, now unused */
		char *ours = global_default_dir();
		char *cur = global_hooks_path();
		if (cur && !strcmp(cur, ours)) {
			int left = 0;
			for (int k = LS_HOOK_PRE_COMMIT; k <= LS_HOOK_PRE_PUSH; k <<= 1) {
				char *p = ls_xasprintf("%s/%s", dir, ls_hook_name((ls_hook_kind)k));
				left |= access(p, F_OK) == 0;
				free(p);
			}
			if (!left) {
				const char *gargv[] = {"git", "config", "--global", "--unset", "core.hooksPath", NULL};
				if (ls_hook_run_git(NULL, gargv, 0) == 0)
					printf("unset core.hooksPath in the global git config\n");
			}
		}
		free(ours);
		free(cur);
	}
	ls_buf_dispose(&msg);
	ls_buf_dispose(&warn);
	free(dir);
	return rc;
}
