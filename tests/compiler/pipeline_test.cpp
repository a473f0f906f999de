// The LLVM half of the driver on a hand-built module: optimise, emit IR /
// assembly / object, link with the runtime, run the executable. Plus the
// run-cache key.
#include <doctest/doctest.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>
#include <llvm/Target/TargetMachine.h>

#include <optional>
#include <string>

#include "compiler/driver/cache.h"
#include "compiler/driver/codegen.h"
#include "compiler/driver/link.h"

using namespace atl::driver;

namespace {

// atl_main prints "sum=<n>" where n = sum 1..k computed in a loop, so the
// optimiser has something to fold and the output proves the code ran.
auto BuildModule(llvm::LLVMContext& ctx, int k) -> std::unique_ptr<llvm::Module> {
  auto m = std::make_unique<llvm::Module>("pipeline_test", ctx);
  llvm::IRBuilder<> b(ctx);
  auto* i64 = b.getInt64Ty();
  auto* i32 = b.getInt32Ty();
  auto* ptr = b.getPtrTy();
  auto* string_new = llvm::Function::Create(llvm::FunctionType::get(i64, {ptr, i64}, false),
                                            llvm::Function::ExternalLinkage, "atl_string_new", *m);
  auto* concat = llvm::Function::Create(llvm::FunctionType::get(i64, {i64, i64}, false),
                                        llvm::Function::ExternalLinkage, "atl_string_concat", *m);
  auto* show = llvm::Function::Create(llvm::FunctionType::get(i64, {i64}, false),
                                      llvm::Function::ExternalLinkage, "atl_show", *m);
  auto* print = llvm::Function::Create(llvm::FunctionType::get(i64, {i64, ptr}, false),
                                       llvm::Function::ExternalLinkage, "atl_rt_print", *m);
  auto* rt_main = llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, ptr, i32, ptr}, false),
                                         llvm::Function::ExternalLinkage, "atl_rt_main", *m);
  auto* entry = llvm::Function::Create(llvm::FunctionType::get(i64, {ptr}, false),
                                       llvm::Function::InternalLinkage, "atl_main", *m);
  {
    auto* start = llvm::BasicBlock::Create(ctx, "start", entry);
    auto* loop = llvm::BasicBlock::Create(ctx, "loop", entry);
    auto* done = llvm::BasicBlock::Create(ctx, "done", entry);
    b.SetInsertPoint(start);
    b.CreateBr(loop);
    b.SetInsertPoint(loop);
    auto* i = b.CreatePHI(i64, 2);
    auto* acc = b.CreatePHI(i64, 2);
    i->addIncoming(b.getInt64(1), start);
    acc->addIncoming(b.getInt64(0), start);
    auto* acc2 = b.CreateAdd(acc, i);
    auto* i2 = b.CreateAdd(i, b.getInt64(1));
    i->addIncoming(i2, loop);
    acc->addIncoming(acc2, loop);
    b.CreateCondBr(b.CreateICmpSLE(i2, b.getInt64(k)), loop, done);
    b.SetInsertPoint(done);
    auto* tagged = b.CreateOr(b.CreateShl(acc2, 1), 1);
    auto* label = b.CreateCall(string_new, {b.CreateGlobalStringPtr("sum="), b.getInt64(4)});
    b.CreateCall(print,
                 {b.CreateCall(concat, {label, b.CreateCall(show, {tagged})}), entry->getArg(0)});
    b.CreateRet(b.getInt64(2));  // ()
  }
  auto* info_ty = llvm::StructType::get(ctx, {ptr, i32, i32, ptr, ptr, ptr, i32, i32, ptr, ptr});
  auto* info = new llvm::GlobalVariable(*m, info_ty, true, llvm::GlobalValue::InternalLinkage,
                                        llvm::Constant::getNullValue(info_ty), "atl_program_info");
  auto* main = llvm::Function::Create(llvm::FunctionType::get(i32, {i32, ptr}, false),
                                      llvm::Function::ExternalLinkage, "main", *m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", main));
  b.CreateRet(b.CreateCall(rt_main, {info, entry, main->getArg(0), main->getArg(1)}));
  return m;
}

auto TempDir() -> std::string {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("atoll-pipeline-test", dir));
  return std::string(dir.str());
}

auto ReadFile(const std::string& path) -> std::string {
  auto buf = llvm::MemoryBuffer::getFile(path);
  return buf ? (*buf)->getBuffer().str() : "";
}

}  // namespace

TEST_CASE("optimise, emit, link and run a hand-built module at every -O level") {
  const std::string dir = TempDir();
  for (int opt = 0; opt <= 3; ++opt) {
    CAPTURE(opt);
    llvm::LLVMContext ctx;
    auto m = BuildModule(ctx, 100 + opt);
    auto made = CreateTargetMachine(opt, "x86-64");
    REQUIRE(made);
    llvm::TargetMachine* machine = made->get();
    ConfigureModule(*m, *machine);
    REQUIRE_FALSE(llvm::verifyModule(*m, &llvm::errs()));
    OptimizeModule(*m, *machine, opt);
    REQUIRE_FALSE(llvm::verifyModule(*m, &llvm::errs()));

    const std::string base = dir + "/prog" + std::to_string(opt);
    REQUIRE(EmitModule(*m, *machine, EmitKind::LlvmIr, base + ".ll"));
    CHECK(ReadFile(base + ".ll").find("define") != std::string::npos);
    REQUIRE(EmitModule(*m, *machine, EmitKind::Assembly, base + ".s"));
    CHECK(ReadFile(base + ".s").find("main:") != std::string::npos);
    REQUIRE(EmitModule(*m, *machine, EmitKind::Object, base + ".o"));

    Install install{ATOLL_TEST_RUNTIME_LIB, "", ""};
    REQUIRE(LinkExecutable(base + ".o", base, install));
    const std::string out = base + ".out";
    std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(out), std::nullopt};
    const int status = llvm::sys::ExecuteAndWait(base, {base}, std::nullopt, redirects);
    CHECK(status == 0);
    const int k = 100 + opt;
    CHECK(ReadFile(out) == "sum=" + std::to_string(k * (k + 1) / 2) + "\n");
  }
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("emission reports unwritable paths instead of crashing") {
  llvm::LLVMContext ctx;
  auto m = BuildModule(ctx, 3);
  auto machine = CreateTargetMachine(0, "x86-64");
  REQUIRE(machine);
  ConfigureModule(*m, **machine);
  Status emitted = EmitModule(*m, **machine, EmitKind::Object, "/nonexistent-dir/x.o");
  REQUIRE_FALSE(emitted);
  const Failure failure = emitted.TakeFailure();
  CHECK(failure.status == kExitUsage);
  CHECK(failure.message.find("cannot write /nonexistent-dir/x.o") == 0);
}

TEST_CASE(
    "cache key changes with sources, opt level, processor, discipline and compiler identity") {
  CacheKeyInput base{{"main = print \"a\"", "prelude"}, "atoll 0.1 x", 2, "x86-64", "subtyping"};
  const std::string key = CacheKey(base);
  CHECK(key.size() == 64);
  CHECK(CacheKey(base) == key);
  CacheKeyInput other = base;
  other.sources[0] = "main = print \"b\"";
  CHECK(CacheKey(other) != key);
  other = base;
  other.opt_level = 3;
  CHECK(CacheKey(other) != key);
  other = base;
  other.cpu = "native";
  CHECK(CacheKey(other) != key);
  other = base;
  other.regions = "strict";
  CHECK(CacheKey(other) != key);
  other = base;
  other.compiler_identity = "atoll 0.1 y";
  CHECK(CacheKey(other) != key);
  // Length prefixes: moving bytes between parts changes the key.
  other = base;
  other.sources = {"main = print \"a\"p", "relude"};
  CHECK(CacheKey(other) != key);
}
