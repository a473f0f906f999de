// Structural records and operators used as values.
//
// A record is a CON object whose descriptor has shape RECORD and the field
// names; one descriptor per record type (the checker names a record type
// by its sorted field names). The fields are stored in one order per type,
// its layout: the order of the first `type` alias declaring exactly that
// field set, else sorted. So field access is a load at a constant offset
// and `show` prints fields in declaration order (LANGUAGE.md section 3).
// Record patterns look fields up by name through the runtime (the
// pattern's type is not recorded per node).
#include <algorithm>

#include "compiler/check/type.h"
#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::BinaryOp;

namespace {
constexpr uint32_t kShapeRecord = 2;   // ATL_SHAPE_RECORD
constexpr uint32_t kRecordTypeIds = 1u << 20;  // type ids of records start here
}  // namespace

auto Lowerer::RecordLayout(check::Type* record) -> const std::vector<std::string>& {
  if (record_layouts_.empty()) {
    // Declared orders first: aliases of record types in program order.
    for (const parse::Module* m : checked_.modules) {
      for (const parse::Decl* d : m->decls) {
        const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d);
        const auto* type = alias != nullptr ? parse::DynCast<parse::RecordType>(alias->type) : nullptr;
        if (type == nullptr) continue;
        std::vector<std::string> declared;
        for (const parse::FieldType& f : type->fields) declared.push_back(f.name.text);
        std::vector<std::string> sorted = declared;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) continue;  // a checker error
        record_layouts_.try_emplace(check::RecordName(sorted), std::move(declared));
      }
    }
    record_layouts_.try_emplace("");  // built once even without aliases
  }
  const std::string& name = check::Resolve(record)->name;
  auto it = record_layouts_.find(name);
  if (it == record_layouts_.end()) it = record_layouts_.emplace(name, check::RecordFields(name)).first;
  return it->second;
}

auto Lowerer::RecordDescriptor(check::Type* record) -> uint32_t {
  check::Type* t = check::Resolve(record);
  const std::vector<std::string>& fields = RecordLayout(t);
  const auto n = static_cast<uint32_t>(fields.size());
  DescriptorSpec spec{"", n, kShapeRecord, kRecordTypeIds + static_cast<uint32_t>(descriptors_.size()), 0, fields};
  return DescriptorId("record:" + t->name, spec);
}

auto Lowerer::RecordLiteral(const parse::RecordLitExpr* e) -> llvm::Value* {
  check::Type* t = check::Resolve(TypeOf(e));
  const std::vector<std::string>& names = RecordLayout(t);
  std::vector<llvm::Value*> fields(names.size(), nullptr);
  for (const parse::FieldInit& f : e->fields) {  // evaluated in source order
    llvm::Value* v = Value(f.value);
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == f.name.text) fields[i] = v;
  }
  if (fields.empty()) return Const(kUnit);  // `{}` carries nothing (shown as `{}` only via its type)
  return Construct(RecordDescriptor(t), fields);
}

auto Lowerer::RecordUpdate(const parse::RecordUpdateExpr* e) -> llvm::Value* {
  check::Type* t = check::Resolve(TypeOf(e));
  const std::vector<std::string>& names = RecordLayout(t);
  llvm::Value* object = builder_.CreateIntToPtr(Value(e->record), ptr_);
  std::vector<llvm::Value*> fields(names.size(), nullptr);
  for (const parse::FieldInit& f : e->fields) {
    llvm::Value* v = Value(f.value);
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == f.name.text) fields[i] = v;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (fields[i] == nullptr)
      fields[i] = builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + i));
  }
  return Construct(RecordDescriptor(t), fields);
}

auto Lowerer::FieldAccess(const parse::FieldExpr* e) -> llvm::Value* {
  const std::vector<std::string>& names = RecordLayout(TypeOf(e->record));
  size_t index = 0;
  while (index < names.size() && names[index] != e->field.text) ++index;
  llvm::Value* object = builder_.CreateIntToPtr(Value(e->record), ptr_);
  return builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + index));
}

// `(op)`: a static closure of arity 2 applying the operator; the operand
// type comes from the operator's function type.
auto Lowerer::OperatorClosure(const parse::OpRefExpr* e) -> llvm::Value* {
  check::Type* fn_type = check::Resolve(TypeOf(e));
  check::Type* operand = fn_type->args.empty() ? nullptr : fn_type->args[0];
  // `(>>=)` and `(>>)` return actions, so as values they take the region
  // as a third parameter; `($)` applies its first operand.
  const bool sequence = e->op == BinaryOp::Bind || e->op == BinaryOp::Then;
  return StaticCode("atl.operator", 2, sequence, [&](const std::vector<llvm::Value*>& args) -> llvm::Value* {
    llvm::Value* l = args[0];
    llvm::Value* r = args[1];
    if (e->op == BinaryOp::Dollar) return Apply(l, {r});
    if (e->op == BinaryOp::Bind) return Apply(r, {Apply(l, {RegionWord()}), RegionWord()});  // run m, then f's result
    if (e->op == BinaryOp::Then) {
      Apply(l, {RegionWord()});
      return Apply(r, {RegionWord()});
    }
    return Operator(e->op, l, r, operand, e->span);
  });
}

}  // namespace atl::lower
