// `atoll check` and `atoll explain`.
//
// check: load -> lex -> layout -> parse (front end), then the module loader
// and the checker over the whole program. The lowering gate does not run
// here: `atoll check` accepts the whole language.
// Exit codes: 0 no errors, 1 diagnostics with at least one error, 2 usage or IO error.
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

auto Finish(const diag::Diagnostics& diags) -> int {
  std::string rendered = diags.RenderAll();
  std::fputs(rendered.c_str(), stderr);
  return diags.has_errors() ? 1 : 0;
}

}  // namespace

auto RunCheck(const CheckOptions& options) -> int {
  std::string error;
  auto file = source::SourceFile::Load(options.file, &error);
  if (!file) {
    fmt::print(stderr, "atoll: error: cannot read `{}`: {}\n", options.file, error);
    return 2;
  }
  diag::Diagnostics diags;
  if (options.dump == "tokens") {
    lex::TokenBuffer tokens = layout::Layout(lex::Lex(file, diags), diags);
    std::string dump = lex::DumpTokens(tokens);
    std::fputs(dump.c_str(), stdout);
    return Finish(diags);
  }
  if (options.dump == "ast") {
    parse::Module module = parse::Parse(file, diags);
    std::string dump = parse::DumpModule(module);
    std::fputs(dump.c_str(), stdout);
    return Finish(diags);
  }
  std::optional<Program> program = LoadProgram(options.file, StandardLibraryDir(), diags);
  if (!program) {
    Finish(diags);
    return 2;
  }
  // The checker runs only on modules that parsed cleanly.
  if (diags.has_errors()) return Finish(diags);
  auto checked = check::Check(program->Pointers(), diags);
  if (options.dump == "types" && !diags.has_errors()) {
    std::string dump = check::DumpTypes(*checked);
    std::fputs(dump.c_str(), stdout);
  }
  if (options.dump == "puts" && !diags.has_errors()) {
    std::string dump = check::DumpPuts(*checked);
    std::fputs(dump.c_str(), stdout);
  }
  return Finish(diags);
}

auto RunExplain(const std::string& code) -> int {
  const diag::KindInfo* info = diag::FindByCode(code);
  if (!info) {
    fmt::print(stderr, "atoll explain: unknown diagnostic code `{}`\n", code);
    return 2;
  }
  fmt::print("{} ({}): {}\n\n{}\n", info->code, info->name, info->message, info->explanation);
  return 0;
}

}  // namespace atl::driver
