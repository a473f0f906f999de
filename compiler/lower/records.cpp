// Structural records and operators used as values.
//
// A record is a CON object whose descriptor has shape RECORD and the field
// names; one descriptor per record type (the checker names a record type
// by its sorted field names). The fields are stored in one order per type,
// its layout: the order of the first `type` alias declaring exactly that
// field set, else sorted. So field access is a load at a constant offset
// and `show` prints fields in declaration order (docs/language.md section 3).
// A field whose record type is not known where it is read is looked up by
// name through the runtime.
#include <algorithm>

#include "compiler/check/type.h"
#include "compiler/lower/lowerer.h"

namespace atl::lower {

using parse::BinaryOp;

namespace {
constexpr uint32_t kShapeRecord = ATL_SHAPE_RECORD;
constexpr uint32_t kRecordTypeIds = 1u << 20;  // type ids of records start here
}  // namespace

auto Lowerer::RecordLayout(check::Type* record) -> const std::vector<std::string>& {
  if (record_layouts_.empty()) {
    // Declared orders first: aliases of record types in program order.
    for (const parse::Module* m : checked_.modules) {
      for (const parse::Decl* d : m->decls) {
        const auto* alias = parse::DynCast<parse::TypeAliasDecl>(d);
        const auto* type =
            alias != nullptr ? parse::DynCast<parse::RecordType>(alias->type) : nullptr;
        if (type == nullptr) continue;
        std::vector<std::string> declared;
        for (const parse::FieldType& f : type->fields) declared.push_back(f.name.text);
        std::vector<std::string> sorted = declared;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
          continue;  // a checker error
        record_layouts_.try_emplace(check::RecordName(sorted), std::move(declared));
      }
    }
    record_layouts_.try_emplace("");  // built once even without aliases
  }
  const std::string& name = check::Resolve(record)->name;
  auto it = record_layouts_.find(name);
  if (it == record_layouts_.end())
    it = record_layouts_.emplace(name, check::RecordFields(name)).first;
  return it->second;
}

auto Lowerer::RecordDescriptor(check::Type* record) -> uint32_t {
  check::Type* t = check::Resolve(record);
  const std::vector<std::string>& fields = RecordLayout(t);
  const auto n = static_cast<uint32_t>(fields.size());
  DescriptorSpec spec{
      "", n, kShapeRecord, kRecordTypeIds + static_cast<uint32_t>(descriptors_.size()), 0, fields};
  return DescriptorId("record:" + t->name, spec);
}

auto Lowerer::RecordValue(check::Type* type, const std::vector<std::string>& names,
                          const std::vector<llvm::Value*>& values, const std::vector<Reach>& reach)
    -> llvm::Value* {
  check::Type* t = check::Resolve(type);
  const std::vector<std::string>& layout = RecordLayout(t);
  if (layout.empty())
    return Const(kUnit);  // `{}` carries nothing (shown as `{}` only via its type)
  std::vector<llvm::Value*> fields(layout.size(), Const(kUnit));
  std::vector<Reach> field_reach(layout.size(), Reach::Unknown);
  for (size_t k = 0; k < names.size(); ++k) {
    for (size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] != names[k]) continue;
      fields[i] = values[k];
      if (k < reach.size()) field_reach[i] = reach[k];
    }
  }
  return Construct(RecordDescriptor(t), fields, field_reach);
}

auto Lowerer::RecordUpdate(check::Type* type, llvm::Value* record,
                           const std::vector<std::string>& names,
                           const std::vector<llvm::Value*>& values) -> llvm::Value* {
  check::Type* t = check::Resolve(type);
  const std::vector<std::string>& layout = RecordLayout(t);
  llvm::Value* object = builder_.CreateIntToPtr(record, ptr_);
  std::vector<llvm::Value*> fields(layout.size(), nullptr);
  for (size_t k = 0; k < names.size(); ++k) {
    for (size_t i = 0; i < layout.size(); ++i)
      if (layout[i] == names[k]) fields[i] = values[k];
  }
  for (size_t i = 0; i < layout.size(); ++i) {
    if (fields[i] == nullptr)
      fields[i] =
          builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + i));
  }
  return Construct(RecordDescriptor(t), fields);
}

// A load at the field's offset in the type's layout; by name through the
// runtime when the record type is not known here.
auto Lowerer::FieldValue(check::Type* type, llvm::Value* record, const std::string& name)
    -> llvm::Value* {
  check::Type* t = type != nullptr ? check::Resolve(type) : nullptr;
  if (t != nullptr && t->kind == check::TypeKind::Con && check::IsRecordName(t->name)) {
    const std::vector<std::string>& layout = RecordLayout(t);
    for (size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] == name)
        return builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(
                                             i64_, builder_.CreateIntToPtr(record, ptr_), 1 + i));
    }
  }
  llvm::Value* field = builder_.CreateGlobalString(name, "atl.field", 0, llvm_module_.get());
  return builder_.CreateCall(record_field_, {record, field});
}

// `(op)`: a static closure of arity 2 applying the operator to operands
// of type `operand`.
auto Lowerer::OperatorClosure(BinaryOp op, check::Type* operand, source::Span at) -> llvm::Value* {
  // `(>>=)` and `(>>)` return actions, so as values they take the region
  // as a third parameter; `($)` applies its first operand.
  const bool sequence = op == BinaryOp::Bind || op == BinaryOp::Then;
  if (operand != nullptr && check::Resolve(operand)->kind == check::TypeKind::Fun)
    operand = check::Resolve(operand)->args[0];  // given the operator's type
  return StaticCode(
      "atl.operator", 2, sequence, [&](const std::vector<llvm::Value*>& args) -> llvm::Value* {
        llvm::Value* l = args[0];
        llvm::Value* r = args[1];
        if (op == BinaryOp::Dollar) return Apply(l, {r});
        if (op == BinaryOp::Bind)
          return Apply(r, {Apply(l, {RegionWord()}), RegionWord()});  // run m, then f's result
        if (op == BinaryOp::Then) {
          Apply(l, {RegionWord()});
          return Apply(r, {RegionWord()});
        }
        return Operator(op, l, r, operand, at);
      });
}

}  // namespace atl::lower
