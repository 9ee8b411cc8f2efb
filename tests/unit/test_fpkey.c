/* Unit tests of HMAC-SHA-256 and the fingerprint key (issue 18, item 9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fpkey.h"

static void unhex(unsigned char *out, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

/* RFC 4231, section 4: test cases 1-4, 6 and 7 (5 truncates the output). */
static void test_hmac_sha256_rfc4231(void **state)
{
	static const struct {
		const char *key, *data, *mac; /* hex */
	} cases[] = {
	    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	    {"4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
	    {"0102030405060708090a0b0c0d0e0f10111213141516171819",
	     "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
	     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	     "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e6420"
	     "61206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173"
	     "686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
	     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char key[256], data[256], mac[32];
		size_t kl = strlen(cases[i].key) / 2, dl = strlen(cases[i].data) / 2;
		unhex(key, cases[i].key);
		unhex(data, cases[i].data);
		ls_hmac_sha256(mac, key, kl, data, dl);
		char hex[65];
		ls_hex(hex, mac, 32);
		if (strcmp(hex, cases[i].mac))
			fail_msg("RFC 4231 case %zu: got %s, want %s", i + 1, hex, cases[i].mac);
	}
}

/* The process key: hashes are HMAC-SHA-256 under it, never a plain SHA-256, and its id is
 * HMAC(key, "leakscan fingerprint key id") (values checked with Python's hmac module). */
static void test_fpkey_hash_and_id(void **state)
{
	ls_fpkey_set("leakscan-unit-test-key-0001", 27);
	char h[65], plain[65];
	ls_fpkey_hash_hex(h, "hunter2hunter2", 14);
	ls_sha256_hex(plain, "hunter2hunter2", 14);
	assert_string_not_equal(h, plain);
	assert_int_equal(strncmp(h, "13c5e02ceb66d815", 16), 0);
	assert_string_equal(ls_fpkey_id(), "97d4a9a4edfc1dfc");
	assert_null(ls_fpkey_warning());
	/* another key, another hash and id */
	ls_fpkey_set("leakscan-unit-test-key-0002", 27);
	char h2[65];
	ls_fpkey_hash_hex(h2, "hunter2hunter2", 14);
	assert_string_not_equal(h, h2);
	assert_string_not_equal(ls_fpkey_id(), "97d4a9a4edfc1dfc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hmac_sha256_rfc4231),
	    cmocka_unit_test(test_fpkey_hash_and_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
