// The `atoll` subcommands. main.cpp parses the command line (CLI11) and calls
// exactly one of these; each returns the process exit code.
#ifndef ATOLL_DRIVER_COMMANDS_H
#define ATOLL_DRIVER_COMMANDS_H

#include <string>
#include <vector>

namespace atl::driver {

// The exit statuses of `atoll` (docs/cli.md). `atoll run` ends with the
// program's own status once the program starts.
enum ExitStatus : int {
  kExitOk = 0,
  kExitDiagnostics = 1,  // the program has errors (diagnostics printed)
  kExitUsage = 2,        // bad command line, unreadable input, unwritable output, missing toolchain
  kExitInternal = 3,     // a compiler bug: an internal check failed
};

struct CheckOptions {
  std::string file;                   // "-": standard input
  std::string dump;                   // "", "tokens", "ast", "types", "puts"
  std::string format = "text";        // --diagnostics: text | json
  std::string color = "auto";         // --color: auto | always | never
  std::string regions = "subtyping";  // --regions: a discipline of compiler/check/discipline.h
};

struct BuildOptions {
  std::string file;            // "-": standard input
  std::string output;          // -o; default: file stem
  int opt_level = 2;           // -O0..-O3
  std::string emit = "exe";    // llvm | asm | obj | exe | lib | shared (docs/embedding.md)
  std::string dump;            // --dump: core (main module) | core-all; prints instead of building
  std::string color = "auto";  // --color: auto | always | never
  std::string regions = "subtyping";  // --regions: a discipline of compiler/check/discipline.h
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
  std::string dir;              // the corpus: every .atl file directly in it
  std::string format = "text";  // text | json | markdown
  bool check_only = false;      // --check-only: type check, never build or run
  bool expect = false;          // --expect: compare with each program's `-- regions:` line
  std::string only;             // --only: comma-separated file names to take from dir
  int jobs = 0;                 // -j; 0: every core
};

// disciplines.cpp: `atoll disciplines DIR` (docs/typing.md, "Region disciplines").
auto RunDisciplines(const DisciplinesOptions& options) -> int;

// gc_report.cpp
auto RunGcReport(const GcReportOptions& options) -> int;

// Whether diagnostics on stderr get colours: `always`, `never`, or `auto`:
// stderr is a terminal, NO_COLOR is unset or empty and TERM is not `dumb`
// (docs/cli.md).
auto UseColor(const std::string& when) -> bool;

// check_command.cpp
auto RunCheck(const CheckOptions& options) -> int;
auto RunExplain(const std::string& code) -> int;

// lsp.cpp: `atoll lsp`, a language server on stdin/stdout (docs/cli.md).
auto RunLsp() -> int;

// build_command.cpp
auto RunBuild(const BuildOptions& options) -> int;
auto RunRun(const RunOptions& options) -> int;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_COMMANDS_H
