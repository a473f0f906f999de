// `atoll build` and `atoll run`: parse, check, lower, optimise, emit, link;
// `run` goes through the cache and replaces itself with the program.
#include <fcntl.h>
#include <fmt/core.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/cache.h"
#include "compiler/driver/codegen.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/install.h"
#include "compiler/driver/library.h"
#include "compiler/driver/link.h"
#include "compiler/driver/modules.h"
#include "compiler/lower/lower.h"
#include "compiler/parse/parse.h"

namespace atl::driver {
namespace {

auto PrintDiagnostics(const diag::Diagnostics& diags, bool color) -> void {
  std::string rendered = diags.RenderAll(color);
  std::fputs(rendered.c_str(), stderr);
}

auto Plural(uint32_t n, const char* word) -> std::string {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// The last line after diagnostics with errors, as cargo's "could not
// compile": `atoll run` exits 1 for these and for a program that fails, and
// this line (which a program never prints) tells the two apart.
auto PrintNotCompiled(const diag::Diagnostics& diags, const std::string& file, bool ran, bool color)
    -> void {
  std::string counts = Plural(diags.error_count(), "error");
  if (diags.warning_count() > 0) counts += ", " + Plural(diags.warning_count(), "warning");
  const std::string shown = file == "-" ? std::string(kStdinName) : file;
  fmt::print(stderr, "{} could not compile '{}' ({}){}\n",
             color ? "\x1b[1;31matoll: error:\x1b[0m" : "atoll: error:", diag::Printable(shown),
             counts, ran ? "; the program was not run" : "");
}

auto DefaultOutput(const std::string& file, Emit emit) -> std::string {
  std::string stem = llvm::sys::path::stem(file).str();
  switch (emit) {
    case Emit::Llvm:
      return stem + ".ll";
    case Emit::Asm:
      return stem + ".s";
    case Emit::Obj:
      return stem + ".o";
    case Emit::Lib:
      return "lib" + stem + ".a";
    case Emit::Shared:
      return "lib" + stem + ".so";
    case Emit::Exe:
      return stem;
  }
  ATL_UNREACHABLE("an Emit value without an output name");
}

// Whether `a` and `b` name the same existing file (device and inode, so
// `./x`, symlinks and hard links count).
auto SameFile(const std::string& a, const std::string& b) -> bool {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// `atoll build x -o x` (or `atoll build x` for a source without an
// extension, whose default output is the file itself) would replace a source
// with the executable. Returns the input `output` would overwrite, or "".
auto InputAt(const Program& program, const std::string& output) -> std::string {
  for (const auto& module : program.modules) {
    if (SameFile(output, module->file->path())) return module->file->path();
  }
  return "";
}

// The verifier's report as a failure's message (without its last newline).
auto NotVerified(const std::string& what, std::string problems) -> Failure {
  while (!problems.empty() && problems.back() == '\n') problems.pop_back();
  return Failure::Internal(what + ":\n" + problems);
}

// Links (or archives) the object file at `object` into `output`, and writes
// a library's header.
auto Link(const BuildOptions& options, const std::string& object, const std::string& output,
          const std::string& export_prefix, const check::CheckedModule& checked) -> Status {
  Result<Install> install = FindInstall();
  if (!install) return install.TakeFailure();
  switch (options.emit) {
    case Emit::Lib: {
      llvm::sys::fs::remove(output);  // the archive writer replaces, never appends
      Status written = WriteStaticLibrary(object, output, *install);
      if (!written) return written;
      break;
    }
    case Emit::Shared: {
      Status linked = LinkSharedLibrary(object, output, *install);
      if (!linked) return linked;
      break;
    }
    default:
      return LinkExecutable(object, output, *install);
  }
  return WriteHeader(HeaderPath(output), output, export_prefix, checked.exports,
                     options.emit == Emit::Shared);
}

// Front end, checker, lowering and LLVM for one loaded program. Writes
// `output` (of kind options.emit). Returns kExitOk, or kExitDiagnostics
// after printing the program's errors, or a Failure. `run`: for the last
// line of a failure (PrintNotCompiled).
auto Compile(const BuildOptions& options, Program program, diag::Diagnostics& diags,
             const std::string& output, bool run = false) -> CommandResult {
  const bool color = UseColor(options.color);
  // A dump goes to stdout, or to the file -o names.
  const bool dump_to_file = options.dump != CoreDump::None && !options.output.empty();
  if (options.dump == CoreDump::None || dump_to_file) {
    if (std::string input = InputAt(program, output); !input.empty()) {
      return Failure::Usage(
          fmt::format("the output '{}' is the source file '{}'; choose another name with -o",
                      diag::Printable(output), diag::Printable(input)));
    }
    // Said before compiling, not by the linker after it.
    if (llvm::sys::fs::is_directory(output)) {
      return Failure::Usage(fmt::format("the output '{}' is a directory; name a file with -o",
                                        diag::Printable(output)));
    }
    if (llvm::StringRef folder = llvm::sys::path::parent_path(output);
        !folder.empty() && !llvm::sys::fs::is_directory(folder)) {
      return Failure::Usage(fmt::format(
          "cannot write '{}': '{}' {}", diag::Printable(output), diag::Printable(folder.str()),
          llvm::sys::fs::exists(folder) ? "is not a directory" : "does not exist"));
    }
  }
  const parse::Module* module = &program.Main();
  const bool library = options.emit == Emit::Lib || options.emit == Emit::Shared;
  std::unique_ptr<check::CheckedModule> checked;
  if (!diags.has_errors()) checked = check::Check(program.Pointers(), diags, options.regions);
  // A library has no `main` to start from: everything is compiled, and
  // the host reaches it through the exports (docs/embedding.md).
  if (!diags.has_errors() && library) checked->main_index = -1;
  if (!diags.has_errors() && !library && checked->main_index < 0) {
    diags.Report(diag::Kind::NoMain, *module->file, source::Span{0, 0},
                 "no `main` defined: a program needs `main : Effect s Nondeterministic ()`");
  }
  // What the back end cannot compile yet (`atoll check` skips this).
  if (!diags.has_errors()) check::GateForLowering(*checked, diags);
  PrintDiagnostics(diags, color);
  if (diags.has_errors()) {
    PrintNotCompiled(diags, options.file, run, color);
    return kExitDiagnostics;
  }

  // Core: translated, checked, optimised at the -O level, checked again.
  std::unique_ptr<core::Program> core_program = core::FromChecked(*checked);
  if (std::string problems = core::Verify(*core_program); !problems.empty())
    return NotVerified("Core does not verify after translation", problems);
  const core::OptimizeStats stats = core::Optimize(*core_program, options.opt_level);
  if (std::string problems = core::Verify(*core_program); !problems.empty())
    return NotVerified("Core does not verify after optimisation", problems);
  if (options.dump != CoreDump::None) {
    std::string text = fmt::format(
        "-- Core at -O{}: {} inlined, {} known calls, {} specialised, {} dead bindings removed\n",
        options.opt_level, stats.inlined, stats.known_calls, stats.specialised, stats.dead);
    if (options.opt_level > 0)
      text += fmt::format("-- {} lifted, {} rounds, {} -> {} nodes reached from main\n",
                          stats.lifted, stats.rounds, stats.size_before, stats.size_after);
    if (stats.record_loops > 0)
      text += fmt::format("-- {} loops pass records as their fields\n", stats.record_loops);
    if (stats.fresh_lists > 0)
      text += fmt::format("-- {} accumulated lists reversed in place\n", stats.fresh_lists);
    text += core::Dump(*core_program, options.dump == CoreDump::All);
    if (!dump_to_file) {
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    }
    std::error_code ec;
    llvm::raw_fd_ostream out(output, ec, llvm::sys::fs::OF_Text);
    if (ec) return Failure::Usage("cannot write " + output + ": " + ec.message());
    out << text;
    Status written = FinishWrite(out, output);
    if (!written) return written.TakeFailure();
    return kExitOk;
  }

  llvm::LLVMContext context;
  lower::LowerOptions lower_options;
  lower_options.library = library;
  lower_options.export_prefix = ExportPrefix(module->name.text, module->file->path());
  std::unique_ptr<llvm::Module> ir =
      lower::Lower(*module, *checked, *core_program, context, lower_options);
  std::string verify_errors;
  llvm::raw_string_ostream verify_stream(verify_errors);
  if (llvm::verifyModule(*ir, &verify_stream))
    return NotVerified("generated IR does not verify", verify_errors);
  Result<std::unique_ptr<llvm::TargetMachine>> made =
      CreateTargetMachine(options.opt_level, options.cpu);
  if (!made) return made.TakeFailure();
  llvm::TargetMachine& machine = **made;
  ConfigureModule(*ir, machine);
  OptimizeModule(*ir, machine, options.opt_level);
  lower::AddFunctionTable(*ir);
  // LLVM's passes keep valid IR valid, but not IR that is valid only by
  // accident (a `musttail` call whose caller a pass moves to another calling
  // convention): say so here rather than as a code generator crash.
  verify_errors.clear();
  if (llvm::verifyModule(*ir, &verify_stream)) {
    return NotVerified(
        fmt::format("IR does not verify after LLVM's optimisation (-O{})", options.opt_level),
        verify_errors);
  }

  Status done = Done{};
  switch (options.emit) {
    case Emit::Llvm:
      done = EmitModule(*ir, machine, EmitKind::LlvmIr, output);
      break;
    case Emit::Asm:
      done = EmitModule(*ir, machine, EmitKind::Assembly, output);
      break;
    case Emit::Obj:
      done = EmitModule(*ir, machine, EmitKind::Object, output);
      break;
    case Emit::Exe:
    case Emit::Lib:
    case Emit::Shared: {
      llvm::SmallString<128> object;
      if (auto ec = llvm::sys::fs::createTemporaryFile("atoll", "o", object))
        return Failure::Usage("cannot create a temporary file: " + ec.message());
      const std::string object_path(object.str());
      done = EmitModule(*ir, machine, EmitKind::Object, object_path);
      if (done) done = Link(options, object_path, output, lower_options.export_prefix, *checked);
      llvm::sys::fs::remove(object_path);
      break;
    }
  }
  if (!done) return done.TakeFailure();
  return kExitOk;
}

// Runs an executable in place of atoll. The signals atoll ignores are reset
// first (dispositions survive exec). A file in a temporary folder is opened,
// unlinked with its folder and run from the descriptor, so nothing is left
// behind.
auto ExecProgram(const std::string& exe, const std::vector<std::string>& program_args,
                 const std::string& temp_dir) -> Failure {
  std::vector<std::string> args = {exe};
  args.insert(args.end(), program_args.begin(), program_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  std::signal(SIGXFSZ, SIG_DFL);
  if (temp_dir.empty()) {
    ::execv(exe.c_str(), argv.data());  // only returns on failure
  } else {
    // glibc's fexecve is execveat(fd, "", AT_EMPTY_PATH), which runs an ELF
    // file from a close-on-exec descriptor: the program does not inherit it.
    const int fd = ::open(exe.c_str(), O_RDONLY | O_CLOEXEC);
    ::unlink(exe.c_str());
    ::rmdir(temp_dir.c_str());
    if (fd >= 0) ::fexecve(fd, argv.data(), environ);
  }
  std::signal(SIGXFSZ, SIG_IGN);
  return Failure::Usage(fmt::format("cannot run {}: {}", exe, std::strerror(errno)));
}

}  // namespace

auto RunBuild(const BuildOptions& options) -> CommandResult {
  if (options.file == "-" && options.output.empty() && options.dump == CoreDump::None)
    return Failure::Usage("the source is standard input: name the output with -o");
  const std::string output =
      options.output.empty() ? DefaultOutput(options.file, options.emit) : options.output;
  diag::Diagnostics diags;
  Result<Program> program = LoadProgram(options.file, StandardLibraryDir(), diags);
  if (!program) {
    PrintDiagnostics(diags, UseColor(options.color));
    return program.TakeFailure();
  }
  return Compile(options, std::move(*program), diags, output);
}

// `atoll run`: the executable comes from the cache when a sealed entry for
// this program exists (cache.h); otherwise it is built in a temporary folder
// and copied into the cache. When the cache cannot be used (no directory, a
// full disk, no permission) the program still runs, from the temporary
// folder, after a one-line notice.
auto RunRun(const RunOptions& options) -> CommandResult {
  Result<Install> install = FindInstall();
  if (!install) return install.TakeFailure();
  diag::Diagnostics diags;
  const bool color = UseColor(options.build.color);
  Result<Program> program = LoadProgram(options.build.file, StandardLibraryDir(), diags);
  if (!program) {
    PrintDiagnostics(diags, color);
    return program.TakeFailure();
  }
  // Every module's path and text join the key (the Prelude included): the
  // executable names its source files in runtime errors and debug info.
  CacheKeyInput key_input;
  key_input.compiler_identity = CompilerIdentity(*install);
  key_input.opt_level = options.build.opt_level;
  key_input.cpu = options.build.cpu;
  key_input.regions = check::Rules(options.build.regions).name;
  for (const auto& m : program->modules) {
    key_input.sources.push_back(m->file->path());
    key_input.sources.emplace_back(m->file->text());
  }
  const std::string key = CacheKey(key_input);
  Result<std::string> dir = CacheDirectory();
  if (dir) {
    std::string damage;
    if (std::string exe = FindCacheEntry(*dir, key, &damage); !exe.empty()) {
      // A program that built has no errors, but may have warnings: show
      // them again, as cargo does (checking costs a fraction of building).
      if (!diags.has_errors()) {
        check::Check(program->Pointers(), diags, options.build.regions);
        PrintDiagnostics(diags, color);
      }
      return ExecProgram(exe, options.args, "");
    }
    if (!damage.empty())
      fmt::print(stderr, "atoll: note: rebuilding the cached executable {}: {}\n", *dir + "/" + key,
                 damage);
  }

  llvm::SmallString<128> temp_dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("atoll-run", temp_dir))
    return Failure::Usage("cannot create a temporary folder: " + ec.message());
  const std::string built = std::string(temp_dir.str()) + "/" + key.substr(0, 16);
  BuildOptions build = options.build;
  build.emit = Emit::Exe;
  CommandResult compiled = Compile(build, std::move(*program), diags, built, true);
  if (!compiled || *compiled != kExitOk) {
    llvm::sys::fs::remove(built);
    llvm::sys::fs::remove(temp_dir);
    return compiled;
  }
  Status stored = dir ? StoreCacheEntry(*dir, key, built) : Status(dir.TakeFailure());
  if (stored) {
    llvm::sys::fs::remove(built);
    llvm::sys::fs::remove(temp_dir);
    return ExecProgram(*dir + "/" + key, options.args, "");
  }
  fmt::print(stderr,
             "atoll: note: cannot use the build cache ({}); running from a temporary folder\n",
             stored.TakeFailure().message);
  return ExecProgram(built, options.args, std::string(temp_dir.str()));
}

}  // namespace atl::driver
