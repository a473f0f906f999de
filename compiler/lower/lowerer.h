// The lowering's working state (internal header shared by lower/*.cpp).
#ifndef ATOLL_LOWER_LOWERER_H
#define ATOLL_LOWER_LOWERER_H

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/lower/abi.h"
#include "compiler/lower/lower.h"
#include "compiler/lower/prims.h"
#include "compiler/parse/ast.h"

namespace atl::lower {

// Lowers a Core program. Every Atoll value is an i64 (atl_value). A
// top-level function with n parameters becomes `i64 @name(ptr region?, i64
// x1..xn)`; the region parameter exists exactly when Function::effect (token
// passing: running the action is calling the function). Invariants while
// lowering a body: `vars_[id]` is set before any use (Core's scoping), and
// the builder's insertion block is unterminated except right after Tail(),
// which always terminates it.
class Lowerer {
 public:
  Lowerer(const parse::Module& module, const check::CheckedModule& checked,
          const core::Program& program, llvm::LLVMContext& ctx, const LowerOptions& options);
  auto Run() -> std::unique_ptr<llvm::Module>;

 private:
  // Whether a field can keep a GC object alive, as far as its type or
  // literal says (docs/runtime-memory.md, "Pointer-free objects"): never
  // (an Int, a literal), maybe (a String, a list...: scanned), or not known
  // (a type variable, a Float: checked at run time).
  enum class Reach : uint8_t { None, Maybe, Unknown };

  // lower.cpp: module-level pieces.
  void DeclareRuntime();
  void DeclareFunctions();
  void DefineFunction(int index);
  void DefineEntryPoint();
  auto ProgramInfo() -> llvm::GlobalVariable*;  // atl_program_info of this program

  // embed.cpp: a library's exports (runtime/abi/atoll_export_abi.h).
  void DeclareExports();
  void DefineLibraryEntry();
  auto ExportTrampoline(const check::Export& e) -> llvm::Function*;
  void ExportWrapper(const check::Export& e, llvm::Constant* descriptor);
  std::vector<llvm::Constant*> export_entries_;
  auto StringLiteral(const std::string& text) -> llvm::Constant*;
  void Fail(const char* message, source::Span span);
  // Emits `call()` with the runtime's `atl_rt_where` pointing at `at` (a
  // static atl_source_location) for its duration, so an error the runtime
  // reports from inside names the source location.
  auto At(source::Span at, const std::function<llvm::Value*()>& call) -> llvm::Value*;
  // The static atl_source_location of `at` (one per file, line and column).
  auto Location(source::Span at) -> llvm::Constant*;
  llvm::GlobalVariable* rt_where_ = nullptr;
  // Puts a defined function's code in the section atl_text and attaches
  // its name and place as `atl.site` metadata, from which AddFunctionTable
  // builds atl_program_info's function table (a stack overflow names the
  // function whose code was running).
  void NoteFunctionSite(llvm::Function* fn, const std::string& name, source::Span at);
  std::map<std::tuple<const source::SourceFile*, uint32_t, uint32_t>, llvm::Constant*> locations_;

  // debug.cpp: DWARF line tables. AttachDebug gives a function a
  // subprogram and makes it current; SetLocation stamps what follows with a
  // source position; a DebugScope restores both on exit; NoDebug is for
  // generated wrappers without a source position.
  void InitDebug();
  void FinishDebug();
  void AttachDebug(llvm::Function* fn, const std::string& name, source::Span at);
  void SetLocation(source::Span at);
  void NoDebug();
  struct DebugScope {
    explicit DebugScope(Lowerer& l);
    ~DebugScope();
    DebugScope(const DebugScope&) = delete;
    auto operator=(const DebugScope&) -> DebugScope& = delete;
    Lowerer& lowerer;
    llvm::DISubprogram* subprogram;
    llvm::DebugLoc location;
  };
  std::unique_ptr<llvm::DIBuilder> dib_;
  auto DebugFile() -> llvm::DIFile*;
  llvm::DISubprogram* current_sp_ = nullptr;

  // expr.cpp: Core expressions. Tail() lowers a tail expression: its
  // `Return`s end the function (return, or a jump back to `top_` for a self
  // tail call) or, inside a `Block`/`Region` rhs, branch to that rhs's
  // continuation `k` with their value. Rhs() computes a right-hand side in
  // the uniform representation; FloatRhs() computes it as an unboxed double
  // when it is Float arithmetic (or a call returning a double), else nullptr.
  struct Continuation {
    llvm::BasicBlock* merge = nullptr;
    bool unboxed = false;  // the values are doubles (a Float block)
    std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> incoming;
  };
  void Tail(const core::Expr& e, Continuation* k);
  void Return(const core::Rhs& rhs, Continuation* k);
  void Bind(int var, const core::Rhs& rhs);
  void LetRec(const core::Expr& e);
  // Switch and Join lower a node's other parts and return the child the
  // caller's loop goes on with (Tail, expr.cpp).
  auto Switch(const core::Expr& e, Continuation* k) -> const core::Expr*;
  auto Join(const core::Expr& e, Continuation* k, std::vector<const core::Expr*>& open)
      -> const core::Expr*;
  auto JoinBody(const core::Expr& e) -> const core::Expr*;
  auto Rhs(const core::Rhs& rhs) -> llvm::Value*;
  auto FloatRhs(const core::Rhs& rhs) -> llvm::Value*;
  auto UnboxedRhs(const core::Rhs& rhs) -> llvm::Value*;  // any Float rhs as a double
  auto Atom(const core::Atom& a) -> llvm::Value*;
  auto FloatAtom(const core::Atom& a) -> llvm::Value*;
  auto Atoms(const std::vector<core::Atom>& atoms, size_t from = 0) -> std::vector<llvm::Value*>;
  // The value of a tail expression evaluated for its value (the body of a
  // Block or Region rhs): its Returns branch to one merge block. With
  // `unboxed` the value is a Float, joined as a double.
  auto Nested(const core::Expr& body, bool unboxed = false) -> llvm::Value*;
  auto RegionRhs(const core::Rhs& rhs, bool unboxed = false) -> llvm::Value*;
  auto RegionOf(int var) -> llvm::Value*;  // the region handle (ptr) of a region variable
  auto IsSelfTailCall(const core::Rhs& rhs) -> bool;
  auto IsFloat(check::Type* t) -> bool;
  auto IsInt(check::Type* t) -> bool;
  // Ints inside a function body: the raw value is an i64 in
  // [-2^62, 2^62) (sign-extended from 63 bits); the uniform word is
  // (n << 1) | 1. Untag(Tag(x)) folds back to x, so a value only computed
  // and compared is never tagged. Wrap63 sign-extends a wrapped result
  // from bit 62 (docs/language.md: Int wraps at 63 bits).
  // Tag remembers the raw value of each word it makes (`raw_of_`), and
  // Untag of such a word returns it, so raw values flow straight from
  // arithmetic to loop slots, comparisons and indices.
  auto Untag(llvm::Value* word) -> llvm::Value*;
  auto Tag(llvm::Value* raw) -> llvm::Value*;
  auto Wrap63(llvm::Value* x) -> llvm::Value*;
  auto Operator(parse::BinaryOp op, llvm::Value* l, llvm::Value* r, check::Type* operand,
                source::Span at) -> llvm::Value*;
  auto StringEqual(llvm::Value* l, llvm::Value* r) -> llvm::Value*;
  auto Compare(parse::BinaryOp op, check::Type* operand, llvm::Value* l, llvm::Value* r,
               source::Span at) -> llvm::Value*;
  auto FloatCompare(parse::BinaryOp op, llvm::Value* a, llvm::Value* b) -> llvm::Value*;
  auto Divide(parse::BinaryOp op, source::Span at, llvm::Value* l, llvm::Value* r) -> llvm::Value*;
  auto Remainder(llvm::Value* n, llvm::Value* m) -> llvm::Value*;
  auto OperatorClosure(parse::BinaryOp op, check::Type* operand, source::Span at) -> llvm::Value*;
  auto BoolValue(llvm::Value* condition) -> llvm::Value*;
  auto IsTrue(llvm::Value* v) -> llvm::Value*;
  auto RegionWord() -> llvm::Value*;
  // constants.cpp: constant expressions (check::IsStaticValue, Core's
  // Rhs::Static) as static objects.
  auto BuildStatic(const parse::Expr* e) -> llvm::Constant*;  // e is constant
  auto StaticObject(uint32_t descriptor, const std::vector<llvm::Constant*>& fields)
      -> llvm::Constant*;
  // records.cpp: structural records as CON objects with a RECORD-shape
  // descriptor per record type; fields in sorted name order (the checker's).
  auto RecordDescriptor(check::Type* record) -> uint32_t;
  // The order a record type's fields are stored in (see records.cpp).
  auto RecordLayout(check::Type* record) -> const std::vector<std::string>&;
  std::map<std::string, std::vector<std::string>> record_layouts_;
  // A record of type `type` from named field values; an update of `record`;
  // a field of `record` (of type `type`, or unknown: by name at run time).
  // A Float field is stored as a raw double when it is Float wherever the
  // record type occurs in the program (RawFields: a mask by layout
  // position; the descriptor carries it for the runtime).
  auto RecordValue(check::Type* type, const std::vector<std::string>& names,
                   const std::vector<core::Atom>& args) -> llvm::Value*;
  auto RecordUpdate(check::Type* type, llvm::Value* record, const std::vector<std::string>& names,
                    const std::vector<core::Atom>& args) -> llvm::Value*;
  auto FieldValue(check::Type* type, llvm::Value* record, const std::string& name) -> llvm::Value*;
  // The double of a raw field, loaded; nullptr (nothing emitted) otherwise.
  auto RawField(check::Type* type, llvm::Value* record, const std::string& name) -> llvm::Value*;
  auto RawFields(check::Type* record) -> uint64_t;
  std::map<std::string, std::vector<bool>> float_everywhere_;  // by record name, sorted fields
  bool float_fields_found_ = false;
  llvm::FunctionCallee record_field_;

  // closure.cpp: function values. Closures follow the CLOSURE layout of
  // the ABI (header, code, captures at word offsets 2+i); an action value is
  // a closure whose last parameter is the region. Each Core lambda is one
  // code function `i64 (ptr self, i64 params..[, i64 region])`.
  void DeclareLambdas();
  void DefineLambda(int index);
  void DefineReachedCode();
  auto LambdaArity(int index) -> unsigned;
  // A closure of lambda `index`: static when it captures nothing; else
  // allocated, its captures stored by FillCaptures (a LetRec group
  // allocates every closure before filling any).
  auto AllocClosure(int index) -> llvm::Value*;
  void FillCaptures(int index, llvm::Value* closure);
  auto CallLocal(const core::Rhs& rhs) -> llvm::CallInst*;
  auto GlobalClosure(int index) -> llvm::Value*;
  auto StaticClosure(llvm::Function* code, uint32_t arity) -> llvm::Constant*;
  // A static closure taking `params` values (and the region last when
  // `action`) whose code returns body(params) with `region_` set: the
  // function value of a top-level function, primitive, constructor or
  // operator.
  auto StaticCode(const std::string& name, unsigned params, bool action,
                  const std::function<llvm::Value*(const std::vector<llvm::Value*>&)>& body)
      -> llvm::Constant*;
  auto Apply(llvm::Value* fn, const std::vector<llvm::Value*>& args, bool tail_position = false)
      -> llvm::Value*;

  // prims.cpp: primitives. CallPrim gets the argument values and, when
  // known, their types (element types decide array layouts and chunks).
  auto PrimOf(check::Builtin builtin) -> const PrimInfo*;
  // `send` is a put's send kind (the value of a put used as a function
  // value is copied).
  auto CallPrim(const PrimInfo& p, const std::vector<llvm::Value*>& args, llvm::Value* region,
                const std::vector<check::Type*>& types, source::Span at,
                check::SendKind send = check::SendKind::Copy, bool proved_index = false)
      -> llvm::Value*;
  auto PrimClosure(const PrimInfo& p, source::Span at) -> llvm::Value*;
  auto ChunkKind(check::Type* element) -> uint32_t;
  auto RegionAlloc(llvm::Value* region, uint32_t kind, llvm::Value* bytes) -> llvm::Value*;
  auto CheckedIndex(llvm::Value* array, llvm::Value* index, source::Span at, bool proved)
      -> llvm::Value*;
  // Type-based alias tags: an object's header word and its fields never
  // overlap, so a store into an array does not make LLVM reload the
  // array's size (the header) in a loop. Untagged accesses alias anything.
  auto Tagged(llvm::Instruction* access, bool header) -> llvm::Instruction*;
  llvm::MDNode* tbaa_header_ = nullptr;
  llvm::MDNode* tbaa_field_ = nullptr;
  auto ElementAddress(llvm::Value* array, llvm::Value* index, source::Span at, bool proved)
      -> llvm::Value*;
  enum class ArrayLayout { Words, Bytes, Dynamic };
  auto LayoutOf(check::Type* element) -> ArrayLayout;
  // readArray (store == nullptr) or writeArray of a MutableArray.
  auto ArrayAccess(llvm::Value* array, llvm::Value* index, llvm::Value* store, ArrayLayout layout,
                   source::Span at, bool traced, bool proved) -> llvm::Value*;
  // atl_region_card_mark (runtime/abi/atoll_region.h) after a store into
  // `slot` of the mutable object `object` (both pointers).
  void CardMark(llvm::Value* object, llvm::Value* slot);
  // Applies the action value `action` to a fresh region, closed afterwards.
  auto InRegion(llvm::Value* action, source::Span at) -> llvm::Value*;
  // "file:line" of `at`, naming the regions opened there.
  auto RegionSite(source::Span at) -> llvm::Value*;
  auto Unbox(llvm::Value* boxed_float) -> llvm::Value*;
  auto Box(llvm::Value* double_value) -> llvm::Value*;
  auto FloatLiteral(double d) -> llvm::Constant*;

  auto Const(uint64_t v) -> llvm::ConstantInt* { return builder_.getInt64(v); }
  auto NewBlock(const char* name) -> llvm::BasicBlock*;
  // After the stores that fill a scanned GC object: tells the collector it
  // changed when ATOLL_GC=manual is on (docs/runtime-memory.md).
  void GcWritten(llvm::Value* memory);
  // `cond ? yes() : no()`, the two results (of one type) joined by a phi;
  // `weights`, when given, is branch-weight metadata.
  auto Choose(llvm::Value* cond, const std::function<llvm::Value*()>& yes,
              const std::function<llvm::Value*()>& no, llvm::MDNode* weights = nullptr)
      -> llvm::Value*;
  // Choose with the `slow` path marked cold.
  auto FastOrSlow(llvm::Value* likely, const std::function<llvm::Value*()>& fast,
                  const std::function<llvm::Value*()>& slow) -> llvm::Value*;

  const parse::Module& module_;
  const check::CheckedModule& checked_;
  const core::Program& program_;
  LowerOptions options_;
  llvm::LLVMContext& ctx_;
  std::unique_ptr<llvm::Module> llvm_module_;
  llvm::IRBuilder<> builder_;
  llvm::Type* i64_;
  llvm::Type* ptr_;

  // Runtime entry points (extern "C" in runtime/).
  llvm::FunctionCallee rt_main_, rt_fail_, rt_exit_, show_, concat_, compare_, equal_, apply_,
      alloc_, alloc_atomic_, alloc_object_, list_append_, list_reverse_in_place_, float_new_,
      region_open_, region_open_in_, region_ancestor_, region_close_, region_alloc_slow_,
      mutarray_new_, freeze_, thaw_, index_fail_, par_st_, string_equal_, string_compare_;
  std::vector<llvm::Function*> functions_;  // by check::Function index
  // How a top-level function passes Floats: a parameter or a (non-action)
  // result whose type is Float in the function's generalised type is an
  // unboxed `double` in its LLVM signature, so Float code in monomorphic
  // functions allocates nothing at calls. Function values keep the uniform
  // ABI: their forwarding code (GlobalClosure) unboxes and boxes.
  struct FunctionAbi {
    std::vector<bool> float_params;
    bool float_result = false;
  };
  std::vector<FunctionAbi> abis_;
  // A direct call of top-level function `index` with these arguments
  // (doubles for its Float parameters), the region first when it is an
  // action. The result is a double when float_result.
  auto CallGlobal(int index, const std::vector<core::Atom>& args, int region) -> llvm::CallInst*;
  // The same with argument values already in the uniform representation
  // (unboxed here where the ABI wants a double); the result is boxed.
  auto CallGlobalBoxed(int index, std::vector<llvm::Value*> args) -> llvm::Value*;
  // Boxes the result of a direct call of `index` when it is a double.
  auto BoxedResult(int index, llvm::Value* call) -> llvm::Value*;
  std::map<std::string, llvm::Constant*> strings_;
  std::map<int, llvm::Constant*> global_closures_;
  std::map<Prim, llvm::Constant*> prim_closures_;
  std::map<uint64_t, llvm::Constant*> float_literals_;  // by bit pattern
  // Descriptors beyond the ABI's fixed 0..2, in id order from 3.
  struct DescriptorSpec {
    std::string name;  // empty: no name (tuples)
    uint32_t arity = 0, shape = 0, type_id = 0, index = 0;
    std::vector<std::string> fields;  // records: field names
    uint64_t raw = 0;                 // records: fields stored as raw doubles
  };
  std::vector<DescriptorSpec> descriptors_;
  std::map<std::string, uint32_t> descriptor_ids_;
  auto DescriptorId(const std::string& key, const DescriptorSpec& spec) -> uint32_t;
  auto TupleDescriptor(size_t arity) -> uint32_t;
  auto NilValue() -> llvm::ConstantInt*;
  // A constructor the checker resolved to no `data` declaration: True,
  // False, or Nil (the Prelude's name for `[]`).
  auto BuiltinNullary(int con) -> llvm::ConstantInt*;  // a check::kCon* id
  auto ReachOf(const core::Atom& a) -> Reach;
  auto ReachOf(const std::vector<core::Atom>& atoms) -> std::vector<Reach>;
  auto ConsCell(llvm::Value* head, llvm::Value* tail, Reach head_reach = Reach::Unknown)
      -> llvm::Value*;
  auto ConsDescriptor() -> uint32_t;
  auto ConstructorDescriptor(int index) -> uint32_t;
  auto ConstructorValue(int index, const std::vector<llvm::Value*>& fields,
                        const std::vector<Reach>& reach = {}) -> llvm::Value*;
  auto ConstructorClosure(int index) -> llvm::Value*;
  std::map<int, llvm::Constant*> constructor_closures_;
  // A CON object: allocated atomic (never scanned) when no field can point
  // into the GC heap, scanned when one may, and chosen at run time (a tag
  // test per field of unknown reach) in between. `reach` may be empty (all
  // unknown).
  auto Construct(uint32_t descriptor, const std::vector<llvm::Value*>& fields,
                 const std::vector<Reach>& reach = {}) -> llvm::Value*;
  auto DescriptorTable() -> std::pair<llvm::Constant*, uint32_t>;
  auto Tuple(const std::vector<llvm::Value*>& fields, size_t arity,
             const std::vector<Reach>& reach = {}) -> llvm::Value*;
  // The source file of the function being lowered (programs span several
  // modules: the Prelude, imports, the main module) and its name as a C
  // string constant for runtime errors.
  const source::SourceFile* file_ = nullptr;
  std::map<const source::SourceFile*, llvm::Constant*> file_names_;
  std::map<const source::SourceFile*, llvm::DIFile*> di_files_;
  auto FileName() -> llvm::Constant*;
  void SetFile(const check::Function& f);

  std::vector<llvm::Function*> lambda_code_;        // by Program::lambdas index
  std::map<int, llvm::Constant*> lambda_closures_;  // static closures of capture-free lambdas

  // Per function being lowered (a top-level function or a lambda's code).
  // Core variables are bound once in the whole program, so one table per
  // function suffices; `floats_` holds the unboxed double of a Float
  // variable next to its box (LLVM deletes boxes nothing uses).
  std::unordered_map<int, llvm::Value*> vars_;
  std::unordered_map<int, llvm::Value*> floats_;
  std::unordered_map<llvm::Value*, llvm::Value*> raw_of_;  // tagged Int word -> raw value
  struct JoinPoint {
    llvm::BasicBlock* block = nullptr;
    std::vector<llvm::PHINode*> params;
    std::vector<llvm::PHINode*> doubles;  // a Float parameter's unboxed value, else nullptr
    std::vector<bool> raw;                // an Int parameter: `params[i]` is its raw value
  };
  std::unordered_map<int, JoinPoint> joins_;
  // The self-call target: top-level function `current_` or lambda
  // `current_lambda_` (whose closure is `self_var_`), taking `self_params_`
  // arguments and region variable `self_region_`.
  int current_ = -1;
  int current_lambda_ = -1;
  int self_var_ = -1;
  int self_region_ = -1;
  size_t self_params_ = 0;
  bool ret_float_ = false;  // the function being lowered returns a double
  void BeginBody(const std::vector<int>& params, const std::vector<llvm::Value*>& args);
  llvm::Function* fn_ = nullptr;
  llvm::Value* region_ = nullptr;               // StaticCode's region (forwarding code)
  std::vector<llvm::AllocaInst*> param_slots_;  // loop-carried parameters
  std::vector<bool> param_raw_;                 // the slot holds a raw Int
  llvm::BasicBlock* top_ = nullptr;             // self tail calls jump here
  std::vector<llvm::BranchInst*> back_edges_;   // those jumps, in the body being lowered
  bool proved_store_ = false;                   // it stores at an index proved in bounds
  void EndBody();                               // loop metadata once a body is lowered
};

}  // namespace atl::lower

#endif  // ATOLL_LOWER_LOWERER_H
