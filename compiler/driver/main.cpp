// `atoll`: the command-line driver. Parses arguments and dispatches.
//
// Exit statuses are in commands.h and docs/cli.md. CLI11 parses each
// subcommand; what comes before a subcommand (nothing, an unknown word or
// flag, `help`) is handled here first, because CLI11 answers all of those
// with "A subcommand is required".
#include <fmt/core.h>
#include <llvm/Support/ErrorHandling.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"

namespace {

using namespace atl::driver;

constexpr std::string_view kSubcommandList = "check, build, run, explain, gc-report, help";

auto UsageError(const std::string& message, const std::string& help_topic) -> int {
  fmt::print(stderr, "atoll: error: {}\nrun 'atoll help{}' for usage\n", message,
             help_topic.empty() ? "" : " " + help_topic);
  return kExitUsage;
}

// LLVM's fatal errors (report_fatal_error) would exit with status 1, which
// means "the program has errors"; they are compiler bugs or environment
// failures LLVM could not report otherwise.
void OnLlvmFatalError(void* /*user_data*/, const char* reason, bool /*gen_crash_diag*/) {
  std::string line = fmt::format("atoll: internal error: {}\n", reason);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  std::_Exit(kExitInternal);
}

// The subcommand named `name`, or nullptr (CLI11 2.1 has no non-throwing lookup).
auto FindSubcommand(CLI::App& app, const std::string& name) -> CLI::App* {
  try {
    return app.get_subcommand(name);
  } catch (const CLI::OptionNotFound&) {
    return nullptr;
  }
}

}  // namespace

auto main(int argc, char** argv) -> int {
  // A file-size limit (ulimit -f) makes writes fail with EFBIG, reported
  // like any other write error, instead of killing atoll or the linker
  // (which inherits the disposition). `atoll run` restores it for the program.
  std::signal(SIGXFSZ, SIG_IGN);
  llvm::install_fatal_error_handler(OnLlvmFatalError, nullptr);

  CLI::App app{"atoll: compiler for the Atoll language", "atoll"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ATOLL_VERSION);
  app.footer(
      "Exit status: 0 ok, 1 the program has errors, 2 usage or file problem, 3 internal error;\n"
      "`atoll run` ends with the program's own status (docs/cli.md).");

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "Parse and type check a file");
  check_cmd->add_option("file", check.file, "Source file (.atl)")->required();
  check_cmd->add_option("--dump", check.dump, "Print an intermediate form")
      ->check(CLI::IsMember({"tokens", "ast", "types", "puts"}));

  BuildOptions build;
  auto add_build_options = [](CLI::App* cmd, BuildOptions& b) {
    cmd->add_option("file", b.file, "Source file (.atl)")->required();
    cmd->add_option("-O", b.opt_level, "Optimisation level 0..3")->check(CLI::Range(0, 3));
  };
  auto* build_cmd = app.add_subcommand("build", "Compile a file to a native executable");
  add_build_options(build_cmd, build);
  build_cmd->add_option("-o", build.output,
                        "Output path (never one of the program's source files)");
  build_cmd->add_option("--emit", build.emit, "What to produce")
      ->check(CLI::IsMember({"llvm", "asm", "obj", "exe", "lib", "shared"}));
  build_cmd
      ->add_option("--dump", build.dump, "Print the Core IR (at the -O level) instead of building")
      ->check(CLI::IsMember({"core", "core-all"}));

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Build into the cache and run");
  add_build_options(run_cmd, run.build);
  run_cmd->add_option("args", run.args, "Program arguments (after --)");

  std::string code;
  auto* explain_cmd = app.add_subcommand("explain", "Long explanation of a diagnostic code");
  explain_cmd->add_option("code", code, "Diagnostic code, e.g. E0101")->required();

  GcReportOptions gc_report;
  auto* gc_report_cmd =
      app.add_subcommand("gc-report", "Draw an ATOLL_GC_TRACE file as a self-contained HTML page");
  gc_report_cmd->add_option("trace", gc_report.trace, "The trace (ATOLL_GC_TRACE=FILE ./program)")->required();
  gc_report_cmd->add_option("-o", gc_report.output, "Output page (default gc-report.html)");

  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Print the help of atoll or of one subcommand");
  help_cmd->add_option("subcommand", help_topic, "check, build, run or explain");

  // What CLI11 would call "A subcommand is required".
  if (argc < 2)
    return UsageError(fmt::format("a subcommand is required ({})", kSubcommandList), "");
  const std::string first = argv[1];
  if (first != "-h" && first != "--help" && first != "--version") {
    if (!first.empty() && first[0] == '-') {
      return UsageError(fmt::format("unknown option '{}' (options go after the subcommand)",
                                    atl::diag::Printable(first)),
                        "");
    }
    if (FindSubcommand(app, first) == nullptr) {
      return UsageError(fmt::format("unknown subcommand '{}' (expected {})",
                                    atl::diag::Printable(first), kSubcommandList),
                        "");
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    CLI::App* sub = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    std::fputs((sub != nullptr ? sub->help("atoll") : app.help()).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --version
    CLI::App* sub = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
    return UsageError(atl::diag::Printable(e.what()), sub != nullptr ? sub->get_name() : "");
  }
  if (*help_cmd) {
    if (help_topic.empty()) {
      // app.help() would describe the selected subcommand, `help` itself.
      std::fputs(app.get_formatter()->make_help(&app, "atoll", CLI::AppFormatMode::Normal).c_str(),
                 stdout);
      return kExitOk;
    }
    CLI::App* topic = FindSubcommand(app, help_topic);
    if (topic == nullptr) {
      return UsageError(fmt::format("no help for '{}': not a subcommand (expected {})",
                                    atl::diag::Printable(help_topic), kSubcommandList),
                        "");
    }
    std::fputs(topic->help("atoll").c_str(), stdout);
    return kExitOk;
  }
  if (*check_cmd) return RunCheck(check);
  if (*build_cmd) return RunBuild(build);
  if (*run_cmd) return RunRun(run);
  if (*explain_cmd) return RunExplain(code);
  if (*gc_report_cmd) return RunGcReport(gc_report);
  return kExitUsage;
}
