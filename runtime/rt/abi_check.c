// Compiles the ABI header as C, so a layout that only C++ accepts fails here.
#include "runtime/abi/atoll_abi.h"
