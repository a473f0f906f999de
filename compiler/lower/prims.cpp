// Primitive calls: runtime symbols called directly, the rest expanded
// inline (mutable data with the region bump path, array bounds checks,
// regions of runST/runIO).
#include "compiler/lower/prims.h"

#include <llvm/IR/MDBuilder.h>

#include <string>
#include <vector>

#include "compiler/lower/lowerer.h"

namespace atl::lower {
namespace {

// The lowering's view of check::Primitives() (arity and effect are
// computed there, once, from the types in primitives.def); Prim and
// check::Builtin list the same ids in the same order.
const std::vector<PrimInfo>& Table() {
  static const std::vector<PrimInfo> table = [] {
    std::vector<PrimInfo> t;
    for (const check::PrimitiveInfo& p : check::Primitives())
      t.push_back(
          PrimInfo{static_cast<Prim>(p.id), p.name, p.symbol, p.arity, p.effect, p.special});
    return t;
  }();
  return table;
}

// The send kinds as runtime/rt/rt.h numbers them (atl_mvar_put's `kind`).
static_assert(static_cast<int>(check::SendKind::Static) == 0 &&
              static_cast<int>(check::SendKind::Donate) == 1 &&
              static_cast<int>(check::SendKind::Copy) == 2);

}  // namespace

auto FindPrim(std::string_view name) -> const PrimInfo* {
  for (const PrimInfo& p : Table())
    if (name == p.name) return &p;
  return nullptr;
}

auto Lowerer::PrimOf(check::Builtin builtin) -> const PrimInfo* {
  return FindPrim(check::BuiltinName(builtin));
}

// Values of these types are never pointers, so mutable data holding only
// them lives in pointer-free chunks the GC never scans.
auto Lowerer::ChunkKind(check::Type* element) -> uint32_t {
  if (element == nullptr) return kRegionTraced;
  check::Type* t = check::Resolve(element);
  const bool plain = check::IsCon(t, "Int") || check::IsCon(t, "Bool") || check::IsCon(t, "Char") ||
                     check::IsCon(t, "()");
  return plain ? kRegionPlain : kRegionTraced;
}

// atl_region_alloc_inline (runtime/abi/atoll_region.h): bump the cursor of
// the chunk kind or call the slow path. `bytes` is a multiple of 8.
auto Lowerer::RegionAlloc(llvm::Value* region, uint32_t kind, llvm::Value* bytes) -> llvm::Value* {
  llvm::Value* cursor = builder_.CreateConstInBoundsGEP1_64(i64_, region, 2 * kind);
  llvm::Value* limit_slot = builder_.CreateConstInBoundsGEP1_64(i64_, region, 2 * kind + 1);
  llvm::Value* p = builder_.CreateLoad(i64_, cursor);
  llvm::Value* next = builder_.CreateAdd(p, bytes);
  llvm::Value* limit = builder_.CreateLoad(i64_, limit_slot);
  return FastOrSlow(
      builder_.CreateICmpULE(next, limit),
      [&]() -> llvm::Value* {
        builder_.CreateStore(next, cursor);
        return builder_.CreateIntToPtr(p, ptr_);
      },
      [&]() -> llvm::Value* {
        return builder_.CreateCall(region_alloc_slow_, {region, builder_.getInt32(kind), bytes});
      });
}

// Untags index `i` and checks 0 <= i < size of the array object `a` (one
// unsigned compare); returns the untagged index.
auto Lowerer::Tagged(llvm::Instruction* access, bool header) -> llvm::Instruction* {
  if (tbaa_header_ == nullptr) {
    llvm::MDBuilder md(ctx_);
    llvm::MDNode* root = md.createTBAARoot("atoll objects");
    llvm::MDNode* header_type = md.createTBAAScalarTypeNode("header", root);
    llvm::MDNode* field_type = md.createTBAAScalarTypeNode("field", root);
    tbaa_header_ = md.createTBAAStructTagNode(header_type, header_type, 0);
    tbaa_field_ = md.createTBAAStructTagNode(field_type, field_type, 0);
  }
  access->setMetadata(llvm::LLVMContext::MD_tbaa, header ? tbaa_header_ : tbaa_field_);
  return access;
}

// The untagged index, checked against the size in the header unless the
// Core optimiser proved it in bounds (core/bounds.cpp, `proved` = the
// rhs's proved_index).
auto Lowerer::CheckedIndex(llvm::Value* a, llvm::Value* i, source::Span at, bool proved)
    -> llvm::Value* {
  if (proved) return Untag(i);
  llvm::Value* object = builder_.CreateIntToPtr(a, ptr_);
  llvm::Value* size = builder_.CreateLShr(Tagged(builder_.CreateLoad(i64_, object), true), 32);
  llvm::Value* index = Untag(i);
  llvm::BasicBlock* bad = NewBlock("index_bad");
  llvm::BasicBlock* ok = NewBlock("index_ok");
  builder_.CreateCondBr(builder_.CreateICmpULT(index, size), ok, bad,
                        llvm::MDBuilder(ctx_).createBranchWeights(1 << 20, 1));
  builder_.SetInsertPoint(bad);
  const source::LineCol lc = file_->LineColOf(at.begin);
  builder_
      .CreateCall(index_fail_, {index, size, FileName(), builder_.getInt32(lc.line),
                                builder_.getInt32(lc.column)})
      ->setDoesNotReturn();
  builder_.CreateUnreachable();
  builder_.SetInsertPoint(ok);
  return index;
}

auto Lowerer::ElementAddress(llvm::Value* a, llvm::Value* i, source::Span at, bool proved)
    -> llvm::Value* {
  llvm::Value* index = CheckedIndex(a, i, at, proved);
  return builder_.CreateInBoundsGEP(i64_, builder_.CreateIntToPtr(a, ptr_),
                                    builder_.CreateAdd(index, Const(1)));
}

// MutableArrays of Bool are packed one byte per element (runtime/abi: the
// runtime picks the layout from the values, so a statically Bool-typed
// array is always packed); code that does not know the element type reads
// the layout from the header.
auto Lowerer::LayoutOf(check::Type* element) -> ArrayLayout {
  if (element == nullptr) return ArrayLayout::Dynamic;
  check::Type* t = check::Resolve(element);
  if (t->kind != check::TypeKind::Con) return ArrayLayout::Dynamic;
  return check::IsCon(t, "Bool") ? ArrayLayout::Bytes : ArrayLayout::Words;
}

// The chunk of an object is its address rounded down to the chunk
// alignment; the chunk's first word is the card bias. The mark is a release
// store so that LLVM keeps it after the store it marks.
void Lowerer::CardMark(llvm::Value* object, llvm::Value* slot) {
  llvm::Value* chunk = builder_.CreateAnd(builder_.CreatePtrToInt(object, i64_),
                                          Const(~uint64_t{ATL_REGION_CHUNK_ALIGN - 1}));
  llvm::Value* bias = builder_.CreateLoad(ptr_, builder_.CreateIntToPtr(chunk, ptr_));
  llvm::Value* card =
      builder_.CreateLShr(builder_.CreatePtrToInt(slot, i64_), ATL_REGION_CARD_SHIFT);
  llvm::StoreInst* mark = builder_.CreateStore(
      builder_.getInt8(1), builder_.CreateGEP(builder_.getInt8Ty(), bias, card));
  mark->setAtomic(llvm::AtomicOrdering::Release);
  mark->setAlignment(llvm::Align(1));
}

auto Lowerer::ArrayAccess(llvm::Value* a, llvm::Value* i, llvm::Value* store, ArrayLayout layout,
                          source::Span at, bool traced, bool proved) -> llvm::Value* {
  llvm::Value* index = CheckedIndex(a, i, at, proved);
  llvm::Value* object = builder_.CreateIntToPtr(a, ptr_);
  auto words = [&]() -> llvm::Value* {
    llvm::Value* slot =
        builder_.CreateInBoundsGEP(i64_, object, builder_.CreateAdd(index, Const(1)));
    if (store != nullptr) {
      Tagged(builder_.CreateStore(store, slot), false);
      if (traced) CardMark(object, slot);
      return Const(kUnit);
    }
    return Tagged(builder_.CreateLoad(i64_, slot), false);
  };
  auto bytes = [&]() -> llvm::Value* {
    llvm::Value* slot = builder_.CreateInBoundsGEP(builder_.getInt8Ty(), object,
                                                   builder_.CreateAdd(index, Const(8)));
    if (store != nullptr) {
      Tagged(builder_.CreateStore(builder_.CreateZExt(builder_.CreateICmpEQ(store, Const(kTrue)),
                                                      builder_.getInt8Ty()),
                                  slot),
             false);
      return Const(kUnit);
    }
    // False and True are the words 10 and 18: 10 + 8 * byte.
    llvm::Value* b =
        builder_.CreateZExt(Tagged(builder_.CreateLoad(builder_.getInt8Ty(), slot), false), i64_);
    return builder_.CreateAdd(Const(kFalse), builder_.CreateShl(b, 3));
  };
  switch (layout) {
    case ArrayLayout::Words:
      return words();
    case ArrayLayout::Bytes:
      return bytes();
    case ArrayLayout::Dynamic:
      break;
  }
  llvm::Value* header = Tagged(builder_.CreateLoad(i64_, object), true);
  llvm::Value* desc = builder_.CreateAnd(builder_.CreateLShr(header, 8), Const(0xFFFFFF));
  return Choose(builder_.CreateICmpEQ(desc, Const(ATL_MUTARRAY_BOOL_BYTES)), bytes, words);
}

auto Lowerer::Unbox(llvm::Value* f) -> llvm::Value* {
  return builder_.CreateLoad(
      builder_.getDoubleTy(),
      builder_.CreateConstInBoundsGEP1_64(i64_, builder_.CreateIntToPtr(f, ptr_), 1));
}

auto Lowerer::Box(llvm::Value* d) -> llvm::Value* { return builder_.CreateCall(float_new_, {d}); }

// "file:line" of `at`, naming the regions opened there.
auto Lowerer::RegionSite(source::Span at) -> llvm::Value* {
  const source::LineCol lc = file_->LineColOf(at.begin);
  const std::string site = file_->path() + ":" + std::to_string(lc.line);
  return builder_.CreateGlobalString(site, "atl.site", 0, llvm_module_.get());
}

// runST/runIO of an action value (Core's Region rhs is the form with the
// body written out): applies it to a fresh region, closed afterwards.
auto Lowerer::InRegion(llvm::Value* action, source::Span at) -> llvm::Value* {
  llvm::Value* region = builder_.CreateCall(region_open_, {RegionSite(at)});
  llvm::Value* result = Apply(action, {builder_.CreatePtrToInt(region, i64_)});
  builder_.CreateCall(region_close_, {region});
  return result;
}

auto Lowerer::CallPrim(const PrimInfo& p, const std::vector<llvm::Value*>& args,
                       llvm::Value* region, const std::vector<check::Type*>& types, source::Span at,
                       check::SendKind send, bool proved_index) -> llvm::Value* {
  auto element_type = [&](size_t i, int depth) -> check::Type* {
    // The type of argument i, looking `depth` constructor arguments deep
    // (thaw's `Array a` -> a); nullptr when unknown (used as a value).
    if (i >= types.size() || types[i] == nullptr) return nullptr;
    check::Type* t = check::Resolve(types[i]);
    for (int d = 0; d < depth && t != nullptr; ++d)
      t = t->args.empty() ? nullptr : check::Resolve(t->args.back());
    return t;
  };
  auto unit = [&] { return Const(kUnit); };
  switch (p.id) {
    case Prim::Pure:
      return args[0];
    case Prim::Exit:
      // Never returns; the () keeps the caller's block well-formed (dead code).
      builder_.CreateCall(rt_exit_, {args[0], Location(at)})->setDoesNotReturn();
      return unit();
    case Prim::Not:
      return builder_.CreateSelect(IsTrue(args[0]), Const(kFalse), Const(kTrue));
    case Prim::NewRef: {
      const uint32_t kind = ChunkKind(element_type(0, 0));
      llvm::Value* o = RegionAlloc(region, kind, Const(16));
      builder_.CreateStore(Const(Header(ATL_KIND_REF, 0, 1)), o);
      llvm::Value* slot = builder_.CreateConstInBoundsGEP1_64(i64_, o, 1);
      builder_.CreateStore(args[0], slot);
      if (kind == kRegionTraced) CardMark(o, slot);
      return builder_.CreatePtrToInt(o, i64_);
    }
    case Prim::CastRef:
    case Prim::CastArray:
      return args[1];  // a no-op: the checker's view of the region changes, not the object
    case Prim::ReadRef:
      return builder_.CreateLoad(i64_, builder_.CreateConstInBoundsGEP1_64(
                                           i64_, builder_.CreateIntToPtr(args[0], ptr_), 1));
    case Prim::WriteRef: {
      llvm::Value* o = builder_.CreateIntToPtr(args[0], ptr_);
      llvm::Value* slot = builder_.CreateConstInBoundsGEP1_64(i64_, o, 1);
      builder_.CreateStore(args[1], slot);
      if (ChunkKind(element_type(0, 1)) == kRegionTraced) CardMark(o, slot);
      return unit();
    }
    case Prim::NewArray:  // a negative size is a runtime error
      return At(at, [&] {
        return builder_.CreateCall(
            mutarray_new_,
            {region, builder_.getInt32(ChunkKind(element_type(1, 0))), Untag(args[0]), args[1]});
      });
    case Prim::NewIntArray:
      return At(at, [&] {
        return builder_.CreateCall(mutarray_new_, {region, builder_.getInt32(kRegionPlain),
                                                   Untag(args[0]), Const(TagInt(0))});
      });
    case Prim::Index:  // immutable arrays always hold words
      return Tagged(builder_.CreateLoad(i64_, ElementAddress(args[0], args[1], at, proved_index)),
                    false);
    case Prim::ReadArray:
      return ArrayAccess(args[0], args[1], nullptr, LayoutOf(element_type(0, 1)), at, false,
                         proved_index);
    case Prim::WriteArray:
      proved_store_ = proved_store_ || proved_index;
      return ArrayAccess(args[0], args[1], args[2], LayoutOf(element_type(0, 1)), at,
                         ChunkKind(element_type(0, 1)) == kRegionTraced, proved_index);
    case Prim::SizeArray:
    case Prim::ArrayLength: {
      llvm::Value* header =
          Tagged(builder_.CreateLoad(i64_, builder_.CreateIntToPtr(args[0], ptr_)), true);
      return builder_.CreateOr(builder_.CreateShl(builder_.CreateLShr(header, 32), 1), Const(1));
    }
    case Prim::Freeze:
      return builder_.CreateCall(freeze_, {args[0]});
    case Prim::Thaw:
      return builder_.CreateCall(
          thaw_, {region, builder_.getInt32(ChunkKind(element_type(0, 1))), args[0]});
    case Prim::RunST:
    case Prim::RunIO:
      return InRegion(args[0], at);
    case Prim::Compare:  // the structural walk, unless both are known Strings
      if (check::Type* t = element_type(0, 0); t != nullptr && check::IsCon(t, "String"))
        return Tag(
            builder_.CreateSExt(builder_.CreateCall(string_compare_, {args[0], args[1]}), i64_));
      break;
    case Prim::ParST:
      return builder_.CreateCall(par_st_, {args[0], args[1], RegionSite(at), Location(at)});
    default:
      break;
  }
  // Everything else is a runtime function of the arguments. An effectful
  // one also gets (runtime/rt/rt.h) a put's send kind, the call's location
  // (passed, not set in atl_rt_where: a thread that blocks may resume on
  // another OS thread) and the region.
  const char* symbol = p.id == Prim::ForkIO ? "atl_rt_fork" : p.symbol;
  std::vector<llvm::Value*> call_args = args;
  std::vector<llvm::Type*> params(args.size(), i64_);
  if (p.effect) {
    if (check::PutArity(static_cast<check::Builtin>(p.id)) > 0) {
      call_args.push_back(Const(static_cast<uint64_t>(send)));
      params.push_back(i64_);
    }
    call_args.push_back(Location(at));
    params.push_back(ptr_);
    call_args.push_back(region);
    params.push_back(ptr_);
  }
  llvm::FunctionCallee callee =
      llvm_module_->getOrInsertFunction(symbol, llvm::FunctionType::get(i64_, params, false));
  if (p.effect) return builder_.CreateCall(callee, call_args);
  return At(at, [&] { return builder_.CreateCall(callee, call_args); });
}

// A primitive used as a value: a static closure calling it (the region
// comes last for actions).
auto Lowerer::PrimClosure(const PrimInfo& p, source::Span at) -> llvm::Value* {
  if (auto it = prim_closures_.find(p.id); it != prim_closures_.end()) return it->second;
  llvm::Constant* closure = StaticCode(
      std::string("atl.value.") + p.name, static_cast<unsigned>(p.arity), p.effect,
      [&](const std::vector<llvm::Value*>& args) { return CallPrim(p, args, region_, {}, at); });
  prim_closures_.emplace(p.id, closure);
  return closure;
}

}  // namespace atl::lower
