#include "compiler/driver/link.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>

#include <cctype>
#include <fstream>
#include <vector>

namespace atl::driver {
namespace {
constexpr const char* kLlvm19Bin = "/usr/lib/llvm-19/bin/";

// What the linker said, less its crash report: lld treats a failed write of
// its output (a full disk, `ulimit -f`) as a crash and prints "PLEASE submit
// a bug report" and a stack dump around the one line that matters.
auto LinkerMessages(const std::string& log_path) -> std::string {
  std::ifstream log(log_path);
  std::string line;
  std::string kept;
  while (std::getline(log, line)) {
    llvm::StringRef text(line);
    const llvm::StringRef trimmed = text.ltrim();
    if (text.starts_with("PLEASE submit") || text.starts_with("Stack dump:") ||
        (trimmed.starts_with("#") && trimmed.contains(" 0x")) ||
        (!trimmed.empty() && std::isdigit(static_cast<unsigned char>(trimmed[0])) &&
         trimmed.contains(".\t")))
      continue;
    if (!trimmed.empty()) kept += "\n  " + line;
  }
  return kept;
}
}  // namespace

auto LinkExecutable(const std::string& object, const std::string& output, const Install& install)
    -> std::string {
  std::string linker;
  for (const char* name : {"cc", "gcc", "clang"}) {
    if (auto found = llvm::sys::findProgramByName(name)) {
      linker = *found;
      break;
    }
  }
  if (linker.empty()) return "no C compiler found to link with (tried cc, gcc, clang)";
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
  args.insert(args.end(), {object, "-o", output, install.runtime_library});
  for (const std::string& flag : RuntimeLinkFlags()) args.push_back(flag);
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  // The linker's output goes to a log, shown (filtered) only when it fails.
  llvm::SmallString<128> log;
  const bool logged = !llvm::sys::fs::createTemporaryFile("atoll-link", "log", log);
  const std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                      llvm::StringRef(log)};
  std::string message;
  const int status =
      llvm::sys::ExecuteAndWait(linker, argv, std::nullopt,
                                logged ? llvm::ArrayRef(redirects) : std::nullopt, 0, 0, &message);
  const std::string said = logged ? LinkerMessages(std::string(log.str())) : "";
  if (logged) llvm::sys::fs::remove(log);
  if (status != 0) {
    std::string command;
    for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
    return "linking " + output + " failed (status " + std::to_string(status) +
           (message.empty() ? "" : ", " + message) + ")" + said + "\n  command: " + command;
  }
  return "";
}

}  // namespace atl::driver
