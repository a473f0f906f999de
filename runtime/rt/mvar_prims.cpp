// The MVar primitives generated code calls (rt.h), over runtime/mvar.
//
// Each turns the operation's Status into the language's behaviour: a value,
// Nothing/False for a timeout, a runtime error naming the operation when
// the MVar was deallocated, and Unwind() when a `timeout` of this thread
// cancelled the wait. Finalizers of collected handles run here, before any
// core lock is taken.
#include <vector>

#include "runtime/io/clock.h"
#include "runtime/mvar/copy.h"
#include "runtime/mvar/mvar.h"
#include "runtime/rt/prims.h"
#include "runtime/rt/rt.h"
#include "runtime/rt/thread.h"
#include "runtime/value/fail.h"

namespace {

using atl::mvar::Status;

atl::mvar::Core* CoreOf(atl_value m) { return atl::mvar::CoreOf(m); }

atl::io::Deadline DeadlineIn(atl_value ms) {
  const int64_t n = atl_int_get(ms);
  if (n < 0) return atl::io::Deadline::Never();
  return atl::io::Deadline::After(std::chrono::milliseconds(n));
}

// A try-operation: a deadline that has passed already.
atl::io::Deadline Now() { return atl::io::Deadline{atl::io::Now()}; }

// Ok and TimedOut/WouldBlock return to the caller (true: it happened).
bool Outcome(Status s, const char* op, atl_where at) {
  switch (s) {
    case Status::Ok:
      return true;
    case Status::WouldBlock:
    case Status::TimedOut:
      return false;
    case Status::Deallocated:
      atl_runtime_error(at, "%s: the MVar was deallocated (deallocateMVar)", op);
    case Status::Cancelled:
      atl::rt::Unwind();
      atl_runtime_error(at, "%s: the wait was cancelled", op);
  }
  return false;
}

// The value a put hands over, as its site's send kind says.
atl_value Message(atl_value v, uint64_t kind) {
  uint64_t bytes = 0;
  if (kind >= 2 && atl_is_ptr(v)) v = atl_deep_copy_counted(v, &bytes);
  atl::mvar::CountPut(static_cast<uint32_t>(kind), bytes);
  return v;
}

// The operations themselves; a wait with no deadline takes part in
// deadlock detection (runtime/mvar/mvar.h).
Status PutStatus(const char* op, atl_value m, atl_value v, atl::io::Deadline d, atl_where at) {
  atl::mvar::StuckWait stuck(op, at);
  return atl::mvar::Put(CoreOf(m), v, d, d.is_never() ? &stuck : nullptr);
}

Status TakeStatus(const char* op, atl_value m, atl_value* v, atl::io::Deadline d, atl_where at,
                  bool read = false) {
  atl::mvar::StuckWait stuck(op, at);
  atl::mvar::StuckWait* s = d.is_never() ? &stuck : nullptr;
  return read ? atl::mvar::Read(CoreOf(m), v, d, s) : atl::mvar::Take(CoreOf(m), v, d, s);
}

atl_value Put(const char* op, atl_value m, atl_value v, uint64_t kind, atl::io::Deadline d,
              atl_where at) {
  atl::mvar::RunFinalizers();
  const bool done = Outcome(PutStatus(op, m, Message(v, kind), d, at), op, at);
  return atl_bool(done ? 1 : 0);
}

atl_value Take(const char* op, atl_value m, atl::io::Deadline d, atl_where at) {
  atl::mvar::RunFinalizers();
  atl_value v = 0;
  if (!Outcome(TakeStatus(op, m, &v, d, at), op, at)) return atl_rt_pair(atl_bool(0), atl_unit());
  return atl_rt_pair(atl_bool(1), v);
}

struct Selected {
  Status status;
  size_t index;
  atl_value value;
};

// Its vector is gone when it returns (the caller may unwind).
Selected TakeAny(atl_value mvars, atl::io::Deadline d, atl_where at) {
  std::vector<atl::mvar::Core*> cores;
  for (atl_value l = mvars; atl_is_ptr(l); l = atl_ptr(l)->fields[1])
    cores.push_back(CoreOf(atl_ptr(l)->fields[0]));
  Selected r{Status::Ok, 0, 0};
  atl::mvar::StuckWait stuck("takeAnyMVar", at);
  r.status = atl::mvar::TakeAny(cores, d, &r.index, &r.value, d.is_never() ? &stuck : nullptr);
  return r;
}

}  // namespace

extern "C" {

atl_value atl_mvar_new(atl_value v, atl_where /*at*/, void* /*region*/) {
  return atl::mvar::New(v);
}

atl_value atl_mvar_new_empty(atl_where /*at*/, void* /*region*/) { return atl::mvar::New(0); }

atl_value atl_mvar_put(atl_value m, atl_value v, uint64_t kind, atl_where at, void* /*region*/) {
  Put("putMVar", m, v, kind, atl::io::Deadline::Never(), at);
  return atl_unit();
}

atl_value atl_mvar_try_put(atl_value m, atl_value v, uint64_t kind, atl_where at,
                           void* /*region*/) {
  return Put("tryPutMVar", m, v, kind, Now(), at);
}

atl_value atl_mvar_put_timeout(atl_value m, atl_value v, atl_value ms, uint64_t kind, atl_where at,
                               void* /*region*/) {
  return Put("putMVarTimeout", m, v, kind, DeadlineIn(ms), at);
}

atl_value atl_mvar_take(atl_value m, atl_where at, void* /*region*/) {
  atl::mvar::RunFinalizers();
  atl_value v = 0;
  Outcome(TakeStatus("takeMVar", m, &v, atl::io::Deadline::Never(), at), "takeMVar", at);
  return v;
}

atl_value atl_mvar_read(atl_value m, atl_where at, void* /*region*/) {
  atl::mvar::RunFinalizers();
  atl_value v = 0;
  Outcome(TakeStatus("readMVar", m, &v, atl::io::Deadline::Never(), at, /*read=*/true), "readMVar",
          at);
  return v;
}

atl_value atl_mvar_try_take(atl_value m, atl_where at, void* /*region*/) {
  return Take("tryTakeMVar", m, Now(), at);
}

atl_value atl_mvar_take_timeout(atl_value m, atl_value ms, atl_where at, void* /*region*/) {
  return Take("takeMVarTimeout", m, DeadlineIn(ms), at);
}

atl_value atl_mvar_take_any(atl_value mvars, atl_value ms, atl_where at, void* /*region*/) {
  atl::mvar::RunFinalizers();
  const Selected r = TakeAny(mvars, DeadlineIn(ms), at);
  if (!Outcome(r.status, "takeAnyMVar", at)) return atl_rt_pair(atl_bool(0), atl_unit());
  return atl_rt_pair(atl_bool(1), atl_rt_pair(atl_int(static_cast<int64_t>(r.index)), r.value));
}

atl_value atl_mvar_deallocate(atl_value m, atl_where at, void* /*region*/) {
  atl::mvar::RunFinalizers();
  if (atl::mvar::Deallocate(CoreOf(m)) == Status::Deallocated) {
    atl_runtime_error(at, "deallocateMVar: the MVar was deallocated already");
  }
  return atl_unit();
}

}  // extern "C"
