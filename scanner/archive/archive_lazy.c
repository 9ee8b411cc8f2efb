/* archive_lazy: the table of archive_lazy.h, filled on first use (see base/dynlib.h). */
#include "archive_lazy.h"

LS_DYNLIB_DEFINE(archive, LS_ARCHIVE_FUNCTIONS, LS_SONAME_ARCHIVE);
