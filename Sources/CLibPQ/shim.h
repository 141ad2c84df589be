#ifndef SLUICE_CLIBPQ_SHIM_H
#define SLUICE_CLIBPQ_SHIM_H
// The include path (e.g. /usr/include/postgresql) comes from pkg-config's libpq.
#include <libpq-fe.h>
#endif
