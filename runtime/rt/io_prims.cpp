// Effectful primitives of the outside world: stdin, files, arguments, time.
//
// These run on the program's main thread and block it (main is not yet a
// fiber of a scheduler; see README). Each takes the region handle last and
// ignores it: their results are immutable GC data.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/value/string.h"
#include "runtime/value/value_internal.h"

namespace {

int program_argc = 0;
char** program_argv = nullptr;

auto ErrorPair(const std::string& what) -> atl_value {
  const std::string msg = what + ": " + std::strerror(errno);
  return atl_rt_pair(atl_bool(0), atl_string_new(msg.data(), msg.size()));
}

// One line of stdin without its '\n'; false at end of input with nothing read.
auto ReadLine(std::string& line) -> bool {
  line.clear();
  int c = 0;
  bool any = false;
  while ((c = std::fgetc(stdin)) != EOF) {
    any = true;
    if (c == '\n') return true;
    line += static_cast<char>(c);
  }
  return any;
}

}  // namespace

extern "C" {

void atl_rt_set_args(int argc, char** argv) {
  program_argc = argc;
  program_argv = argv;
}

atl_value atl_rt_read_line(void* /*region*/) {
  std::fflush(stdout);  // a prompt printed with putStr shows before we block
  std::string line;
  if (!ReadLine(line)) return atl_rt_pair(atl_bool(0), atl_string_new("", 0));
  return atl_rt_pair(atl_bool(1), atl_string_new(line.data(), line.size()));
}

atl_value atl_rt_get_line(void* /*region*/) {
  std::fflush(stdout);
  std::string line;
  if (!ReadLine(line)) atl::value::Fail("getLine: end of input");
  return atl_string_new(line.data(), line.size());
}

atl_value atl_rt_read_file(atl_value path, void* /*region*/) {
  const char* name = atl_string_bytes(path);
  std::FILE* f = std::fopen(name, "rb");
  if (f == nullptr) return ErrorPair(name);
  std::string contents;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) contents.append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return ErrorPair(name);
  return atl_rt_pair(atl_bool(1), atl_string_new(contents.data(), contents.size()));
}

atl_value atl_rt_write_file(atl_value path, atl_value text, void* /*region*/) {
  const char* name = atl_string_bytes(path);
  std::FILE* f = std::fopen(name, "wb");
  if (f == nullptr) return ErrorPair(name);
  const size_t len = atl_string_length(text);
  const bool written = std::fwrite(atl_string_bytes(text), 1, len, f) == len;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) return ErrorPair(name);
  return atl_rt_pair(atl_bool(1), atl_string_new("", 0));
}

atl_value atl_rt_args(void* /*region*/) {
  std::vector<atl_value> values;
  for (int i = 1; i < program_argc; ++i) values.push_back(atl_string_from_cstr(program_argv[i]));
  atl_value list = atl_nullary(ATL_DESC_NIL);
  for (auto it = values.rbegin(); it != values.rend(); ++it) list = atl_rt_cons(*it, list);
  return list;
}

atl_value atl_rt_sleep(atl_value ms, void* /*region*/) {
  const int64_t n = atl_int_get(ms);
  if (n > 0) {
    std::fflush(stdout);
    timespec ts{static_cast<time_t>(n / 1000), static_cast<long>((n % 1000) * 1000000)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
  return atl_unit();
}

atl_value atl_rt_monotonic_nanos(void* /*region*/) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return atl_int(static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec);
}

}  // extern "C"
