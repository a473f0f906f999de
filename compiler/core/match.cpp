// The match compiler (match.h).
#include "compiler/core/match.h"

#include <algorithm>

#include "compiler/source/internal_check.h"

namespace atl::core {

namespace {

using Kind = check::PatternShape::Kind;

auto Without(std::vector<Occurrence> occs, size_t j) -> std::vector<Occurrence> {
  occs.erase(occs.begin() + static_cast<long>(j));
  return occs;
}

auto ListElement(check::Type* list) -> check::Type* {
  return list != nullptr && check::IsCon(list, "List") && !list->args.empty()
             ? check::Resolve(list->args[0])
             : nullptr;
}

}  // namespace

auto LiteralAtom(const parse::Literal& lit) -> Atom {
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

auto MatchCompiler::Compile(std::vector<Occurrence> occs, std::vector<MatchRow> rows,
                            size_t clauses, std::string fail_message, source::Span fail_span)
    -> std::vector<std::vector<MatchLeaf>> {
  ATL_CHECK(leaves_.empty(), "a MatchCompiler compiles one match");
  leaves_.assign(clauses, {});
  fail_message_ = std::move(fail_message);
  fail_span_ = fail_span;
  Tree(std::move(occs), std::move(rows));
  return std::move(leaves_);
}

void MatchCompiler::FailLeaf() {
  auto fail = NewExpr(ExprKind::Fail, fail_span_);
  fail->message = fail_message_;
  chain_.Finish(std::move(fail));
}

// Rows with row 0 first; ends the chain at its hole.
void MatchCompiler::Tree(std::vector<Occurrence> occs, std::vector<MatchRow> rows) {
  if (rows.empty()) {
    FailLeaf();
    return;
  }
  // Tuples and records never fail: expand their columns into projections.
  for (size_t j = 0; j < occs.size(); ++j) {
    const Shape* shape = nullptr;
    for (const MatchRow& r : rows)
      if (r.pats[j].kind == Kind::Tuple || r.pats[j].kind == Kind::Record) {
        shape = &r.pats[j];
        break;
      }
    if (shape == nullptr) continue;
    ExpandShape(occs, rows, j, *shape);
    Tree(std::move(occs), std::move(rows));
    return;
  }
  MatchRow& first = rows.front();
  size_t j = 0;
  while (j < occs.size() && first.pats[j].kind == Kind::Any) ++j;
  if (j == occs.size()) {  // row 0 matches: a leaf
    for (size_t k = 0; k < occs.size(); ++k)
      if (first.pats[k].local >= 0) first.bindings.emplace_back(first.pats[k].local, occs[k].atom);
    chain_.Finish(NewExpr(ExprKind::Jump, source::Span{}));
    // The slot is the unique_ptr the Jump was stored in: the hole it filled.
    leaves_[static_cast<size_t>(first.clause)].push_back(MatchLeaf{chain_.last, first.bindings});
    return;
  }
  const Shape& head = first.pats[j];
  const Occurrence occ = occs[j];
  if (head.kind == Kind::Lit) {
    LiteralTests(occs, std::move(rows), j);
    return;
  }
  ATL_CHECK(head.kind == Kind::Con, "a tested pattern is a constructor");
  if (head.con == check::kConTrue || head.con == check::kConFalse) {
    auto x = NewExpr(ExprKind::If, head.span);
    x->cond = occ.atom;
    Expr* raw = x.get();
    chain_.Finish(std::move(x));
    std::vector<MatchRow> yes = Specialise(occs, rows, j, check::kConTrue, 0);
    std::vector<MatchRow> no = Specialise(occs, rows, j, check::kConFalse, 0);
    std::vector<Occurrence> rest = Without(occs, j);
    chain_.hole = &raw->then_branch;
    Tree(rest, std::move(yes));
    chain_.hole = &raw->else_branch;
    Tree(rest, std::move(no));
    return;
  }
  // Constructors of a data type, or [] and ::.
  std::vector<int> seen;
  for (const MatchRow& r : rows)
    if (r.pats[j].kind == Kind::Con &&
        std::find(seen.begin(), seen.end(), r.pats[j].con) == seen.end())
      seen.push_back(r.pats[j].con);
  const int siblings = check::ConstructorSiblings(c_, head.con);
  if (siblings == 1) {  // nothing to test
    Alternative(occs, rows, j, head.con, head.span);
    return;
  }
  auto sw = NewExpr(ExprKind::Switch, head.span);
  sw->cond = occ.atom;
  for (int con : seen) sw->alts.push_back(Alt{con, nullptr});
  Expr* raw = sw.get();
  chain_.Finish(std::move(sw));
  for (Alt& alt : raw->alts) {
    chain_.hole = &alt.body;
    Alternative(occs, rows, j, alt.constructor, head.span);
  }
  if (static_cast<int>(seen.size()) < siblings) {
    chain_.hole = &raw->else_branch;
    Tree(Without(occs, j), Default(rows, j, occ.atom));
  }
}

// The alternative for constructor `con` at column j: its fields projected,
// then the specialised rows.
void MatchCompiler::Alternative(const std::vector<Occurrence>& occs,
                                const std::vector<MatchRow>& rows, size_t j, int con,
                                source::Span span) {
  const auto arity = static_cast<size_t>(check::ConstructorArity(c_, con));
  std::vector<Occurrence> fields;
  check::Type* list = occs[j].type;
  for (size_t i = 0; i < arity; ++i) {
    check::Type* type = nullptr;
    for (const MatchRow& r : rows)
      if (r.pats[j].kind == Kind::Con && r.pats[j].con == con &&
          r.pats[j].args[i].type != nullptr) {
        type = r.pats[j].args[i].type;
        break;
      }
    if (con == check::kConCons) type = i == 0 ? ListElement(list) : list;
    fields.push_back(Occurrence{Project(occs[j].atom, static_cast<int>(i), type, span), type});
  }
  std::vector<Occurrence> next = Without(occs, j);
  next.insert(next.begin() + static_cast<long>(j), fields.begin(), fields.end());
  Tree(std::move(next), Specialise(occs, rows, j, con, arity));
}

// Int, Char, String and Float literals: a chain of equality tests.
void MatchCompiler::LiteralTests(const std::vector<Occurrence>& occs, std::vector<MatchRow> rows,
                                 size_t j) {
  std::vector<parse::Literal> seen;
  for (const MatchRow& r : rows)
    if (r.pats[j].kind == Kind::Lit &&
        std::none_of(seen.begin(), seen.end(), [&](const parse::Literal& l) {
          return check::SameLiteral(l, r.pats[j].literal);
        }))
      seen.push_back(r.pats[j].literal);
  const std::vector<Occurrence> rest = Without(occs, j);
  for (const parse::Literal& lit : seen) {
    const source::Span span = rows.front().pats[j].span;
    const Atom eq = Equal(occs[j].atom, LiteralAtom(lit), occs[j].type, span);
    auto x = NewExpr(ExprKind::If, span);
    x->cond = eq;
    Expr* raw = x.get();
    chain_.Finish(std::move(x));
    std::vector<MatchRow> yes;
    for (const MatchRow& r : rows) {
      const Shape& p = r.pats[j];
      if (p.kind == Kind::Lit && !check::SameLiteral(p.literal, lit)) continue;
      MatchRow copy = r;
      if (p.local >= 0) copy.bindings.emplace_back(p.local, occs[j].atom);
      copy.pats.erase(copy.pats.begin() + static_cast<long>(j));
      yes.push_back(std::move(copy));
    }
    chain_.hole = &raw->then_branch;
    Tree(rest, std::move(yes));
    chain_.hole = &raw->else_branch;
  }
  Tree(rest, Default(rows, j, occs[j].atom));
}

// Rows that match constructor `con` at column j, with its `arity` fields in
// place of the column (a variable row gets wildcards and its binding).
auto MatchCompiler::Specialise(const std::vector<Occurrence>& occs,
                               const std::vector<MatchRow>& rows, size_t j, int con, size_t arity)
    -> std::vector<MatchRow> {
  std::vector<MatchRow> out;
  for (const MatchRow& r : rows) {
    const Shape& p = r.pats[j];
    if (p.kind == Kind::Con && p.con != con) continue;
    if (p.kind == Kind::Lit) continue;
    MatchRow copy;
    copy.clause = r.clause;
    copy.bindings = r.bindings;
    if (p.kind == Kind::Any && p.local >= 0) copy.bindings.emplace_back(p.local, occs[j].atom);
    for (size_t k = 0; k < r.pats.size(); ++k) {
      if (k != j) {
        copy.pats.push_back(r.pats[k]);
        continue;
      }
      if (p.kind == Kind::Con) {
        for (const Shape& a : p.args) copy.pats.push_back(a);
      } else {
        for (size_t i = 0; i < arity; ++i) copy.pats.push_back(Shape{});
      }
    }
    out.push_back(std::move(copy));
  }
  return out;
}

// Rows whose column j is a variable or wildcard, without the column.
auto MatchCompiler::Default(const std::vector<MatchRow>& rows, size_t j, const Atom& value)
    -> std::vector<MatchRow> {
  std::vector<MatchRow> out;
  for (const MatchRow& r : rows) {
    if (r.pats[j].kind != Kind::Any) continue;
    MatchRow copy = r;
    if (r.pats[j].local >= 0) copy.bindings.emplace_back(r.pats[j].local, value);
    copy.pats.erase(copy.pats.begin() + static_cast<long>(j));
    out.push_back(std::move(copy));
  }
  return out;
}

// Replaces column j (tuples or records in some rows) by one column per
// component, projected once.
void MatchCompiler::ExpandShape(std::vector<Occurrence>& occs, std::vector<MatchRow>& rows,
                                size_t j, const Shape& shape) {
  const Occurrence occ = occs[j];
  std::vector<Occurrence> parts;
  std::vector<std::string> fields;
  if (shape.kind == Kind::Tuple) {
    for (size_t i = 0; i < shape.args.size(); ++i)
      parts.push_back(
          Occurrence{Project(occ.atom, static_cast<int>(i), shape.args[i].type, shape.span),
                     shape.args[i].type});
  } else {
    for (const MatchRow& r : rows)
      if (r.pats[j].kind == Kind::Record)
        for (const std::string& f : r.pats[j].fields)
          if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
    for (const std::string& f : fields) {
      check::Type* type = nullptr;
      for (const MatchRow& r : rows)
        if (r.pats[j].kind == Kind::Record)
          for (size_t i = 0; i < r.pats[j].fields.size(); ++i)
            if (r.pats[j].fields[i] == f && type == nullptr) type = r.pats[j].args[i].type;
      Rhs field = NewRhs(RhsKind::Field, shape.span);
      field.args.push_back(occ.atom);
      field.names.push_back(f);
      field.type = shape.type != nullptr ? shape.type : occ.type;
      parts.push_back(Occurrence{Atom::Variable(bind_(std::move(field), f, type)), type});
    }
  }
  for (MatchRow& r : rows) {
    Shape p = std::move(r.pats[j]);
    std::vector<Shape> replacement(parts.size());
    if (p.kind == Kind::Tuple) {
      replacement = std::move(p.args);
    } else if (p.kind == Kind::Record) {
      for (size_t i = 0; i < p.fields.size(); ++i) {
        const auto at = static_cast<size_t>(std::find(fields.begin(), fields.end(), p.fields[i]) -
                                            fields.begin());
        replacement[at] = std::move(p.args[i]);
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

auto MatchCompiler::Project(const Atom& v, int index, check::Type* type, source::Span span)
    -> Atom {
  Rhs r = NewRhs(RhsKind::Project, span);
  r.args.push_back(v);
  r.SetPosition(index);
  return Atom::Variable(bind_(std::move(r), "f", type));
}

auto MatchCompiler::Equal(const Atom& v, Atom literal, check::Type* type, source::Span span)
    -> Atom {
  Rhs r = NewRhs(RhsKind::Binary, span);
  r.op = parse::BinaryOp::Eq;
  r.type = type;
  r.args = {v, std::move(literal)};
  return Atom::Variable(bind_(std::move(r), "eq", p_.types.Con("Bool")));
}

}  // namespace atl::core
