#ifndef SLUICE_CLIBGIT2_SHIM_H
#define SLUICE_CLIBGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/repository.h>
#include <sys/types.h>

/// git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes), which Swift cannot call (variadic).
int sluice_git_set_cache_max_size(ssize_t bytes);
#endif
