/* validate: offline checks a candidate secret must pass (checksums, encodings).
 *
 * github-crc32 / npm-crc32
 *   GitHub's classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) and npm's granular tokens
 *   (npm_) are PREFIX "_" RANDOM CHECK, where RANDOM is 30 base62 characters (70 for
 *   ghr_ refresh tokens) and CHECK
 *   is the CRC-32 (IEEE 802.3, as zlib's crc32) of RANDOM's bytes, written in base62
 *   with the alphabet 0-9A-Za-z, most significant digit first, left-padded with '0' to
 *   6 characters. The prefix is not part of the checksummed data.
 *
 * aws-access-key-id
 *   Four-character kind prefix (AKIA, ASIA, ... or A3T plus one character) followed by
 *   base32 characters (A-Z, 2-7): 16 for access keys, 17 for IAM unique ids.
 *
 * ls_validate_aws_account
 *   The 16 characters after the prefix are base32 for 10 bytes; the first 6 bytes,
 *   read as a big-endian 48-bit integer, hold the account id in bits 46..7.
 */
#include "validate.h"

#include <stdint.h>
#include <string.h>

/* ---- CRC-32 (reflected, polynomial 0xEDB88320), bitwise: inputs are tiny ---- */

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return crc ^ 0xFFFFFFFFu;
}

static int base62_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 36;
    return -1;
}

#define CRC_TOKEN_CHECK_LEN 6
#define CRC_TOKEN_RANDOM_MIN 30  /* ghp_/gho_/ghu_/ghs_/npm_ */
#define CRC_TOKEN_RANDOM_MAX 250 /* ghr_ refresh tokens carry 70 */

/* Checks PREFIX_RANDOM CHECK where prefix is one of `prefixes` (NULL-terminated). */
static int crc_token_check(const char *secret, size_t len, const char *const *prefixes)
{
    if (!secret)
        return 0;
    size_t plen = 0;
    for (const char *const *p = prefixes; *p; p++) {
        size_t n = strlen(*p);
        if (len >= n && memcmp(secret, *p, n) == 0) {
            plen = n;
            break;
        }
    }
    if (plen == 0)
        return 0;
    if (len < plen + CRC_TOKEN_RANDOM_MIN + CRC_TOKEN_CHECK_LEN ||
        len > plen + CRC_TOKEN_RANDOM_MAX + CRC_TOKEN_CHECK_LEN)
        return 0;
    size_t rlen = len - plen - CRC_TOKEN_CHECK_LEN;

    const unsigned char *random = (const unsigned char *)secret + plen;
    for (size_t i = 0; i < rlen + CRC_TOKEN_CHECK_LEN; i++)
        if (base62_value(random[i]) < 0)
            return 0;

    uint64_t check = 0; /* 62^6 < 2^36: fits */
    const unsigned char *c = random + rlen;
    for (size_t i = 0; i < CRC_TOKEN_CHECK_LEN; i++)
        check = check * 62u + (uint64_t)base62_value(c[i]);

    return check == (uint64_t)crc32_ieee(random, rlen);
}

static int validate_github_crc32(const char *secret, size_t len)
{
    static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", NULL};
    return crc_token_check(secret, len, prefixes);
}

static int validate_npm_crc32(const char *secret, size_t len)
{
    static const char *const prefixes[] = {"npm_", NULL};
    return crc_token_check(secret, len, prefixes);
}

/* ---- AWS ---- */

static int base32_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

/* Access key kinds: these encode an account id. */
static const char *const aws_key_prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA", NULL};
/* IAM unique-id kinds (identifiers, not credentials). */
static const char *const aws_id_prefixes[] = {"AIDA", "AROA", "AIPA", "ANPA", "ANVA",
                                              "AGPA", "APKA", "ASCA", NULL};

static int has_prefix4(const char *s, const char *const *list)
{
    for (const char *const *p = list; *p; p++)
        if (memcmp(s, *p, 4) == 0)
            return 1;
    return 0;
}

static int all_base32(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (base32_value((unsigned char)s[i]) < 0)
            return 0;
    return 1;
}

static int validate_aws_access_key_id(const char *secret, size_t len)
{
    if (!secret || len < 20)
        return 0;
    if (has_prefix4(secret, aws_key_prefixes)) {
        if (len != 20)
            return 0;
    } else if (has_prefix4(secret, aws_id_prefixes)) {
        if (len != 20 && len != 21)
            return 0;
    } else if (memcmp(secret, "A3T", 3) == 0) {
        unsigned char c = (unsigned char)secret[3];
        if (len != 20 || !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    } else {
        return 0;
    }
    return all_base32(secret + 4, len - 4);
}

int ls_validate_aws_account(char out[13], const char *key_id, size_t len)
{
    if (!out || !key_id || len != 20 || !has_prefix4(key_id, aws_key_prefixes) ||
        !all_base32(key_id + 4, 16))
        return -1;

    /* The first 6 decoded bytes come from the first 10 base32 characters (50 bits,
     * of which the top 48 are those bytes). */
    uint64_t bits = 0;
    for (size_t i = 4; i < 14; i++)
        bits = (bits << 5) | (uint64_t)base32_value((unsigned char)key_id[i]);
    uint64_t first6 = bits >> 2;
    uint64_t account = (first6 & UINT64_C(0x7fffffffff80)) >> 7;
    if (account > UINT64_C(999999999999))
        return -1;

    for (int i = 11; i >= 0; i--) {
        out[i] = (char)('0' + (int)(account % 10u));
        account /= 10u;
    }
    out[12] = '\0';
    return 0;
}

ls_validate_fn ls_validate_find(const char *name)
{
    if (!name)
        return NULL;
    if (strcmp(name, "github-crc32") == 0)
        return validate_github_crc32;
    if (strcmp(name, "npm-crc32") == 0)
        return validate_npm_crc32;
    if (strcmp(name, "aws-access-key-id") == 0)
        return validate_aws_access_key_id;
    return NULL;
}
