// Structural records: literals, field access, update and record patterns.
// A record type is the constructor RecordName(sorted fields) (type.h), so
// `{ x = 1, y = 2 }` and a signature's `{ y : Int, x : Int }` are one type.
#include <fmt/core.h>

#include <algorithm>

#include "compiler/check/checker.h"

namespace atl::check {

namespace {

auto FieldIndex(Type* record, const std::string& field) -> int {
  const std::vector<std::string> fields = RecordFields(Resolve(record)->name);
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == field) return static_cast<int>(i);
  return -1;
}

}  // namespace

auto Checker::InferRecordLit(const parse::RecordLitExpr* e) -> Type* {
  std::map<std::string, Type*> fields;
  for (const parse::FieldInit& f : e->fields) {
    Type* t = Infer(f.value);
    if (!fields.emplace(f.name.text, t).second) {
      diags_.Report(diag::Kind::DuplicateField, *file_, f.name.span,
                    fmt::format("the field `{}` is given twice", f.name.text));
    }
  }
  std::vector<std::string> names;
  std::vector<Type*> args;
  for (auto& [n, t] : fields) {
    names.push_back(n);
    args.push_back(t);
  }
  return Record(e, arena_.Con(RecordName(names), std::move(args)));
}

auto Checker::InferField(const parse::FieldExpr* e) -> Type* {
  Type* r = Resolve(Infer(e->record));
  if (r->kind == TypeKind::Var) {
    diags_.Report(diag::Kind::RecordTypeUnknown, *file_, e->span,
                  fmt::format("the type of `{}` must be known to access its field `{}`", Source(e->record),
                              e->field.text))
        .AddNote("records are structural and field access is not polymorphic: add a signature or an "
                 "annotation that gives the record type");
    return Record(e, arena_.NewVar(level_));
  }
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(diag::Kind::UnknownField, *file_, e->field.span,
                  fmt::format("`{}` has type `{}`, which is not a record", Source(e->record), ToString(r)));
    return Record(e, arena_.NewVar(level_));
  }
  const int i = FieldIndex(r, e->field.text);
  if (i < 0) {
    diags_.Report(diag::Kind::UnknownField, *file_, e->field.span,
                  fmt::format("the record type `{}` has no field `{}`", ToString(r), e->field.text));
    return Record(e, arena_.NewVar(level_));
  }
  return Record(e, r->args[i]);
}

auto Checker::InferRecordUpdate(const parse::RecordUpdateExpr* e) -> Type* {
  Type* r = Resolve(Infer(e->record));
  if (r->kind == TypeKind::Var) {
    diags_.Report(diag::Kind::RecordTypeUnknown, *file_, e->record->span,
                  fmt::format("the type of `{}` must be known to update its fields", Source(e->record)))
        .AddNote("add a signature or an annotation that gives the record type");
    for (const parse::FieldInit& f : e->fields) Infer(f.value);
    return Record(e, arena_.NewVar(level_));
  }
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(diag::Kind::UnknownField, *file_, e->record->span,
                  fmt::format("`{}` has type `{}`, which is not a record", Source(e->record), ToString(r)));
    for (const parse::FieldInit& f : e->fields) Infer(f.value);
    return Record(e, arena_.NewVar(level_));
  }
  for (const parse::FieldInit& f : e->fields) {
    const int i = FieldIndex(r, f.name.text);
    if (i < 0) {
      diags_.Report(diag::Kind::UnknownField, *file_, f.name.span,
                    fmt::format("the record type `{}` has no field `{}`", ToString(r), f.name.text));
      Infer(f.value);
      continue;
    }
    Expect(f.value, r->args[i]);
  }
  return Record(e, r);
}

void Checker::BindRecordPattern(const parse::RecordPattern* p, Type* t) {
  Type* r = Resolve(t);
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(r->kind == TypeKind::Var ? diag::Kind::RecordTypeUnknown : diag::Kind::UnknownField, *file_,
                  p->span,
                  r->kind == TypeKind::Var
                      ? std::string("the record type matched here must be known; add a signature")
                      : fmt::format("this record pattern matches a value of type `{}`", ToString(r)));
    for (const parse::FieldPattern& f : p->fields) BindPattern(f.pattern, arena_.NewVar(level_));
    return;
  }
  for (const parse::FieldPattern& f : p->fields) {
    const int i = FieldIndex(r, f.name.text);
    if (i < 0) {
      diags_.Report(diag::Kind::UnknownField, *file_, f.name.span,
                    fmt::format("the record type `{}` has no field `{}`", ToString(r), f.name.text));
      BindPattern(f.pattern, arena_.NewVar(level_));
      continue;
    }
    BindPattern(f.pattern, r->args[i]);
  }
}

}  // namespace atl::check
