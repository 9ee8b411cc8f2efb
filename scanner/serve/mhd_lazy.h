/* mhd_lazy: libmicrohttpd, opened on first use (see base/dynlib.h); include this, not <microhttpd.h>. */
#ifndef LS_MHD_LAZY_H
#define LS_MHD_LAZY_H

#include <microhttpd.h>

#include "dynlib.h"

/* every function of the library this module calls (a missing one is a link error) */
#define LS_MHD_FUNCTIONS(X) \
	X(MHD_add_response_header) \
	X(MHD_create_response_from_buffer) \
	X(MHD_destroy_response) \
	X(MHD_get_daemon_info) \
	X(MHD_lookup_connection_value) \
	X(MHD_queue_response) \
	X(MHD_start_daemon) \
	X(MHD_stop_daemon)

LS_DYNLIB_DECLARE(mhd, LS_MHD_FUNCTIONS)

#define MHD_add_response_header (*ls_mhd()->MHD_add_response_header)
#define MHD_create_response_from_buffer (*ls_mhd()->MHD_create_response_from_buffer)
#define MHD_destroy_response (*ls_mhd()->MHD_destroy_response)
#define MHD_get_daemon_info (*ls_mhd()->MHD_get_daemon_info)
#define MHD_lookup_connection_value (*ls_mhd()->MHD_lookup_connection_value)
#define MHD_queue_response (*ls_mhd()->MHD_queue_response)
#define MHD_start_daemon (*ls_mhd()->MHD_start_daemon)
#define MHD_stop_daemon (*ls_mhd()->MHD_stop_daemon)

#endif
