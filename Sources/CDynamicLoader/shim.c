#define _GNU_SOURCE
#include <link.h>
#include "include/CDynamicLoader.h"

struct visit {
    sluice_segment_callback callback;
    void *context;
};

static int visit_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct visit *visit = data;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type != PT_LOAD || (header->p_flags & PF_W) || header->p_memsz == 0) continue;
        visit->callback((uintptr_t)(info->dlpi_addr + header->p_vaddr), (size_t)header->p_memsz, visit->context);
    }
    return 0;
}

void sluice_each_readonly_segment(sluice_segment_callback callback, void *context) {
    struct visit visit = { callback, context };
    dl_iterate_phdr(visit_object, &visit);
}
