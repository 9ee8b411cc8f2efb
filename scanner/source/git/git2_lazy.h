/* git2_lazy: libgit2, opened on first use (see base/dynlib.h); include this, not <git2.h>. */
#ifndef LS_GIT2_LAZY_H
#define LS_GIT2_LAZY_H

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "dynlib.h"

/* every function of the library this module calls (a missing one is a link error) */
#define LS_GIT2_FUNCTIONS(X) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_branch_lookup) \
	X(git_buf_dispose) \
	X(git_clone) \
	X(git_commit_author) \
	X(git_commit_committer) \
	X(git_commit_free) \
	X(git_commit_lookup) \
	X(git_commit_message) \
	X(git_commit_parent_id) \
	X(git_commit_parentcount) \
	X(git_commit_time) \
	X(git_commit_time_offset) \
	X(git_commit_tree) \
	X(git_commit_tree_id) \
	X(git_config_free) \
	X(git_config_iterator_free) \
	X(git_config_multivar_iterator_new) \
	X(git_config_next) \
	X(git_config_open_default) \
	X(git_config_set_bool) \
	X(git_config_snapshot) \
	X(git_credential_ssh_key_from_agent) \
	X(git_credential_username_new) \
	X(git_credential_userpass_plaintext_new) \
	X(git_diff_free) \
	X(git_diff_get_delta) \
	X(git_diff_num_deltas) \
	X(git_diff_options_init) \
	X(git_diff_tree_to_index) \
	X(git_diff_tree_to_tree) \
	X(git_error_last) \
	X(git_error_set_str) \
	X(git_fetch_options_init) \
	X(git_ignore_path_is_ignored) \
	X(git_index_find_prefix) \
	X(git_index_free) \
	X(git_index_get_bypath) \
	X(git_libgit2_init) \
	X(git_libgit2_opts) \
	X(git_libgit2_shutdown) \
	X(git_merge_base) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_object_type) \
	X(git_object_type2string) \
	X(git_odb_add_backend) \
	X(git_odb_backend_loose) \
	X(git_odb_backend_pack) \
	X(git_odb_exists) \
	X(git_odb_foreach) \
	X(git_odb_free) \
	X(git_odb_get_backend) \
	X(git_odb_init_backend) \
	X(git_odb_new) \
	X(git_odb_num_backends) \
	X(git_odb_object_data) \
	X(git_odb_object_free) \
	X(git_odb_object_size) \
	X(git_odb_open) \
	X(git_odb_read) \
	X(git_odb_read_header) \
	X(git_oid_cmp) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_fromraw) \
	X(git_oid_fromstr) \
	X(git_oid_fromstrn) \
	X(git_oid_is_zero) \
	X(git_oid_tostr) \
	X(git_oid_tostr_s) \
	X(git_reference_free) \
	X(git_reference_list) \
	X(git_reference_lookup) \
	X(git_reference_name_to_id) \
	X(git_reference_peel) \
	X(git_reference_type) \
	X(git_reflog_entry_byindex) \
	X(git_reflog_entry_id_new) \
	X(git_reflog_entrycount) \
	X(git_reflog_free) \
	X(git_reflog_read) \
	X(git_remote_create_with_fetchspec) \
	X(git_remote_default_branch) \
	X(git_remote_fetch) \
	X(git_remote_free) \
	X(git_remote_lookup) \
	X(git_remote_set_instance_url) \
	X(git_remote_set_url) \
	X(git_remote_url) \
	X(git_repository_commondir) \
	X(git_repository_config) \
	X(git_repository_free) \
	X(git_repository_head) \
	X(git_repository_index) \
	X(git_repository_init) \
	X(git_repository_is_bare) \
	X(git_repository_is_shallow) \
	X(git_repository_item_path) \
	X(git_repository_odb) \
	X(git_repository_open_bare) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_set_head) \
	X(git_repository_set_odb) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_hide) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_sorting) \
	X(git_strarray_dispose) \
	X(git_tag_free) \
	X(git_tag_lookup) \
	X(git_tag_message) \
	X(git_tag_name) \
	X(git_tag_peel) \
	X(git_tag_tagger) \
	X(git_tag_target_id) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_byname) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_cmp) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_id) \
	X(git_tree_lookup)

LS_DYNLIB_DECLARE(git2, LS_GIT2_FUNCTIONS)

#define git_blob_free (*ls_git2()->git_blob_free)
#define git_blob_lookup (*ls_git2()->git_blob_lookup)
#define git_blob_rawcontent (*ls_git2()->git_blob_rawcontent)
#define git_blob_rawsize (*ls_git2()->git_blob_rawsize)
#define git_branch_lookup (*ls_git2()->git_branch_lookup)
#define git_buf_dispose (*ls_git2()->git_buf_dispose)
#define git_clone (*ls_git2()->git_clone)
#define git_commit_author (*ls_git2()->git_commit_author)
#define git_commit_committer (*ls_git2()->git_commit_committer)
#define git_commit_free (*ls_git2()->git_commit_free)
#define git_commit_lookup (*ls_git2()->git_commit_lookup)
#define git_commit_message (*ls_git2()->git_commit_message)
#define git_commit_parent_id (*ls_git2()->git_commit_parent_id)
#define git_commit_parentcount (*ls_git2()->git_commit_parentcount)
#define git_commit_time (*ls_git2()->git_commit_time)
#define git_commit_time_offset (*ls_git2()->git_commit_time_offset)
#define git_commit_tree (*ls_git2()->git_commit_tree)
#define git_commit_tree_id (*ls_git2()->git_commit_tree_id)
#define git_config_free (*ls_git2()->git_config_free)
#define git_config_iterator_free (*ls_git2()->git_config_iterator_free)
#define git_config_multivar_iterator_new (*ls_git2()->git_config_multivar_iterator_new)
#define git_config_next (*ls_git2()->git_config_next)
#define git_config_open_default (*ls_git2()->git_config_open_default)
#define git_config_set_bool (*ls_git2()->git_config_set_bool)
#define git_config_snapshot (*ls_git2()->git_config_snapshot)
#define git_credential_ssh_key_from_agent (*ls_git2()->git_credential_ssh_key_from_agent)
#define git_credential_username_new (*ls_git2()->git_credential_username_new)
#define git_credential_userpass_plaintext_new (*ls_git2()->git_credential_userpass_plaintext_new)
#define git_diff_free (*ls_git2()->git_diff_free)
#define git_diff_get_delta (*ls_git2()->git_diff_get_delta)
#define git_diff_num_deltas (*ls_git2()->git_diff_num_deltas)
#define git_diff_options_init (*ls_git2()->git_diff_options_init)
#define git_diff_tree_to_index (*ls_git2()->git_diff_tree_to_index)
#define git_diff_tree_to_tree (*ls_git2()->git_diff_tree_to_tree)
#define git_error_last (*ls_git2()->git_error_last)
#define git_error_set_str (*ls_git2()->git_error_set_str)
#define git_fetch_options_init (*ls_git2()->git_fetch_options_init)
#define git_ignore_path_is_ignored (*ls_git2()->git_ignore_path_is_ignored)
#define git_index_find_prefix (*ls_git2()->git_index_find_prefix)
#define git_index_free (*ls_git2()->git_index_free)
#define git_index_get_bypath (*ls_git2()->git_index_get_bypath)
#define git_libgit2_init (*ls_git2()->git_libgit2_init)
#define git_libgit2_opts (*ls_git2()->git_libgit2_opts)
#define git_libgit2_shutdown (*ls_git2()->git_libgit2_shutdown)
#define git_merge_base (*ls_git2()->git_merge_base)
#define git_object_free (*ls_git2()->git_object_free)
#define git_object_id (*ls_git2()->git_object_id)
#define git_object_peel (*ls_git2()->git_object_peel)
#define git_object_type (*ls_git2()->git_object_type)
#define git_object_type2string (*ls_git2()->git_object_type2string)
#define git_odb_add_backend (*ls_git2()->git_odb_add_backend)
#define git_odb_backend_loose (*ls_git2()->git_odb_backend_loose)
#define git_odb_backend_pack (*ls_git2()->git_odb_backend_pack)
#define git_odb_exists (*ls_git2()->git_odb_exists)
#define git_odb_foreach (*ls_git2()->git_odb_foreach)
#define git_odb_free (*ls_git2()->git_odb_free)
#define git_odb_get_backend (*ls_git2()->git_odb_get_backend)
#define git_odb_init_backend (*ls_git2()->git_odb_init_backend)
#define git_odb_new (*ls_git2()->git_odb_new)
#define git_odb_num_backends (*ls_git2()->git_odb_num_backends)
#define git_odb_object_data (*ls_git2()->git_odb_object_data)
#define git_odb_object_free (*ls_git2()->git_odb_object_free)
#define git_odb_object_size (*ls_git2()->git_odb_object_size)
#define git_odb_open (*ls_git2()->git_odb_open)
#define git_odb_read (*ls_git2()->git_odb_read)
#define git_odb_read_header (*ls_git2()->git_odb_read_header)
#define git_oid_cmp (*ls_git2()->git_oid_cmp)
#define git_oid_cpy (*ls_git2()->git_oid_cpy)
#define git_oid_equal (*ls_git2()->git_oid_equal)
#define git_oid_fromraw (*ls_git2()->git_oid_fromraw)
#define git_oid_fromstr (*ls_git2()->git_oid_fromstr)
#define git_oid_fromstrn (*ls_git2()->git_oid_fromstrn)
#define git_oid_is_zero (*ls_git2()->git_oid_is_zero)
#define git_oid_tostr (*ls_git2()->git_oid_tostr)
#define git_oid_tostr_s (*ls_git2()->git_oid_tostr_s)
#define git_reference_free (*ls_git2()->git_reference_free)
#define git_reference_list (*ls_git2()->git_reference_list)
#define git_reference_lookup (*ls_git2()->git_reference_lookup)
#define git_reference_name_to_id (*ls_git2()->git_reference_name_to_id)
#define git_reference_peel (*ls_git2()->git_reference_peel)
#define git_reference_type (*ls_git2()->git_reference_type)
#define git_reflog_entry_byindex (*ls_git2()->git_reflog_entry_byindex)
#define git_reflog_entry_id_new (*ls_git2()->git_reflog_entry_id_new)
#define git_reflog_entrycount (*ls_git2()->git_reflog_entrycount)
#define git_reflog_free (*ls_git2()->git_reflog_free)
#define git_reflog_read (*ls_git2()->git_reflog_read)
#define git_remote_create_with_fetchspec (*ls_git2()->git_remote_create_with_fetchspec)
#define git_remote_default_branch (*ls_git2()->git_remote_default_branch)
#define git_remote_fetch (*ls_git2()->git_remote_fetch)
#define git_remote_free (*ls_git2()->git_remote_free)
#define git_remote_lookup (*ls_git2()->git_remote_lookup)
#define git_remote_set_instance_url (*ls_git2()->git_remote_set_instance_url)
#define git_remote_set_url (*ls_git2()->git_remote_set_url)
#define git_remote_url (*ls_git2()->git_remote_url)
#define git_repository_commondir (*ls_git2()->git_repository_commondir)
#define git_repository_config (*ls_git2()->git_repository_config)
#define git_repository_free (*ls_git2()->git_repository_free)
#define git_repository_head (*ls_git2()->git_repository_head)
#define git_repository_index (*ls_git2()->git_repository_index)
#define git_repository_init (*ls_git2()->git_repository_init)
#define git_repository_is_bare (*ls_git2()->git_repository_is_bare)
#define git_repository_is_shallow (*ls_git2()->git_repository_is_shallow)
#define git_repository_item_path (*ls_git2()->git_repository_item_path)
#define git_repository_odb (*ls_git2()->git_repository_odb)
#define git_repository_open_bare (*ls_git2()->git_repository_open_bare)
#define git_repository_open_ext (*ls_git2()->git_repository_open_ext)
#define git_repository_path (*ls_git2()->git_repository_path)
#define git_repository_set_head (*ls_git2()->git_repository_set_head)
#define git_repository_set_odb (*ls_git2()->git_repository_set_odb)
#define git_repository_workdir (*ls_git2()->git_repository_workdir)
#define git_revparse_single (*ls_git2()->git_revparse_single)
#define git_revwalk_free (*ls_git2()->git_revwalk_free)
#define git_revwalk_hide (*ls_git2()->git_revwalk_hide)
#define git_revwalk_new (*ls_git2()->git_revwalk_new)
#define git_revwalk_next (*ls_git2()->git_revwalk_next)
#define git_revwalk_push (*ls_git2()->git_revwalk_push)
#define git_revwalk_sorting (*ls_git2()->git_revwalk_sorting)
#define git_strarray_dispose (*ls_git2()->git_strarray_dispose)
#define git_tag_free (*ls_git2()->git_tag_free)
#define git_tag_lookup (*ls_git2()->git_tag_lookup)
#define git_tag_message (*ls_git2()->git_tag_message)
#define git_tag_name (*ls_git2()->git_tag_name)
#define git_tag_peel (*ls_git2()->git_tag_peel)
#define git_tag_tagger (*ls_git2()->git_tag_tagger)
#define git_tag_target_id (*ls_git2()->git_tag_target_id)
#define git_tree_entry_byindex (*ls_git2()->git_tree_entry_byindex)
#define git_tree_entry_byname (*ls_git2()->git_tree_entry_byname)
#define git_tree_entry_bypath (*ls_git2()->git_tree_entry_bypath)
#define git_tree_entry_cmp (*ls_git2()->git_tree_entry_cmp)
#define git_tree_entry_filemode (*ls_git2()->git_tree_entry_filemode)
#define git_tree_entry_free (*ls_git2()->git_tree_entry_free)
#define git_tree_entry_id (*ls_git2()->git_tree_entry_id)
#define git_tree_entry_name (*ls_git2()->git_tree_entry_name)
#define git_tree_entry_type (*ls_git2()->git_tree_entry_type)
#define git_tree_entrycount (*ls_git2()->git_tree_entrycount)
#define git_tree_free (*ls_git2()->git_tree_free)
#define git_tree_id (*ls_git2()->git_tree_id)
#define git_tree_lookup (*ls_git2()->git_tree_lookup)

#endif
