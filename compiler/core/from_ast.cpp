// The checked AST to Core: A-normal form, explicit closures and region
// tokens, pattern matching compiled to decision trees. See README.md for
// the translation scheme.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "compiler/core/core.h"
#include "compiler/core/util.h"

namespace atl::core {
namespace {

using parse::BinaryOp;
using parse::Cast;
using AstKind = parse::ExprKind;
using parse::PatternKind;

enum class Mode { Value, Run };

auto MakeExpr(ExprKind kind, source::Span span) -> std::unique_ptr<Expr> {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

auto MakeRhs(RhsKind kind, source::Span span) -> Rhs {
  Rhs r;
  r.kind = kind;
  r.span = span;
  return r;
}

auto IsEffect(check::Type* t) -> bool {
  return t != nullptr && check::IsCon(check::Resolve(t), "Effect");
}

class Translator {
 public:
  Translator(const check::CheckedModule& checked, Program& program) : c_(checked), p_(program) {
    local_var_.assign(c_.local_count, -1);
    for (const check::PutSite& site : c_.put_sites) send_kinds_[site.expr_id] = site.kind;
  }

  void Run() {
    p_.functions.resize(c_.functions.size());
    for (size_t i = 0; i < c_.functions.size(); ++i) DefineFunction(static_cast<int>(i));
  }

 private:
  // ---- Building chains: `hole_` is where the next expression goes.
  void Emit(std::unique_ptr<Expr> e, std::unique_ptr<Expr>* next) {
    *hole_ = std::move(e);
    hole_ = next;
  }
  // Whether a variable is the compiler's own (a pattern that binds it may
  // give it the pattern's name) is said where it is made, never read from
  // its name: a user's `f` is the user's.
  enum class Origin : uint8_t { Source, Made };
  auto Bind(Rhs rhs, const std::string& name, check::Type* type, Origin origin = Origin::Source) -> int {
    const int v = p_.NewVar(name, type);
    if (origin == Origin::Made) synthetic_.insert(v);
    auto e = MakeExpr(core::ExprKind::Let, rhs.span);
    e->var = v;
    e->rhs = std::move(rhs);
    Expr* raw = e.get();
    Emit(std::move(e), &raw->next);
    return v;
  }
  // The rhs as an atom: itself when it is one, else a fresh variable bound to it.
  auto Atomize(Rhs rhs, check::Type* type) -> Atom {
    if (rhs.kind == RhsKind::Atom) return rhs.args[0];
    return Atom::Variable(Bind(std::move(rhs), "t", type, Origin::Made));
  }
  auto AtomOf(const parse::Expr* e) -> Atom { return Atomize(Value(e), TypeOf(e)); }
  void Finish(std::unique_ptr<Expr> e) {
    *hole_ = std::move(e);
    last_slot_ = hole_;
    hole_ = nullptr;
  }
  void Return(Rhs rhs) {
    auto e = MakeExpr(core::ExprKind::Return, rhs.span);
    e->rhs = std::move(rhs);
    Finish(std::move(e));
  }
  auto AtomRhs(Atom a, source::Span span) -> Rhs {
    Rhs r = MakeRhs(RhsKind::Atom, span);
    r.args.push_back(std::move(a));
    return r;
  }

  auto TypeOf(const parse::Expr* e) -> check::Type* {
    check::Type* t = e->id < c_.expr_types.size() ? c_.expr_types[e->id] : nullptr;
    return t != nullptr ? check::Resolve(t) : nullptr;
  }
  auto PatternType(const parse::Pattern* p) -> check::Type* {
    check::Type* t = p->id < c_.pattern_types.size() ? c_.pattern_types[p->id] : nullptr;
    return t != nullptr ? check::Resolve(t) : nullptr;
  }

  // ---- Functions.
  void DefineFunction(int index) {
    const check::Function& f = c_.functions[index];
    Function& out = p_.functions[index];
    file_ = c_.modules[f.module]->file.get();
    auto [param_types, result] = check::SplitFun(f.type, f.arity);
    for (int i = 0; i < f.arity; ++i) {
      check::Type* type =
          i < static_cast<int>(param_types.size()) ? check::Resolve(param_types[i]) : nullptr;
      out.params.push_back(p_.NewVar("x" + std::to_string(i), type));
      synthetic_.insert(out.params.back());
    }
    region_ = f.effect ? p_.NewRegion() : -1;
    out.region = region_;
    std::vector<check::ClauseView> clauses;
    for (const parse::Clause& clause : f.decl->clauses)
      clauses.push_back(check::ClauseView{&clause.params, clause.body});
    hole_ = &out.body;
    std::vector<Atom> args;
    for (int v : out.params) args.push_back(Atom::Variable(v));
    Clauses(clauses, args, f.effect ? Mode::Run : Mode::Value,
            "no clause of `" + f.name + "` matches its arguments", f.decl->name.span);
  }

  // Clauses tried in order, compiled to a decision tree (MatchTree below):
  // every test is made at most once on any path. A clause reached from one
  // leaf of the tree is placed at that leaf; one reached from several is a
  // join point whose parameters are its pattern variables.
  void Clauses(const std::vector<check::ClauseView>& clauses, const std::vector<Atom>& args,
               Mode mode, const std::string& no_match, source::Span span) {
    std::vector<Row> rows;
    std::vector<Occurrence> occurrences;
    fail_message_ = no_match;
    fail_span_ = span;
    if (clauses.empty()) {  // an empty case
      FailLeaf();
      return;
    }
    for (size_t i = 0; i < args.size(); ++i) {
      const parse::Pattern* first = (*clauses.front().params)[i];
      occurrences.push_back(Occurrence{args[i], PatternType(first)});
    }
    for (size_t c = 0; c < clauses.size(); ++c) {
      Row row;
      row.clause = static_cast<int>(c);
      for (const parse::Pattern* p : *clauses[c].params) row.pats.push_back(ToPat(p));
      rows.push_back(std::move(row));
    }
    leaves_.assign(clauses.size(), {});
    std::unique_ptr<Expr>* saved = hole_;
    std::unique_ptr<Expr> tree;
    hole_ = &tree;
    MatchTree(occurrences, std::move(rows));
    hole_ = saved;
    std::vector<std::vector<Leaf>> leaves = std::move(leaves_);
    // Clauses reached from several leaves become join points around the tree.
    std::vector<Expr*> joins(clauses.size(), nullptr);
    for (size_t c = 0; c < clauses.size(); ++c) {
      if (leaves[c].size() < 2) continue;
      auto join = MakeExpr(core::ExprKind::Join, clauses[c].body->span);
      join->label = p_.labels++;
      for (const auto& binding : leaves[c].front().bindings)
        join->vars.push_back(p_.NewVar(LocalName(binding.first), LocalType(binding.first)));
      // Each leaf passes the values of the clause's variables, in one order.
      for (const Leaf& leaf : leaves[c]) {
        Expr& jump = **leaf.slot;
        jump.label = join->label;
        for (const auto& binding : leaves[c].front().bindings)
          for (const auto& [local, atom] : leaf.bindings)
            if (local == binding.first) jump.args.push_back(atom);
      }
      joins[c] = join.get();
      Expr* raw = join.get();
      Emit(std::move(join), &raw->next);
    }
    // A tree that is a single leaf moves with it.
    for (std::vector<Leaf>& clause_leaves : leaves)
      for (Leaf& leaf : clause_leaves)
        if (leaf.slot == &tree) leaf.slot = hole_;
    *hole_ = std::move(tree);
    hole_ = nullptr;
    for (size_t c = 0; c < clauses.size(); ++c) {
      if (leaves[c].empty()) continue;  // unreachable (the checker warned)
      if (joins[c] != nullptr) {
        for (size_t k = 0; k < leaves[c].front().bindings.size(); ++k)
          local_var_[leaves[c].front().bindings[k].first] = joins[c]->vars[k];
        hole_ = &joins[c]->join_body;
      } else {
        const Leaf& leaf = leaves[c].front();
        hole_ = leaf.slot;
        hole_->reset();
        for (const auto& [local, atom] : leaf.bindings) BindLocal(local, atom);
      }
      Tail(clauses[c].body, mode);
    }
    hole_ = nullptr;
  }

  // ---- The match compiler. A row is one clause's remaining patterns over
  // the occurrences (atoms) still to test; columns are consumed by
  // specialising on the constructor or literal at the head of the first
  // column row 0 tests.
  struct Pat {
    enum Kind { Any, Con, Lit } kind = Any;
    int local = -1;  // Any: the local it binds, or -1
    int con = 0;     // Con: a constructor index, or one of the kPat* below
    std::vector<Pat> args;
    std::vector<std::string> fields;  // Con kRecord: field names of args
    parse::Literal literal;           // Lit
    check::Type* type = nullptr;
    source::Span span;
  };
  static constexpr int kPatNil = kNilAlt, kPatCons = kConsAlt, kPatTrue = -3, kPatFalse = -4,
                       kPatTuple = -5, kPatRecord = -6;
  struct Occurrence {
    Atom atom;
    check::Type* type;
  };
  struct Row {
    std::vector<Pat> pats;
    int clause = 0;
    std::vector<std::pair<int, Atom>> bindings;  // local -> the value it names
  };
  struct Leaf {
    std::unique_ptr<Expr>* slot;  // the Jump standing for the clause body
    std::vector<std::pair<int, Atom>> bindings;
  };

  auto ToPat(const parse::Pattern* p) -> Pat {
    Pat out;
    out.type = PatternType(p);
    out.span = p->span;
    switch (p->kind) {
      case PatternKind::Var:
        out.local = c_.pattern_locals[p->id];
        if (out.local >= 0) locals_[out.local] = {Cast<parse::VarPattern>(p)->name, out.type};
        return out;
      case PatternKind::Wildcard:
      case PatternKind::Unit:
      case PatternKind::Error:
        return out;
      case PatternKind::Annot: {
        Pat inner = ToPat(Cast<parse::AnnotPattern>(p)->pattern);
        if (inner.type == nullptr) inner.type = out.type;
        return inner;
      }
      case PatternKind::Literal:
        out.kind = Pat::Lit;
        out.literal = Cast<parse::LiteralPattern>(p)->literal;
        return out;
      case PatternKind::Con: {
        const auto* con = Cast<parse::ConPattern>(p);
        out.kind = Pat::Con;
        out.con = c_.pattern_constructors[p->id];
        if (out.con < 0)
          out.con = con->name.text == "Nil"    ? kPatNil
                    : con->name.text == "True" ? kPatTrue
                                               : kPatFalse;
        for (const parse::Pattern* a : con->args) out.args.push_back(ToPat(a));
        return out;
      }
      case PatternKind::Tuple:
        out.kind = Pat::Con;
        out.con = kPatTuple;
        for (const parse::Pattern* e : Cast<parse::TuplePattern>(p)->elements)
          out.args.push_back(ToPat(e));
        return out;
      case PatternKind::Record:
        out.kind = Pat::Con;
        out.con = kPatRecord;
        for (const parse::FieldPattern& f : Cast<parse::RecordPattern>(p)->fields) {
          out.fields.push_back(f.name.text);
          out.args.push_back(ToPat(f.pattern));
        }
        return out;
      case PatternKind::List: {
        // [p1, ..., pn] is p1 :: ... :: pn :: [].
        const auto& elements = Cast<parse::ListPattern>(p)->elements;
        Pat list;
        list.kind = Pat::Con;
        list.con = kPatNil;
        list.type = out.type;
        list.span = p->span;
        for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
          Pat cell;
          cell.kind = Pat::Con;
          cell.con = kPatCons;
          cell.type = out.type;
          cell.span = (*it)->span;
          cell.args.push_back(ToPat(*it));
          cell.args.push_back(std::move(list));
          list = std::move(cell);
        }
        return list;
      }
      case PatternKind::Cons: {
        const auto* cons = Cast<parse::ConsPattern>(p);
        out.kind = Pat::Con;
        out.con = kPatCons;
        out.args.push_back(ToPat(cons->head));
        out.args.push_back(ToPat(cons->tail));
        return out;
      }
    }
    return out;
  }

  void FailLeaf() {
    auto fail = MakeExpr(core::ExprKind::Fail, fail_span_);
    fail->message = fail_message_;
    Finish(std::move(fail));
  }

  // Rows with row 0 first; ends the chain at hole_.
  void MatchTree(std::vector<Occurrence> occs, std::vector<Row> rows) {
    if (rows.empty()) {
      FailLeaf();
      return;
    }
    // Tuples and records never fail: expand their columns into projections.
    for (size_t j = 0; j < occs.size(); ++j) {
      const Pat* shape = nullptr;
      for (const Row& r : rows)
        if (r.pats[j].kind == Pat::Con &&
            (r.pats[j].con == kPatTuple || r.pats[j].con == kPatRecord)) {
          shape = &r.pats[j];
          break;
        }
      if (shape == nullptr) continue;
      ExpandShape(occs, rows, j, *shape);
      MatchTree(std::move(occs), std::move(rows));
      return;
    }
    Row& first = rows.front();
    size_t j = 0;
    while (j < occs.size() && first.pats[j].kind == Pat::Any) ++j;
    if (j == occs.size()) {  // row 0 matches: a leaf
      for (size_t k = 0; k < occs.size(); ++k)
        if (first.pats[k].local >= 0)
          first.bindings.emplace_back(first.pats[k].local, occs[k].atom);
      auto jump = MakeExpr(core::ExprKind::Jump, source::Span{});
      Finish(std::move(jump));
      // The slot is the unique_ptr the Jump was stored in: the one hole_ pointed at.
      leaves_[first.clause].push_back(Leaf{last_slot_, first.bindings});
      return;
    }
    const Pat& head = first.pats[j];
    const Occurrence occ = occs[j];
    if (head.kind == Pat::Lit) {
      LiteralTests(occs, std::move(rows), j);
      return;
    }
    if (head.con == kPatTrue || head.con == kPatFalse) {
      auto x = MakeExpr(core::ExprKind::If, head.span);
      x->cond = occ.atom;
      Expr* raw = x.get();
      Finish(std::move(x));
      std::vector<Row> yes = Specialise(occs, rows, j, kPatTrue, 0);
      std::vector<Row> no = Specialise(occs, rows, j, kPatFalse, 0);
      std::vector<Occurrence> rest = Without(occs, j);
      hole_ = &raw->then_branch;
      MatchTree(rest, std::move(yes));
      hole_ = &raw->else_branch;
      MatchTree(rest, std::move(no));
      return;
    }
    // Constructors of a data type, or [] and ::.
    std::vector<int> seen;
    for (const Row& r : rows)
      if (r.pats[j].kind == Pat::Con &&
          std::find(seen.begin(), seen.end(), r.pats[j].con) == seen.end())
        seen.push_back(r.pats[j].con);
    const int siblings = head.con >= 0 ? c_.constructors[head.con].sibling_count : 2;
    if (siblings == 1) {  // nothing to test
      EmitAlt(occs, rows, j, head.con, head.span);
      return;
    }
    auto sw = MakeExpr(core::ExprKind::Switch, head.span);
    sw->cond = occ.atom;
    for (int con : seen) sw->alts.push_back(Alt{con, nullptr});
    Expr* raw = sw.get();
    Finish(std::move(sw));
    for (size_t a = 0; a < raw->alts.size(); ++a) {
      hole_ = &raw->alts[a].body;
      EmitAlt(occs, rows, j, raw->alts[a].constructor, head.span);
    }
    if (static_cast<int>(seen.size()) < siblings) {
      hole_ = &raw->else_branch;
      MatchTree(Without(occs, j), Default(rows, j, occ.atom));
    }
  }

  // The alternative for constructor `con` at column j: its fields projected,
  // then the specialised rows.
  void EmitAlt(const std::vector<Occurrence>& occs, const std::vector<Row>& rows, size_t j, int con,
               source::Span span) {
    const size_t arity = con >= 0          ? static_cast<size_t>(c_.constructors[con].arity)
                         : con == kPatCons ? 2
                                           : 0;
    std::vector<Occurrence> fields;
    check::Type* list = occs[j].type;
    for (size_t i = 0; i < arity; ++i) {
      check::Type* type = nullptr;
      for (const Row& r : rows)
        if (r.pats[j].kind == Pat::Con && r.pats[j].con == con &&
            r.pats[j].args[i].type != nullptr) {
          type = r.pats[j].args[i].type;
          break;
        }
      if (con == kPatCons) type = i == 0 ? ListElement(list) : list;
      fields.push_back(Occurrence{Project(occs[j].atom, static_cast<int>(i), type, span), type});
    }
    std::vector<Occurrence> next = Without(occs, j);
    next.insert(next.begin() + static_cast<long>(j), fields.begin(), fields.end());
    MatchTree(std::move(next), Specialise(occs, rows, j, con, arity));
  }

  // Int, Char, String and Float literals: a chain of equality tests.
  void LiteralTests(const std::vector<Occurrence>& occs, std::vector<Row> rows, size_t j) {
    std::vector<parse::Literal> seen;
    auto same = [](const parse::Literal& a, const parse::Literal& b) {
      return a.kind == b.kind && a.int_value == b.int_value && a.char_value == b.char_value &&
             a.string_value == b.string_value && (a.float_value == b.float_value);
    };
    for (const Row& r : rows)
      if (r.pats[j].kind == Pat::Lit &&
          std::none_of(seen.begin(), seen.end(),
                       [&](const parse::Literal& l) { return same(l, r.pats[j].literal); }))
        seen.push_back(r.pats[j].literal);
    const std::vector<Occurrence> rest = Without(occs, j);
    for (const parse::Literal& lit : seen) {
      const Atom eq =
          Equal(occs[j].atom, LiteralAtom(lit), occs[j].type, rows.front().pats[j].span);
      auto x = MakeExpr(core::ExprKind::If, rows.front().pats[j].span);
      x->cond = eq;
      Expr* raw = x.get();
      Finish(std::move(x));
      std::vector<Row> yes;
      for (const Row& r : rows) {
        const Pat& p = r.pats[j];
        if (p.kind == Pat::Lit && !same(p.literal, lit)) continue;
        Row copy = r;
        if (p.local >= 0) copy.bindings.emplace_back(p.local, occs[j].atom);
        copy.pats.erase(copy.pats.begin() + static_cast<long>(j));
        yes.push_back(std::move(copy));
      }
      hole_ = &raw->then_branch;
      MatchTree(rest, std::move(yes));
      hole_ = &raw->else_branch;
    }
    MatchTree(rest, Default(rows, j, occs[j].atom));
  }

  // Rows that match constructor `con` at column j, with its `arity` fields
  // in place of the column (a variable row gets wildcards and its binding).
  auto Specialise(const std::vector<Occurrence>& occs, const std::vector<Row>& rows, size_t j,
                  int con, size_t arity) -> std::vector<Row> {
    std::vector<Row> out;
    for (const Row& r : rows) {
      const Pat& p = r.pats[j];
      if (p.kind == Pat::Con && p.con != con) continue;
      if (p.kind == Pat::Lit) continue;
      Row copy;
      copy.clause = r.clause;
      copy.bindings = r.bindings;
      if (p.kind == Pat::Any && p.local >= 0) copy.bindings.emplace_back(p.local, occs[j].atom);
      for (size_t k = 0; k < r.pats.size(); ++k) {
        if (k != j) {
          copy.pats.push_back(r.pats[k]);
          continue;
        }
        if (p.kind == Pat::Con) {
          for (const Pat& a : p.args) copy.pats.push_back(a);
        } else {
          for (size_t i = 0; i < arity; ++i) copy.pats.push_back(Pat{});
        }
      }
      out.push_back(std::move(copy));
    }
    return out;
  }

  // Rows whose column j is a variable or wildcard, without the column.
  auto Default(const std::vector<Row>& rows, size_t j, const Atom& value) -> std::vector<Row> {
    std::vector<Row> out;
    for (const Row& r : rows) {
      if (r.pats[j].kind != Pat::Any) continue;
      Row copy = r;
      if (r.pats[j].local >= 0) copy.bindings.emplace_back(r.pats[j].local, value);
      copy.pats.erase(copy.pats.begin() + static_cast<long>(j));
      out.push_back(std::move(copy));
    }
    return out;
  }

  static auto Without(std::vector<Occurrence> occs, size_t j) -> std::vector<Occurrence> {
    occs.erase(occs.begin() + static_cast<long>(j));
    return occs;
  }

  // Replaces column j (tuples or records in some rows) by one column per
  // component, projected once.
  void ExpandShape(std::vector<Occurrence>& occs, std::vector<Row>& rows, size_t j,
                   const Pat& shape) {
    const Occurrence occ = occs[j];
    std::vector<Occurrence> parts;
    std::vector<std::string> fields;
    if (shape.con == kPatTuple) {
      for (size_t i = 0; i < shape.args.size(); ++i)
        parts.push_back(
            Occurrence{Project(occ.atom, static_cast<int>(i), shape.args[i].type, shape.span),
                       shape.args[i].type});
    } else {
      for (const Row& r : rows)
        if (r.pats[j].kind == Pat::Con)
          for (const std::string& f : r.pats[j].fields)
            if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
      for (const std::string& f : fields) {
        check::Type* type = nullptr;
        for (const Row& r : rows)
          if (r.pats[j].kind == Pat::Con)
            for (size_t i = 0; i < r.pats[j].fields.size(); ++i)
              if (r.pats[j].fields[i] == f && type == nullptr) type = r.pats[j].args[i].type;
        Rhs field = MakeRhs(RhsKind::Field, shape.span);
        field.args.push_back(occ.atom);
        field.names.push_back(f);
        field.type = shape.type != nullptr ? shape.type : occ.type;
        parts.push_back(Occurrence{Atom::Variable(Bind(std::move(field), f, type, Origin::Made)), type});
      }
    }
    for (Row& r : rows) {
      Pat p = std::move(r.pats[j]);
      std::vector<Pat> replacement(parts.size());
      if (p.kind == Pat::Con) {
        if (p.con == kPatTuple) {
          replacement = std::move(p.args);
        } else {
          for (size_t i = 0; i < p.fields.size(); ++i) {
            const size_t at = static_cast<size_t>(
                std::find(fields.begin(), fields.end(), p.fields[i]) - fields.begin());
            replacement[at] = std::move(p.args[i]);
          }
        }
      } else if (p.local >= 0) {
        r.bindings.emplace_back(p.local, occ.atom);
      }
      r.pats.erase(r.pats.begin() + static_cast<long>(j));
      r.pats.insert(r.pats.begin() + static_cast<long>(j),
                    std::make_move_iterator(replacement.begin()),
                    std::make_move_iterator(replacement.end()));
    }
    occs.erase(occs.begin() + static_cast<long>(j));
    occs.insert(occs.begin() + static_cast<long>(j), parts.begin(), parts.end());
  }

  // A pattern variable bound to a value: the variable itself when it is one
  // (made-up names give way to the pattern's), else a copy.
  void BindLocal(int local, const Atom& v) {
    if (v.IsVar()) {
      local_var_[local] = v.var;
      if (synthetic_.contains(v.var)) {
        p_.vars[v.var].name = LocalName(local);
        synthetic_.erase(v.var);
      }
      return;
    }
    local_var_[local] = Bind(AtomRhs(v, source::Span{}), LocalName(local), LocalType(local));
  }
  auto LocalName(int local) -> std::string {
    auto it = locals_.find(local);
    return it != locals_.end() ? it->second.first : "v";
  }
  auto LocalType(int local) -> check::Type* {
    auto it = locals_.find(local);
    return it != locals_.end() ? it->second.second : nullptr;
  }

  auto Project(const Atom& v, int index, check::Type* type, source::Span span) -> Atom {
    Rhs r = MakeRhs(RhsKind::Project, span);
    r.args.push_back(v);
    r.index = index;
    return Atom::Variable(Bind(std::move(r), "f", type, Origin::Made));
  }
  auto Equal(const Atom& v, Atom literal, check::Type* type, source::Span span) -> Atom {
    Rhs r = MakeRhs(RhsKind::Binary, span);
    r.op = BinaryOp::Eq;
    r.type = type;
    r.args = {v, std::move(literal)};
    return Atom::Variable(Bind(std::move(r), "eq", p_.types.Con("Bool")));
  }
  static auto ListElement(check::Type* list) -> check::Type* {
    return list != nullptr && check::IsCon(list, "List") && !list->args.empty()
               ? check::Resolve(list->args[0])
               : nullptr;
  }

  // A `let`/`<-`/lambda pattern whose failure is a runtime error at the
  // pattern: the match compiler on one row, whose single leaf is where the
  // chain goes on (a pattern that cannot fail emits no test).
  void MatchOrFail(const parse::Pattern* p, const Atom& v, const char* message) {
    fail_message_ = message;
    fail_span_ = p->span;
    leaves_.assign(1, {});
    Row row;
    row.pats.push_back(ToPat(p));
    std::vector<Row> rows;
    rows.push_back(std::move(row));
    MatchTree({Occurrence{v, PatternType(p)}}, std::move(rows));
    const Leaf leaf = leaves_[0].front();
    hole_ = leaf.slot;
    hole_->reset();
    for (const auto& [local, atom] : leaf.bindings) BindLocal(local, atom);
  }

  static auto LiteralAtom(const parse::Literal& lit) -> Atom {
    Atom a;
    switch (lit.kind) {
      case parse::LiteralKind::Int:
        a.kind = AtomKind::Int;
        a.int_value = lit.int_value;
        break;
      case parse::LiteralKind::Char:
        a.kind = AtomKind::Char;
        a.int_value = static_cast<int64_t>(lit.char_value);
        break;
      case parse::LiteralKind::Float:
        a.kind = AtomKind::Float;
        a.float_value = lit.float_value;
        break;
      case parse::LiteralKind::String:
        a.kind = AtomKind::String;
        a.string_value = lit.string_value;
        break;
    }
    return a;
  }

  // ---- Tail position: ends the chain at hole_.
  void Tail(const parse::Expr* e, Mode mode) {
    if (const int hops = mode == Mode::Run ? Hops(e) : 0; hops > 0) {
      Return(InAncestor(e, hops));
      return;
    }
    switch (e->kind) {
      case AstKind::Annot:
        Tail(Cast<parse::AnnotExpr>(e)->expr, mode);
        return;
      case AstKind::Let: {
        const auto* let = Cast<parse::LetExpr>(e);
        BindLet(let->decls);
        Tail(let->body, mode);
        return;
      }
      case AstKind::If: {
        if (mode == Mode::Value && IsEffect(TypeOf(e))) break;
        const auto* x = Cast<parse::IfExpr>(e);
        Branch(AtomOf(x->cond), x->then_branch, x->else_branch, mode, e->span);
        return;
      }
      case AstKind::Case: {
        if (mode == Mode::Value && IsEffect(TypeOf(e))) break;
        const auto* x = Cast<parse::CaseExpr>(e);
        const Atom scrutinee = AtomOf(x->scrutinee);
        std::vector<check::ClauseView> alts;
        std::vector<std::vector<parse::Pattern*>> params;
        params.reserve(x->alts.size());
        for (const parse::CaseAlt& alt : x->alts) params.push_back({alt.pattern});
        for (size_t i = 0; i < x->alts.size(); ++i)
          alts.push_back(check::ClauseView{&params[i], x->alts[i].body});
        Clauses(alts, {scrutinee}, mode, "no case alternative matches the value", e->span);
        return;
      }
      case AstKind::Do:
        if (mode == Mode::Run) {
          Do(Cast<parse::DoExpr>(e), true);
          return;
        }
        break;
      case AstKind::Binary: {
        const auto* bin = Cast<parse::BinaryExpr>(e);
        if (bin->op == BinaryOp::And || bin->op == BinaryOp::Or) {
          // a && b = if a then b else False; a || b = if a then True else b.
          auto x = MakeExpr(core::ExprKind::If, e->span);
          x->cond = AtomOf(bin->lhs);
          Expr* raw = x.get();
          Finish(std::move(x));
          hole_ = bin->op == BinaryOp::And ? &raw->else_branch : &raw->then_branch;
          Return(AtomRhs(Atom::Bool(bin->op == BinaryOp::Or), e->span));
          hole_ = bin->op == BinaryOp::And ? &raw->then_branch : &raw->else_branch;
          Tail(bin->rhs, Mode::Value);
          return;
        }
        if (mode != Mode::Run) break;
        if (bin->op == BinaryOp::Then) {
          // `a >> b >> c` is `(a >> b) >> c`: its left operands run in order
          // in this chain, not each in a block nested in the next.
          std::vector<const parse::Expr*> first;
          const parse::Expr* left = bin->lhs;
          for (const parse::BinaryExpr* l = parse::DynCast<parse::BinaryExpr>(left);
               l != nullptr && l->op == BinaryOp::Then;
               l = parse::DynCast<parse::BinaryExpr>(left)) {
            first.push_back(l->rhs);
            left = l->lhs;
          }
          Discard(RunRhs(left));
          for (auto it = first.rbegin(); it != first.rend(); ++it) Discard(RunRhs(*it));
          Tail(bin->rhs, mode);
          return;
        }
        if (bin->op == BinaryOp::Bind) {
          // m >>= f: run m, then run f applied to its result (a lambda's body in place).
          const Atom v = Atomize(RunRhs(bin->lhs), nullptr);
          const parse::Expr* f = bin->rhs;
          while (f->kind == AstKind::Annot) f = Cast<parse::AnnotExpr>(f)->expr;
          if (const auto* lambda = parse::DynCast<parse::LambdaExpr>(f);
              lambda != nullptr && lambda->params.size() == 1) {
            MatchOrFail(lambda->params[0], v, "no clause of the lambda matches its arguments");
            Tail(lambda->body, mode);
            return;
          }
          Rhs r = MakeRhs(RhsKind::Apply, e->span);
          r.args = {AtomOf(f), v};
          r.region = region_;
          Return(std::move(r));
          return;
        }
        break;
      }
      default:
        break;
    }
    Return(mode == Mode::Run ? RunRhs(e) : Value(e));
  }

  void Branch(Atom cond, const parse::Expr* yes, const parse::Expr* no, Mode mode,
              source::Span span) {
    auto e = MakeExpr(core::ExprKind::If, span);
    e->cond = std::move(cond);
    Expr* raw = e.get();
    Finish(std::move(e));
    hole_ = &raw->then_branch;
    Tail(yes, mode);
    hole_ = &raw->else_branch;
    Tail(no, mode);
  }

  // A non-tail if/case/let evaluated for its value.
  auto Block(const parse::Expr* e, Mode mode) -> Rhs {
    Rhs r = MakeRhs(RhsKind::Block, e->span);
    std::unique_ptr<Expr>* saved = hole_;
    hole_ = &r.body;
    Tail(e, mode);
    hole_ = saved;
    return r;
  }

  void Discard(Rhs rhs) {
    if (rhs.kind == RhsKind::Atom) return;
    Bind(std::move(rhs), "_", nullptr);
  }

  // ---- Values.
  auto Value(const parse::Expr* e) -> Rhs {
    check::Type* type = TypeOf(e);
    if (e->kind != AstKind::Var && IsEffect(type)) return ActionClosure(e);
    switch (e->kind) {
      case AstKind::Var: {
        const check::Ref& ref = c_.refs[e->id];
        switch (ref.kind) {
          case check::RefKind::Local:
            return AtomRhs(Atom::Variable(local_var_[ref.index]), e->span);
          case check::RefKind::Global: {
            const check::Function& f = c_.functions[ref.index];
            Rhs r = MakeRhs(f.arity == 0 && !f.effect ? RhsKind::CallGlobal : RhsKind::GlobalValue,
                            e->span);
            r.index = ref.index;
            return r;
          }
          case check::RefKind::Builtin: {
            const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
            Rhs r = MakeRhs(info.arity == 0 && !info.effect ? RhsKind::Prim : RhsKind::PrimValue,
                            e->span);
            r.prim = ref.builtin;
            return r;
          }
          case check::RefKind::Constructor:
          case check::RefKind::None:
            break;
        }
        return AtomRhs(Atom::UnitValue(), e->span);
      }
      case AstKind::Con: {
        const check::Ref& ref = c_.refs[e->id];
        if (ref.kind == check::RefKind::Constructor) {
          Rhs r = MakeRhs(
              c_.constructors[ref.index].arity == 0 ? RhsKind::Construct : RhsKind::ConValue,
              e->span);
          r.index = ref.index;
          return r;
        }
        const std::string& name = Cast<parse::ConExpr>(e)->name;
        if (name == "Nil") return MakeRhs(RhsKind::Nil, e->span);
        return AtomRhs(Atom::Bool(name == "True"), e->span);
      }
      case AstKind::Literal:
        return AtomRhs(LiteralAtom(Cast<parse::LiteralExpr>(e)->literal), e->span);
      case AstKind::Unit:
        return AtomRhs(Atom::UnitValue(), e->span);
      case AstKind::App:
        if (check::IsStaticValue(c_, e)) return StaticRhs(e);
        return CallValue(check::FlattenApp(e), e->span);
      case AstKind::Binary:
        return Binary(Cast<parse::BinaryExpr>(e));
      case AstKind::Negate: {
        const parse::Expr* operand = Cast<parse::NegateExpr>(e)->operand;
        if (const auto* lit = parse::DynCast<parse::LiteralExpr>(operand);
            lit != nullptr && lit->literal.kind == parse::LiteralKind::Int)
          return AtomRhs(Atom::Int(-lit->literal.int_value), e->span);
        Rhs r = MakeRhs(RhsKind::Negate, e->span);
        r.type = TypeOf(operand);
        r.args.push_back(AtomOf(operand));
        return r;
      }
      case AstKind::If:
      case AstKind::Case:
        return Block(e, Mode::Value);
      case AstKind::Let: {
        const auto* let = Cast<parse::LetExpr>(e);
        BindLet(let->decls);
        return Value(let->body);
      }
      case AstKind::Annot:
        return Value(Cast<parse::AnnotExpr>(e)->expr);
      case AstKind::Lambda: {
        const auto* lambda = Cast<parse::LambdaExpr>(e);
        std::vector<check::ClauseView> clauses{check::ClauseView{&lambda->params, lambda->body}};
        return ClosureRhs(NewLambda(clauses, TypeOf(lambda->body), -1, "lambda", e->span), e->span);
      }
      case AstKind::Tuple: {
        if (check::IsStaticValue(c_, e)) return StaticRhs(e);
        Rhs r = MakeRhs(RhsKind::Tuple, e->span);
        for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements)
          r.args.push_back(AtomOf(x));
        return r;
      }
      case AstKind::List: {
        if (check::IsStaticValue(c_, e)) return StaticRhs(e);
        std::vector<Atom> values;
        for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) values.push_back(AtomOf(x));
        Rhs list = MakeRhs(RhsKind::Nil, e->span);
        for (auto it = values.rbegin(); it != values.rend(); ++it) {
          const Atom tail = Atomize(std::move(list), type);
          list = MakeRhs(RhsKind::Cons, e->span);
          list.args = {*it, tail};
        }
        return list;
      }
      case AstKind::OpRef: {
        Rhs r = MakeRhs(RhsKind::OpValue, e->span);
        r.op = Cast<parse::OpRefExpr>(e)->op;
        r.type = type != nullptr && !type->args.empty() ? check::Resolve(type->args[0]) : nullptr;
        return r;
      }
      case AstKind::RecordLit: {
        Rhs r = MakeRhs(RhsKind::Record, e->span);
        r.type = type;
        for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields) {
          r.names.push_back(f.name.text);
          r.args.push_back(AtomOf(f.value));
        }
        return r;
      }
      case AstKind::RecordUpdate: {
        const auto* u = Cast<parse::RecordUpdateExpr>(e);
        Rhs r = MakeRhs(RhsKind::Update, e->span);
        r.type = type;
        r.args.push_back(AtomOf(u->record));
        for (const parse::FieldInit& f : u->fields) {
          r.names.push_back(f.name.text);
          r.args.push_back(AtomOf(f.value));
        }
        return r;
      }
      case AstKind::Field: {
        const auto* f = Cast<parse::FieldExpr>(e);
        Rhs r = MakeRhs(RhsKind::Field, e->span);
        r.type = TypeOf(f->record);
        r.args.push_back(AtomOf(f->record));
        r.names.push_back(f->field.text);
        return r;
      }
      case AstKind::Do:
      case AstKind::Error:
        break;
    }
    return AtomRhs(Atom::UnitValue(), e->span);
  }

  auto StaticRhs(const parse::Expr* e) -> Rhs {
    // Literals stay atoms; compound constants are static objects.
    while (e->kind == AstKind::Annot) e = Cast<parse::AnnotExpr>(e)->expr;
    if (e->kind == AstKind::Literal || e->kind == AstKind::Unit || e->kind == AstKind::Negate ||
        e->kind == AstKind::Con)
      return Value(e);
    Rhs r = MakeRhs(RhsKind::Static, e->span);
    r.expr = e;
    return r;
  }

  auto Binary(const parse::BinaryExpr* e) -> Rhs {
    switch (e->op) {
      case BinaryOp::Dollar:
        return CallValue(check::FlattenApp(e), e->span);
      case BinaryOp::And:
      case BinaryOp::Or:
        return Block(e, Mode::Value);  // see ShortCircuitTail
      case BinaryOp::Cons: {
        Rhs r = MakeRhs(RhsKind::Cons, e->span);
        r.args.push_back(AtomOf(e->lhs));
        r.args.push_back(AtomOf(e->rhs));
        return r;
      }
      default:
        break;
    }
    Rhs r = MakeRhs(RhsKind::Binary, e->op_span);
    r.op = e->op;
    r.type = TypeOf(e->lhs);
    r.args.push_back(AtomOf(e->lhs));
    r.args.push_back(AtomOf(e->rhs));
    return r;
  }

  // A call whose value is wanted. Known functions, local functions,
  // constructors and primitives with enough arguments are called directly;
  // extra arguments go to Apply.
  auto CallValue(const check::Spine& spine, source::Span span) -> Rhs {
    if (auto region = RegionForm(spine)) return std::move(*region);
    const check::Ref ref = spine.head->kind == AstKind::Var || spine.head->kind == AstKind::Con
                               ? c_.refs[spine.head->id]
                               : check::Ref{};
    std::vector<Atom> args;
    for (const parse::Expr* a : spine.args) args.push_back(AtomOf(a));
    Rhs direct;
    size_t used = 0;
    bool have = false;
    if (ref.kind == check::RefKind::Global) {
      const check::Function& f = c_.functions[ref.index];
      if (!f.effect && f.arity > 0 && args.size() >= static_cast<size_t>(f.arity)) {
        direct = MakeRhs(RhsKind::CallGlobal, span);
        direct.index = ref.index;
        used = f.arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Local) {
      if (auto it = known_.find(ref.index); it != known_.end() && !it->second.effect &&
                                            it->second.arity > 0 &&
                                            args.size() >= static_cast<size_t>(it->second.arity)) {
        direct = MakeRhs(RhsKind::CallLocal, span);
        direct.index = it->second.lambda;
        direct.var = local_var_[ref.index];
        used = it->second.arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Constructor) {
      if (args.size() >= static_cast<size_t>(c_.constructors[ref.index].arity)) {
        direct = MakeRhs(RhsKind::Construct, span);
        direct.index = ref.index;
        used = c_.constructors[ref.index].arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Builtin) {
      const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
      if (!info.effect && info.arity > 0 && args.size() >= static_cast<size_t>(info.arity)) {
        direct = MakeRhs(RhsKind::Prim, spine.head->span);
        direct.prim = ref.builtin;
        for (int i = 0; i < info.arity; ++i) direct.types.push_back(TypeOf(spine.args[i]));
        used = info.arity;
        have = true;
      }
    }
    if (!have) {
      // No arguments: the head's value itself (an Apply needs an argument).
      if (args.empty()) return AtomRhs(AtomOf(spine.head), span);
      Rhs r = MakeRhs(RhsKind::Apply, span);
      r.args.push_back(AtomOf(spine.head));
      r.args.insert(r.args.end(), args.begin(), args.end());
      return r;
    }
    direct.args.assign(args.begin(), args.begin() + static_cast<long>(used));
    if (used == args.size()) return direct;
    Rhs r = MakeRhs(RhsKind::Apply, span);
    r.args.push_back(Atomize(std::move(direct), nullptr));
    r.args.insert(r.args.end(), args.begin() + static_cast<long>(used), args.end());
    return r;
  }

  // `runST body` / `runIO body` with the body written out: a Region.
  auto RegionForm(const check::Spine& spine) -> std::optional<Rhs> {
    if (spine.head->kind != AstKind::Var || spine.args.size() != 1) return std::nullopt;
    const check::Ref& ref = c_.refs[spine.head->id];
    if (ref.kind != check::RefKind::Builtin ||
        (ref.builtin != check::Builtin::RunST && ref.builtin != check::Builtin::RunIO))
      return std::nullopt;
    const parse::Expr* body = spine.args[0];
    // --regions=cast: `runIO (\c -> e)`: the cast is a no-op, so `c` is
    // bound to () and `e` runs as the body.
    const parse::LambdaExpr* cast = nullptr;
    if (ref.builtin == check::Builtin::RunIO && c_.discipline == check::Discipline::Cast &&
        check::IsRunIOCastBody(body) && !IsEffect(TypeOf(body))) {
      const parse::Expr* b = body;
      while (b->kind == AstKind::Annot) b = Cast<parse::AnnotExpr>(b)->expr;
      cast = Cast<parse::LambdaExpr>(b);
    }
    if (cast == nullptr && (body->kind == AstKind::Var || !IsEffect(TypeOf(body)))) return std::nullopt;
    Rhs r = MakeRhs(RhsKind::Region, spine.head->span);
    r.prim = ref.builtin;
    // Under a discipline with a covariant Effect token the child knows the
    // region it was opened in, so an action of that region can run there.
    if (ref.builtin == check::Builtin::RunIO && !c_.region_hops.empty()) r.region = region_;
    const int saved_region = region_;
    region_ = p_.NewRegion();
    r.var = region_;
    std::unique_ptr<Expr>* saved = hole_;
    hole_ = &r.body;
    if (cast != nullptr) {
      MatchOrFail(cast->params[0], Atom::UnitValue(), "no clause of the lambda matches its arguments");
      Tail(cast->body, Mode::Run);
    } else {
      Tail(body, Mode::Run);
    }
    hole_ = saved;
    region_ = saved_region;
    return r;
  }

  // How many runIO levels above the current region the statement `e` runs
  // (CheckedModule::region_hops; 0 for the current region).
  auto Hops(const parse::Expr* e) const -> int {
    if (c_.region_hops.empty() || in_ancestor_.contains(e->id)) return 0;
    auto it = c_.region_hops.find(e->id);
    return it == c_.region_hops.end() ? 0 : it->second;
  }

  // The action `e` run in the region `hops` runIO levels above the current
  // one: a Region rhs with `index` = hops that binds that region (the
  // lowering follows the parent links; nothing is opened or closed).
  auto InAncestor(const parse::Expr* e, int hops) -> Rhs {
    Rhs r = MakeRhs(RhsKind::Region, e->span);
    r.prim = check::Builtin::RunIO;
    r.index = hops;
    r.region = region_;
    const int saved_region = region_;
    region_ = p_.NewRegion();
    r.var = region_;
    std::unique_ptr<Expr>* saved = hole_;
    hole_ = &r.body;
    in_ancestor_.insert(e->id);
    Tail(e, Mode::Run);
    in_ancestor_.erase(e->id);
    hole_ = saved;
    region_ = saved_region;
    return r;
  }

  // ---- Actions run in the current region.
  auto RunRhs(const parse::Expr* e) -> Rhs {
    if (const int hops = Hops(e); hops > 0) return InAncestor(e, hops);
    switch (e->kind) {
      case AstKind::Do:
        return Do(Cast<parse::DoExpr>(e), false);
      case AstKind::If:
      case AstKind::Case:
        return Block(e, Mode::Run);
      case AstKind::Let: {
        const auto* let = Cast<parse::LetExpr>(e);
        BindLet(let->decls);
        return RunRhs(let->body);
      }
      case AstKind::Annot:
        return RunRhs(Cast<parse::AnnotExpr>(e)->expr);
      case AstKind::Binary: {
        const auto* bin = Cast<parse::BinaryExpr>(e);
        if (bin->op == BinaryOp::Then || bin->op == BinaryOp::Bind) return Block(e, Mode::Run);
        return RunCall(e);
      }
      case AstKind::Var:
      case AstKind::App:
        return RunCall(e);
      default: {
        // A record field (or any other value) holding an action: apply it to the region.
        Rhs r = MakeRhs(RhsKind::Apply, e->span);
        r.args.push_back(AtomOf(e));
        r.region = region_;
        return r;
      }
    }
  }

  // The action `call` (an application, `$` included, or a variable), run.
  auto RunCall(const parse::Expr* call) -> Rhs {
    const check::Spine spine = check::FlattenApp(call);
    const source::Span span = call->span;
    if (auto region = RegionForm(spine)) return std::move(*region);
    const check::Ref ref =
        spine.head->kind == AstKind::Var ? c_.refs[spine.head->id] : check::Ref{};
    std::vector<Atom> args;
    for (const parse::Expr* a : spine.args) args.push_back(AtomOf(a));
    if (ref.kind == check::RefKind::Global) {
      const check::Function& f = c_.functions[ref.index];
      if (f.effect && args.size() == static_cast<size_t>(f.arity)) {
        Rhs r = MakeRhs(RhsKind::CallGlobal, span);
        r.index = ref.index;
        r.args = std::move(args);
        r.region = region_;
        return r;
      }
    } else if (ref.kind == check::RefKind::Builtin) {
      const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
      if (info.effect && args.size() == static_cast<size_t>(info.arity)) {
        Rhs r = MakeRhs(RhsKind::Prim, spine.head->span);
        r.prim = ref.builtin;
        r.args = std::move(args);
        for (const parse::Expr* a : spine.args) r.types.push_back(TypeOf(a));
        r.region = region_;
        if (auto it = send_kinds_.find(call->id); it != send_kinds_.end()) r.send = it->second;
        return r;
      }
    } else if (ref.kind == check::RefKind::Local) {
      if (auto it = known_.find(ref.index); it != known_.end() && it->second.effect &&
                                            args.size() == static_cast<size_t>(it->second.arity)) {
        Rhs r = MakeRhs(RhsKind::CallLocal, span);
        r.index = it->second.lambda;
        r.var = local_var_[ref.index];
        r.args = std::move(args);
        r.region = region_;
        return r;
      }
    }
    // Any other action value: apply it to its arguments and the region.
    Atom fn;
    if (spine.args.empty()) {
      fn = AtomOf(spine.head);
    } else {
      fn = Atomize(CallValue(check::Spine{spine.head, {}}, spine.head->span), TypeOf(spine.head));
    }
    Rhs r = MakeRhs(RhsKind::Apply, span);
    r.args.push_back(fn);
    r.args.insert(r.args.end(), args.begin(), args.end());
    r.region = region_;
    return r;
  }

  // The statements of a `do` block; with `tail` the last one ends the chain.
  auto Do(const parse::DoExpr* e, bool tail) -> Rhs {
    for (size_t i = 0; i < e->stmts.size(); ++i) {
      const parse::DoStmt* stmt = e->stmts[i];
      const bool last = i + 1 == e->stmts.size();
      switch (stmt->kind) {
        case parse::DoStmtKind::Bind: {
          const auto* bind = Cast<parse::BindStmt>(stmt);
          const Atom v = Atomize(RunRhs(bind->expr), PatternType(bind->pattern));
          MatchOrFail(bind->pattern, v, "the result does not match the pattern of this `<-`");
          break;
        }
        case parse::DoStmtKind::Let:
          BindLet(Cast<parse::LetStmt>(stmt)->decls);
          break;
        case parse::DoStmtKind::Expr: {
          const parse::Expr* x = Cast<parse::ExprStmt>(stmt)->expr;
          if (last && tail) {
            Tail(x, Mode::Run);
            return {};
          }
          Rhs r = RunRhs(x);
          if (last) return r;
          Discard(std::move(r));
          break;
        }
      }
    }
    Rhs unit = AtomRhs(Atom::UnitValue(), e->span);
    if (tail) Return(std::move(unit));
    return AtomRhs(Atom::UnitValue(), e->span);
  }

  // ---- Local bindings.
  void BindLet(const std::vector<parse::Decl*>& decls) {
    for (size_t i = 0; i < decls.size();) {
      const parse::Decl* d = decls[i];
      if (const auto* pb = parse::DynCast<parse::PatternBindDecl>(d)) {
        MatchOrFail(pb->pattern, AtomOf(pb->body),
                    "the value does not match the pattern of this `let`");
        ++i;
        continue;
      }
      const auto* v = parse::DynCast<parse::ValueDecl>(d);
      if (v == nullptr || c_.decl_locals[d->id] < 0) {
        ++i;
        continue;
      }
      if (check::LetFunctionClauses(c_, d).empty()) {
        const parse::Expr* body = v->clauses.front().body;
        local_var_[c_.decl_locals[d->id]] = Bind(Value(body), v->name.text, TypeOf(body));
        ++i;
        continue;
      }
      // A run of function bindings is one recursive group.
      struct Member {
        const parse::ValueDecl* decl;
        std::vector<check::ClauseView> clauses;
        int local, var, lambda;
        check::Type* result;
      };
      std::vector<Member> group;
      for (; i < decls.size(); ++i) {
        if (decls[i]->kind == parse::DeclKind::Signature) continue;
        std::vector<check::ClauseView> clauses = check::LetFunctionClauses(c_, decls[i]);
        if (clauses.empty()) break;
        const auto* fn = Cast<parse::ValueDecl>(decls[i]);
        Member m{fn, std::move(clauses), c_.decl_locals[decls[i]->id], -1, -1, nullptr};
        m.result = TypeOf(m.clauses.front().body);
        m.var = p_.NewVar(fn->name.text, FunctionType(m.clauses.front(), m.result));
        m.lambda = static_cast<int>(p_.lambdas.size());
        p_.lambdas.emplace_back();
        local_var_[m.local] = m.var;
        known_[m.local] =
            Known{m.lambda, static_cast<int>(m.clauses.front().params->size()), IsEffect(m.result)};
        group.push_back(std::move(m));
      }
      auto letrec = MakeExpr(core::ExprKind::LetRec, group.front().decl->span);
      for (Member& m : group) {
        local_var_[m.local] = -1;  // inside its own body, the member is `self`
        FillLambda(m.lambda, m.clauses, m.result, m.local, m.decl->name.text, m.decl->span);
        local_var_[m.local] = m.var;
        letrec->vars.push_back(m.var);
        Rhs r = MakeRhs(RhsKind::Closure, m.decl->span);
        r.index = m.lambda;
        letrec->group.push_back(std::move(r));
      }
      Expr* raw = letrec.get();
      Emit(std::move(letrec), &raw->next);
    }
  }

  auto FunctionType(const check::ClauseView& clause, check::Type* result) -> check::Type* {
    check::Type* t = result;
    for (auto it = clause.params->rbegin(); it != clause.params->rend(); ++it) {
      check::Type* param = PatternType(*it);
      t = p_.types.Fun(param != nullptr ? param : p_.types.Con("?"),
                       t != nullptr ? t : p_.types.Con("?"));
    }
    return t;
  }

  // ---- Lambdas.
  struct Known {
    int lambda, arity;
    bool effect;
  };

  // An action expression used as a value: a closure of no parameters that
  // takes the region and runs it.
  auto ActionClosure(const parse::Expr* e) -> Rhs {
    static const std::vector<parse::Pattern*> kNoParams;
    std::vector<check::ClauseView> clauses{check::ClauseView{&kNoParams, e}};
    return ClosureRhs(NewLambda(clauses, TypeOf(e), -1, "action", e->span), e->span);
  }
  auto ClosureRhs(int lambda, source::Span span) -> Rhs {
    Rhs r = MakeRhs(RhsKind::Closure, span);
    r.index = lambda;
    return r;
  }
  auto NewLambda(const std::vector<check::ClauseView>& clauses, check::Type* result, int self_local,
                 const std::string& name, source::Span span) -> int {
    const int index = static_cast<int>(p_.lambdas.size());
    p_.lambdas.emplace_back();
    FillLambda(index, clauses, result, self_local, name, span);
    return index;
  }

  void FillLambda(int index, const std::vector<check::ClauseView>& clauses, check::Type* result,
                  int self_local, const std::string& name, source::Span span) {
    Lambda lambda;
    lambda.name = name;
    lambda.span = span;
    lambda.file = file_;
    lambda.result = result;
    lambda.self = p_.NewVar(name, nullptr);
    if (self_local >= 0) local_var_[self_local] = lambda.self;
    const size_t n = clauses.front().params->size();
    for (size_t i = 0; i < n; ++i) {
      const parse::Pattern* p = (*clauses.front().params)[i];
      lambda.params.push_back(p_.NewVar("a" + std::to_string(i), PatternType(p)));
      synthetic_.insert(lambda.params.back());
    }
    const bool effect = IsEffect(result);
    const int saved_region = region_;
    std::unique_ptr<Expr>* saved_hole = hole_;
    region_ = effect ? p_.NewRegion() : -1;
    lambda.region = region_;
    hole_ = &lambda.body;
    std::vector<Atom> args;
    for (int v : lambda.params) args.push_back(Atom::Variable(v));
    Clauses(clauses, args, effect ? Mode::Run : Mode::Value,
            self_local >= 0 ? "no clause of `" + name + "` matches its arguments"
                            : "no clause of the lambda matches its arguments",
            span);
    region_ = saved_region;
    hole_ = saved_hole;
    lambda.captures = FreeVariables(lambda);
    p_.lambdas[index] = std::move(lambda);
  }

  // Variables a lambda's body uses that it does not bind, in order of first use.
  auto FreeVariables(const Lambda& lambda) -> std::vector<int> {
    std::set<int> bound{lambda.self};
    bound.insert(lambda.params.begin(), lambda.params.end());
    if (lambda.region >= 0) bound.insert(lambda.region);
    std::vector<int> free;
    std::set<int> seen;
    auto use = [&](int v) {
      if (v >= 0 && !bound.contains(v) && seen.insert(v).second) free.push_back(v);
    };
    // In order, with an explicit stack (bodies can be long and deep): what
    // is pushed while visiting one node is visited in push order.
    std::vector<const Expr*> work;
    auto atoms = [&](const std::vector<Atom>& xs) {
      for (const Atom& a : xs)
        if (a.IsVar()) use(a.var);
    };
    auto rhs = [&](const Rhs& r) {
      atoms(r.args);
      if (r.kind == RhsKind::CallLocal) use(r.var);
      use(r.region);
      if (r.kind == RhsKind::Closure)
        for (int v : p_.lambdas[r.index].captures) use(v);
      if (r.kind == RhsKind::Region) bound.insert(r.var);
      if (r.body) work.push_back(r.body.get());
    };
    auto expr = [&](const Expr* body) {
      work.push_back(body);
      while (!work.empty()) {
        const Expr* e = work.back();
        work.pop_back();
        const size_t mark = work.size();
        switch (e->kind) {
          case core::ExprKind::Let:
            rhs(e->rhs);
            bound.insert(e->var);
            break;
          case core::ExprKind::LetRec:
            bound.insert(e->vars.begin(), e->vars.end());
            for (const Rhs& r : e->group) rhs(r);
            break;
          case core::ExprKind::Return:
            rhs(e->rhs);
            break;
          case core::ExprKind::If:
          case core::ExprKind::Switch:
            if (e->cond.IsVar()) use(e->cond.var);
            break;
          case core::ExprKind::Join:
            bound.insert(e->vars.begin(), e->vars.end());
            break;
          case core::ExprKind::Jump:
            atoms(e->args);
            break;
          case core::ExprKind::Fail:
            break;
        }
        ForEachChildSlot(*e, nullptr,
                         [&](const std::unique_ptr<Expr>* child) { work.push_back(child->get()); });
        std::reverse(work.begin() + static_cast<long>(mark), work.end());
      }
    };
    expr(lambda.body.get());
    return free;
  }

  const check::CheckedModule& c_;
  std::unordered_map<uint32_t, check::SendKind> send_kinds_;  // put sites by call expression id
  Program& p_;
  std::vector<int> local_var_;  // checker local id -> Core variable
  std::map<int, Known> known_;  // checker local id of a local function -> its lambda
  std::set<int> synthetic_;     // variables with made-up names a pattern may rename
  std::map<int, std::pair<std::string, check::Type*>>
      locals_;                             // checker local id -> source name, type
  std::vector<std::vector<Leaf>> leaves_;  // per clause of the match being compiled
  std::string fail_message_;
  source::Span fail_span_;
  std::unique_ptr<Expr>* last_slot_ = nullptr;
  int region_ = -1;  // the effect token in scope, or -1
  std::set<uint32_t> in_ancestor_;  // statements being translated by InAncestor
  std::unique_ptr<Expr>* hole_ = nullptr;
  const source::SourceFile* file_ = nullptr;
};

}  // namespace

auto FromChecked(const check::CheckedModule& checked) -> std::unique_ptr<Program> {
  auto program = std::make_unique<Program>();
  program->checked = &checked;
  Translator(checked, *program).Run();
  return program;
}

}  // namespace atl::core
