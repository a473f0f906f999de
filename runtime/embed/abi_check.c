/* Compiles the embedding headers as C, so a declaration only C++ accepts
 * fails the build (a host includes them from C). */
#include "runtime/abi/atoll_embed.h"
#include "runtime/abi/atoll_export_abi.h"
