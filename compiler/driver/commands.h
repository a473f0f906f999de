// The `atoll` subcommands. main.cpp parses the command line (CLI11) and calls
// exactly one of these; each returns its exit status or a Failure
// (result.h), which main prints.
#ifndef ATOLL_DRIVER_COMMANDS_H
#define ATOLL_DRIVER_COMMANDS_H

#include <string>
#include <vector>

#include "compiler/check/discipline.h"
#include "compiler/driver/result.h"

namespace atl::driver {

// An option that takes one word of a fixed set is an enum in the options
// below, with its spellings in one table (main.cpp builds the command
// line's checks and the help's defaults from the table; the commands switch
// on the enum and never compare the words).
template <typename E>
struct Choice {
  const char* name;
  E value;
};

// --color: when diagnostics get colours (UseColor).
enum class ColorWhen { Auto, Always, Never };
inline constexpr Choice<ColorWhen> kColorChoices[] = {
    {"auto", ColorWhen::Auto}, {"always", ColorWhen::Always}, {"never", ColorWhen::Never}};

// atoll check --dump: an intermediate form printed on stdout.
enum class CheckDump { None, Tokens, Ast, Types, Puts };
inline constexpr Choice<CheckDump> kCheckDumpChoices[] = {{"tokens", CheckDump::Tokens},
                                                          {"ast", CheckDump::Ast},
                                                          {"types", CheckDump::Types},
                                                          {"puts", CheckDump::Puts}};

// atoll check --diagnostics
enum class DiagnosticsFormat { Text, Json };
inline constexpr Choice<DiagnosticsFormat> kDiagnosticsChoices[] = {
    {"text", DiagnosticsFormat::Text}, {"json", DiagnosticsFormat::Json}};

// atoll build --emit: what the build produces (docs/cli.md, docs/embedding.md).
enum class Emit { Llvm, Asm, Obj, Exe, Lib, Shared };
inline constexpr Choice<Emit> kEmitChoices[] = {{"llvm", Emit::Llvm}, {"asm", Emit::Asm},
                                                {"obj", Emit::Obj},   {"exe", Emit::Exe},
                                                {"lib", Emit::Lib},   {"shared", Emit::Shared}};

// atoll build --dump: the Core of the main module, or of every module.
enum class CoreDump { None, Main, All };
inline constexpr Choice<CoreDump> kCoreDumpChoices[] = {{"core", CoreDump::Main},
                                                        {"core-all", CoreDump::All}};

// atoll disciplines: how the table is printed.
enum class TableFormat { Text, Json, Markdown };

struct CheckOptions {
  std::string file;  // "-": standard input
  CheckDump dump = CheckDump::None;
  DiagnosticsFormat format = DiagnosticsFormat::Text;
  ColorWhen color = ColorWhen::Auto;
  check::Discipline regions = check::Discipline::Subtyping;  // --regions
};

struct BuildOptions {
  std::string file;            // "-": standard input
  std::string output;          // -o; default: file stem
  int opt_level = 2;           // -O0..-O3
  std::string cpu = "x86-64";  // --cpu: the processor to generate code for
  Emit emit = Emit::Exe;
  CoreDump dump = CoreDump::None;  // prints the Core instead of building
  ColorWhen color = ColorWhen::Auto;
  check::Discipline regions = check::Discipline::Subtyping;  // --regions
};

struct RunOptions {
  BuildOptions build;
  std::vector<std::string> args;  // after `--`
};

struct GcReportOptions {
  std::string trace;   // an ATOLL_GC_TRACE file
  std::string output;  // -o; default gc-report.html
};

struct DisciplinesOptions {
  std::string dir;  // the corpus: every .atl file directly in it
  TableFormat format = TableFormat::Text;
  bool check_only = false;  // --check-only: type check, never build or run
  bool expect = false;      // --expect: compare with each program's `-- regions:` line
  std::string only;         // --only: comma-separated file names to take from dir
  int jobs = 0;             // -j; 0: every core
};

// disciplines.cpp: `atoll disciplines DIR` (docs/typing.md, "Region disciplines").
auto RunDisciplines(const DisciplinesOptions& options) -> CommandResult;

// gc_report.cpp
auto RunGcReport(const GcReportOptions& options) -> CommandResult;

// Whether diagnostics on stderr get colours: `always`, `never`, or `auto`:
// stderr is a terminal, NO_COLOR is unset or empty and TERM is not `dumb`
// (docs/cli.md).
auto UseColor(ColorWhen when) -> bool;

// check_command.cpp
auto RunCheck(const CheckOptions& options) -> CommandResult;
auto RunExplain(const std::string& code) -> CommandResult;

// lsp.cpp: `atoll lsp`, a language server on stdin/stdout (docs/cli.md).
auto RunLsp() -> int;

// build_command.cpp
auto RunBuild(const BuildOptions& options) -> CommandResult;
auto RunRun(const RunOptions& options) -> CommandResult;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_COMMANDS_H
