// Coverage of pattern matches: non-exhaustive matches (W0301) and redundant
// alternatives or clauses (W0302), by the usefulness algorithm of Maranget
// ("Warnings for pattern matching", 2007) over a matrix of patterns.
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compiler/check/checker.h"
#include "compiler/check/pattern_shape.h"

namespace atl::check {

namespace {

// A pattern (its PatternShape) reduced to what coverage needs. `ctor` names
// the constructor in a family (`family`): "True"/"False" in "Bool",
// "[]"/"::" in "List", the tuple/unit/record name for single-constructor
// families, the constructor id for data types; a literal is its text in
// family "literal". The strings are made from ids (FamilyName, CtorName).
struct Pat {
  enum class What { Wild, Ctor, Literal } what = What::Wild;
  std::string family;
  std::string ctor;
  std::vector<Pat> args;
};

using Row = std::vector<Pat>;

// Constructors of a family and their arities; empty for an infinite family.
struct Family {
  std::vector<std::pair<std::string, size_t>> ctors;
};

}  // namespace

namespace {

class Coverage {
 public:
  Coverage(const CheckedModule& out, const std::vector<Type*>& pattern_types)
      : out_(out), pattern_types_(pattern_types) {}

  // Whether a converted pattern had an error (unknown constructor, wrong
  // number of fields, a syntax error).
  auto Erroneous() const -> bool { return erroneous_; }

  auto Convert(const parse::Pattern* p) -> Pat {
    return Convert(ShapeOf(out_, pattern_types_, p, &erroneous_));
  }

  auto Convert(const PatternShape& p) -> Pat {
    Pat r;
    switch (p.kind) {
      case PatternShape::Kind::Any:
        return r;
      case PatternShape::Kind::Lit:
        r.what = Pat::What::Literal;
        r.family = "literal";
        switch (p.literal.kind) {
          case parse::LiteralKind::Int:
            r.ctor = std::to_string(p.literal.int_value);
            break;
          case parse::LiteralKind::Float:
            r.ctor = fmt::format("{}", p.literal.float_value);
            break;
          case parse::LiteralKind::Char:
            r.ctor = fmt::format("'{}", static_cast<uint32_t>(p.literal.char_value));
            break;
          case parse::LiteralKind::String:
            r.ctor = "\"" + p.literal.string_value;
            break;
        }
        return r;
      case PatternShape::Kind::Con:
        r.what = Pat::What::Ctor;
        r.family = FamilyName(p.con);
        r.ctor = CtorName(p.con);
        for (const PatternShape& a : p.args) r.args.push_back(Convert(a));
        return r;
      case PatternShape::Kind::Tuple:
        r.what = Pat::What::Ctor;
        r.family = r.ctor = TupleName(p.args.size());
        for (const PatternShape& e : p.args) r.args.push_back(Convert(e));
        return r;
      case PatternShape::Kind::Record: {
        Type* t = p.type;
        if (t == nullptr || t->kind != TypeKind::Con || !IsRecordName(t->name)) return r;
        r.what = Pat::What::Ctor;
        r.family = r.ctor = t->name;
        const std::vector<std::string> fields = RecordFields(t->name);
        r.args.resize(fields.size());
        for (size_t i = 0; i < p.fields.size(); ++i) {
          auto it = std::find(fields.begin(), fields.end(), p.fields[i]);
          if (it != fields.end()) r.args[it - fields.begin()] = Convert(p.args[i]);
        }
        return r;
      }
    }
    return r;
  }

  // Is `q` useful with respect to `rows` (does it match a value no row matches)?
  auto Useful(const std::vector<Row>& rows, const Row& q) -> bool {
    if (++steps_ > 100000) return false;  // pathological input: stay quiet rather than slow
    if (q.empty()) return rows.empty();
    const Pat& head = q.front();
    if (head.what != Pat::What::Wild) return Useful(Specialize(rows, head), SpecializeRow(q, head));
    // A wildcard: split over the family if the rows use all of its constructors.
    std::string family;
    std::set<std::string> used;
    for (const Row& r : rows) {
      if (r.front().what == Pat::What::Wild) continue;
      family = r.front().family;
      used.insert(r.front().ctor);
    }
    const Family f = FamilyOf(family, rows);
    const bool complete = !family.empty() && !f.ctors.empty() &&
                          std::all_of(f.ctors.begin(), f.ctors.end(),
                                      [&](const auto& c) { return used.contains(c.first); });
    if (complete) {
      for (const auto& [ctor, arity] : f.ctors) {
        Pat c;
        c.what = Pat::What::Ctor;
        c.family = family;
        c.ctor = ctor;
        c.args.assign(arity, Pat{});
        if (Useful(Specialize(rows, c), SpecializeRow(q, c))) return true;
      }
      return false;
    }
    std::vector<Row> defaults;
    for (const Row& r : rows)
      if (r.front().what == Pat::What::Wild) defaults.emplace_back(r.begin() + 1, r.end());
    return Useful(defaults, Row(q.begin() + 1, q.end()));
  }

  // Values no row matches, as rows of patterns of width `width` (at most
  // `limit`): Maranget's usefulness of the all-wildcard row, keeping the
  // constructors that make it useful. A missing constructor of a family
  // some row uses is named; one of an infinite family (literals) is `_`.
  auto Missing(const std::vector<Row>& rows, size_t width, size_t limit) -> std::vector<Row> {
    if (++steps_ > 100000 || limit == 0) return {};
    if (width == 0) return rows.empty() ? std::vector<Row>{Row{}} : std::vector<Row>{};
    std::string family;
    std::set<std::string> used;
    for (const Row& r : rows) {
      if (r.front().what == Pat::What::Wild) continue;
      family = r.front().family;
      used.insert(r.front().ctor);
    }
    const Family f = FamilyOf(family, rows);
    const bool complete = !family.empty() && !f.ctors.empty() &&
                          std::all_of(f.ctors.begin(), f.ctors.end(),
                                      [&](const auto& c) { return used.contains(c.first); });
    std::vector<Row> out;
    if (complete) {
      for (const auto& [ctor, arity] : f.ctors) {
        Pat c;
        c.what = Pat::What::Ctor;
        c.family = family;
        c.ctor = ctor;
        c.args.assign(arity, Pat{});
        for (Row& w : Missing(Specialize(rows, c), arity + width - 1, limit - out.size())) {
          c.args.assign(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(arity));
          Row row{c};
          row.insert(row.end(), w.begin() + static_cast<std::ptrdiff_t>(arity), w.end());
          out.push_back(std::move(row));
          if (out.size() >= limit) return out;
        }
      }
      return out;
    }
    std::vector<Row> defaults;
    for (const Row& r : rows)
      if (r.front().what == Pat::What::Wild) defaults.emplace_back(r.begin() + 1, r.end());
    std::vector<Pat> heads;
    if (family.empty() || f.ctors.empty()) {
      heads.push_back(Pat{});  // no constructor used, or literals: any other value
    } else {
      for (const auto& [ctor, arity] : f.ctors) {
        if (used.contains(ctor)) continue;
        Pat c;
        c.what = Pat::What::Ctor;
        c.family = family;
        c.ctor = ctor;
        c.args.assign(arity, Pat{});
        heads.push_back(std::move(c));
      }
    }
    for (Row& w : Missing(defaults, width - 1, limit)) {
      for (const Pat& h : heads) {
        Row row{h};
        row.insert(row.end(), w.begin(), w.end());
        out.push_back(std::move(row));
        if (out.size() >= limit) return out;
      }
    }
    return out;
  }

  // A pattern as source: `Green`, `Just _`, `(False, _)`, `_ :: _`, `[]`.
  auto Show(const Pat& p, bool atomic) const -> std::string {
    if (p.what != Pat::What::Ctor) return "_";
    std::vector<std::string> args;
    if (p.family == "List") {
      if (p.ctor == "[]") return "[]";
      const std::string s = Show(p.args[0], true) + " :: " + Show(p.args[1], false);
      return atomic ? "(" + s + ")" : s;
    }
    if (p.family == "Bool" || p.family == "()") return p.ctor;
    if (IsTupleName(p.family)) {
      for (const Pat& a : p.args) args.push_back(Show(a, false));
      return "(" + fmt::format("{}", fmt::join(args, ", ")) + ")";
    }
    if (IsRecordName(p.family)) {
      const std::vector<std::string> fields = RecordFields(p.family);
      for (size_t i = 0; i < fields.size() && i < p.args.size(); ++i)
        args.push_back(fields[i] + " = " + Show(p.args[i], false));
      return "{ " + fmt::format("{}", fmt::join(args, ", ")) + " }";
    }
    std::string s = out_.constructors[std::stoul(p.ctor)].name;
    for (const Pat& a : p.args) s += " " + Show(a, true);
    return atomic && !p.args.empty() ? "(" + s + ")" : s;
  }

 private:
  // The family and the name of constructor `id` in this matrix's encoding.
  auto FamilyName(int id) const -> std::string {
    switch (id) {
      case kConTrue:
      case kConFalse:
        return "Bool";
      case kConNil:
      case kConCons:
        return "List";
      case kConUnit:
        return "()";
      default:
        return "data:" + std::to_string(out_.constructors[id].type_index);
    }
  }
  static auto CtorName(int id) -> std::string {
    switch (id) {
      case kConTrue:
        return "True";
      case kConFalse:
        return "False";
      case kConNil:
        return "[]";
      case kConCons:
        return "::";
      case kConUnit:
        return "()";
      default:
        return std::to_string(id);
    }
  }

  auto FamilyOf(const std::string& family, const std::vector<Row>& rows) -> Family {
    Family f;
    if (family == "Bool") {
      f.ctors = {{CtorName(kConTrue), 0}, {CtorName(kConFalse), 0}};
    } else if (family == "List") {
      f.ctors = {{CtorName(kConNil), 0}, {CtorName(kConCons), 2}};
    } else if (family == "literal" || family.empty()) {
      // infinite
    } else if (family.rfind("data:", 0) == 0) {
      const int type_index = std::stoi(family.substr(5));
      for (size_t i = 0; i < out_.constructors.size(); ++i)
        if (out_.constructors[i].type_index == type_index)
          f.ctors.emplace_back(std::to_string(i), static_cast<size_t>(out_.constructors[i].arity));
    } else {
      // Single-constructor families: tuples, unit, records.
      size_t arity = 0;
      for (const Row& r : rows)
        if (r.front().family == family) arity = r.front().args.size();
      f.ctors = {{family, arity}};
    }
    return f;
  }

  static auto SpecializeRow(const Row& row, const Pat& c) -> Row {
    Row out;
    const Pat& head = row.front();
    if (head.what == Pat::What::Wild) {
      out.assign(c.args.size(), Pat{});
    } else {
      out = head.args;
      out.resize(c.args.size());
    }
    out.insert(out.end(), row.begin() + 1, row.end());
    return out;
  }

  static auto Specialize(const std::vector<Row>& rows, const Pat& c) -> std::vector<Row> {
    std::vector<Row> out;
    for (const Row& r : rows) {
      const Pat& head = r.front();
      if (head.what == Pat::What::Wild || (head.family == c.family && head.ctor == c.ctor))
        out.push_back(SpecializeRow(r, c));
    }
    return out;
  }

  const CheckedModule& out_;
  const std::vector<Type*>& pattern_types_;
  int steps_ = 0;
  bool erroneous_ = false;
};

}  // namespace

void Checker::CheckCoverage(const std::vector<std::vector<const parse::Pattern*>>& rows,
                            const std::vector<source::Span>& row_spans,
                            const std::vector<Type*>& column_types, source::Span at,
                            const std::string& what) {
  if (rows.empty()) {
    // An empty `case`: every type has a value (a data type has at least one
    // constructor), and none is matched.
    if (column_types.empty()) return;
    diags_.Report(
        diag::Kind::NonExhaustive, *file_, at,
        fmt::format("{} match no value (there are none); reaching it stops the program with a "
                    "runtime error naming this place",
                    what));
    return;
  }
  Coverage coverage(out_, pattern_types_);
  std::vector<Row> converted;
  for (const auto& patterns : rows) {
    Row row;
    for (const parse::Pattern* p : patterns) row.push_back(coverage.Convert(p));
    converted.push_back(std::move(row));
  }
  // A pattern with an error (already reported) matches nothing known: taking
  // it as a wildcard would make the next alternatives look unreachable, and
  // dropping it would make the match look incomplete. Say nothing.
  if (coverage.Erroneous()) return;
  std::vector<Row> matrix;
  for (size_t i = 0; i < converted.size(); ++i) {
    Row& row = converted[i];
    if (!coverage.Useful(matrix, row) && i < row_spans.size()) {
      diags_.Report(
          diag::Kind::RedundantPattern, *file_, row_spans[i],
          fmt::format(
              "this alternative of {} is never reached: the ones above cover every value it "
              "matches",
              what));
    }
    matrix.push_back(std::move(row));
  }
  const Row all(rows.front().size(), Pat{});
  if (coverage.Useful(matrix, all)) {
    // Name what is missing, as GHC and rustc do (`Green` and `Blue`).
    constexpr size_t kShown = 4;
    const std::vector<Row> missing = coverage.Missing(matrix, all.size(), kShown + 1);
    std::vector<std::string> shown;
    for (size_t i = 0; i < missing.size() && i < kShown; ++i) {
      std::vector<std::string> columns;
      for (const Pat& p : missing[i]) columns.push_back(coverage.Show(p, missing[i].size() > 1));
      shown.push_back("`" + fmt::format("{}", fmt::join(columns, " ")) + "`");
    }
    std::string list;
    for (size_t i = 0; i < shown.size(); ++i)
      list += (i == 0 ? "" : (i + 1 == shown.size() && missing.size() <= kShown ? " and " : ", ")) +
              shown[i];
    if (missing.size() > kShown) list += " and more";
    const bool only_wildcards = std::all_of(missing.begin(), missing.end(), [](const Row& r) {
      return std::all_of(r.begin(), r.end(),
                         [](const Pat& p) { return p.what != Pat::What::Ctor; });
    });
    diag::Diagnostic& d = diags_.Report(
        diag::Kind::NonExhaustive, *file_, at,
        shown.empty() || only_wildcards
            ? fmt::format(
                  "not every value is matched by {}; an unmatched one stops the program with a "
                  "runtime error naming this place",
                  what)
            : fmt::format(
                  "{} {} not matched by {}; an unmatched value stops the program with a runtime "
                  "error naming this place",
                  list, missing.size() == 1 ? "is" : "are", what));
    if (only_wildcards && !shown.empty())
      d.AddNote(
          "the patterns are literals, which never cover their type: add an alternative with `_` or "
          "a "
          "variable");
    else if (!shown.empty())
      d.AddNote(fmt::format("handle {} too, or add a final {} with `_`", list,
                            what.find("clauses") != std::string::npos ? "clause" : "alternative"));
  }
}

}  // namespace atl::check
