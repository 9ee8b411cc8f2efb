/* fpkey: the fingerprint key, under which secrets are hashed (HMAC-SHA-256) for fingerprints,
 * baselines and the datastore, so that no report or committed file allows offline guessing
 * (issue 18, item 9). */
#ifndef LS_FPKEY_H
#define LS_FPKEY_H

#include <stddef.h>

/** The environment variable that gives the key (a CI secret shared by a team). */
#define LS_FPKEY_ENV "LEAKSCAN_FINGERPRINT_KEY"
/** The shortest key accepted, in bytes (a generated key has 64 hex digits). */
#define LS_FPKEY_MIN_LEN 16
/** The prefix of a keyed secret hash in baselines: "hmac-sha256:" and 64 hex digits. */
#define LS_FPKEY_HASH_PREFIX "hmac-sha256:"

/**
 * Chooses the process's key, once: the value of LEAKSCAN_FINGERPRINT_KEY (surrounding white
 * space dropped) when set; else the user's key file, `$XDG_CONFIG_HOME/leakscan/fingerprint.key`
 * (`~/.config/...`), created on first need with 32 random bytes as 64 hex digits, mode 0600.
 * The file's content and the variable are read the same way, so
 * `LEAKSCAN_FINGERPRINT_KEY=$(cat ~/.config/leakscan/fingerprint.key)` gives the same fingerprints.
 * Nothing is ever written into a scanned repository.
 *
 * Returns 0, or LS_EINVAL with a message when the variable is shorter than LS_FPKEY_MIN_LEN.
 * When the key file cannot be created or used (no HOME, a read-only one, an unreadable or
 * malformed file) it returns 0 with a random key for this process only, and
 * ls_fpkey_warning() says so: fingerprints are never unkeyed. Call it before starting threads; later calls return the first
 * result. Every hashing function below calls it if nobody did (on error: a random key).
 */
int ls_fpkey_load(void);

/** Uses `key` (copied) instead of the sources above; for tests and embedders, before any hashing. */
void ls_fpkey_set(const void *key, size_t len);

/** A one-line note about the key in use (a per-process key), or NULL. */
const char *ls_fpkey_warning(void);

/** Where the key comes from, for messages: "LEAKSCAN_FINGERPRINT_KEY", a file path, ... */
const char *ls_fpkey_source(void);

/**
 * The key's id: 16 hex digits of HMAC(key, "leakscan fingerprint key id"). Recorded in
 * baselines and datastores so that another key is detected; it tells nothing of the key.
 */
const char *ls_fpkey_id(void);

/** HMAC-SHA-256 of `data` under the process's key, as 64 lowercase hex digits. Thread-safe. */
void ls_fpkey_hash_hex(char out[65], const void *data, size_t len);

#endif
