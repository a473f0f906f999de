// Effectful primitives of the outside world: stdin, files, arguments, time.
//
// Written against the IO layer (runtime/io): a call that waits parks the
// calling Atoll thread (its fiber), never its worker. Each takes the call's
// source location and the region handle last and ignores the region: their
// results are immutable GC data. A wait that cannot be interrupted (the
// blocking pool) is followed by CheckCancelled, so a `timeout` that fired
// meanwhile still takes effect at this blocking point.
#include <gc/gc_allocator.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/io/clock.h"
#include "runtime/io/host.h"
#include "runtime/io/net.h"
#include "runtime/rt/output.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/value/fail.h"
#include "runtime/value/string.h"
#include "runtime/value/value_internal.h"

namespace {

int program_argc = 0;
char** program_argv = nullptr;

// The largest file readFile returns (a string holds up to 4 GiB; a file
// this large is almost always a mistake, such as /dev/zero).
constexpr size_t kMaxStringBytes = size_t{1} << 30;

atl_value Ok(atl_value v) { return atl_rt_pair(atl_bool(1), v); }

atl_value Failed(const std::string& what, const std::string& why) {
  const std::string msg = what + ": " + why;
  return atl_rt_pair(atl_bool(0), atl_string_new(msg.data(), msg.size()));
}

atl_value Failed(const std::string& what, int error) {
  if (error == EFBIG) return Failed(what, "larger than the 1 GiB a string may hold");
  return Failed(what, std::strerror(error));
}

// A path from Atoll: its bytes, or false when it holds a NUL (the system
// would see only the part before it: another file).
bool PathOf(atl_value path, std::string* out) {
  out->assign(atl_string_bytes(path), atl_string_length(path));
  return out->find('\0') == std::string::npos;
}

constexpr const char* kNulInPath = "the path contains a NUL character";

// The work of each primitive, with every C++ object gone before the
// caller may unwind (thread.h: no destructors between a timeout and Unwind).
// Lines of stdin and arguments that are not valid UTF-8 keep every byte
// visible: each stray byte becomes U+FFFD (docs/language.md).
atl_value ReadLine() {
  std::string line;
  if (!atl::rt::output::ReadLine(&line)) return atl_rt_pair(atl_bool(0), atl_string_new("", 0));
  return Ok(atl_string_from_utf8_lossy(line.data(), line.size()));
}

atl_value GetLine(atl_where at) {
  std::string line;
  if (!atl::rt::output::ReadLine(&line)) atl_runtime_error(at, "getLine: end of input");
  return atl_string_from_utf8_lossy(line.data(), line.size());
}

// A file that is not valid UTF-8 is an error value naming the first bad
// byte: the program decides what to do, nothing is changed behind its back.
// The text of a file, checked to be UTF-8.
atl_value TextOrError(const std::string& name, atl::io::Result<std::string> r) {
  if (!r.ok()) return Failed(name, r.error().code);
  const std::string& text = r.value();
  const size_t valid = atl_utf8_valid_prefix(text.data(), text.size());
  if (valid != text.size())
    return Failed(name, "not valid UTF-8 (byte " + std::to_string(valid) + ")");
  return Ok(atl_string_new(text.data(), text.size()));
}

atl_value ReadFile(atl_value path) {
  std::string name;
  if (!PathOf(path, &name)) return Failed(name.substr(0, name.find('\0')), kNulInPath);
  // A regular file is read straight into the string (io::OpenWhole); the
  // string is atomic (never scanned) and reachable from this frame while
  // the blocking pool fills it. Anything else is read from the same open
  // file into a buffer and copied; a regular file that changed size
  // meanwhile, and every file on the io_uring backend, through io::ReadFile.
  atl::io::Result<atl::io::WholeFile> opened = atl::io::OpenWhole(name, kMaxStringBytes);
  if (!opened.ok()) return Failed(name, opened.error().code);
  const atl::io::WholeFile file = opened.value();
  if (file.fd < 0) return TextOrError(name, atl::io::ReadFile(name, kMaxStringBytes));
  if (!file.regular) return TextOrError(name, atl::io::ReadRest(file, kMaxStringBytes));
  atl_string* s = atl::value::AllocString(file.size);
  atl::io::Result<bool> whole = atl::io::ReadWhole(file, s->bytes);
  if (!whole.ok()) return Failed(name, whole.error().code);
  if (!whole.value()) return TextOrError(name, atl::io::ReadFile(name, kMaxStringBytes));
  const size_t valid = atl_utf8_valid_prefix(s->bytes, file.size);
  if (valid != file.size)
    return Failed(name, "not valid UTF-8 (byte " + std::to_string(valid) + ")");
  return Ok(atl_from_ptr(s));
}

atl_value WriteFile(atl_value path, atl_value text) {
  std::string name;
  if (!PathOf(path, &name)) return Failed(name.substr(0, name.find('\0')), kNulInPath);
  const atl::io::Error e =
      atl::io::WriteFile(name, std::string_view(atl_string_bytes(text), atl_string_length(text)));
  if (e.code != 0) return Failed(name, e.code);
  return Ok(atl_string_new("", 0));
}

}  // namespace

extern "C" {

void atl_rt_set_args(int argc, char** argv) {
  program_argc = argc;
  program_argv = argv;
}

atl_value atl_rt_read_line(atl_where /*at*/, void* /*region*/) {
  const atl_value v = ReadLine();
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_get_line(atl_where at, void* /*region*/) {
  const atl_value v = GetLine(at);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_read_file(atl_value path, atl_where /*at*/, void* /*region*/) {
  const atl_value v = ReadFile(path);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_write_file(atl_value path, atl_value text, atl_where /*at*/, void* /*region*/) {
  const atl_value v = WriteFile(path, text);
  atl::rt::CheckCancelled();
  return v;
}

atl_value atl_rt_args(atl_where /*at*/, void* /*region*/) {
  // Last to first, so every string is reachable (from the stack, then the
  // list) while the next one is allocated: a malloc'd vector is not scanned.
  atl_value list = atl_nullary(ATL_DESC_NIL);
  for (int i = program_argc - 1; i >= 1; --i) {
    list = atl_rt_cons(atl_string_from_utf8_lossy(program_argv[i], std::strlen(program_argv[i])),
                       list);
  }
  return list;
}

atl_value atl_rt_sleep(atl_value ms, atl_where /*at*/, void* /*region*/) {
  const int64_t n = atl_int_get(ms);
  if (n > 0) {
    atl::rt::output::Flush();
    if (atl::io::Sleep(std::chrono::milliseconds(n)).code == ECANCELED) atl::rt::Unwind();
  }
  atl::rt::CheckCancelled();
  return atl_unit();
}

atl_value atl_rt_monotonic_nanos(atl_where /*at*/, void* /*region*/) {
  return atl_int(atl::io::MonotonicNs());
}

atl_value atl_rt_wall_nanos(atl_where /*at*/, void* /*region*/) {
  return atl_int(atl::io::WallNs());
}

}  // extern "C"
