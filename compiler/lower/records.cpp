// Structural records and operators used as values.
//
// A record is a CON object whose descriptor has shape RECORD and the field
// names; one descriptor per record type (the checker names a record type
// by its sorted field names). The fields are stored in one order per type,
// its layout: the order of the first `type` alias declaring exactly that
// field set, else sorted. So field access is a load at a constant offset
// and `show` prints fields in declaration order (docs/language.md section 3).
// A field whose record type is not known where it is read is looked up by
// name through the runtime. A field that is Float wherever its record type
// occurs is stored as a raw double (RawFields; the descriptor's raw_fields
// tells the runtime), so building and reading it allocates no box.
#include <algorithm>
#include <unordered_set>

#include "compiler/check/type.h"
#include "compiler/core/util.h"
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
      "", n,      kShapeRecord, kRecordTypeIds + static_cast<uint32_t>(descriptors_.size()),
      0,  fields, RawFields(t)};
  return DescriptorId("record:" + t->name, spec);
}

// Which fields of each record type are Float wherever the type occurs: in
// every variable's type, every rhs's type, every function's, lambda's and
// constructor's type. A record type that some code uses with a type
// variable (or another type) in a field keeps that field boxed, so every
// piece of code, polymorphic or not, agrees on one layout per record type.
auto Lowerer::RawFields(check::Type* record) -> uint64_t {
  if (!float_fields_found_) {
    float_fields_found_ = true;
    std::vector<check::Type*> work;
    std::unordered_set<check::Type*> seen;
    for (const core::VarInfo& v : program_.vars) work.push_back(v.type);
    for (const check::Function& f : checked_.functions) work.push_back(f.type);
    for (const check::Constructor& c : checked_.constructors) work.push_back(c.scheme.body);
    auto rhs_types = [&](const core::Rhs& r) {
      work.push_back(r.type);
      for (check::Type* t : r.types) work.push_back(t);
    };
    for (const core::Function& f : program_.functions)
      if (f.body) core::ForEachDirectRhs(*f.body, rhs_types);
    for (const core::Lambda& l : program_.lambdas) {
      work.push_back(l.result);
      if (l.body) core::ForEachDirectRhs(*l.body, rhs_types);
    }
    while (!work.empty()) {
      check::Type* t = work.back();
      work.pop_back();
      if (t == nullptr) continue;
      t = check::Resolve(t);
      if (!seen.insert(t).second) continue;
      if (t->kind == check::TypeKind::Con && check::IsRecordName(t->name)) {
        std::vector<bool>& floats = float_everywhere_[t->name];
        if (floats.empty()) floats.assign(t->args.size(), true);
        for (size_t i = 0; i < t->args.size() && i < floats.size(); ++i) {
          check::Type* a = check::Resolve(t->args[i]);
          if (!(check::IsCon(a, "Float") && a->args.empty())) floats[i] = false;
        }
      }
      for (check::Type* a : t->args) work.push_back(a);
    }
  }
  check::Type* t = check::Resolve(record);
  auto it = float_everywhere_.find(t->name);
  if (it == float_everywhere_.end()) return 0;
  const std::vector<std::string> sorted = check::RecordFields(t->name);
  const std::vector<std::string>& layout = RecordLayout(t);
  uint64_t mask = 0;
  for (size_t i = 0; i < layout.size() && i < 64; ++i) {
    for (size_t j = 0; j < sorted.size() && j < it->second.size(); ++j)
      if (sorted[j] == layout[i] && it->second[j]) mask |= uint64_t{1} << i;
  }
  return mask;
}

auto Lowerer::RecordValue(check::Type* type, const std::vector<std::string>& names,
                          const std::vector<core::Atom>& args) -> llvm::Value* {
  check::Type* t = check::Resolve(type);
  const std::vector<std::string>& layout = RecordLayout(t);
  if (layout.empty())
    return Const(kUnit);  // `{}` carries nothing (shown as `{}` only via its type)
  const uint64_t raw = RawFields(t);
  std::vector<llvm::Value*> fields(layout.size(), Const(kUnit));
  std::vector<Reach> field_reach(layout.size(), Reach::Unknown);
  for (size_t k = 0; k < names.size(); ++k) {
    for (size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] != names[k]) continue;
      if (i < 64 && ((raw >> i) & 1u) != 0) {
        fields[i] = builder_.CreateBitCast(FloatAtom(args[k]), i64_);
        field_reach[i] = Reach::None;
      } else {
        fields[i] = Atom(args[k]);
        field_reach[i] = ReachOf(args[k]);
      }
    }
  }
  return Construct(RecordDescriptor(t), fields, field_reach);
}

auto Lowerer::RecordUpdate(check::Type* type, llvm::Value* record,
                           const std::vector<std::string>& names,
                           const std::vector<core::Atom>& args) -> llvm::Value* {
  check::Type* t = check::Resolve(type);
  const std::vector<std::string>& layout = RecordLayout(t);
  const uint64_t raw = RawFields(t);
  llvm::Value* object = builder_.CreateIntToPtr(record, ptr_);
  std::vector<llvm::Value*> fields(layout.size(), nullptr);
  // A raw double is no pointer; the other fields are tested at run time
  // (a record of raw doubles only is allocated atomic with no test).
  std::vector<Reach> reach(layout.size(), Reach::Unknown);
  for (size_t i = 0; i < layout.size() && i < 64; ++i)
    if (((raw >> i) & 1u) != 0) reach[i] = Reach::None;
  for (size_t k = 0; k < names.size(); ++k) {
    for (size_t i = 0; i < layout.size(); ++i) {
      if (layout[i] != names[k]) continue;
      fields[i] = i < 64 && ((raw >> i) & 1u) != 0
                      ? builder_.CreateBitCast(FloatAtom(args[k]), i64_)
                      : Atom(args[k]);
    }
  }
  for (size_t i = 0; i < layout.size(); ++i) {
    if (fields[i] == nullptr)
      fields[i] =
          builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(i64_, object, 1 + i));
  }
  return Construct(RecordDescriptor(t), fields, reach);
}

// A load at the field's offset in the type's layout; by name through the
// runtime when the record type is not known here (which boxes a raw field).
auto Lowerer::FieldValue(check::Type* type, llvm::Value* record, const std::string& name)
    -> llvm::Value* {
  if (llvm::Value* d = RawField(type, record, name)) return Box(d);
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

auto Lowerer::RawField(check::Type* type, llvm::Value* record, const std::string& name)
    -> llvm::Value* {
  check::Type* t = type != nullptr ? check::Resolve(type) : nullptr;
  if (t == nullptr || t->kind != check::TypeKind::Con || !check::IsRecordName(t->name))
    return nullptr;
  const uint64_t raw = RawFields(t);
  const std::vector<std::string>& layout = RecordLayout(t);
  for (size_t i = 0; i < layout.size() && i < 64; ++i) {
    if (layout[i] == name && ((raw >> i) & 1u) != 0)
      return builder_.CreateLoad(
          builder_.getDoubleTy(),
          builder_.CreateConstInBoundsGEP1_64(i64_, builder_.CreateIntToPtr(record, ptr_), 1 + i));
  }
  return nullptr;
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
