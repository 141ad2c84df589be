#ifndef SLUICE_CLIBGIT2_SHIM_H
#define SLUICE_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/repository.h>
#include <sys/types.h>

/// git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes), which Swift cannot call (variadic):
/// the most memory the parsed-object cache of each repository may hold (libgit2's default
/// is 256 MiB).
static inline int sluice_git_set_cache_max_size(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}
#endif
