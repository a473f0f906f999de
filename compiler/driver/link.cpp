#include "compiler/driver/link.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>

#include <vector>

namespace atl::driver {
namespace {
constexpr const char* kLlvm19Bin = "/usr/lib/llvm-19/bin/";
}  // namespace

auto LinkExecutable(const std::string& object, const std::string& output,
                    const Install& install) -> std::string {
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
  if (llvm::sys::fs::can_execute(std::string(kLlvm19Bin) + "ld.lld")) {
    args.insert(args.end(), {std::string("-B") + kLlvm19Bin, "-fuse-ld=lld"});
  } else if (llvm::sys::findProgramByName("ld.lld")) {
    args.push_back("-fuse-ld=lld");
  }
  args.insert(args.end(), {object, "-o", output, install.runtime_library});
  for (const std::string& flag : RuntimeLinkFlags()) args.push_back(flag);
  std::vector<llvm::StringRef> argv(args.begin(), args.end());
  std::string message;
  const int status = llvm::sys::ExecuteAndWait(linker, argv, std::nullopt, {}, 0, 0, &message);
  if (status != 0) {
    std::string command;
    for (const std::string& a : args) command += (command.empty() ? "" : " ") + a;
    return "linking failed (status " + std::to_string(status) + (message.empty() ? "" : ", " + message) +
           "): " + command;
  }
  return "";
}

}  // namespace atl::driver
