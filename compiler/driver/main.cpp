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
#include <span>
#include <string_view>
#include <vector>

#include "compiler/check/discipline.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/source/internal_check.h"

namespace {

using namespace atl::driver;

constexpr std::string_view kSubcommandList =
    "check, build, run, explain, gc-report, lsp, disciplines, help";

// The variables a compiled program reads at start-up (docs/environment.md has
// the values and defaults; tests/docs/environment.py keeps the two lists equal).
constexpr std::string_view kEnvironmentHelp =
    "Environment of compiled programs (docs/environment.md):\n"
    "  ATOLL_SCHED=ws|threads|loop   scheduler of threads (default ws)\n"
    "  ATOLL_WORKERS=N               worker threads of ws (default: CPUs)\n"
    "  ATOLL_IO=epoll|poll|uring     IO backend (default epoll)\n"
    "  ATOLL_IO_POOL=N               threads for blocking calls (default 4)\n"
    "  ATOLL_STACK_MB=N              stack of main and parST bodies (default 1024)\n"
    "  ATOLL_FIBER_STACK_KB=N        stack of a forked thread (default 256)\n"
    "  ATOLL_FIBER_CANARY=1          canary words instead of stack guard pages\n"
    "  ATOLL_GC=stw|incremental|cards|manual  collection mode (default stw)\n"
    "  ATOLL_GC_VERIFY=1             check the marks after every mark phase (tests)\n"
    "  ATOLL_GC_TIME_LIMIT_US=N      time limit of a stopped mark step (incremental modes)\n"
    "  ATOLL_GC_INITIAL_MB=N         initial GC heap (default 16)\n"
    "  ATOLL_GC_HUGE_PAGES=0|1       MADV_HUGEPAGE on the heap (default 1 under stw, else 0)\n"
    "  ATOLL_GC_MARKERS=N            parallel marker threads\n"
    "  ATOLL_GC_STATS=1|text|json    print memory and time statistics at exit\n"
    "  ATOLL_GC_STATS_FILE=PATH      where ATOLL_GC_STATS writes (default stderr)\n"
    "  ATOLL_GC_TRACE=PATH           one JSON line per collection, written at exit\n"
    "  ATOLL_REGION_CHECK=1          trap dangling region accesses (debugging)\n"
    "  ATOLL_REGION_HUGE_PAGES=0     no MADV_HUGEPAGE on arrays of 2 MiB or more (default 1)\n"
    "  ATOLL_DEBUG=1                 warn about file handles the collector closes\n"
    "  ATOLL_STRESS_LIMIT_S=N        time limit of the io_stress test binary\n"
    "Environment of atoll: ATOLL_HOME (installation root), NO_COLOR, XDG_CACHE_HOME\n"
    "(the run cache, docs/cli.md).";

// `-O` takes 0..3; `-Os`, `-Oz` and `-Ofast` are other compilers' levels.
auto OptLevelValidator() -> CLI::Validator {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.size() == 1 && value[0] >= '0' && value[0] <= '3') return "";
        return fmt::format(
            "'-O{}' is not an optimisation level of atoll: use -O0, -O1, -O2 (the default) or -O3",
            atl::diag::Printable(value));
      },
      "0..3");
}

auto UsageError(const std::string& message, const std::string& help_topic) -> int {
  return ReportFailure(Failure::Usage(fmt::format("{}\nrun 'atoll help{}' for usage", message,
                                                  help_topic.empty() ? "" : " " + help_topic)));
}

// An option taking one word of `choices` into `target`: CLI11 checks the
// word (its error names the accepted ones) and the help shows the words and,
// when `show_default`, the spelling of target's initial value.
template <typename E>
auto AddChoice(CLI::App* cmd, const std::string& flag, E& target,
               std::span<const Choice<E>> choices, const std::string& help, bool show_default)
    -> CLI::Option* {
  std::vector<std::string> names;
  for (const Choice<E>& c : choices) names.emplace_back(c.name);
  CLI::Option* option = cmd->add_option_function<std::string>(
      flag,
      [&target, choices](const std::string& word) {
        for (const Choice<E>& c : choices)
          if (word == c.name) target = c.value;
      },
      help);
  option->check(CLI::IsMember(names));
  if (show_default) {
    for (const Choice<E>& c : choices)
      if (c.value == target) option->default_str(c.name);
  }
  return option;
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
  const std::string exit_footer =
      "Exit status: 0 ok, 1 the program has errors, 2 usage or file problem, 3 internal error;\n"
      "`atoll run` ends with the program's own status (docs/cli.md).";
  app.footer(exit_footer + "\n\n" + std::string(kEnvironmentHelp));

  auto add_color_option = [](CLI::App* cmd, ColorWhen& color) {
    AddChoice<ColorWhen>(
        cmd, "--color", color, kColorChoices,
        "Colour diagnostics: auto (a terminal, unless NO_COLOR is set), always, never", true);
  };
  const std::string file_help = "Source file (.atl), or - for standard input";
  std::vector<Choice<atl::check::Discipline>> discipline_choices;
  for (const atl::check::DisciplineRules& r : atl::check::AllDisciplines())
    discipline_choices.push_back({r.name, r.id});
  auto add_regions_option = [&](CLI::App* cmd, atl::check::Discipline& regions) {
    AddChoice<atl::check::Discipline>(
        cmd, "--regions", regions, discipline_choices,
        "Region discipline: " + atl::check::DisciplineNames() + " (docs/typing.md)", true);
  };

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "Parse and type check a file");
  check_cmd->add_option("file", check.file, file_help)->required();
  AddChoice<CheckDump>(check_cmd, "--dump", check.dump, kCheckDumpChoices,
                       "Print an intermediate form", false);
  AddChoice<DiagnosticsFormat>(
      check_cmd, "--diagnostics", check.format, kDiagnosticsChoices,
      "text (on stderr) or json (one document on stdout, for editors and scripts)", true);
  add_color_option(check_cmd, check.color);
  add_regions_option(check_cmd, check.regions);
  check_cmd->footer(exit_footer);

  BuildOptions build;
  auto add_build_options = [&](CLI::App* cmd, BuildOptions& b) {
    cmd->add_option("file", b.file, file_help)->required();
    cmd->add_option("-O", b.opt_level, "Optimisation level 0..3")
        ->check(OptLevelValidator())
        ->capture_default_str();
    cmd->add_option("--cpu", b.cpu,
                    "Processor to generate code for: x86-64 runs on any x86-64 machine; "
                    "x86-64-v3, znver4, skylake... use newer instructions; native is this "
                    "machine's own (docs/cli.md)")
        ->capture_default_str();
    add_color_option(cmd, b.color);
    add_regions_option(cmd, b.regions);
  };
  auto* build_cmd = app.add_subcommand("build", "Compile a file to a native executable");
  add_build_options(build_cmd, build);
  build_cmd->add_option("-o", build.output,
                        "Output path (default: the file name without .atl; never one of the "
                        "program's source files)");
  AddChoice<Emit>(build_cmd, "--emit", build.emit, kEmitChoices, "What to produce", true);
  AddChoice<CoreDump>(
      build_cmd, "--dump", build.dump, kCoreDumpChoices,
      "Print the Core IR (at the -O level) instead of building; to the -o file if given", false);
  build_cmd->footer(exit_footer);

  RunOptions run;
  auto* run_cmd = app.add_subcommand(
      "run", "Build into the cache ($XDG_CACHE_HOME/atoll or ~/.cache/atoll) and run");
  add_build_options(run_cmd, run.build);
  run_cmd->add_option("args", run.args, "Program arguments (after --)");
  run_cmd->footer(exit_footer + "\n\n" + std::string(kEnvironmentHelp));

  std::string code;
  auto* explain_cmd = app.add_subcommand("explain", "Long explanation of a diagnostic code");
  explain_cmd->add_option("code", code, "Diagnostic code, e.g. E0101")->required();

  GcReportOptions gc_report;
  auto* gc_report_cmd =
      app.add_subcommand("gc-report", "Draw an ATOLL_GC_TRACE file as a self-contained HTML page");
  gc_report_cmd->add_option("trace", gc_report.trace, "The trace (ATOLL_GC_TRACE=FILE ./program)")
      ->required();
  gc_report_cmd->add_option("-o", gc_report.output, "Output page (default gc-report.html)");
  auto* lsp_cmd = app.add_subcommand(
      "lsp", "Language server for editors: LSP over standard input and output (docs/cli.md)");
  lsp_cmd->footer(
      "Exit status (the protocol's): 0 after the client's shutdown request and exit\n"
      "notification, 1 when exit comes without shutdown or the input ends.");

  DisciplinesOptions disciplines;
  auto* disciplines_cmd = app.add_subcommand(
      "disciplines",
      "Check, build and run every program of a folder under every region discipline: a table");
  disciplines_cmd
      ->add_option("dir", disciplines.dir, "Folder of .atl programs (e.g. tests/regions)")
      ->required();
  disciplines_cmd->add_flag_callback(
      "--json", [&] { disciplines.format = TableFormat::Json; }, "One JSON document on stdout");
  disciplines_cmd->add_flag_callback(
      "--markdown", [&] { disciplines.format = TableFormat::Markdown; },
      "A Markdown table (for PAPER.md)");
  disciplines_cmd->add_flag(
      "--check-only", disciplines.check_only,
      "Only type check (no build, no run, no sanitizer): accepted or rejected");
  disciplines_cmd->add_flag(
      "--expect", disciplines.expect,
      "Compare every cell with the program's `-- regions:` line; exit 1 on a difference");
  disciplines_cmd->add_option("--only", disciplines.only,
                              "Comma-separated file names of DIR to take");
  disciplines_cmd->add_option("-j", disciplines.jobs, "Parallel jobs (default: every core)");
  disciplines_cmd->footer(
      "Exit status: 0 done (with --expect: every cell as expected), 1 a cell differs from its\n"
      "expectation, 2 usage or file problem.");

  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Print the help of atoll or of one subcommand");
  help_cmd->add_option("subcommand", help_topic, "check, build, run, explain or lsp");

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
  if (*check_cmd) return ExitWith(RunCheck(check));
  if (*build_cmd) return ExitWith(RunBuild(build));
  if (*run_cmd) return ExitWith(RunRun(run));
  if (*explain_cmd) return ExitWith(RunExplain(code));
  if (*gc_report_cmd) return ExitWith(RunGcReport(gc_report));
  if (*lsp_cmd) return RunLsp();
  if (*disciplines_cmd) return ExitWith(RunDisciplines(disciplines));
  ATL_UNREACHABLE("a subcommand CLI11 accepted has no entry here");
}
