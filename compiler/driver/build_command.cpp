// `atoll build` and `atoll run`: parse, check, lower, optimise, emit, link;
// `run` goes through the cache and replaces itself with the program.
#include <fmt/core.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/cache.h"
#include "compiler/driver/codegen.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/install.h"
#include "compiler/driver/link.h"
#include "compiler/driver/modules.h"
#include "compiler/lower/lower.h"
#include "compiler/parse/parse.h"

namespace atl::driver {
namespace {

// Exit statuses shared with `atoll check`: 1 = diagnostics, 2 = usage/IO.
constexpr int kDiagnosticsStatus = 1;
constexpr int kToolStatus = 2;

auto PrintDiagnostics(const diag::Diagnostics& diags) -> void {
  std::string rendered = diags.RenderAll();
  std::fputs(rendered.c_str(), stderr);
}

auto EmitKindOf(const std::string& emit) -> EmitKind {
  if (emit == "llvm") return EmitKind::LlvmIr;
  if (emit == "asm") return EmitKind::Assembly;
  return EmitKind::Object;
}

auto DefaultOutput(const std::string& file, const std::string& emit) -> std::string {
  std::string stem = llvm::sys::path::stem(file).str();
  if (emit == "llvm") return stem + ".ll";
  if (emit == "asm") return stem + ".s";
  if (emit == "obj") return stem + ".o";
  return stem;
}

// Front end, checker, lowering and LLVM for one file. Writes `output`
// (of kind options.emit). Returns a process exit status.
auto Compile(const BuildOptions& options, const std::string& output) -> int {
  diag::Diagnostics diags;
  std::optional<Program> program = LoadProgram(options.file, StandardLibraryDir(), diags);
  if (!program) {
    PrintDiagnostics(diags);
    return kToolStatus;
  }
  const parse::Module* module = &program->Main();
  std::unique_ptr<check::CheckedModule> checked;
  if (!diags.has_errors()) checked = check::Check(program->Pointers(), diags);
  if (!diags.has_errors() && checked->main_index < 0) {
    diags.Report(diag::Kind::NoMain, *module->file, source::Span{0, 0},
                 "no `main` defined: a program needs `main : Effect s Nondeterministic ()`");
  }
  // What the back end cannot compile yet (`atoll check` skips this).
  if (!diags.has_errors()) check::GateForLowering(*checked, diags);
  PrintDiagnostics(diags);
  if (diags.has_errors()) return kDiagnosticsStatus;

  // Core: translated, checked, optimised at the -O level, checked again.
  std::unique_ptr<core::Program> core_program = core::FromChecked(*checked);
  if (std::string problems = core::Verify(*core_program); !problems.empty()) {
    fmt::print(stderr, "atoll: internal error: Core does not verify after translation:\n{}", problems);
    return kToolStatus;
  }
  const core::OptimizeStats stats = core::Optimize(*core_program, options.opt_level);
  if (std::string problems = core::Verify(*core_program); !problems.empty()) {
    fmt::print(stderr, "atoll: internal error: Core does not verify after optimisation:\n{}", problems);
    return kToolStatus;
  }
  if (!options.dump.empty()) {
    fmt::print("-- Core at -O{}: {} inlined, {} known calls, {} specialised, {} dead bindings removed\n",
               options.opt_level, stats.inlined, stats.known_calls, stats.specialised, stats.dead);
    if (options.opt_level > 0)
      fmt::print("-- {} lifted, {} rounds, {} -> {} nodes reached from main\n", stats.lifted, stats.rounds,
                 stats.size_before, stats.size_after);
    std::string text = core::Dump(*core_program, options.dump == "core-all");
    std::fputs(text.c_str(), stdout);
    return 0;
  }

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> ir = lower::Lower(*module, *checked, *core_program, context);
  std::string verify_errors;
  llvm::raw_string_ostream verify_stream(verify_errors);
  if (llvm::verifyModule(*ir, &verify_stream)) {
    fmt::print(stderr, "atoll: internal error: generated IR does not verify:\n{}\n", verify_errors);
    return kToolStatus;
  }
  std::string error;
  auto machine = CreateHostTargetMachine(options.opt_level, &error);
  if (!machine) {
    fmt::print(stderr, "atoll: error: {}\n", error);
    return kToolStatus;
  }
  ConfigureModule(*ir, *machine);
  OptimizeModule(*ir, *machine, options.opt_level);

  if (options.emit != "exe") {
    error = EmitModule(*ir, *machine, EmitKindOf(options.emit), output);
  } else {
    Install install;
    if (!FindInstall(&install, &error)) {
      fmt::print(stderr, "atoll: error: {}\n", error);
      return kToolStatus;
    }
    llvm::SmallString<128> object;
    if (auto ec = llvm::sys::fs::createTemporaryFile("atoll", "o", object)) {
      fmt::print(stderr, "atoll: error: cannot create a temporary file: {}\n", ec.message());
      return kToolStatus;
    }
    const std::string object_path(object.str());
    error = EmitModule(*ir, *machine, EmitKind::Object, object_path);
    if (error.empty()) error = LinkExecutable(object_path, output, install);
    llvm::sys::fs::remove(object_path);
  }
  if (!error.empty()) {
    fmt::print(stderr, "atoll: error: {}\n", error);
    return kToolStatus;
  }
  return 0;
}

auto ReadAll(const std::string& path, std::string* text) -> bool {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text->append(buffer, n);
  std::fclose(f);
  return true;
}

}  // namespace

auto RunBuild(const BuildOptions& options) -> int {
  const std::string output = options.output.empty() ? DefaultOutput(options.file, options.emit) : options.output;
  return Compile(options, output);
}

auto RunRun(const RunOptions& options) -> int {
  std::string error;
  Install install;
  if (!FindInstall(&install, &error)) {
    fmt::print(stderr, "atoll: error: {}\n", error);
    return kToolStatus;
  }
  CacheKeyInput key_input;
  key_input.compiler_identity = CompilerIdentity(install);
  key_input.opt_level = options.build.opt_level;
  std::string source;
  if (!ReadAll(options.build.file, &source)) {
    fmt::print(stderr, "atoll: error: cannot read `{}`\n", options.build.file);
    return kToolStatus;
  }
  key_input.sources.push_back(std::move(source));
  // Every imported module's text joins the key (the Prelude included).
  {
    diag::Diagnostics ignored;
    if (std::optional<Program> program = LoadProgram(options.build.file, StandardLibraryDir(), ignored)) {
      for (const auto& m : program->modules) key_input.sources.emplace_back(m->file->text());
    }
  }
  const std::string dir = CacheDirectory(&error);
  if (dir.empty()) {
    fmt::print(stderr, "atoll: error: {}\n", error);
    return kToolStatus;
  }
  const std::string exe = dir + "/" + CacheKey(key_input);
  if (!llvm::sys::fs::exists(exe)) {
    // Build beside the final name and rename, so concurrent runs of the same
    // program never execute a half-written file.
    const std::string partial = exe + ".tmp" + std::to_string(::getpid());
    BuildOptions build = options.build;
    build.emit = "exe";
    if (const int status = Compile(build, partial); status != 0) return status;
    if (auto ec = llvm::sys::fs::rename(partial, exe)) {
      fmt::print(stderr, "atoll: error: cannot store {} in the cache: {}\n", exe, ec.message());
      return kToolStatus;
    }
  }
  std::vector<std::string> args = {exe};
  args.insert(args.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(exe.c_str(), argv.data());  // only returns on failure
  fmt::print(stderr, "atoll: error: cannot run {}: {}\n", exe, std::strerror(errno));
  return kToolStatus;
}

}  // namespace atl::driver
