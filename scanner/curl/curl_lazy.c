/* curl_lazy: the table of curl_lazy.h, filled on first use (see base/dynlib.h). */
#include "curl_lazy.h"

LS_DYNLIB_DEFINE(curl, LS_CURL_FUNCTIONS, LS_SONAME_CURL);
