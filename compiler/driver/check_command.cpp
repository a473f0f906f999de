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
auto PrintDiagnostics(const diag::Diagnostics& diags, const CheckOptions& options) -> void {
  if (options.format == DiagnosticsFormat::Json) {
    std::string json = diags.RenderJson();
    std::fputs(json.c_str(), stdout);
  } else {
    std::string rendered = diags.RenderAll(UseColor(options.color));
    std::fputs(rendered.c_str(), stderr);
  }
}

auto Finish(const diag::Diagnostics& diags, const CheckOptions& options) -> CommandResult {
  PrintDiagnostics(diags, options);
  return diags.has_errors() ? kExitDiagnostics : kExitOk;
}

// One file for the front-end dumps; "-" is standard input.
auto LoadOne(const std::string& path) -> Result<std::shared_ptr<const source::SourceFile>> {
  std::string reason;
  if (path != "-") {
    if (auto file = source::SourceFile::Load(path, &reason)) return file;
    return CannotRead(path, reason);
  }
  auto in = source::SourceFile::Load("/dev/stdin", &reason);
  if (!in) return CannotRead(kStdinName, reason);
  return std::make_shared<const source::SourceFile>(kStdinName, std::string(in->text()));
}

}  // namespace

auto RunCheck(const CheckOptions& options) -> CommandResult {
  if (options.format == DiagnosticsFormat::Json && options.dump != CheckDump::None)
    return Failure::Usage("--diagnostics=json and --dump both write to stdout; use one");
  diag::Diagnostics diags;
  // The dumps of one file's front end read only that file.
  if (options.dump == CheckDump::Tokens || options.dump == CheckDump::Ast) {
    Result<std::shared_ptr<const source::SourceFile>> file = LoadOne(options.file);
    if (!file) return file.TakeFailure();
    std::string dump = options.dump == CheckDump::Tokens
                           ? lex::DumpTokens(layout::Layout(lex::Lex(*file, diags), diags))
                           : parse::DumpModule(parse::Parse(*file, diags));
    std::fputs(dump.c_str(), stdout);
    return Finish(diags, options);
  }
  Result<Program> program = LoadProgram(options.file, StandardLibraryDir(), diags);
  if (!program) {
    PrintDiagnostics(diags, options);
    return program.TakeFailure();
  }
  // The checker runs only on modules that parsed cleanly.
  if (diags.has_errors()) return Finish(diags, options);
  auto checked = check::Check(program->Pointers(), diags, options.regions);
  if (!diags.has_errors()) {
    std::string dump;
    if (options.dump == CheckDump::Types) dump = check::DumpTypes(*checked);
    if (options.dump == CheckDump::Puts) dump = check::DumpPuts(*checked);
    std::fputs(dump.c_str(), stdout);
  }
  return Finish(diags, options);
}

auto RunExplain(const std::string& code) -> CommandResult {
  const diag::KindInfo* info = diag::FindByCode(code);
  if (!info) {
    return Failure::Usage(fmt::format(
        "unknown diagnostic code '{}' (codes look like E0101 or W0301)", diag::Printable(code)));
  }
  fmt::print("{} ({}): {}\n\n{}\n", info->code, info->name, info->message, info->explanation);
  return kExitOk;
}

}  // namespace atl::driver
