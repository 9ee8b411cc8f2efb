/* git2_lazy: the table of git2_lazy.h, filled on first use (see base/dynlib.h). */
#include "git2_lazy.h"

LS_DYNLIB_DEFINE(git2, LS_GIT2_FUNCTIONS, LS_SONAME_GIT2);
