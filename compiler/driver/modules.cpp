#include "compiler/driver/modules.h"

#include <fmt/core.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <map>

#include "compiler/driver/install.h"
#include "compiler/parse/parse.h"
#include "compiler/source/source_file.h"

namespace atl::driver {
namespace {

auto Join(const std::string& dir, const std::string& file) -> std::string {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, file);
  return std::string(p.str());
}

auto Canonical(const std::string& path) -> std::string {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real)) return path;
  return std::string(real.str());
}

// Depth-first loading; `state` marks modules in progress (cycle detection).
class Loader {
 public:
  // `root_dir` is the main module's folder: `import Data.A` inside
  // Data/B.atl finds Data/A.atl there (a dotted name is a path from the
  // program's root as well as from the importing file's folder).
  Loader(std::string root_dir, std::string lib_dir, diag::Diagnostics& diags)
      : root_dir_(std::move(root_dir)), lib_dir_(std::move(lib_dir)), diags_(diags) {}

  // Loads the file at `path` (already known to exist) and its imports;
  // returns false when it or one of its imports cannot be read (the first
  // such file is in problem()).
  // `preloaded` is the file's text when the caller read it already (the
  // main file, which may be a pipe and so can be read only once).
  auto Load(const std::string& path, const std::string& as_name,
            std::shared_ptr<const source::SourceFile> preloaded = nullptr) -> bool {
    const std::string key = Canonical(path);
    if (auto it = state_.find(key); it != state_.end()) return true;
    std::string error;
    auto file = preloaded ? std::move(preloaded) : source::SourceFile::Load(path, &error);
    if (!file) {
      if (!problem_) problem_ = CannotRead(path, error);
      return false;
    }
    state_[key] = State::InProgress;
    const uint32_t errors_before = diags_.error_count();
    auto module = std::make_unique<parse::Module>(parse::Parse(file, diags_, base_));
    // After a syntax error the import list may be wrong; the checker will
    // not run anyway.
    const bool parsed = diags_.error_count() == errors_before;
    base_ = {module->expr_count, module->pattern_count, module->type_count, module->decl_count,
             module->stmt_count};
    if (!as_name.empty()) {
      if (module->name.text.empty()) {
        module->name.text = as_name;
      } else if (module->name.text != as_name) {
        diags_.Report(diag::Kind::ModuleNameMismatch, *file, module->name.span,
                      fmt::format("this file is imported as `{}` but declares `module {}`", as_name,
                                  module->name.text));
      }
    }
    const std::string dir = std::string(llvm::sys::path::parent_path(path));
    for (const parse::Import& import : module->imports) {
      if (!parsed) break;
      std::string relative = import.module.text;
      for (char& c : relative)
        if (c == '.') c = '/';
      relative += ".atl";
      std::string found;
      std::vector<std::string> searched;
      for (const std::string& d : {dir.empty() ? std::string(".") : dir, root_dir_, lib_dir_}) {
        if (d.empty() || std::find(searched.begin(), searched.end(), d) != searched.end()) continue;
        searched.push_back(d);
        if (const std::string candidate = Join(d, relative);
            llvm::sys::fs::is_regular_file(candidate)) {
          found = candidate;
          break;
        }
      }
      if (found.empty()) {
        std::string where;
        for (size_t i = 0; i < searched.size(); ++i)
          where += fmt::format("{}`{}`", i == 0 ? "" : (i + 1 == searched.size() ? " and " : ", "),
                               searched[i]);
        diags_.Report(diag::Kind::UnknownModule, *file, import.module.span,
                      fmt::format("cannot find module `{}`: looked for `{}` in {}",
                                  import.module.text, relative, where));
        continue;
      }
      if (auto it = state_.find(Canonical(found));
          it != state_.end() && it->second == State::InProgress) {
        diags_.Report(
            diag::Kind::ImportCycle, *file, import.module.span,
            fmt::format(
                "importing `{}` here makes a cycle: it imports this module back, directly or "
                "through others",
                import.module.text));
        continue;
      }
      if (!Load(found, import.module.text)) return false;
    }
    state_[key] = State::Done;
    program_.modules.push_back(std::move(module));
    return true;
  }

  auto Take() -> Program { return std::move(program_); }
  auto problem() const -> const std::optional<Failure>& { return problem_; }

 private:
  enum class State { InProgress, Done };
  std::string root_dir_;
  std::string lib_dir_;
  diag::Diagnostics& diags_;
  std::map<std::string, State> state_;
  parse::IdBase base_;
  Program program_;
  std::optional<Failure> problem_;
};

}  // namespace

auto Program::Pointers() const -> std::vector<const parse::Module*> {
  std::vector<const parse::Module*> out;
  for (const auto& m : modules) out.push_back(m.get());
  return out;
}

auto CannotRead(const std::string& path, const std::string& reason) -> Failure {
  return Failure::Usage(fmt::format("cannot read '{}': {}", diag::Printable(path), reason));
}

auto LoadProgram(const std::string& path, const std::string& lib_dir, diag::Diagnostics& diags,
                 std::shared_ptr<const source::SourceFile> main_file) -> Result<Program> {
  const std::string root(llvm::sys::path::parent_path(path));
  Loader loader(root.empty() ? "." : root, lib_dir, diags);
  // The main file first, so that its problem is the one reported; it is
  // read once (it may be a pipe).
  std::string error;
  if (!main_file && path == "-") {
    if (auto in = source::SourceFile::Load("/dev/stdin", &error))
      main_file = std::make_shared<const source::SourceFile>(kStdinName, std::string(in->text()));
  } else if (!main_file) {
    main_file = source::SourceFile::Load(path, &error);
  }
  if (!main_file) return CannotRead(path == "-" ? std::string(kStdinName) : path, error);
  if (!lib_dir.empty()) {
    const std::string prelude = Join(lib_dir, "Prelude.atl");
    if (llvm::sys::fs::is_regular_file(prelude) && Canonical(prelude) != Canonical(path) &&
        !loader.Load(prelude, "Prelude"))
      return *loader.problem();
  }
  if (!loader.Load(path, "", std::move(main_file))) return *loader.problem();
  Program program = loader.Take();
  // The main module last, even if an import cycle led back to it.
  for (size_t i = 0; i + 1 < program.modules.size(); ++i) {
    if (Canonical(program.modules[i]->file->path()) == Canonical(path)) {
      std::swap(program.modules[i], program.modules.back());
      break;
    }
  }
  return program;
}

auto StandardLibraryDir() -> std::string {
  const Install install = LocateInstall();
  return llvm::sys::fs::is_directory(install.lib_dir) ? install.lib_dir : "";
}

}  // namespace atl::driver
