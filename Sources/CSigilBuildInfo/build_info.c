#include "CSigilBuildInfo.h"

#ifndef SIGIL_COMMIT
#define SIGIL_COMMIT "unknown"
#endif

const char *sigil_build_commit(void) { return SIGIL_COMMIT; }
