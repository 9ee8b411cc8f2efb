/* validate: offline checks a candidate secret must pass (checksums, encodings). */
#ifndef LS_VALIDATE_H
#define LS_VALIDATE_H

#include <stddef.h>

/** An offline validator: returns 1 if the secret passes, 0 if not. Pure, thread-safe. */
typedef int (*ls_validate_fn)(const char *secret, size_t len);

/**
 * Looks up a validator by its rule-file name (`github-crc32`, `npm-crc32`,
 * `aws-access-key-id`). Returns NULL for an unknown name.
 */
ls_validate_fn ls_validate_find(const char *name);

/**
 * Decodes the AWS account id encoded in an access key id (`AKIA…`, `ASIA…`, 20 chars of
 * base32). Writes 12 digits and a NUL into `out` and returns 0; returns -1 if the key id
 * is not of a kind that encodes an account (old `A3T…` keys and malformed ids).
 */
int ls_validate_aws_account(char out[13], const char *key_id, size_t len);

#endif
