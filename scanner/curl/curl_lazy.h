/* curl_lazy: libcurl, opened on first use (see base/dynlib.h); include this, not <curl/curl.h>. */
#ifndef LS_CURL_LAZY_H
#define LS_CURL_LAZY_H

#include <curl/curl.h>

#include "dynlib.h"

/* every function of the library this module calls (a missing one is a link error) */
#define LS_CURL_FUNCTIONS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_escape) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_free) \
	X(curl_global_cleanup) \
	X(curl_global_init) \
	X(curl_multi_add_handle) \
	X(curl_multi_cleanup) \
	X(curl_multi_info_read) \
	X(curl_multi_init) \
	X(curl_multi_perform) \
	X(curl_multi_poll) \
	X(curl_multi_remove_handle) \
	X(curl_multi_wakeup) \
	X(curl_slist_append) \
	X(curl_slist_free_all) \
	X(curl_url) \
	X(curl_url_cleanup) \
	X(curl_url_get) \
	X(curl_url_set)

LS_DYNLIB_DECLARE(curl, LS_CURL_FUNCTIONS)

/* the library's type-checking wrapper macros go: calls go through the table */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup (*ls_curl()->curl_easy_cleanup)
#define curl_easy_escape (*ls_curl()->curl_easy_escape)
#define curl_easy_getinfo (*ls_curl()->curl_easy_getinfo)
#define curl_easy_init (*ls_curl()->curl_easy_init)
#define curl_easy_perform (*ls_curl()->curl_easy_perform)
#define curl_easy_reset (*ls_curl()->curl_easy_reset)
#define curl_easy_setopt (*ls_curl()->curl_easy_setopt)
#define curl_easy_strerror (*ls_curl()->curl_easy_strerror)
#define curl_free (*ls_curl()->curl_free)
#define curl_global_cleanup (*ls_curl()->curl_global_cleanup)
#define curl_global_init (*ls_curl()->curl_global_init)
#define curl_multi_add_handle (*ls_curl()->curl_multi_add_handle)
#define curl_multi_cleanup (*ls_curl()->curl_multi_cleanup)
#define curl_multi_info_read (*ls_curl()->curl_multi_info_read)
#define curl_multi_init (*ls_curl()->curl_multi_init)
#define curl_multi_perform (*ls_curl()->curl_multi_perform)
#define curl_multi_poll (*ls_curl()->curl_multi_poll)
#define curl_multi_remove_handle (*ls_curl()->curl_multi_remove_handle)
#define curl_multi_wakeup (*ls_curl()->curl_multi_wakeup)
#define curl_slist_append (*ls_curl()->curl_slist_append)
#define curl_slist_free_all (*ls_curl()->curl_slist_free_all)
#define curl_url (*ls_curl()->curl_url)
#define curl_url_cleanup (*ls_curl()->curl_url_cleanup)
#define curl_url_get (*ls_curl()->curl_url_get)
#define curl_url_set (*ls_curl()->curl_url_set)

#endif
