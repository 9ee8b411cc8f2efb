/* archive_probe FORMAT OUT NAME=FILE...: writes an archive through libarchive, for the
 * formats the tests cannot make otherwise (7z: neither python nor an installed program
 * writes it). FORMAT is 7z, zip or tar. Exit 2 on error. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: archive_probe 7z|zip|tar OUT NAME=FILE...\n", stderr);
		return 2;
	}
	struct archive *a = archive_write_new();
	int r = !strcmp(argv[1], "7z")    ? archive_write_set_format_7zip(a)
	        : !strcmp(argv[1], "zip") ? archive_write_set_format_zip(a)
	                                  : archive_write_set_format_pax_restricted(a);
	if (r != ARCHIVE_OK || archive_write_open_filename(a, argv[2]) != ARCHIVE_OK) {
		fprintf(stderr, "archive_probe: %s\n", archive_error_string(a));
		archive_write_free(a);
		return 2;
	}
	int rc = 0;
	for (int i = 3; i < argc && !rc; i++) {
		char *eq = strchr(argv[i], '=');
		FILE *f = eq ? fopen(eq + 1, "rb") : NULL;
		if (!f) {
			fprintf(stderr, "archive_probe: cannot read '%s'\n", argv[i]);
			rc = 2;
			break;
		}
		static char data[1 << 20];
		size_t n = fread(data, 1, sizeof(data), f);
		fclose(f);
		*eq = '\0';
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, argv[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)n);
		if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, data, n) != (la_ssize_t)n) {
			fprintf(stderr, "archive_probe: %s\n", archive_error_string(a));
			rc = 2;
		}
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		rc = 2;
	archive_write_free(a);
	return rc;
}
