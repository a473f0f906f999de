// `atoll check` and `atoll explain`.
//
// check: load -> lex -> layout -> parse (front end), then the module loader
// and the checker over the whole program. The lowering gate does not run
// here: `atoll check` accepts the whole language.
// Exit codes (docs/cli.md): 0 no errors, 1 diagnostics with at least one
// error, 2 usage or file problem.
#include <fmt/core.h>

#include <cstdio>

#include "compiler/check/check.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/modules.h"
#include "compiler/layout/layout.h"
#include "compiler/lex/lex.h"
#include "compiler/parse/dump.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source_file.h"

namespace atl::driver {
namespace {

// Prints the diagnostics: text on stderr (coloured if wanted), or with
// --diagnostics=json one JSON document on stdout.
auto Finish(const diag::Diagnostics& diags, const CheckOptions& options) -> int {
  if (options.format == "json") {
    std::string json = diags.RenderJson();
    std::fputs(json.c_str(), stdout);
  } else {
    std::string rendered = diags.RenderAll(UseColor(options.color));
    std::fputs(rendered.c_str(), stderr);
  }
  return diags.has_errors() ? kExitDiagnostics : kExitOk;
}

// One file for the front-end dumps; "-" is standard input.
auto LoadOne(const std::string& path, FileProblem* problem)
    -> std::shared_ptr<const source::SourceFile> {
  if (path != "-") {
    *problem = FileProblem{path, ""};
    return source::SourceFile::Load(path, &problem->reason);
  }
  *problem = FileProblem{kStdinName, ""};
  auto in = source::SourceFile::Load("/dev/stdin", &problem->reason);
  if (!in) return nullptr;
  return std::make_shared<const source::SourceFile>(kStdinName, std::string(in->text()));
}

}  // namespace

auto RunCheck(const CheckOptions& options) -> int {
  if (options.format == "json" && !options.dump.empty()) {
    fmt::print(stderr,
               "atoll: error: --diagnostics=json and --dump both write to stdout; use one\n");
    return kExitUsage;
  }
  diag::Diagnostics diags;
  // The dumps of one file's front end read only that file.
  std::shared_ptr<const source::SourceFile> file;
  if (options.dump == "tokens" || options.dump == "ast") {
    FileProblem problem;
    file = LoadOne(options.file, &problem);
    if (!file) {
      std::fputs(problem.Message().c_str(), stderr);
      return kExitUsage;
    }
  }
  if (options.dump == "tokens") {
    lex::TokenBuffer tokens = layout::Layout(lex::Lex(file, diags), diags);
    std::string dump = lex::DumpTokens(tokens);
    std::fputs(dump.c_str(), stdout);
    return Finish(diags, options);
  }
  if (options.dump == "ast") {
    parse::Module module = parse::Parse(file, diags);
    std::string dump = parse::DumpModule(module);
    std::fputs(dump.c_str(), stdout);
    return Finish(diags, options);
  }
  FileProblem problem;
  std::optional<Program> program = LoadProgram(options.file, StandardLibraryDir(), diags, &problem);
  if (!program) {
    Finish(diags, options);
    std::fputs(problem.Message().c_str(), stderr);
    return kExitUsage;
  }
  // The checker runs only on modules that parsed cleanly.
  if (diags.has_errors()) return Finish(diags, options);
  auto checked =
      check::Check(program->Pointers(), diags, check::FindDiscipline(options.regions)->id);
  if (options.dump == "types" && !diags.has_errors()) {
    std::string dump = check::DumpTypes(*checked);
    std::fputs(dump.c_str(), stdout);
  }
  if (options.dump == "puts" && !diags.has_errors()) {
    std::string dump = check::DumpPuts(*checked);
    std::fputs(dump.c_str(), stdout);
  }
  return Finish(diags, options);
}

auto RunExplain(const std::string& code) -> int {
  const diag::KindInfo* info = diag::FindByCode(code);
  if (!info) {
    fmt::print(stderr,
               "atoll: error: unknown diagnostic code '{}' (codes look like E0101 or W0301)\n",
               diag::Printable(code));
    return kExitUsage;
  }
  fmt::print("{} ({}): {}\n\n{}\n", info->code, info->name, info->message, info->explanation);
  return 0;
}

}  // namespace atl::driver
