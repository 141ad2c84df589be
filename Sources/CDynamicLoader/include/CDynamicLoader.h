#ifndef SLUICE_CDYNAMICLOADER_H
#define SLUICE_CDYNAMICLOADER_H
#include <stddef.h>
#include <stdint.h>

/// Called with each segment: its start address and size in bytes.
typedef void (*sluice_segment_callback)(uintptr_t start, size_t size, void *context);

/// Calls `callback` for every loaded segment (PT_LOAD) without write permission of every object
/// the dynamic loader has loaded (the executable and each library), from inside
/// dl_iterate_phdr, which holds the loader's lock: no object is unloaded while it runs.
/// (<link.h> needs _GNU_SOURCE, which Swift's Glibc module is not built with.)
void sluice_each_readonly_segment(sluice_segment_callback callback, void *context);
#endif
