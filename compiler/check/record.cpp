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

void Checker::ResolveField(const parse::FieldExpr* e, Type* record, Type* result) {
  Type* r = Resolve(record);
  if (r->kind == TypeKind::Var) {
    diags_
        .Report(diag::Kind::RecordTypeUnknown, *file_, e->span,
                fmt::format("the type of `{}` must be known to access its field `{}`",
                            Source(e->record), e->field.text))
        .AddNote(
            "records are structural and field access is not polymorphic: add a signature or an "
            "annotation that gives the record type");
    return;
  }
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(
        diag::Kind::UnknownField, *file_, e->field.span,
        fmt::format("`{}` has type `{}`, which is not a record", Source(e->record), ToString(r)));
    return;
  }
  const int i = FieldIndex(r, e->field.text);
  if (i < 0) {
    diags_.Report(
        diag::Kind::UnknownField, *file_, e->field.span,
        fmt::format("the record type `{}` has no field `{}`", ToString(r), e->field.text));
    return;
  }
  // `result` is fresh when the access is checked at once; when it was
  // deferred, its uses may have fixed it already (they are the expectation).
  UnifyAt(result, r->args[i], e->span, fmt::format("the field `{}`", e->field.text));
}

auto Checker::InferField(const parse::FieldExpr* e) -> Type* {
  Type* record = Infer(e->record);
  Type* r = Resolve(record);
  if (r->kind == TypeKind::Var && !r->rigid) {
    // Known later (a lambda's parameter): checked when its group is solved.
    Type* result = arena_.NewVar(level_);
    pending_fields_.push_back(PendingField{e, record, result, false});
    return Record(e, result);
  }
  if (r->kind == TypeKind::Con && IsRecordName(r->name)) {
    if (const int i = FieldIndex(r, e->field.text); i >= 0) return Record(e, r->args[i]);
  }
  Type* result = arena_.NewVar(level_);
  ResolveField(e, r, result);  // reports
  return Record(e, result);
}

void Checker::ResolveUpdate(const parse::RecordUpdateExpr* e, Type* record, bool quiet) {
  Type* r = Resolve(record);
  if (r->kind == TypeKind::Var) {
    diags_
        .Report(
            diag::Kind::RecordTypeUnknown, *file_, e->record->span,
            fmt::format("the type of `{}` must be known to update its fields", Source(e->record)))
        .AddNote("add a signature or an annotation that gives the record type");
    return;
  }
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(
        diag::Kind::UnknownField, *file_, e->record->span,
        fmt::format("`{}` has type `{}`, which is not a record", Source(e->record), ToString(r)));
    return;
  }
  for (const parse::FieldInit& f : e->fields) {
    const int i = FieldIndex(r, f.name.text);
    if (i < 0) {
      diags_.Report(
          diag::Kind::UnknownField, *file_, f.name.span,
          fmt::format("the record type `{}` has no field `{}`", ToString(r), f.name.text));
      continue;
    }
    Sub(TypeOf(f.value), r->args[i], f.value->span, "", !quiet);
  }
}

auto Checker::InferRecordUpdate(const parse::RecordUpdateExpr* e) -> Type* {
  Type* record = Infer(e->record);
  Type* r = Resolve(record);
  if (r->kind == TypeKind::Var && !r->rigid) {
    // Known later (a lambda's parameter): checked when its group is solved.
    const uint32_t errors_before = diags_.error_count();
    for (const parse::FieldInit& f : e->fields) Infer(f.value);
    pending_fields_.push_back(
        PendingField{e, record, nullptr, diags_.error_count() != errors_before});
    return Record(e, record);
  }
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    ResolveUpdate(e, r, true);  // reports
    for (const parse::FieldInit& f : e->fields) Infer(f.value);
    return Record(e, arena_.NewVar(level_));
  }
  for (const parse::FieldInit& f : e->fields) {
    const int i = FieldIndex(r, f.name.text);
    if (i < 0) {
      diags_.Report(
          diag::Kind::UnknownField, *file_, f.name.span,
          fmt::format("the record type `{}` has no field `{}`", ToString(r), f.name.text));
      Infer(f.value);
      continue;
    }
    Expect(f.value, r->args[i]);
  }
  return Record(e, r);
}

void Checker::ResolveFields(bool final) {
  // Resolving one may bind the record of another (`p.q.x`, or a lambda
  // applied to `q.r`): to a fixpoint, then what is left is unknown for good.
  for (bool progress = true; progress;) {
    progress = false;
    std::vector<PendingField> waiting;
    for (const PendingField& p : pending_fields_) {
      Type* r = Resolve(p.record);
      if (r->kind == TypeKind::Var && !r->rigid) {
        waiting.push_back(p);
        continue;
      }
      progress = true;
      if (const auto* field = parse::DynCast<parse::FieldExpr>(p.e))
        ResolveField(field, r, p.result);
      else
        ResolveUpdate(parse::Cast<parse::RecordUpdateExpr>(p.e), r, p.quiet);
    }
    pending_fields_ = std::move(waiting);
  }
  if (!final) return;
  for (const PendingField& p : pending_fields_) {
    if (const auto* field = parse::DynCast<parse::FieldExpr>(p.e))
      ResolveField(field, p.record, p.result);
    else
      ResolveUpdate(parse::Cast<parse::RecordUpdateExpr>(p.e), p.record, p.quiet);
  }
  pending_fields_.clear();
}

void Checker::BindRecordPattern(const parse::RecordPattern* p, Type* t) {
  Type* r = Resolve(t);
  if (r->kind != TypeKind::Con || !IsRecordName(r->name)) {
    diags_.Report(
        r->kind == TypeKind::Var ? diag::Kind::RecordTypeUnknown : diag::Kind::UnknownField, *file_,
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
      diags_.Report(
          diag::Kind::UnknownField, *file_, f.name.span,
          fmt::format("the record type `{}` has no field `{}`", ToString(r), f.name.text));
      BindPattern(f.pattern, arena_.NewVar(level_));
      continue;
    }
    BindPattern(f.pattern, r->args[i]);
  }
}

}  // namespace atl::check
