// `--dump=core`: Core as indented text. Variables print as name.n (region
// variables as r.n), join labels as j.n, lambdas as λn:name, numbered in
// the order the dump first mentions them, so the text of a module does not
// depend on the Prelude or on other modules.
#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "compiler/core/core.h"
#include "compiler/core/util.h"

namespace atl::core {
namespace {

using parse::BinaryOp;

class Printer {
 public:
  explicit Printer(const Program& p) : p_(p) {}

  // Display numbers, assigned at first mention.
  static auto Number(std::map<int, int>& ids, int id) -> int {
    return ids.try_emplace(id, static_cast<int>(ids.size())).first->second;
  }
  auto Var(int v) const -> std::string {
    if (v < 0 || v >= static_cast<int>(p_.vars.size())) return fmt::format("?{}", v);
    return fmt::format("{}.{}", p_.vars[v].name, Number(var_ids_, v));
  }
  auto Label(int l) const -> std::string { return fmt::format("j.{}", Number(label_ids_, l)); }
  static auto Escape(const std::string& s) -> std::string {
    std::string out = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') out += '\\';
      if (ch == '\n') {
        out += "\\n";
        continue;
      }
      out += ch;
    }
    return out + "\"";
  }
  auto AtomText(const Atom& a) const -> std::string {
    switch (a.kind) {
      case AtomKind::Var:
        return Var(a.var);
      case AtomKind::Int:
        return std::to_string(a.int_value);
      case AtomKind::Char:
        return a.int_value >= 32 && a.int_value < 127
                   ? fmt::format("'{}'", static_cast<char>(a.int_value))
                   : fmt::format("'\\u{{{:x}}}'", a.int_value);
      case AtomKind::String:
        return Escape(a.string_value);
      case AtomKind::Float:
        return fmt::format("{}f", a.float_value);
      case AtomKind::Unit:
        return "()";
      case AtomKind::Bool:
        return a.int_value != 0 ? "True" : "False";
    }
    return "?";
  }
  auto Atoms(const std::vector<Atom>& xs, size_t from = 0) const -> std::string {
    std::string out;
    for (size_t i = from; i < xs.size(); ++i) out += (i > from ? ", " : "") + AtomText(xs[i]);
    return out;
  }
  auto Region(int r) const -> std::string { return r >= 0 ? " @" + Var(r) : ""; }
  auto LambdaName(int index) const -> std::string {
    if (index < 0 || index >= static_cast<int>(p_.lambdas.size()))
      return fmt::format("λ?{}", index);
    return fmt::format("λ{}:{}", Number(lambda_ids_, index), p_.lambdas[index].name);
  }
  auto ConName(int index) const -> std::string {
    if (index == kNilAlt) return "[]";
    if (index == kConsAlt) return "::";
    return p_.checked->constructors[index].name;
  }

  // Indentation stops growing past kMaxIndent levels, so the text of very
  // deeply nested code stays proportional to the code.
  static constexpr int kMaxIndent = 100;

  void Line(int indent, const std::string& text) {
    out_.append(static_cast<size_t>(std::min(indent, kMaxIndent)) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }

  // The rhs on one line; Region and Block open a nested body.
  void PrintRhs(const Rhs& r, int indent, const std::string& prefix) {
    switch (r.kind) {
      case RhsKind::Region:
        if (r.ancestor() > 0)
          Line(indent, prefix + fmt::format("in ancestor {} of {} as {} {{", r.ancestor(),
                                            Var(r.region), Var(r.bound_region())));
        else
          Line(indent,
               prefix + fmt::format("{} {} {{", r.prim == check::Builtin::RunIO ? "runIO" : "runST",
                                    Var(r.bound_region())));
        Later(nullptr, indent, "}");
        Later(r.body.get(), indent + 1);
        return;
      case RhsKind::Block:
        Line(indent, prefix + "block {");
        Later(nullptr, indent, "}");
        Later(r.body.get(), indent + 1);
        return;
      default:
        Line(indent, prefix + RhsText(r));
    }
  }

  // A put's send kind, as `[copy]`, `[donate]` or `[static]`.
  static auto SendText(const Rhs& r) -> std::string {
    if (check::PutArity(r.prim) == 0) return "";
    switch (r.send) {
      case check::SendKind::Static:
        return "[static]";
      case check::SendKind::Donate:
        return "[donate]";
      case check::SendKind::Copy:
        return "[copy]";
    }
    return "";
  }

  auto RhsText(const Rhs& r) const -> std::string {
    switch (r.kind) {
      case RhsKind::Atom:
        return AtomText(r.args.at(0));
      case RhsKind::CallGlobal:
        return fmt::format("call {}{}({}){}", p_.checked->functions[r.function()].name,
                           r.reverse_in_place ? "[in place]" : "", Atoms(r.args), Region(r.region));
      case RhsKind::CallLocal:
        return fmt::format("call {} {}({}){}", LambdaName(r.lambda()), Var(r.closure()),
                           Atoms(r.args), Region(r.region));
      case RhsKind::Apply:
        return fmt::format("apply {}({}){}", AtomText(r.args.at(0)), Atoms(r.args, 1),
                           Region(r.region));
      case RhsKind::Prim:
        return fmt::format("prim {}{}{}({}){}", check::BuiltinName(r.prim), SendText(r),
                           r.proved_index ? "[in bounds]" : "", Atoms(r.args), Region(r.region));
      case RhsKind::Construct:
        return r.args.empty() ? ConName(r.constructor())
                              : fmt::format("{}({})", ConName(r.constructor()), Atoms(r.args));
      case RhsKind::Nil:
        return "[]";
      case RhsKind::Cons:
        return fmt::format("{} :: {}", AtomText(r.args.at(0)), AtomText(r.args.at(1)));
      case RhsKind::Tuple:
        return fmt::format("({})", Atoms(r.args));
      case RhsKind::Record: {
        std::string fields;
        for (size_t i = 0; i < r.names.size(); ++i)
          fields += fmt::format("{}{} = {}", i > 0 ? ", " : "", r.names[i], AtomText(r.args[i]));
        return "{" + fields + "}";
      }
      case RhsKind::Project:
        return fmt::format("{}#{}", AtomText(r.args.at(0)), r.position());
      case RhsKind::Field:
        return fmt::format("{}.{}", AtomText(r.args.at(0)), r.names.at(0));
      case RhsKind::Update: {
        std::string fields;
        for (size_t i = 0; i < r.names.size(); ++i)
          fields +=
              fmt::format("{}{} = {}", i > 0 ? ", " : "", r.names[i], AtomText(r.args[i + 1]));
        return fmt::format("{{{} | {}}}", AtomText(r.args.at(0)), fields);
      }
      case RhsKind::Binary:
        return fmt::format("{} {} {}", AtomText(r.args.at(0)), parse::Spelling(r.op),
                           AtomText(r.args.at(1)));
      case RhsKind::Negate:
        return "-" + AtomText(r.args.at(0));
      case RhsKind::Closure: {
        std::string captures;
        for (int v : p_.lambdas[r.lambda()].captures)
          captures += (captures.empty() ? "" : ", ") + Var(v);
        return fmt::format("closure {} [{}]", LambdaName(r.lambda()), captures);
      }
      case RhsKind::GlobalValue:
        return "&" + p_.checked->functions[r.function()].name;
      case RhsKind::PrimValue:
        return fmt::format("&{}", check::BuiltinName(r.prim));
      case RhsKind::ConValue:
        return "&" + ConName(r.constructor());
      case RhsKind::OpValue:
        return fmt::format("({})", parse::Spelling(r.op));
      case RhsKind::Static: {
        std::string text = "static";
        if (file_ != nullptr && r.expr != nullptr && r.expr->span.end <= file_->text().size())
          text += " " + std::string(file_->text().substr(r.expr->span.begin,
                                                         r.expr->span.end - r.expr->span.begin));
        return text;
      }
      case RhsKind::Region:
      case RhsKind::Block:
        break;
    }
    return "?";
  }

  // What is left to print, last first: a body at an indentation, or a line
  // (when `expr` is null). An explicit stack: bodies can be long and deep.
  struct Task {
    const Expr* expr;
    int indent;
    std::string line;
  };
  void Later(const Expr* e, int indent, std::string line = {}) {
    tasks_.push_back(Task{e, indent, std::move(line)});
  }

  void PrintExpr(const Expr* body, int indent) {
    Later(body, indent);
    while (!tasks_.empty()) {
      Task t = std::move(tasks_.back());
      tasks_.pop_back();
      if (t.expr == nullptr) {
        Line(t.indent, t.line);
        continue;
      }
      const Expr* e = t.expr;
      switch (e->kind) {
        case ExprKind::Let:
          Later(e->next.get(), t.indent);
          PrintRhs(e->rhs, t.indent, "let " + Var(e->var) + " = ");
          break;
        case ExprKind::LetRec:
          for (size_t i = 0; i < e->vars.size(); ++i)
            Line(t.indent,
                 (i == 0 ? "letrec " : "       ") + Var(e->vars[i]) + " = " + RhsText(e->group[i]));
          Later(e->next.get(), t.indent);
          break;
        case ExprKind::Return:
          PrintRhs(e->rhs, t.indent, "return ");
          break;
        case ExprKind::If:
          Line(t.indent, "if " + AtomText(e->cond) + " then");
          Later(e->else_branch.get(), t.indent + 1);
          Later(nullptr, t.indent, "else");
          Later(e->then_branch.get(), t.indent + 1);
          break;
        case ExprKind::Switch:
          Line(t.indent, "switch " + AtomText(e->cond));
          if (e->else_branch != nullptr) {
            Later(e->else_branch.get(), t.indent + 2);
            Later(nullptr, t.indent + 1, "_ ->");
          }
          for (auto alt = e->alts.rbegin(); alt != e->alts.rend(); ++alt) {
            Later(alt->body.get(), t.indent + 2);
            Later(nullptr, t.indent + 1, ConName(alt->constructor) + " ->");
          }
          break;
        case ExprKind::Join: {
          std::string params;
          for (int v : e->vars) params += (params.empty() ? "" : ", ") + Var(v);
          Line(t.indent, fmt::format("{} {}({}) =", e->recursive ? "joinrec" : "join",
                                     Label(e->label), params));
          Later(e->next.get(), t.indent);
          Later(nullptr, t.indent, "in");
          Later(e->join_body.get(), t.indent + 1);
          break;
        }
        case ExprKind::Jump:
          Line(t.indent, fmt::format("jump {}({})", Label(e->label), Atoms(e->args)));
          break;
        case ExprKind::Fail:
          Line(t.indent, "fail " + Escape(e->message));
          break;
      }
    }
  }

  // Lambdas referenced by Closure rhs inside `body` (nested bodies included).
  void Collect(const Expr* body) {
    ForEachDirectRhs(*body, [&](const Rhs& r) {
      if ((r.kind == RhsKind::Closure || r.kind == RhsKind::CallLocal) &&
          seen_.insert(r.lambda()).second)
        pending_.insert(r.lambda());
    });
  }

  void Function(int index) {
    const check::Function& f = p_.checked->functions[index];
    const core::Function& fn = p_.functions[index];
    file_ = p_.checked->modules[f.module]->file.get();
    std::string params;
    for (int v : fn.params) params += (params.empty() ? "" : ", ") + Var(v);
    Line(0, fmt::format("{}({}){} =", f.name, params, Region(fn.region)));
    PrintExpr(fn.body.get(), 1);
    Collect(fn.body.get());
    Line(0, "");
  }

  void LambdaDef(int index) {
    const Lambda& l = p_.lambdas[index];
    file_ = l.file;
    std::string params;
    for (int v : l.params) params += (params.empty() ? "" : ", ") + Var(v);
    std::string captures;
    for (int v : l.captures) captures += (captures.empty() ? "" : ", ") + Var(v);
    Line(0, fmt::format("{} self {} [{}]({}){} =", LambdaName(index), Var(l.self), captures, params,
                        Region(l.region)));
    PrintExpr(l.body.get(), 1);
    Collect(l.body.get());
    Line(0, "");
  }

  auto Run(bool all) -> std::string {
    const int main_module = static_cast<int>(p_.checked->modules.size()) - 1;
    for (size_t i = 0; i < p_.functions.size(); ++i)
      if (all || p_.checked->functions[i].module == main_module) Function(static_cast<int>(i));
    // Lambdas in order of index, each once.
    while (!pending_.empty()) {
      const int l = *pending_.begin();
      pending_.erase(pending_.begin());
      if (l >= 0 && l < static_cast<int>(p_.lambdas.size()) && p_.lambdas[l].body) LambdaDef(l);
    }
    return out_;
  }

 private:
  const Program& p_;
  const source::SourceFile* file_ = nullptr;
  std::set<int> pending_;  // mentioned, not printed yet
  std::set<int> seen_;     // mentioned
  std::string out_;
  std::vector<Task> tasks_;
  mutable std::map<int, int> var_ids_, label_ids_, lambda_ids_;
};

}  // namespace

auto Dump(const Program& program, bool all) -> std::string { return Printer(program).Run(all); }

}  // namespace atl::core
