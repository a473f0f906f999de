// `atoll`: the command-line driver. Parses arguments and dispatches.
#include <CLI/CLI.hpp>

#include "compiler/driver/commands.h"

auto main(int argc, char** argv) -> int {
  using namespace atl::driver;
  CLI::App app{"atoll: compiler for the Atoll language"};
  app.require_subcommand(1);
  app.set_version_flag("--version", ATOLL_VERSION);

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
  build_cmd->add_option("-o", build.output, "Output path");
  build_cmd->add_option("--emit", build.emit, "What to produce")
      ->check(CLI::IsMember({"llvm", "asm", "obj", "exe"}));
  build_cmd->add_option("--dump", build.dump, "Print the Core IR (at the -O level) instead of building")
      ->check(CLI::IsMember({"core", "core-all"}));

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Build into the cache and run");
  add_build_options(run_cmd, run.build);
  run_cmd->add_option("args", run.args, "Program arguments (after --)");

  std::string code;
  auto* explain_cmd = app.add_subcommand("explain", "Long explanation of a diagnostic code");
  explain_cmd->add_option("code", code, "Diagnostic code, e.g. E0101")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // app.exit prints help, the version or the error. Usage errors exit 2 as
    // documented (CLI11's own codes are 100 and up).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (*check_cmd) return RunCheck(check);
  if (*build_cmd) return RunBuild(build);
  if (*run_cmd) return RunRun(run);
  if (*explain_cmd) return RunExplain(code);
  return 2;
}
