/* Unit tests of the verifier table (verify_providers.c) and the verifier's checks of its
 * options: shapes, SigV4 regions, answers judged, canaries, endpoints (issue 21). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "verify_internal.h"

static void req_free(vreq *rq)
{
	free(rq->base);
	ls_buf_dispose(&rq->path);
	ls_strlist_dispose(&rq->headers);
	ls_buf_dispose(&rq->body);
	free(rq->user);
	free(rq->password);
	free(rq->sigv4);
	memset(rq, 0, sizeof(*rq));
}

/* A credential as the verifier keeps it (copies). */
static vcred mk(const char *secret, const char *pair, const char *token, const char *line)
{
	vcred c = {0};
	c.secret = ls_xstrdup(secret);
	c.secret_len = strlen(secret);
	if (pair)
		c.pair = ls_xstrdup(pair), c.pair_len = strlen(pair);
	if (token)
		c.token = ls_xstrdup(token), c.token_len = strlen(token);
	if (line)
		c.line = ls_xstrdup(line), c.line_len = strlen(line);
	return c;
}

static void cred_free(vcred *c)
{
	free(c->secret), free(c->pair), free(c->token), free(c->line);
	memset(c, 0, sizeof(*c));
}

static int prepare(const char *name, vcred *c, const char *base, vreq *rq, ls_verification *out)
{
	const vprov *p = ls_verify_provider(name);
	assert_non_null(p);
	memset(rq, 0, sizeof(*rq));
	memset(out, 0, sizeof(*out));
	return (p->prepare ? p->prepare : ls_verify_prepare)(p, c, base ? base : p->base, base != NULL, rq, out);
}

/* Synthetic values of the right shape only. */
#define AKID "AKIAQ3EGUPCNKXJ7ZVWB"
#define AKID_TEMP "ASIAQ3EGUPCNKXJ7ZVWB"
#define SECRET "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"

static void test_verify_aws_signs_for_the_endpoint_region(void **state)
{
	(void)state;
	vcred c = mk(SECRET, AKID, NULL, NULL);
	vreq rq;
	ls_verification v;
	static const char *const cases[][2] = {{NULL, "aws:amz:us-east-1:sts"},
	                                       {"https://sts.us-gov-west-1.amazonaws.com", "aws:amz:us-gov-west-1:sts"},
	                                       {"https://sts.cn-north-1.amazonaws.com.cn", "aws:amz:cn-north-1:sts"},
	                                       {"https://sts.eu-west-3.amazonaws.com/", "aws:amz:eu-west-3:sts"},
	                                       {"http://127.0.0.1:8080/aws", "aws:amz:us-east-1:sts"},
	                                       {"https://sts.EVIL.amazonaws.com", "aws:amz:us-east-1:sts"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(prepare("aws", &c, cases[i][0], &rq, &v), VP_SEND);
		assert_string_equal(rq.sigv4, cases[i][1]);
		assert_string_equal(rq.user, AKID);
		assert_string_equal(rq.password, SECRET);
		assert_string_equal(rq.body.ptr, "Action=GetCallerIdentity&Version=2011-06-15");
		req_free(&rq);
		ls_verification_dispose(&v);
	}
	/* the session token goes in its header; the key id alone is not verifiable */
	cred_free(&c);
	vcred t = mk(AKID_TEMP, SECRET, "IQoJb3JpZ2luX2VjEaBc", NULL);
	assert_int_equal(prepare("aws", &t, NULL, &rq, &v), VP_SEND);
	assert_string_equal(rq.headers.items[rq.headers.n - 1], "X-Amz-Security-Token: IQoJb3JpZ2luX2VjEaBc");
	req_free(&rq);
	cred_free(&t);
	/* a temporary key without its session token: STS would refuse it, which says nothing */
	vcred temp = mk(AKID_TEMP, SECRET, NULL, NULL);
	assert_int_equal(prepare("aws", &temp, NULL, &rq, &v), VP_DONE);
	assert_int_equal(v.status, LS_VERIFY_UNKNOWN);
	ls_verification_dispose(&v);
	req_free(&rq);
	cred_free(&temp);
	vcred lone = mk(AKID, NULL, NULL, NULL);
	assert_int_equal(prepare("aws", &lone, NULL, &rq, &v), VP_DONE);
	assert_int_equal(v.status, LS_VERIFY_UNKNOWN);
	assert_non_null(strstr(v.detail, "without its secret"));
	ls_verification_dispose(&v);
	req_free(&rq);
	cred_free(&lone);
}

static void test_verify_a_secret_goes_only_to_a_provider_of_its_shape(void **state)
{
	(void)state;
	vreq rq;
	ls_verification v;
	/* another provider's token, or one with characters a header must not carry */
	static const char *const wrong[][2] = {{"github", "sk-proj-abcdefghijklmnopqrstuvwx"},
	                                       {"slack", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"},
	                                       {"gitlab", "glpat-abcdefghij\r\nX-Evil: 1abcdef"},
	                                       {"datadog", "0123456789abcdef0123456789abcde"},
	                                       {"telegram", "123456789:AA../../../../admin/x?y=zzzzzzzzzzz"},
	                                       /* providers without a prefix take only their exact shape */
	                                       {"telegram", "123456789:AAbcdefghijklmnopqrstuvwxyz/../../xyz"},
	                                       {"telegram", "pypi-AgEIcHlwaS5vcmcCJGRkYWJjZGVmLTEyMzQ1Njc4"},
	                                       {"datadog", "0123456789ABCDEF0123456789ABCDEF"},
	                                       {"twilio", "0123456789abcdef0123456789abcdeX"},
	                                       {"mailgun", "pass-0123456789abcdef0123456789abcdef"},
	                                       {"heroku", "0123456789abcdef0123456789abcdef0123"},
	                                       {"discord", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MA"}};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(*wrong); i++) {
		vcred c = mk(wrong[i][1], NULL, NULL, NULL);
		assert_int_equal(prepare(wrong[i][0], &c, NULL, &rq, &v), VP_DONE);
		assert_int_equal(v.status, LS_VERIFY_UNKNOWN);
		ls_verification_dispose(&v);
		req_free(&rq);
		cred_free(&c);
	}
	/* the right shape: the secret in the provider's header, never in the URL */
	vcred gh = mk("ghp_abcdefghijklmnopqrstuvwxyz0123456789", NULL, NULL, NULL);
	assert_int_equal(prepare("github", &gh, NULL, &rq, &v), VP_SEND);
	assert_string_equal(rq.path.ptr, "/user");
	assert_string_equal(rq.headers.items[0], "Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789");
	req_free(&rq);
	cred_free(&gh);
	/* Shopify needs its shop, from the token's line; Twilio its account SID */
	vcred shop = mk("shpat_0123456789abcdef0123456789abcdef", NULL, NULL, NULL);
	assert_int_equal(prepare("shopify", &shop, NULL, &rq, &v), VP_DONE);
	ls_verification_dispose(&v);
	cred_free(&shop);
	shop = mk("shpat_0123456789abcdef0123456789abcdef", NULL, NULL, "TOKEN=shpat_... # acme-store.myshopify.com");
	assert_int_equal(prepare("shopify", &shop, NULL, &rq, &v), VP_SEND);
	assert_string_equal(rq.base, "https://acme-store.myshopify.com");
	req_free(&rq);
	cred_free(&shop);
	vcred tw = mk("0123456789abcdef0123456789abcdef", NULL, NULL, "twilio_auth_token = x  # ACfedcba9876543210fedcba9876543210");
	assert_int_equal(prepare("twilio", &tw, NULL, &rq, &v), VP_SEND);
	assert_string_equal(rq.path.ptr, "/2010-04-01/Accounts/ACfedcba9876543210fedcba9876543210.json");
	assert_string_equal(rq.user, "ACfedcba9876543210fedcba9876543210");
	req_free(&rq);
	cred_free(&tw);
}

static int judge(const char *name, long status, const char *body, const char *headers, ls_verification *out)
{
	const vprov *p = ls_verify_provider(name);
	vcred c = {0};
	vresp r = {status, body, strlen(body), headers, strlen(headers)};
	memset(out, 0, sizeof(*out));
	return (p->judge ? p->judge : ls_verify_judge)(p, &c, &r, out);
}

static void test_verify_answers_are_judged(void **state)
{
	(void)state;
	ls_verification v;
	assert_int_equal(judge("aws", 200, "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ci</Arn>"
	                                   "<UserId>AIDAEXAMPLEUSERID</UserId><Account>111122223333</Account>",
	                       "", &v), VJ_DONE);
	assert_int_equal(v.status, LS_VERIFY_VERIFIED);
	assert_string_equal(v.identity, "arn:aws:iam::111122223333:user/ci");
	assert_string_equal(v.account, "111122223333");
	ls_verification_dispose(&v);
	assert_int_equal(judge("aws", 403, "<Error><Code>InvalidClientTokenId</Code></Error>", "", &v), VJ_DONE);
	assert_int_equal(v.status, LS_VERIFY_INVALID);
	ls_verification_dispose(&v);
	assert_int_equal(judge("aws", 400, "<Error><Code>Throttling</Code></Error>", "", &v), VJ_RETRY);
	ls_verification_dispose(&v);
	assert_int_equal(judge("aws", 200, "<html>", "", &v), VJ_DONE);
	assert_int_equal(v.status, LS_VERIFY_ERROR);
	ls_verification_dispose(&v);
	/* the default judgement, the provider's words cleaned of control characters */
	assert_int_equal(judge("github", 200, "{\"login\":\"oct\\u001b[31mo\"}", "HTTP/1.1 200 OK\r\nx-oauth-scopes: repo\r\n\r\n", &v), VJ_DONE);
	assert_int_equal(v.status, LS_VERIFY_VERIFIED);
	assert_string_equal(v.identity, "oct[31mo");
	assert_string_equal(v.detail, "X-OAuth-Scopes: repo");
	ls_verification_dispose(&v);
	/* the rest: (provider, HTTP status, body, headers) -> (retried?, status) */
	static const struct {
		const char *prov;
		long http;
		const char *body, *headers;
		int ret;
		ls_verify_status st;
	} cases[] = {
	    {"github", 401, "{}", "", VJ_DONE, LS_VERIFY_INVALID},
	    {"github", 429, "", "", VJ_RETRY, LS_VERIFY_ERROR},
	    {"github", 503, "", "", VJ_RETRY, LS_VERIFY_ERROR},
	    {"github", 302, "", "Location: https://elsewhere.example/\r\n", VJ_DONE, LS_VERIFY_ERROR},
	    {"github", 200, "not json", "", VJ_DONE, LS_VERIFY_ERROR},
	    {"stripe", 403, "{}", "", VJ_DONE, LS_VERIFY_VERIFIED}, /* a restricted key: live */
	    {"slack", 200, "{\"ok\":false,\"error\":\"token_revoked\"}", "", VJ_DONE, LS_VERIFY_INVALID},
	    {"slack", 200, "{\"ok\":false,\"error\":\"ratelimited\"}", "", VJ_RETRY, LS_VERIFY_ERROR},
	    {"datadog", 200, "{\"valid\":false}", "", VJ_DONE, LS_VERIFY_INVALID},
	    {"telegram", 404, "{}", "", VJ_DONE, LS_VERIFY_INVALID},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(judge(cases[i].prov, cases[i].http, cases[i].body, cases[i].headers, &v), cases[i].ret);
		assert_int_equal(v.status, cases[i].st);
		ls_verification_dispose(&v);
	}
}

static void test_verify_canaries_and_endpoints(void **state)
{
	(void)state;
	assert_true(ls_verify_is_canary("052310077262"));
	assert_true(ls_verify_is_canary("982842642351"));
	assert_false(ls_verify_is_canary("111122223333"));
	static const char *const bad[] = {"github=http://ghe.example.com/api", "nosuch=https://x.example.com",
	                                  "github", "github=https://u:p@x.example.com", "github=https://x.example.com/?q=1",
	                                  "aws=ftp://127.0.0.1/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ls_verify_options o = LS_VERIFY_OPTIONS_INIT;
		o.endpoints = &bad[i];
		o.nendpoints = 1;
		ls_verifier *v = NULL;
		assert_int_equal(ls_verifier_new(&v, &o), LS_EINVAL);
		assert_null(v);
	}
	static const char *const good[] = {"github=https://ghe.example.com/api/v3", "aws=http://127.0.0.1:9/aws",
	                                   "gitlab=http://localhost:1", "slack=http://[::1]:1/"};
	ls_verify_options o = LS_VERIFY_OPTIONS_INIT;
	o.endpoints = good;
	o.nendpoints = 4;
	ls_verifier *v = NULL;
	assert_int_equal(ls_verifier_new(&v, &o), 0);
	/* nothing to send: answered at once */
	ls_verify_request rq = {.verifier = NULL, .rule_id = "acme", .secret = "acme_0123", .secret_len = 9};
	char key[65], key2[65];
	ls_verifier_submit(v, &rq, key);
	ls_verify_key(key2, &rq);
	assert_string_equal(key, key2);
	ls_verifier_wait(v);
	ls_verification res;
	memset(&res, 0, sizeof(res));
	assert_int_equal(ls_verifier_result(v, key, &res), 0);
	assert_int_equal(res.status, LS_VERIFY_UNKNOWN);
	ls_verification_dispose(&res);
	rq.pair = "x";
	rq.pair_len = 1;
	ls_verify_key(key2, &rq);
	assert_string_not_equal(key, key2);
	assert_int_equal(ls_verifier_result(v, key2, &res), LS_ENOTFOUND);
	ls_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_aws_signs_for_the_endpoint_region),
	    cmocka_unit_test(test_verify_a_secret_goes_only_to_a_provider_of_its_shape),
	    cmocka_unit_test(test_verify_answers_are_judged),
	    cmocka_unit_test(test_verify_canaries_and_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
