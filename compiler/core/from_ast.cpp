// The checked AST to Core: A-normal form, explicit closures and region
// tokens, pattern matching compiled to decision trees. See README.md for
// the translation scheme.
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "compiler/core/chain.h"
#include "compiler/core/core.h"
#include "compiler/core/match.h"
#include "compiler/core/util.h"
#include "compiler/source/internal_check.h"

namespace atl::core {
namespace {

using parse::BinaryOp;
using parse::Cast;
using AstKind = parse::ExprKind;
using parse::PatternKind;

enum class Mode { Value, Run };

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
  // ---- Building chains (chain.h): `chain_.hole` is where the next expression goes.
  // Whether a variable is the compiler's own (a pattern that binds it may
  // give it the pattern's name) is said where it is made, never read from
  // its name: a user's `f` is the user's.
  enum class Origin : uint8_t { Source, Made };
  auto Bind(Rhs rhs, const std::string& name, check::Type* type, Origin origin = Origin::Source)
      -> int {
    const int v = p_.NewVar(name, type);
    if (origin == Origin::Made) synthetic_.insert(v);
    auto e = NewExpr(core::ExprKind::Let, rhs.span);
    e->var = v;
    e->rhs = std::move(rhs);
    Expr* raw = e.get();
    chain_.Emit(std::move(e), &raw->next);
    return v;
  }
  // The rhs as an atom: itself when it is one, else a fresh variable bound to it.
  auto Atomize(Rhs rhs, check::Type* type) -> Atom {
    if (rhs.kind == RhsKind::Atom) return rhs.args[0];
    return Atom::Variable(Bind(std::move(rhs), "t", type, Origin::Made));
  }
  auto AtomOf(const parse::Expr* e) -> Atom { return Atomize(Value(e), TypeOf(e)); }
  void Return(Rhs rhs) {
    auto e = NewExpr(core::ExprKind::Return, rhs.span);
    e->rhs = std::move(rhs);
    chain_.Finish(std::move(e));
  }
  auto AtomRhs(Atom a, source::Span span) -> Rhs {
    Rhs r = NewRhs(RhsKind::Atom, span);
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
    chain_.hole = &out.body;
    std::vector<Atom> args;
    for (int v : out.params) args.push_back(Atom::Variable(v));
    Clauses(clauses, args, f.effect ? Mode::Run : Mode::Value,
            "no clause of `" + f.name + "` matches its arguments", f.decl->name.span);
  }

  // Clauses tried in order, compiled to a decision tree by the match
  // compiler (match.h). A clause reached from one leaf of the tree is placed
  // at that leaf; one reached from several is a join point whose parameters
  // are its pattern variables.
  void Clauses(const std::vector<check::ClauseView>& clauses, const std::vector<Atom>& args,
               Mode mode, const std::string& no_match, source::Span span) {
    std::vector<Occurrence> occurrences;
    std::vector<MatchRow> rows;
    if (!clauses.empty()) {  // else an empty case: no row, the tree is a Fail
      for (size_t i = 0; i < args.size(); ++i)
        occurrences.push_back(Occurrence{args[i], PatternType((*clauses.front().params)[i])});
    }
    for (size_t c = 0; c < clauses.size(); ++c) {
      MatchRow row;
      row.clause = static_cast<int>(c);
      for (const parse::Pattern* p : *clauses[c].params) row.pats.push_back(Shape(p));
      rows.push_back(std::move(row));
    }
    std::unique_ptr<Expr> tree;
    std::vector<std::vector<MatchLeaf>> leaves;
    {
      Scoped<std::unique_ptr<Expr>*> at(chain_.hole, &tree);
      leaves = Matcher().Compile(std::move(occurrences), std::move(rows), clauses.size(), no_match,
                                 span);
    }
    // Clauses reached from several leaves become join points around the tree.
    std::vector<Expr*> joins(clauses.size(), nullptr);
    for (size_t c = 0; c < clauses.size(); ++c) {
      if (leaves[c].size() < 2) continue;
      auto join = NewExpr(core::ExprKind::Join, clauses[c].body->span);
      join->label = p_.labels++;
      for (const auto& binding : leaves[c].front().bindings)
        join->vars.push_back(p_.NewVar(LocalName(binding.first), LocalType(binding.first)));
      // Each leaf passes the values of the clause's variables, in one order.
      for (const MatchLeaf& leaf : leaves[c]) {
        Expr& jump = **leaf.slot;
        jump.label = join->label;
        for (const auto& binding : leaves[c].front().bindings)
          for (const auto& [local, atom] : leaf.bindings)
            if (local == binding.first) jump.args.push_back(atom);
      }
      joins[c] = join.get();
      Expr* raw = join.get();
      chain_.Emit(std::move(join), &raw->next);
    }
    // A tree that is a single leaf moves with it.
    for (std::vector<MatchLeaf>& clause_leaves : leaves)
      for (MatchLeaf& leaf : clause_leaves)
        if (leaf.slot == &tree) leaf.slot = chain_.hole;
    *chain_.hole = std::move(tree);
    chain_.hole = nullptr;
    for (size_t c = 0; c < clauses.size(); ++c) {
      if (leaves[c].empty()) continue;  // unreachable (the checker warned)
      if (joins[c] != nullptr) {
        for (size_t k = 0; k < leaves[c].front().bindings.size(); ++k)
          local_var_[leaves[c].front().bindings[k].first] = joins[c]->vars[k];
        chain_.hole = &joins[c]->join_body;
      } else {
        const MatchLeaf& leaf = leaves[c].front();
        chain_.hole = leaf.slot;
        chain_.hole->reset();
        for (const auto& [local, atom] : leaf.bindings) BindLocal(local, atom);
      }
      Tail(clauses[c].body, mode);
    }
    chain_.hole = nullptr;
  }

  // A match compiler writing into this translation's chain; the variables
  // it makes are the compiler's own (a pattern variable bound to one renames it).
  auto Matcher() -> MatchCompiler {
    return MatchCompiler(c_, p_, chain_,
                         [this](Rhs rhs, const std::string& name, check::Type* type) {
                           return Bind(std::move(rhs), name, type, Origin::Made);
                         });
  }

  // A pattern's shape, with the names and types of the variables it binds
  // remembered (a variable the match binds is named after its pattern).
  auto Shape(const parse::Pattern* p) -> check::PatternShape {
    check::PatternShape shape = check::ShapeOf(c_, c_.pattern_types, p);
    std::vector<const check::PatternShape*> work{&shape};
    while (!work.empty()) {
      const check::PatternShape* s = work.back();
      work.pop_back();
      if (s->local >= 0) locals_[s->local] = {s->name, s->type};
      for (const check::PatternShape& a : s->args) work.push_back(&a);
    }
    return shape;
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

  // A `let`/`<-`/lambda pattern whose failure is a runtime error at the
  // pattern: the match compiler on one row, whose single leaf is where the
  // chain goes on (a pattern that cannot fail emits no test).
  void MatchOrFail(const parse::Pattern* p, const Atom& v, const char* message) {
    std::vector<MatchRow> rows(1);
    rows[0].pats.push_back(Shape(p));
    const std::vector<std::vector<MatchLeaf>> leaves =
        Matcher().Compile({Occurrence{v, PatternType(p)}}, std::move(rows), 1, message, p->span);
    const MatchLeaf& leaf = leaves[0].front();
    chain_.hole = leaf.slot;
    chain_.hole->reset();
    for (const auto& [local, atom] : leaf.bindings) BindLocal(local, atom);
  }

  // ---- Tail position: ends the chain at chain_.hole.
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
          auto x = NewExpr(core::ExprKind::If, e->span);
          x->cond = AtomOf(bin->lhs);
          Expr* raw = x.get();
          chain_.Finish(std::move(x));
          chain_.hole = bin->op == BinaryOp::And ? &raw->else_branch : &raw->then_branch;
          Return(AtomRhs(Atom::Bool(bin->op == BinaryOp::Or), e->span));
          chain_.hole = bin->op == BinaryOp::And ? &raw->then_branch : &raw->else_branch;
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
          Rhs r = NewRhs(RhsKind::Apply, e->span);
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
    auto e = NewExpr(core::ExprKind::If, span);
    e->cond = std::move(cond);
    Expr* raw = e.get();
    chain_.Finish(std::move(e));
    chain_.hole = &raw->then_branch;
    Tail(yes, mode);
    chain_.hole = &raw->else_branch;
    Tail(no, mode);
  }

  // A non-tail if/case/let evaluated for its value.
  auto Block(const parse::Expr* e, Mode mode) -> Rhs {
    Rhs r = NewRhs(RhsKind::Block, e->span);
    {
      Scoped<std::unique_ptr<Expr>*> at(chain_.hole, &r.body);
      Tail(e, mode);
    }
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
            Rhs r = NewRhs(f.arity == 0 && !f.effect ? RhsKind::CallGlobal : RhsKind::GlobalValue,
                           e->span);
            r.SetFunction(ref.index);
            return r;
          }
          case check::RefKind::Builtin: {
            const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
            Rhs r = NewRhs(info.arity == 0 && !info.effect ? RhsKind::Prim : RhsKind::PrimValue,
                           e->span);
            r.prim = ref.builtin;
            return r;
          }
          case check::RefKind::Constructor:
          case check::RefKind::BuiltinConstructor:
          case check::RefKind::None:
            break;
        }
        ATL_UNREACHABLE("a variable the checker did not resolve reached Core");
      }
      case AstKind::Con: {
        const check::Ref& ref = c_.refs[e->id];
        if (ref.kind == check::RefKind::Constructor) {
          Rhs r =
              NewRhs(c_.constructors[ref.index].arity == 0 ? RhsKind::Construct : RhsKind::ConValue,
                     e->span);
          r.SetConstructor(ref.index);
          return r;
        }
        ATL_CHECK(ref.kind == check::RefKind::BuiltinConstructor,
                  "a constructor expression the checker did not resolve");
        if (ref.index == check::kConNil) return NewRhs(RhsKind::Nil, e->span);
        return AtomRhs(Atom::Bool(ref.index == check::kConTrue), e->span);
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
        Rhs r = NewRhs(RhsKind::Negate, e->span);
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
        Rhs r = NewRhs(RhsKind::Tuple, e->span);
        for (const parse::Expr* x : Cast<parse::TupleExpr>(e)->elements)
          r.args.push_back(AtomOf(x));
        return r;
      }
      case AstKind::List: {
        if (check::IsStaticValue(c_, e)) return StaticRhs(e);
        std::vector<Atom> values;
        for (const parse::Expr* x : Cast<parse::ListExpr>(e)->elements) values.push_back(AtomOf(x));
        Rhs list = NewRhs(RhsKind::Nil, e->span);
        for (auto it = values.rbegin(); it != values.rend(); ++it) {
          const Atom tail = Atomize(std::move(list), type);
          list = NewRhs(RhsKind::Cons, e->span);
          list.args = {*it, tail};
        }
        return list;
      }
      case AstKind::OpRef: {
        Rhs r = NewRhs(RhsKind::OpValue, e->span);
        r.op = Cast<parse::OpRefExpr>(e)->op;
        r.type = type != nullptr && !type->args.empty() ? check::Resolve(type->args[0]) : nullptr;
        return r;
      }
      case AstKind::RecordLit: {
        Rhs r = NewRhs(RhsKind::Record, e->span);
        r.type = type;
        for (const parse::FieldInit& f : Cast<parse::RecordLitExpr>(e)->fields) {
          r.names.push_back(f.name.text);
          r.args.push_back(AtomOf(f.value));
        }
        return r;
      }
      case AstKind::RecordUpdate: {
        const auto* u = Cast<parse::RecordUpdateExpr>(e);
        Rhs r = NewRhs(RhsKind::Update, e->span);
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
        Rhs r = NewRhs(RhsKind::Field, e->span);
        r.type = TypeOf(f->record);
        r.args.push_back(AtomOf(f->record));
        r.names.push_back(f->field.text);
        return r;
      }
      case AstKind::Do:  // an action: ActionClosure above
      case AstKind::Error:
        break;
    }
    ATL_UNREACHABLE("an erroneous or untyped expression reached Core");
  }

  auto StaticRhs(const parse::Expr* e) -> Rhs {
    // Literals stay atoms; compound constants are static objects.
    while (e->kind == AstKind::Annot) e = Cast<parse::AnnotExpr>(e)->expr;
    if (e->kind == AstKind::Literal || e->kind == AstKind::Unit || e->kind == AstKind::Negate ||
        e->kind == AstKind::Con)
      return Value(e);
    Rhs r = NewRhs(RhsKind::Static, e->span);
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
        Rhs r = NewRhs(RhsKind::Cons, e->span);
        r.args.push_back(AtomOf(e->lhs));
        r.args.push_back(AtomOf(e->rhs));
        return r;
      }
      default:
        break;
    }
    Rhs r = NewRhs(RhsKind::Binary, e->op_span);
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
        direct = NewRhs(RhsKind::CallGlobal, span);
        direct.SetFunction(ref.index);
        used = f.arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Local) {
      if (auto it = known_.find(ref.index); it != known_.end() && !it->second.effect &&
                                            it->second.arity > 0 &&
                                            args.size() >= static_cast<size_t>(it->second.arity)) {
        direct = NewRhs(RhsKind::CallLocal, span);
        direct.SetLambda(it->second.lambda);
        direct.SetClosure(local_var_[ref.index]);
        used = it->second.arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Constructor) {
      if (args.size() >= static_cast<size_t>(c_.constructors[ref.index].arity)) {
        direct = NewRhs(RhsKind::Construct, span);
        direct.SetConstructor(ref.index);
        used = c_.constructors[ref.index].arity;
        have = true;
      }
    } else if (ref.kind == check::RefKind::Builtin) {
      const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
      if (!info.effect && info.arity > 0 && args.size() >= static_cast<size_t>(info.arity)) {
        direct = NewRhs(RhsKind::Prim, spine.head->span);
        direct.prim = ref.builtin;
        for (int i = 0; i < info.arity; ++i) direct.types.push_back(TypeOf(spine.args[i]));
        used = info.arity;
        have = true;
      }
    }
    if (!have) {
      // No arguments: the head's value itself (an Apply needs an argument).
      if (args.empty()) return AtomRhs(AtomOf(spine.head), span);
      Rhs r = NewRhs(RhsKind::Apply, span);
      r.args.push_back(AtomOf(spine.head));
      r.args.insert(r.args.end(), args.begin(), args.end());
      return r;
    }
    direct.args.assign(args.begin(), args.begin() + static_cast<long>(used));
    if (used == args.size()) return direct;
    Rhs r = NewRhs(RhsKind::Apply, span);
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
    if (cast == nullptr && (body->kind == AstKind::Var || !IsEffect(TypeOf(body))))
      return std::nullopt;
    Rhs r = NewRhs(RhsKind::Region, spine.head->span);
    r.prim = ref.builtin;
    // Under a discipline with a covariant Effect token the child knows the
    // region it was opened in, so an action of that region can run there.
    if (ref.builtin == check::Builtin::RunIO && !c_.region_hops.empty()) r.region = region_;
    r.SetBoundRegion(p_.NewRegion());
    {
      Scoped<int> region(region_, r.bound_region());
      Scoped<std::unique_ptr<Expr>*> at(chain_.hole, &r.body);
      if (cast != nullptr) {
        MatchOrFail(cast->params[0], Atom::UnitValue(),
                    "no clause of the lambda matches its arguments");
        Tail(cast->body, Mode::Run);
      } else {
        Tail(body, Mode::Run);
      }
    }
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
  // one: a Region rhs with `ancestor()` = hops that binds that region (the
  // lowering follows the parent links; nothing is opened or closed).
  auto InAncestor(const parse::Expr* e, int hops) -> Rhs {
    Rhs r = NewRhs(RhsKind::Region, e->span);
    r.prim = check::Builtin::RunIO;
    r.SetAncestor(hops);
    r.region = region_;
    r.SetBoundRegion(p_.NewRegion());
    {
      Scoped<int> region(region_, r.bound_region());
      Scoped<std::unique_ptr<Expr>*> at(chain_.hole, &r.body);
      in_ancestor_.insert(e->id);
      Tail(e, Mode::Run);
      in_ancestor_.erase(e->id);
    }
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
        Rhs r = NewRhs(RhsKind::Apply, e->span);
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
        Rhs r = NewRhs(RhsKind::CallGlobal, span);
        r.SetFunction(ref.index);
        r.args = std::move(args);
        r.region = region_;
        return r;
      }
    } else if (ref.kind == check::RefKind::Builtin) {
      const check::PrimitiveInfo& info = check::Primitive(ref.builtin);
      if (info.effect && args.size() == static_cast<size_t>(info.arity)) {
        Rhs r = NewRhs(RhsKind::Prim, spine.head->span);
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
        Rhs r = NewRhs(RhsKind::CallLocal, span);
        r.SetLambda(it->second.lambda);
        r.SetClosure(local_var_[ref.index]);
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
    Rhs r = NewRhs(RhsKind::Apply, span);
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
      auto letrec = NewExpr(core::ExprKind::LetRec, group.front().decl->span);
      for (Member& m : group) {
        local_var_[m.local] = -1;  // inside its own body, the member is `self`
        FillLambda(m.lambda, m.clauses, m.result, m.local, m.decl->name.text, m.decl->span);
        local_var_[m.local] = m.var;
        letrec->vars.push_back(m.var);
        Rhs r = NewRhs(RhsKind::Closure, m.decl->span);
        r.SetLambda(m.lambda);
        letrec->group.push_back(std::move(r));
      }
      Expr* raw = letrec.get();
      chain_.Emit(std::move(letrec), &raw->next);
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
    Rhs r = NewRhs(RhsKind::Closure, span);
    r.SetLambda(lambda);
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
    lambda.region = effect ? p_.NewRegion() : -1;
    {
      Scoped<int> region(region_, lambda.region);
      Scoped<std::unique_ptr<Expr>*> at(chain_.hole, &lambda.body);
      std::vector<Atom> args;
      for (int v : lambda.params) args.push_back(Atom::Variable(v));
      Clauses(clauses, args, effect ? Mode::Run : Mode::Value,
              self_local >= 0 ? "no clause of `" + name + "` matches its arguments"
                              : "no clause of the lambda matches its arguments",
              span);
    }
    lambda.captures = FreeVariables(p_, lambda);
    p_.lambdas[index] = std::move(lambda);
  }

  const check::CheckedModule& c_;
  std::unordered_map<uint32_t, check::SendKind> send_kinds_;  // put sites by call expression id
  Program& p_;
  std::vector<int> local_var_;  // checker local id -> Core variable
  std::map<int, Known> known_;  // checker local id of a local function -> its lambda
  std::set<int> synthetic_;     // variables with made-up names a pattern may rename
  std::map<int, std::pair<std::string, check::Type*>>
      locals_;                      // checker local id -> source name, type
  int region_ = -1;                 // the effect token in scope, or -1
  Chain chain_;                     // where the code being translated goes
  std::set<uint32_t> in_ancestor_;  // statements being translated by InAncestor
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
