/* mhd_lazy: the table of mhd_lazy.h, filled on first use (see base/dynlib.h). */
#include "mhd_lazy.h"

LS_DYNLIB_DEFINE(mhd, LS_MHD_FUNCTIONS, LS_SONAME_MHD);
