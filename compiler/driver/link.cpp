#include "compiler/driver/link.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/Program.h>

#include <vector>

namespace atl::driver {

auto LinkExecutable(const std::string& object, const std::string& output,
                    const Install& install) -> std::string {
  std::string linker;
  for (const char* name : {"cc", "clang-19", "clang", "gcc"}) {
    if (auto found = llvm::sys::findProgramByName(name)) {
      linker = *found;
      break;
    }
  }
  if (linker.empty()) return "no C compiler found to link with (tried cc, clang-19, clang, gcc)";
  std::vector<std::string> args = {linker};
  if (llvm::sys::findProgramByName("ld.lld")) args.push_back("-fuse-ld=lld");
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
