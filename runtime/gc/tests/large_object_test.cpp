// Huge-page advice for a large pointer-free object (gc.cpp,
// AdviseLargeObject). A binary of its own: the object must be the first
// allocation of the process, so that it lies at the low end of the
// initial heap, in the 4 MiB that start-up leaves to 4 KiB pages.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/gc/gc.h"

namespace {

// The VmFlags of the mapping that holds `address`, from /proc/self/smaps.
auto VmFlagsAt(uintptr_t address) -> std::string {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0;
    uintptr_t hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-' &&
        line.find(' ') != std::string::npos && line.find(':') > line.find(' ')) {
      inside = lo <= address && address < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a large pointer-free object is advised MADV_HUGEPAGE in its untouched 2 MiB pieces") {
  if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0 ||
      access("/proc/self/smaps", R_OK) != 0) {
    MESSAGE("no transparent huge pages or no smaps here: nothing to check");
    return;
  }
  atl_gc_init();
  constexpr size_t kBytes = size_t{8} << 20;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  auto* p = static_cast<char*>(atl_alloc_atomic(kBytes));
  REQUIRE(p != nullptr);
  const auto begin = reinterpret_cast<uintptr_t>(p);
  int pieces = 0;
  for (uintptr_t piece = (begin + kHuge - 1) & ~(kHuge - 1); piece + kHuge <= begin + kBytes;
       piece += kHuge) {
    const std::string flags = VmFlagsAt(piece);
    INFO("piece at offset " << (piece - begin) << ": " << flags);
    CHECK(flags.find(" hg") != std::string::npos);
    ++pieces;
  }
  CHECK(pieces >= 3);
  std::memset(p, 'x', kBytes);  // the object is usable
  CHECK(p[kBytes - 1] == 'x');
}
