/* url: clone URLs without their credentials, for names, messages and the datastore. */
#ifndef LS_URL_H
#define LS_URL_H

/**
 * Returns `url` (borrowed) without credentials, allocated (free it):
 *
 * - the userinfo of a `scheme://userinfo@host/...` URL: with `LS_URL_DROP`, the password is
 *   removed, and for every scheme but SSH (where the user name is an account, not a secret)
 *   the user name too, since tokens are often given as the user (`https://TOKEN@host/`);
 *   with `LS_URL_MASK`, they are replaced by `***` (`user:***@`, or `***@`);
 * - the value of every query parameter whose name says it is a credential (it holds
 *   `token`, `pass`, `secret`, `auth`, `key`, `sig`, `cred` or `session`, in any case) is
 *   replaced by `***` with either flag.
 *
 * An scp-like `user@host:path` keeps its user. The result of LS_URL_DROP is what names a
 * repository: the same for a URL given with or without credentials. Thread-safe.
 */
enum { LS_URL_DROP = 0, LS_URL_MASK = 1 };
char *ls_url_redact(const char *url, int how);

#endif
