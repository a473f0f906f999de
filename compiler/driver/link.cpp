#include "compiler/driver/link.h"

#include <fcntl.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

extern char** environ;

namespace atl::driver {
namespace {
constexpr const char* kLlvm19Bin = "/usr/lib/llvm-19/bin/";

// Runs argv, its stdout and stderr read into *output through a pipe (a file
// would need disk space, which is what is missing when a link fails on a
// full disk). Returns the exit status, 128+N for a signal, or -1 with
// *output set when it cannot be started.
auto RunCapturing(const std::vector<std::string>& args, std::string* output) -> int {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *output = std::string("cannot create a pipe: ") + std::strerror(errno);
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    *output = "cannot run " + args[0] + ": " + std::strerror(spawned);
    return -1;
  }
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output->append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// What the linker said, less its crash report: lld treats a failed write of
// its output (a full disk, `ulimit -f`) as a crash and prints "PLEASE submit
// a bug report" and a stack dump around the one line that matters.
auto LinkerMessages(llvm::StringRef said) -> std::string {
  llvm::SmallVector<llvm::StringRef, 32> lines;
  said.split(lines, '\n');
  std::string kept;
  for (llvm::StringRef text : lines) {
    const llvm::StringRef trimmed = text.trim();
    if (trimmed.empty() || text.starts_with("PLEASE submit") || text.starts_with("Stack dump:") ||
        (trimmed.starts_with("#") && trimmed.contains(" 0x")) ||
        (std::isdigit(static_cast<unsigned char>(trimmed[0])) && trimmed.contains(".\t")))
      continue;
    kept += "\n  " + text.rtrim().str();
  }
  return kept;
}
auto RunLinker(const std::vector<std::string>& inputs, const std::string& output,
               const std::vector<std::string>& flags) -> Status;
}  // namespace

auto LinkExecutable(const std::string& object, const std::string& output, const Install& install)
    -> Status {
  return RunLinker({object, "-o", output, install.runtime_library}, output, ExecutableLinkFlags());
}

auto IsRuntimeArchive(const std::string& flag) -> bool {
  const std::string name = llvm::sys::path::filename(flag).str();
  return name.starts_with("libatoll_") && name.ends_with(".a");
}

auto HostLinkFlags() -> std::vector<std::string> {
  std::vector<std::string> out;
  for (const std::string& flag : RuntimeLinkFlags())
    if (!IsRuntimeArchive(flag)) out.push_back(flag);
  return out;
}

// The whole of libatoll_rt.a: the host calls embedding functions that
// nothing in the program object refers to.
auto LinkSharedLibrary(const std::string& object, const std::string& output, const Install& install)
    -> Status {
  return RunLinker({"-shared", object, "-o", output, "-Wl,--whole-archive", install.runtime_library,
                    "-Wl,--no-whole-archive"},
                   output, RuntimeLinkFlags());
}

namespace {
auto RunLinker(const std::vector<std::string>& inputs, const std::string& output,
               const std::vector<std::string>& flags) -> Status {
  std::string linker;
  for (const char* name : {"cc", "gcc", "clang"}) {
    if (auto found = llvm::sys::findProgramByName(name)) {
      linker = *found;
      break;
    }
  }
  if (linker.empty())
    return Failure::Usage("no C compiler found to link with (tried cc, gcc, clang)");
  std::vector<std::string> args = {linker};
  // lld links faster than GNU ld. scripts/setup installs lld-19, whose
  // ld.lld is only under LLVM's own bin directory: -B makes the C driver
  // find it there. Any ld.lld on PATH also does.
  // lld maps the output file and writes through the mapping by default: a
  // full disk then kills it with SIGBUS instead of an error message.
  if (llvm::sys::fs::can_execute(std::string(kLlvm19Bin) + "ld.lld")) {
    args.insert(args.end(),
                {std::string("-B") + kLlvm19Bin, "-fuse-ld=lld", "-Wl,--no-mmap-output-file"});
  } else if (llvm::sys::findProgramByName("ld.lld")) {
    args.insert(args.end(), {"-fuse-ld=lld", "-Wl,--no-mmap-output-file"});
  }
  args.insert(args.end(), inputs.begin(), inputs.end());
  // Only the shared libraries the program uses become dependencies: a
  // program that calls no libm function does not load libm (start-up,
  // docs/runtime-memory.md). Debian's gcc passes it already; not every
  // C driver does.
  args.push_back("-Wl,--as-needed");
  args.insert(args.end(), flags.begin(), flags.end());
  std::string said;
  const int status = RunCapturing(args, &said);
  if (status != 0) {
    // A partial executable is worse than none (but `-o /dev/null` stays).
    if (status > 0 && llvm::sys::fs::is_regular_file(output)) llvm::sys::fs::remove(output);
    std::string command;
    for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
    return Failure::Usage("linking " + output + " failed (" +
                          (status < 0 ? said : "status " + std::to_string(status)) + ")" +
                          (status < 0 ? "" : LinkerMessages(said)) + "\n  command: " + command);
  }
  // A successful link says nothing, or warnings worth seeing.
  if (!said.empty()) std::fputs(said.c_str(), stderr);
  return Done{};
}
}  // namespace

}  // namespace atl::driver
