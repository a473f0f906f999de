// `atoll lsp`: a minimal language server over standard input and output
// (docs/cli.md, "Editors"). Documents are synchronised whole; on every open
// and change the document is checked as `atoll check` would check it (its
// imports from its directory and the standard library) and its diagnostics
// are published. Hover shows the inferred type of the expression under the
// cursor (of a definition at its name); go to definition follows a variable
// to where it is bound, in any module of the program.
//
// Invariant: nothing but protocol messages is written to stdout.
#include <fmt/core.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "compiler/check/check.h"
#include "compiler/check/walk.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/lsp_protocol.h"
#include "compiler/driver/modules.h"

namespace atl::driver {
namespace {

using json = nlohmann::json;
using lsp::Position;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kServerNotInitialized = -32002;

// The exit statuses the protocol asks for.
constexpr int kExitAfterShutdown = 0;
constexpr int kExitWithoutShutdown = 1;

// One open document and what the last check of it found. `program` owns the
// modules `checked` points into; `checked` is null when the program did not
// parse (then hover and definition have nothing to say).
struct Document {
  std::string uri;
  std::string path;
  std::string text;
  std::optional<Program> program;
  std::unique_ptr<check::CheckedModule> checked;
  std::unique_ptr<diag::Diagnostics> diags;
};

auto Contains(source::Span span, uint32_t offset) -> bool {
  return span.begin <= offset && offset < span.end;
}

auto RangeJson(std::string_view text, source::Span span) -> json {
  const Position start = lsp::PositionOf(text, span.begin);
  const Position end = lsp::PositionOf(text, span.end > span.begin ? span.end : span.begin);
  return {{"start", {{"line", start.line}, {"character", start.character}}},
          {"end", {{"line", end.line}, {"character", end.character}}}};
}

class Server {
 public:
  // Serves until `exit`; the exit status the protocol asks for (0 after a
  // shutdown request, else 1).
  auto Run() -> int {
    while (std::optional<std::string> body = lsp::ReadMessage(stdin)) {
      json message = json::parse(*body, nullptr, false);
      if (message.is_discarded() || !message.is_object()) {
        Error(nullptr, kParseError, "the message is not a JSON object");
        continue;
      }
      const json id = message.contains("id") ? message["id"] : json();
      if (!message.contains("method") || !message["method"].is_string()) {
        // A response (to a request of ours: we send none) needs no answer.
        const bool response = message.contains("result") || message.contains("error");
        if (!id.is_null() && !response) Error(id, kInvalidRequest, "a request needs a method");
        continue;
      }
      const std::string method = message["method"];
      const json params = message.value("params", json::object());
      if (method == "exit") return shutdown_ ? kExitAfterShutdown : kExitWithoutShutdown;
      try {
        Dispatch(method, id, params);
      } catch (const json::exception& e) {
        if (!id.is_null()) Error(id, kInvalidParams, fmt::format("bad parameters: {}", e.what()));
      }
    }
    // The input ended without `exit`.
    return shutdown_ ? kExitAfterShutdown : kExitWithoutShutdown;
  }

 private:
  void Dispatch(const std::string& method, const json& id, const json& params) {
    if (method == "initialize") {
      initialized_ = true;
      Reply(id, {{"capabilities",
                  {{"textDocumentSync", {{"openClose", true}, {"change", 1}}},
                   {"hoverProvider", true},
                   {"definitionProvider", true}}},
                 {"serverInfo", {{"name", "atoll"}, {"version", ATOLL_VERSION}}}});
      return;
    }
    if (!initialized_) {
      if (!id.is_null()) Error(id, kServerNotInitialized, "initialize first");
      return;
    }
    if (method == "shutdown") {
      shutdown_ = true;
      Reply(id, nullptr);
    } else if (method == "textDocument/didOpen") {
      const json& doc = params.at("textDocument");
      Update(doc.at("uri").get<std::string>(), doc.at("text").get<std::string>());
    } else if (method == "textDocument/didChange") {
      // Full synchronisation (textDocumentSync.change = 1): the last change
      // holds the whole text.
      const json& changes = params.at("contentChanges");
      if (!changes.empty())
        Update(params.at("textDocument").at("uri").get<std::string>(),
               changes.back().at("text").get<std::string>());
    } else if (method == "textDocument/didClose") {
      const std::string uri = params.at("textDocument").at("uri");
      documents_.erase(uri);
      Notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    } else if (method == "textDocument/hover") {
      Reply(id, Hover(params));
    } else if (method == "textDocument/definition") {
      Reply(id, Definition(params));
    } else if (!id.is_null()) {
      Error(id, kMethodNotFound, fmt::format("atoll lsp does not implement {}", method));
    }
    // Other notifications ($/cancelRequest, initialized, ...) need nothing.
  }

  void Update(const std::string& uri, std::string text) {
    auto doc = std::make_unique<Document>();
    doc->uri = uri;
    doc->path = lsp::PathOfUri(uri);
    doc->text = std::move(text);
    doc->diags = std::make_unique<diag::Diagnostics>();
    auto file = std::make_shared<const source::SourceFile>(doc->path, doc->text);
    Result<Program> loaded = LoadProgram(doc->path, StandardLibraryDir(), *doc->diags, file);
    std::string file_problem;
    if (loaded) {
      doc->program = std::move(*loaded);
    } else {
      file_problem = loaded.TakeFailure().message;
    }
    if (doc->program && !doc->diags->has_errors())
      doc->checked = check::Check(doc->program->Pointers(), *doc->diags);
    Publish(*doc, file_problem);
    documents_[uri] = std::move(doc);
  }

  void Publish(const Document& doc, const std::string& file_problem) {
    json list = json::array();
    if (!file_problem.empty()) {
      // A file of the program (an import, the Prelude) cannot be read.
      list.push_back({{"range", RangeJson(doc.text, {0, 0})},
                      {"severity", 1},
                      {"source", "atoll"},
                      {"message", file_problem}});
    }
    for (const diag::Diagnostic* d : doc.diags->Sorted()) {
      std::string message = d->message;
      json related = json::array();
      for (const diag::Note& note : d->notes) {
        if (!note.has_location) {
          message += "\nnote: " + note.message;
          continue;
        }
        related.push_back(
            {{"location", LocationJson(doc, note.location)}, {"message", note.message}});
      }
      for (const diag::Fix& fix : d->fixes) message += "\nhelp: " + fix.message;
      json range = RangeJson(doc.text, {0, 0});
      if (d->has_location && d->location.path == doc.path) {
        range = RangeJson(doc.text, d->location.span);
      } else if (d->has_location) {
        // In another module of the program: shown at the top of this one.
        message = fmt::format("{}:{}:{}: {}", d->location.path, d->location.start.line,
                              d->location.start.column, message);
      }
      json item = {{"range", range},
                   {"severity", d->severity == diag::Severity::Error ? 1 : 2},
                   {"code", std::string(d->code())},
                   {"source", "atoll"},
                   {"message", message}};
      if (!related.empty()) item["relatedInformation"] = related;
      list.push_back(item);
    }
    Notify("textDocument/publishDiagnostics", {{"uri", doc.uri}, {"diagnostics", list}});
  }

  // A note's place, in whichever file of `doc`'s program it is.
  static auto LocationJson(const Document& doc, const diag::Location& location) -> json {
    return {{"uri", location.path == doc.path ? doc.uri : lsp::UriOfPath(location.path)},
            {"range", RangeJson(TextOf(doc, location.path), location.span)}};
  }

  static auto TextOf(const Document& doc, const std::string& path) -> std::string_view {
    if (path == doc.path) return doc.text;
    if (doc.program)
      for (const auto& m : doc.program->modules)
        if (m->file->path() == path) return m->file->text();
    return {};
  }

  // The document and byte offset a textDocument/position request is about.
  auto At(const json& params) -> std::pair<const Document*, uint32_t> {
    auto it = documents_.find(params.at("textDocument").at("uri").get<std::string>());
    if (it == documents_.end() || !it->second->checked) return {nullptr, 0};
    const json& p = params.at("position");
    const Document& doc = *it->second;
    return {&doc, lsp::OffsetOf(doc.text, Position{p.at("line").get<uint32_t>(),
                                                   p.at("character").get<uint32_t>()})};
  }

  // The smallest expression of the main module around `offset` that has a type.
  static auto ExprAt(const Document& doc, uint32_t offset) -> const parse::Expr* {
    const parse::Expr* best = nullptr;
    auto visit = [&](const parse::Expr* e) {
      if (!Contains(e->span, offset) || e->id >= doc.checked->expr_types.size() ||
          doc.checked->expr_types[e->id] == nullptr)
        return;
      if (best == nullptr || e->span.size() <= best->span.size()) best = e;
    };
    for (const parse::Decl* d : doc.program->Main().decls) {
      if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) {
        for (const parse::Clause& c : v->clauses) check::ForEachExpr(c.body, visit);
      } else if (const auto* p = parse::DynCast<parse::PatternBindDecl>(d)) {
        check::ForEachExpr(p->body, visit);
      }
    }
    return best;
  }

  // A local variable of the main module whose binding (a variable pattern,
  // a let name) is at `offset`, or -1.
  static auto LocalAt(const Document& doc, uint32_t offset) -> int {
    const check::CheckedModule& checked = *doc.checked;
    const int main_module = static_cast<int>(checked.modules.size()) - 1;
    for (size_t i = 0; i < checked.local_spans.size() && i < checked.local_types.size(); ++i)
      if (checked.local_modules[i] == main_module && Contains(checked.local_spans[i], offset))
        return static_cast<int>(i);
    return -1;
  }

  // A top-level function of the main module whose name (in its definition
  // or its signature) is at `offset`.
  static auto FunctionAt(const Document& doc, uint32_t offset) -> const check::Function* {
    const std::string_view text = doc.text;
    for (const parse::Decl* d : doc.program->Main().decls) {
      source::Span name;
      if (const auto* v = parse::DynCast<parse::ValueDecl>(d)) name = v->name.span;
      if (const auto* s = parse::DynCast<parse::SignatureDecl>(d)) name = s->name.span;
      if (!Contains(name, offset)) continue;
      const std::string_view word = text.substr(name.begin, name.size());
      const int main_module = static_cast<int>(doc.checked->modules.size()) - 1;
      for (const check::Function& f : doc.checked->functions)
        if (f.module == main_module && f.name == word) return &f;
    }
    return nullptr;
  }

  auto Hover(const json& params) -> json {
    auto [doc, offset] = At(params);
    if (doc == nullptr) return nullptr;
    std::string shown;
    source::Span span;
    check::TypePrinter printer;
    if (const check::Function* f = FunctionAt(*doc, offset)) {
      shown = fmt::format("{} : {}", f->name, printer.Print(f->type));
      span = f->decl->name.span;
    } else if (const int local = LocalAt(*doc, offset); local >= 0) {
      const check::CheckedModule& checked = *doc->checked;
      span = checked.local_spans[local];
      const std::string_view text = doc->text;
      shown = fmt::format("{} : {}", text.substr(span.begin, span.size()),
                          printer.Print(checked.local_types[local]));
    } else if (const parse::Expr* e = ExprAt(*doc, offset)) {
      check::Type* type = doc->checked->expr_types[e->id];
      if (const auto* v = parse::DynCast<parse::VarExpr>(e)) {
        shown = fmt::format("{}{} : {}", v->qualifier.empty() ? "" : v->qualifier + ".", v->name,
                            printer.Print(type));
      } else {
        shown = printer.Print(type);
      }
      span = e->span;
    } else {
      return nullptr;
    }
    return {{"contents", {{"kind", "markdown"}, {"value", "```atoll\n" + shown + "\n```"}}},
            {"range", RangeJson(doc->text, span)}};
  }

  auto Definition(const json& params) -> json {
    auto [doc, offset] = At(params);
    if (doc == nullptr) return nullptr;
    const parse::Expr* e = ExprAt(*doc, offset);
    const auto* v = e != nullptr ? parse::DynCast<parse::VarExpr>(e) : nullptr;
    if (v == nullptr) return nullptr;
    const check::CheckedModule& checked = *doc->checked;
    const check::Ref ref = checked.refs[v->id];
    int module = -1;
    source::Span span;
    if (ref.kind == check::RefKind::Local && ref.index >= 0 &&
        static_cast<size_t>(ref.index) < checked.local_spans.size()) {
      module = checked.local_modules[ref.index];
      span = checked.local_spans[ref.index];
    } else if (ref.kind == check::RefKind::Global) {
      const check::Function& f = checked.functions[ref.index];
      module = f.module;
      span = f.decl->name.span;
    } else {
      return nullptr;  // a primitive or a constructor: no source to go to
    }
    const source::SourceFile& file = *checked.modules[module]->file;
    const bool main = module == static_cast<int>(checked.modules.size()) - 1;
    return {{"uri", main ? doc->uri : lsp::UriOfPath(file.path())},
            {"range", RangeJson(main ? std::string_view(doc->text) : file.text(), span)}};
  }

  void Send(const json& message) { lsp::WriteMessage(stdout, message.dump()); }
  void Reply(const json& id, const json& result) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
  }
  void Error(const json& id, int code, const std::string& message) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void Notify(const std::string& method, const json& params) {
    Send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }

  bool initialized_ = false;
  bool shutdown_ = false;
  std::map<std::string, std::unique_ptr<Document>> documents_;
};

}  // namespace

auto RunLsp() -> int { return Server().Run(); }

}  // namespace atl::driver
