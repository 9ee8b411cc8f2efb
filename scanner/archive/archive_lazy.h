/* archive_lazy: libarchive, opened on first use (see base/dynlib.h); include this, not <archive.h>. */
#ifndef LS_ARCHIVE_LAZY_H
#define LS_ARCHIVE_LAZY_H

#include <archive.h>
#include <archive_entry.h>

#include "dynlib.h"

/* every function of the library this module calls (a missing one is a link error) */
#define LS_ARCHIVE_FUNCTIONS(X) \
	X(archive_entry_filetype) \
	X(archive_entry_pathname) \
	X(archive_entry_pathname_utf8) \
	X(archive_entry_size) \
	X(archive_entry_size_is_set) \
	X(archive_error_string) \
	X(archive_filter_code) \
	X(archive_format) \
	X(archive_read_data) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open_memory) \
	X(archive_read_support_filter_bzip2) \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_xz) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_support_format_7zip) \
	X(archive_read_support_format_cpio) \
	X(archive_read_support_format_rar) \
	X(archive_read_support_format_rar5) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_read_support_format_zip)

LS_DYNLIB_DECLARE(archive, LS_ARCHIVE_FUNCTIONS)

#define archive_entry_filetype (*ls_archive()->archive_entry_filetype)
#define archive_entry_pathname (*ls_archive()->archive_entry_pathname)
#define archive_entry_pathname_utf8 (*ls_archive()->archive_entry_pathname_utf8)
#define archive_entry_size (*ls_archive()->archive_entry_size)
#define archive_entry_size_is_set (*ls_archive()->archive_entry_size_is_set)
#define archive_error_string (*ls_archive()->archive_error_string)
#define archive_filter_code (*ls_archive()->archive_filter_code)
#define archive_format (*ls_archive()->archive_format)
#define archive_read_data (*ls_archive()->archive_read_data)
#define archive_read_free (*ls_archive()->archive_read_free)
#define archive_read_new (*ls_archive()->archive_read_new)
#define archive_read_next_header (*ls_archive()->archive_read_next_header)
#define archive_read_open_memory (*ls_archive()->archive_read_open_memory)
#define archive_read_support_filter_bzip2 (*ls_archive()->archive_read_support_filter_bzip2)
#define archive_read_support_filter_gzip (*ls_archive()->archive_read_support_filter_gzip)
#define archive_read_support_filter_xz (*ls_archive()->archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*ls_archive()->archive_read_support_filter_zstd)
#define archive_read_support_format_7zip (*ls_archive()->archive_read_support_format_7zip)
#define archive_read_support_format_cpio (*ls_archive()->archive_read_support_format_cpio)
#define archive_read_support_format_rar (*ls_archive()->archive_read_support_format_rar)
#define archive_read_support_format_rar5 (*ls_archive()->archive_read_support_format_rar5)
#define archive_read_support_format_raw (*ls_archive()->archive_read_support_format_raw)
#define archive_read_support_format_tar (*ls_archive()->archive_read_support_format_tar)
#define archive_read_support_format_zip (*ls_archive()->archive_read_support_format_zip)

#endif
