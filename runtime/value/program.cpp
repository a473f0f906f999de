// The program's descriptor table and the runtime-error exit used by values.
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "runtime/value/show.h"
#include "runtime/value/value_internal.h"

namespace atl::value {
namespace {

// Ids 0..5 are fixed by the ABI; these serve until a table is installed.
constexpr atl_descriptor kFixed[] = {
    {nullptr, 0, ATL_SHAPE_TUPLE, 0, 0, nullptr},
    {"False", 0, ATL_SHAPE_CONSTRUCTOR, 1, 0, nullptr},
    {"True", 0, ATL_SHAPE_CONSTRUCTOR, 1, 1, nullptr},
    {"Nil", 0, ATL_SHAPE_LIST_NIL, 2, 0, nullptr},
    {"::", 2, ATL_SHAPE_LIST_CONS, 2, 1, nullptr},
    {nullptr, 2, ATL_SHAPE_TUPLE, 5, 0, nullptr},
};

std::atomic<const atl_program_info*> program{nullptr};

}  // namespace

void Fail(const char* fmt, ...) {
  std::fflush(stdout);
  if (const atl_source_location* at = atl_rt_where) {
    std::fprintf(stderr, "%s:%u:%u: runtime error: ", at->file, at->line, at->column);
  } else {
    std::fputs("atoll: runtime error: ", stderr);
  }
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::exit(1);
}

const atl_descriptor* Descriptor(uint32_t id) {
  const atl_program_info* info = program.load(std::memory_order_acquire);
  if (info != nullptr && id < info->descriptor_count) return &info->descriptors[id];
  if (id < std::size(kFixed)) return &kFixed[id];
  return nullptr;
}

}  // namespace atl::value

extern "C" {

thread_local const atl_source_location* atl_rt_where = nullptr;

void atl_set_program_info(const atl_program_info* info) {
  atl::value::program.store(info, std::memory_order_release);
}

const atl_program_info* atl_get_program_info(void) {
  return atl::value::program.load(std::memory_order_acquire);
}

}  // extern "C"
