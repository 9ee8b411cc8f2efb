#!/usr/bin/env bash
# Command-line tests of the libraries opened on first use (scanner/base/dynlib.h): the
# binary does not link libgit2, libcurl, libmicrohttpd or libarchive, a scan that needs none
# of them never loads them, and one that needs a library that cannot be loaded ends with one
# line and exit code 2.
. "$(dirname "$0")/lib.sh"

# the soname the system's loader knows for a library (libgit2.so.1.5, ...)
soname() {
	local lc; lc=$(command -v ldconfig || echo /sbin/ldconfig)
	"$lc" -p | awk -v p="^$1\\\\.so\\\\." '$1 ~ p { print $1; exit }'
}

test_dynlib_binary_links_none_of_the_optional_libraries() {
	local deps
	deps=$(ldd "$LEAKSCAN") || { fail "ldd failed"; return; }
	for lib in libgit2 libcurl libmicrohttpd libarchive libssl libkrb5 libldap; do
		case "$deps" in *"$lib".so*) fail "$LEAKSCAN links $lib: $deps" ;; esac
	done
}

# A library directory whose copy of each optional library is not a shared object: what the
# process loads from it fails, like a broken or missing package.
broken_libs() {
	mkdir -p broken
	for lib in libgit2 libcurl libmicrohttpd libarchive; do
		local so; so=$(soname "$lib")
		[ -n "$so" ] || { skip "no $lib in ldconfig's cache"; return 1; }
		echo "not a shared object" > "broken/$so"
	done
}

test_dynlib_plain_scan_loads_no_optional_library() {
	broken_libs || return
	mkdir tree && printf 'aws_key = "%s"\n' "$AWS_KEY" > tree/config.py
	LD_LIBRARY_PATH="$PWD/broken" lst scan --no-ignore tree
	expect_rc 1
	expect_out_has "config.py"
	expect_err_lacks "cannot load"
}

test_dynlib_git_without_libgit2_fails_with_one_line() {
	broken_libs || return
	git init -q repo && printf 'aws_key = "%s"\n' "$AWS_KEY" > repo/config.py
	git -C repo add config.py && git -C repo commit -q -m add
	LD_LIBRARY_PATH="$PWD/broken" lst git repo
	expect_rc 2
	expect_err_has "leakscan: cannot load $(soname libgit2): "
	expect_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "(stderr: $ERR)"
	expect_out ""
}

run_tests
