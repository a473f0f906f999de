#include "runtime/sched/gc_roots.h"

#include <gc/gc.h>
#include <gc/gc_mark.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

#include "runtime/sched/fiber.h"

namespace atl::sched {

#if defined(__SANITIZE_THREAD__)
namespace {
std::mutex g_registry_mu;
}
void RegistryLock() { g_registry_mu.lock(); }
void RegistryUnlock() { g_registry_mu.unlock(); }
#else
void RegistryLock() { GC_alloc_lock(); }
void RegistryUnlock() { GC_alloc_unlock(); }
#endif

namespace {
GC_push_other_roots_proc g_previous_hook = nullptr;
GC_on_collection_event_proc g_previous_event = nullptr;
std::once_flag g_setup_once;
std::once_flag g_allow_once;
std::atomic<int> g_stopping{0};  // a collector is about to stop the world
bool g_membarrier = false;       // the collector's side fences every thread

void CpuRelax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

bool RegisterMembarrier() {
  return syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

// The hook installed before ours runs first, so pause statistics
// (runtime/gc/stats.cpp) count the wait for switches as part of the pause.
void GC_CALLBACK OnCollectionEvent(GC_EventType e) {
  if (g_previous_event) g_previous_event(e);
  if (e == GC_EVENT_PRE_STOP_WORLD) {
    g_stopping.store(1, std::memory_order_seq_cst);
    if (g_membarrier) syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    // The registry cannot change: its updates need the lock the collector holds.
    GcRoots::Instance().WaitForSwitches();
  } else if (e == GC_EVENT_POST_START_WORLD) {
    g_stopping.store(0, std::memory_order_release);
  }
}
}  // namespace

void SwitchEnter(NativeStackRoot& r) {
  for (;;) {
    r.in_switch.store(1, std::memory_order_relaxed);
    if (g_membarrier) {
      std::atomic_signal_fence(std::memory_order_seq_cst);  // the collector's membarrier orders it
    } else {
      std::atomic_thread_fence(std::memory_order_seq_cst);
    }
    if (g_stopping.load(std::memory_order_relaxed) == 0) return;
    r.in_switch.store(0, std::memory_order_release);
    while (g_stopping.load(std::memory_order_acquire) != 0) CpuRelax();
  }
}

void SwitchExit(NativeStackRoot& r) { r.in_switch.store(0, std::memory_order_release); }

void GcRoots::WaitForSwitches() {
  for (NativeStackRoot* n = natives_; n; n = n->next) {
    while (n->in_switch.load(std::memory_order_acquire) != 0) CpuRelax();
  }
}

GcRoots& GcRoots::Instance() {
  static GcRoots roots;
  return roots;
}

void GcSetup() {
  std::call_once(g_setup_once, [] {
    if (!GC_is_init_called()) GC_INIT();
    g_membarrier = RegisterMembarrier();
    GcRoots::Instance().Install();
  });
}

// A second call (the runtime's atl_gc_allow_threads may make one too) is
// harmless: Boehm starts its markers once.
void AllowGcThreads() {
  GcSetup();
  std::call_once(g_allow_once, [] { GC_allow_register_threads(); });
}

void GcRoots::Install() {
  g_previous_hook = GC_get_push_other_roots();
  GC_set_push_other_roots(&GcRoots::PushHook);
  g_previous_event = GC_get_on_collection_event();
  GC_set_on_collection_event(OnCollectionEvent);
}

void GcRoots::PushHook() {
  if (g_previous_hook) g_previous_hook();
  GcRoots& r = Instance();
  for (Fiber* f = r.fibers_; f; f = f->gc_next_) {
    if (!f->running_) GC_push_all_eager(f->ctx_, f->stack_.high);
  }
  for (NativeStackRoot* n = r.natives_; n; n = n->next) {
    if (n->active && n->sp) GC_push_all_eager(n->sp, n->bottom);
  }
}

void GcRoots::AddFiber(Fiber* f) {
  RegistryLock();
  f->gc_prev_ = nullptr;
  f->gc_next_ = fibers_;
  if (fibers_) fibers_->gc_prev_ = f;
  fibers_ = f;
  RegistryUnlock();
}

void GcRoots::RemoveFiber(Fiber* f) {
  RegistryLock();
  if (f->gc_prev_) {
    f->gc_prev_->gc_next_ = f->gc_next_;
  } else {
    fibers_ = f->gc_next_;
  }
  if (f->gc_next_) f->gc_next_->gc_prev_ = f->gc_prev_;
  RegistryUnlock();
}

void GcRoots::AddNative(NativeStackRoot* n) {
  RegistryLock();
  n->prev = nullptr;
  n->next = natives_;
  if (natives_) natives_->prev = n;
  natives_ = n;
  RegistryUnlock();
}

void GcRoots::RemoveNative(NativeStackRoot* n) {
  RegistryLock();
  if (n->prev) {
    n->prev->next = n->next;
  } else {
    natives_ = n->next;
  }
  if (n->next) n->next->prev = n->prev;
  RegistryUnlock();
}

}  // namespace atl::sched
