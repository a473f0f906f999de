// Program entry, printing and runtime errors.
#include "runtime/rt/rt.h"

#include <string>

#include "runtime/gc/gc.h"
#include "runtime/gc/stats.h"
#include "runtime/mvar/mvar.h"
#include "runtime/rt/env.h"
#include "runtime/rt/output.h"
#include "runtime/rt/thread.h"
#include "runtime/value/fail.h"
#include "runtime/value/show.h"
#include "runtime/value/string.h"

extern "C" {

int atl_rt_main(const atl_program_info* info, atl_entry_fn entry, int argc, char** argv) {
  atl_rt_set_args(argc, argv);
  // Before the collector reads its variables: a value it does not accept
  // stops the program with one message (env.cpp), not a warning first.
  atl::rt::CheckEnvironment();
  atl_gc_init_program();
  atl_set_program_info(info);
  atl_gc_add_stats_section(atl_mvar_print_stats);
  atl::rt::RunProgram(entry);
}

atl_value atl_rt_print(atl_value s, atl_where /*at*/, void* /*region*/) {
  // One write of text and newline, so lines of different threads never mix.
  const size_t len = atl_string_length(s);
  std::string line;
  line.reserve(len + 1);
  line.append(atl_string_bytes(s), len);
  line.push_back('\n');
  atl::rt::output::Write(line.data(), line.size());
  return atl_unit();
}

atl_value atl_rt_put_str(atl_value s, atl_where /*at*/, void* /*region*/) {
  atl::rt::output::Write(atl_string_bytes(s), atl_string_length(s));
  return atl_unit();
}

void atl_rt_fail(const char* msg, const char* file, uint32_t line, uint32_t col) {
  const atl_source_location at{file, line, col};
  atl_runtime_error(&at, "%s", msg);
}

void atl_rt_exit(atl_value status, atl_where at) {
  const int64_t n = atl_int_get(status);
  if (n < 0 || n > 255)
    atl_runtime_error(at, "exit status %lld is out of range (0..255)", static_cast<long long>(n));
  atl::rt::Exit(static_cast<int>(n));
}

}  // extern "C"
