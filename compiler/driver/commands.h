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
  std::string file;
  std::string dump;  // "", "tokens", "ast", "types", "puts", "core"
};

struct BuildOptions {
  std::string file;
  std::string output;        // -o; default: file stem
  int opt_level = 2;         // -O0..-O3
  std::string emit = "exe";  // llvm | asm | obj | exe | lib | shared (docs/embedding.md)
  std::string dump;          // --dump: core (main module) | core-all; prints instead of building
};

struct RunOptions {
  BuildOptions build;
  std::vector<std::string> args;  // after `--`
};

struct GcReportOptions {
  std::string trace;   // an ATOLL_GC_TRACE file
  std::string output;  // -o; default gc-report.html
};

// gc_report.cpp
auto RunGcReport(const GcReportOptions& options) -> int;

// check_command.cpp
auto RunCheck(const CheckOptions& options) -> int;
auto RunExplain(const std::string& code) -> int;
// build_command.cpp
auto RunBuild(const BuildOptions& options) -> int;
auto RunRun(const RunOptions& options) -> int;

}  // namespace atl::driver

#endif  // ATOLL_DRIVER_COMMANDS_H
