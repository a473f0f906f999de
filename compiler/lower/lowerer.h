// The lowering's working state (internal header shared by lower/*.cpp).
#ifndef ATOLL_LOWER_LOWERER_H
#define ATOLL_LOWER_LOWERER_H

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/lower/prims.h"
#include "compiler/parse/ast.h"

namespace atl::lower {

// Value encodings of runtime/abi/atoll_abi.h, as the IR uses them.
inline constexpr uint64_t kUnit = (0u << 3) | 2u;   // atl_nullary(ATL_DESC_UNIT)
inline constexpr uint64_t kFalse = (1u << 3) | 2u;  // atl_nullary(ATL_DESC_FALSE)
inline constexpr uint64_t kTrue = (2u << 3) | 2u;   // atl_nullary(ATL_DESC_TRUE)
inline auto TagInt(int64_t n) -> uint64_t { return (static_cast<uint64_t>(n) << 1) | 1u; }

// Lowers one module. Every Atoll value is an i64 (atl_value). A top-level
// function with n parameters becomes `i64 @name(ptr region?, i64 x1..xn)`;
// the region parameter exists exactly when Function::effect (token passing:
// running the action is calling the function). Invariants while lowering a
// body: `locals_[id]` is set before any use (the gate guarantees the order),
// and the builder's insertion block is unterminated except right after a
// Tail* call, which always terminates it.
class Lowerer {
 public:
  Lowerer(const parse::Module& module, const check::CheckedModule& checked, llvm::LLVMContext& ctx);
  auto Run() -> std::unique_ptr<llvm::Module>;

 private:
  // lower.cpp: module-level pieces.
  void DeclareRuntime();
  void DeclareFunctions();
  void DefineFunction(int index);
  void DefineEntryPoint();
  auto StringLiteral(const std::string& text) -> llvm::Constant*;
  void Fail(const char* message, source::Span span);
  // Emits `call()` with the runtime's `atl_rt_where` pointing at `at` (a
  // static atl_source_location) for its duration, so an error the runtime
  // reports from inside names the source location.
  auto At(source::Span at, const std::function<llvm::Value*()>& call) -> llvm::Value*;
  llvm::GlobalVariable* rt_where_ = nullptr;
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

  // expr.cpp: expressions. Value() returns the expression's value (an
  // action becomes a closure expecting the region); Run() performs an
  // action and returns its result; Tail() ends the function with the
  // expression (return, or a jump back to the top for a self tail call).
  enum class Mode { Value, Run };
  auto Value(const parse::Expr* e) -> llvm::Value*;
  auto Run(const parse::Expr* e) -> llvm::Value*;
  auto In(Mode mode, const parse::Expr* e) -> llvm::Value* {
    return mode == Mode::Run ? Run(e) : Value(e);
  }
  void Tail(const parse::Expr* e, Mode mode);
  auto CallValue(const check::Spine& spine) -> llvm::Value*;
  auto RunCall(const check::Spine& spine) -> llvm::Value*;
  auto Binary(const parse::BinaryExpr* e) -> llvm::Value*;
  auto Operator(parse::BinaryOp op, llvm::Value* l, llvm::Value* r, check::Type* operand, source::Span at)
      -> llvm::Value*;
  auto Compare(parse::BinaryOp op, check::Type* operand, llvm::Value* l, llvm::Value* r, source::Span at)
      -> llvm::Value*;
  auto FloatCompare(parse::BinaryOp op, llvm::Value* a, llvm::Value* b) -> llvm::Value*;
  auto Divide(parse::BinaryOp op, source::Span at, llvm::Value* l, llvm::Value* r) -> llvm::Value*;
  auto OperatorClosure(const parse::OpRefExpr* e) -> llvm::Value*;
  // constants.cpp: constant expressions as static objects (nullptr when
  // `e` is not constant).
  auto StaticValue(const parse::Expr* e) -> llvm::Constant*;
  auto BuildStatic(const parse::Expr* e) -> llvm::Constant*;  // e is constant
  auto StaticObject(uint32_t descriptor, const std::vector<llvm::Constant*>& fields) -> llvm::Constant*;
  // records.cpp: structural records as CON objects with a RECORD-shape
  // descriptor per record type; fields in sorted name order (the checker's).
  auto RecordDescriptor(check::Type* record) -> uint32_t;
  // The order a record type's fields are stored in (see records.cpp).
  auto RecordLayout(check::Type* record) -> const std::vector<std::string>&;
  std::map<std::string, std::vector<std::string>> record_layouts_;
  auto RecordLiteral(const parse::RecordLitExpr* e) -> llvm::Value*;
  auto RecordUpdate(const parse::RecordUpdateExpr* e) -> llvm::Value*;
  auto FieldAccess(const parse::FieldExpr* e) -> llvm::Value*;
  llvm::FunctionCallee record_field_;
  auto ShortCircuit(const parse::BinaryExpr* e) -> llvm::Value*;
  // With tail set these end the function and return nullptr.
  auto If(const parse::IfExpr* e, Mode mode, bool tail) -> llvm::Value*;
  auto Case(const parse::CaseExpr* e, Mode mode, bool tail) -> llvm::Value*;
  void BindLet(const std::vector<parse::Decl*>& decls);
  auto Do(const parse::DoExpr* e, bool tail) -> llvm::Value*;
  auto BoolValue(llvm::Value* condition) -> llvm::Value*;
  auto IsTrue(llvm::Value* v) -> llvm::Value*;
  auto IsSelfTailCall(const parse::Expr* e) -> bool;
  auto RegionWord() -> llvm::Value*;

  // closure.cpp: function values. Closures follow the CLOSURE layout of
  // the ABI; an action value is a closure whose last parameter is the region.
  // `\params -> body` where `result` is the body's type (an Effect result
  // makes the closure take the region last and run the body).
  auto MakeClosure(const std::vector<parse::Pattern*>& params, const parse::Expr* body,
                   check::Type* result) -> llvm::Value*;
  // A function value is built in three steps so that local functions can
  // be (mutually) recursive: its code is lowered (what it captures is then
  // known), the closure object is allocated, and once every closure of the
  // group exists their captured values are stored.
  using ClauseView = check::ClauseView;
  struct ClosurePlan {
    llvm::Function* code = nullptr;
    unsigned arity = 0;         // parameters, plus the region for an action
    std::vector<int> captured;  // locals stored after the code pointer
  };
  auto ClosureCode(const std::vector<ClauseView>& clauses, check::Type* result, int self_local,
                   const std::string& name, source::Span span) -> ClosurePlan {
    return ClosureCode(clauses, result, self_local, ClosureFunction(clauses, result, name), span);
  }
  auto ClosureCode(const std::vector<ClauseView>& clauses, check::Type* result, int self_local,
                   llvm::Function* code, source::Span span) -> ClosurePlan;
  // The (empty) function a closure's code is lowered into: i64(ptr self, i64 args..[, i64 region]).
  auto ClosureFunction(const std::vector<ClauseView>& clauses, check::Type* result, const std::string& name)
      -> llvm::Function*;
  auto AllocClosure(const ClosurePlan& plan) -> llvm::Value*;
  void FillCaptures(const ClosurePlan& plan, llvm::Value* closure);
  // The body of a function (top-level or closure): parameters in slots so a
  // self tail call can overwrite them and jump back to `top_`, then the
  // clauses tried in order; `what` names it in the no-match runtime error.
  void LowerClauses(const std::vector<ClauseView>& clauses, const std::vector<llvm::Value*>& args, bool effect,
                    const std::string& what, source::Span span);
  auto GlobalClosure(int index) -> llvm::Value*;
  auto StaticClosure(llvm::Function* code, uint32_t arity) -> llvm::Constant*;
  // A static closure taking `params` values (and the region last when
  // `action`) whose code returns body(params) with `region_` set: the
  // function value of a top-level function, primitive, constructor or
  // operator.
  auto StaticCode(const std::string& name, unsigned params, bool action,
                  const std::function<llvm::Value*(const std::vector<llvm::Value*>&)>& body) -> llvm::Constant*;
  auto Apply(llvm::Value* fn, const std::vector<llvm::Value*>& args) -> llvm::Value*;

  // prims.cpp: primitives. CallPrim gets the argument values and, when
  // known, their expressions (for element types and runST bodies).
  auto PrimOf(const check::Ref& ref) -> const PrimInfo*;
  auto CallPrim(const PrimInfo& p, const std::vector<llvm::Value*>& args, llvm::Value* region,
                const std::vector<const parse::Expr*>& exprs, source::Span at) -> llvm::Value*;
  auto PrimClosure(const PrimInfo& p, source::Span at) -> llvm::Value*;
  auto ChunkKind(check::Type* element) -> uint32_t;
  auto RegionAlloc(llvm::Value* region, uint32_t kind, llvm::Value* bytes) -> llvm::Value*;
  auto CheckedIndex(llvm::Value* array, llvm::Value* index, source::Span at) -> llvm::Value*;
  // Type-based alias tags: an object's header word and its fields never
  // overlap, so a store into an array does not make LLVM reload the
  // array's size (the header) in a loop. Untagged accesses alias anything.
  auto Tagged(llvm::Instruction* access, bool header) -> llvm::Instruction*;
  llvm::MDNode* tbaa_header_ = nullptr;
  llvm::MDNode* tbaa_field_ = nullptr;
  auto ElementAddress(llvm::Value* array, llvm::Value* index, source::Span at) -> llvm::Value*;
  enum class ArrayLayout { Words, Bytes, Dynamic };
  auto LayoutOf(check::Type* element) -> ArrayLayout;
  // readArray (store == nullptr) or writeArray of a MutableArray.
  auto ArrayAccess(llvm::Value* array, llvm::Value* index, llvm::Value* store, ArrayLayout layout,
                   source::Span at) -> llvm::Value*;
  auto RegionBody(const check::Spine& spine) -> llvm::Value*;
  auto InRegion(const parse::Expr* body, llvm::Value* action, source::Span at) -> llvm::Value*;
  // "file:line" of `at`, naming the regions opened there.
  auto RegionSite(source::Span at) -> llvm::Value*;
  auto Unbox(llvm::Value* boxed_float) -> llvm::Value*;
  auto Box(llvm::Value* double_value) -> llvm::Value*;
  auto FloatValue(const parse::Expr* e) -> llvm::Value*;
  auto FloatLiteral(double d) -> llvm::Constant*;

  // inline.cpp: the Prelude's forRange/forEach/when/unless expanded in place.
  enum class Helper { None, ForRange, ForEach, When, Unless };
  struct LoopBody {
    const parse::LambdaExpr* lambda;  // inline this lambda's body, or
    int global;                       // call this action function directly, or
    llvm::Value* closure;             // apply this function value (or, when
    llvm::Function* local_code;       // set, call this code with it as self)
  };
  auto KnownHelper(const check::Spine& spine) -> Helper;
  // With tail set, ends the function and returns nullptr.
  auto ExpandHelper(Helper helper, const check::Spine& spine, bool tail) -> llvm::Value*;
  auto PrepareBody(const parse::Expr* fn) -> LoopBody;
  auto RunBody(const LoopBody& body, llvm::Value* arg) -> llvm::Value*;

  // pattern.cpp: `Match` branches to `fail` when `p` does not match `v`,
  // binds p's variables, and leaves the builder where the match succeeded.
  void Match(const parse::Pattern* p, llvm::Value* v, llvm::BasicBlock* fail);
  // Match where a failure stops the program with `message` at `p`'s location
  // (do binds, `let` patterns, lambda parameters expanded in place).
  void MatchOrFail(const parse::Pattern* p, llvm::Value* v, const char* message);
  auto IsIrrefutable(const parse::Pattern* p) -> bool;
  auto SplitCons(llvm::Value* list, llvm::BasicBlock* fail) -> std::pair<llvm::Value*, llvm::Value*>;

  auto TypeOf(const parse::Expr* e) -> check::Type* { return checked_.expr_types[e->id]; }
  auto Const(uint64_t v) -> llvm::ConstantInt* { return builder_.getInt64(v); }
  auto NewBlock(const char* name) -> llvm::BasicBlock*;
  // `cond ? yes() : no()`, the two results (of one type) joined by a phi;
  // `weights`, when given, is branch-weight metadata.
  auto Choose(llvm::Value* cond, const std::function<llvm::Value*()>& yes, const std::function<llvm::Value*()>& no,
              llvm::MDNode* weights = nullptr) -> llvm::Value*;
  // Choose with the `slow` path marked cold.
  auto FastOrSlow(llvm::Value* likely, const std::function<llvm::Value*()>& fast,
                  const std::function<llvm::Value*()>& slow) -> llvm::Value*;

  const parse::Module& module_;
  const check::CheckedModule& checked_;
  llvm::LLVMContext& ctx_;
  std::unique_ptr<llvm::Module> llvm_module_;
  llvm::IRBuilder<> builder_;
  llvm::Type* i64_;
  llvm::Type* ptr_;

  // Runtime entry points (extern "C" in runtime/).
  llvm::FunctionCallee rt_main_, rt_fail_, rt_exit_, show_, concat_, compare_, equal_, apply_, alloc_,
      list_append_, float_new_, region_open_, region_close_, region_alloc_slow_, mutarray_new_, freeze_, thaw_,
      index_fail_, par_st_;
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
  // A direct call of top-level function `index` with these argument
  // expressions (Float parameters get FloatValue, others Value), the region
  // first when it is an action. The result is a double when float_result.
  auto CallGlobal(int index, const std::vector<const parse::Expr*>& args) -> llvm::CallInst*;
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
  };
  std::vector<DescriptorSpec> descriptors_;
  std::map<std::string, uint32_t> descriptor_ids_;
  auto DescriptorId(const std::string& key, const DescriptorSpec& spec) -> uint32_t;
  auto TupleDescriptor(size_t arity) -> uint32_t;
  auto NilValue() -> llvm::ConstantInt*;
  // A constructor the checker resolved to no `data` declaration: True,
  // False, or Nil (the Prelude's name for `[]`).
  auto BuiltinNullary(const std::string& name) -> llvm::ConstantInt*;
  auto ConsCell(llvm::Value* head, llvm::Value* tail) -> llvm::Value*;
  auto ConsDescriptor() -> uint32_t;
  auto ConstructorDescriptor(int index) -> uint32_t;
  auto ConstructorValue(int index, const std::vector<llvm::Value*>& fields) -> llvm::Value*;
  auto ConstructorClosure(int index) -> llvm::Value*;
  std::map<int, llvm::Constant*> constructor_closures_;
  auto Construct(uint32_t descriptor, const std::vector<llvm::Value*>& fields) -> llvm::Value*;
  auto DescriptorTable() -> std::pair<llvm::Constant*, uint32_t>;
  auto Tuple(const std::vector<llvm::Value*>& fields, size_t arity) -> llvm::Value*;
  // The source file of the function being lowered (programs span several
  // modules: the Prelude, imports, the main module) and its name as a C
  // string constant for runtime errors.
  const source::SourceFile* file_ = nullptr;
  std::map<const source::SourceFile*, llvm::Constant*> file_names_;
  std::map<const source::SourceFile*, llvm::DIFile*> di_files_;
  auto FileName() -> llvm::Constant*;
  void SetFile(const check::Function& f);

  // Local functions whose closure is known where they are called: saturated
  // calls go straight to the code with the closure as `self` (by local id;
  // ids are unique in a program, so an entry is valid wherever the local is).
  struct LocalFunction {
    llvm::Function* code;
    int arity;  // parameters, without the region
    bool effect;
  };
  std::map<int, LocalFunction> local_functions_;
  auto KnownLocal(const parse::Expr* head) -> const LocalFunction*;
  auto CallLocal(const parse::Expr* head, const LocalFunction& f, std::vector<llvm::Value*> args) -> llvm::Value*;

  // Per function being lowered. The self-call target: a top-level function
  // (`current_`) or the local function a closure is bound to (`self_local_`).
  int current_ = -1;
  bool ret_float_ = false;  // the function being lowered returns a double
  std::map<int, llvm::Value*> float_locals_;  // locals bound to unboxed Float parameters
  int self_local_ = -1;
  int self_arity_ = 0;
  bool self_effect_ = false;
  llvm::Function* fn_ = nullptr;
  llvm::Value* region_ = nullptr;
  std::vector<llvm::AllocaInst*> param_slots_;  // loop-carried parameters
  llvm::BasicBlock* top_ = nullptr;             // self tail calls jump here
  std::vector<llvm::Value*> locals_;
};

}  // namespace atl::lower

#endif  // ATOLL_LOWER_LOWERER_H
