// The program's descriptor table and the runtime-error exit used by values.
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "runtime/value/fail.h"
#include "runtime/value/show.h"
#include "runtime/value/value_internal.h"

namespace atl::value {
namespace {

// Ids 0..5 are fixed by the ABI; these serve until a table is installed.
constexpr atl_descriptor kFixed[] = {
    {nullptr, 0, ATL_SHAPE_TUPLE, 0, 0, nullptr, 0},
    {"False", 0, ATL_SHAPE_CONSTRUCTOR, 1, 0, nullptr, 0},
    {"True", 0, ATL_SHAPE_CONSTRUCTOR, 1, 1, nullptr, 0},
    {"Nil", 0, ATL_SHAPE_LIST_NIL, 2, 0, nullptr, 0},
    {"::", 2, ATL_SHAPE_LIST_CONS, 2, 1, nullptr, 0},
    {nullptr, 2, ATL_SHAPE_TUPLE, 5, 0, nullptr, 0},
};

std::atomic<const atl_program_info*> program{nullptr};
std::atomic<atl_error_hook> error_hook{nullptr};

[[noreturn]] void VFail(const atl_source_location* at, const char* fmt, va_list args) {
  char message[1024];
  std::vsnprintf(message, sizeof message, fmt, args);
  if (atl_error_hook hook = error_hook.load(std::memory_order_acquire)) hook(at, message);
  std::fflush(stdout);
  if (at != nullptr) {
    std::fprintf(stderr, "%s:%u:%u: runtime error: %s\n", at->file, at->line, at->column, message);
  } else {
    std::fprintf(stderr, "atoll: runtime error: %s\n", message);
  }
  std::_Exit(1);
}

}  // namespace

void Fail(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  VFail(atl_rt_where, fmt, args);
}

const atl_descriptor* Descriptor(uint32_t id) {
  const atl_program_info* info = program.load(std::memory_order_acquire);
  if (info != nullptr && id < info->descriptor_count) return &info->descriptors[id];
  if (id < std::size(kFixed)) return &kFixed[id];
  return nullptr;
}

}  // namespace atl::value

extern "C" {

void atl_set_error_hook(atl_error_hook hook) {
  atl::value::error_hook.store(hook, std::memory_order_release);
}

void atl_runtime_error(const atl_source_location* at, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  atl::value::VFail(at, fmt, args);
}

thread_local const atl_source_location* atl_rt_where = nullptr;

void atl_set_program_info(const atl_program_info* info) {
  atl::value::program.store(info, std::memory_order_release);
}

const atl_program_info* atl_get_program_info(void) {
  return atl::value::program.load(std::memory_order_acquire);
}

}  // extern "C"
