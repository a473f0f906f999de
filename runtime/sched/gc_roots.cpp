#include "runtime/sched/gc_roots.h"

#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <mutex>

#include "runtime/sched/fiber.h"

namespace atl::sched {

#if defined(__SANITIZE_THREAD__)
namespace {
std::mutex g_registry_mu;
}
void switch_lock() {}
void switch_unlock() {}
void registry_lock() { g_registry_mu.lock(); }
void registry_unlock() { g_registry_mu.unlock(); }
#else
void switch_lock() { GC_alloc_lock(); }
void switch_unlock() { GC_alloc_unlock(); }
void registry_lock() { GC_alloc_lock(); }
void registry_unlock() { GC_alloc_unlock(); }
#endif

namespace {
GC_push_other_roots_proc g_previous_hook = nullptr;
std::once_flag g_setup_once;
}  // namespace

GcRoots& GcRoots::instance() {
  static GcRoots roots;
  return roots;
}

void gc_setup() {
  std::call_once(g_setup_once, [] {
    if (!GC_is_init_called()) GC_INIT();
    GC_allow_register_threads();
    GcRoots::instance().install();
  });
}

void GcRoots::install() {
  g_previous_hook = GC_get_push_other_roots();
  GC_set_push_other_roots(&GcRoots::push_hook);
}

void GcRoots::push_hook() {
  if (g_previous_hook) g_previous_hook();
  GcRoots& r = instance();
  for (Fiber* f = r.fibers_; f; f = f->gc_next_) {
    if (!f->running_) GC_push_all_eager(f->ctx_, f->stack_.high);
  }
  for (NativeStackRoot* n = r.natives_; n; n = n->next) {
    if (n->active && n->sp) GC_push_all_eager(n->sp, n->bottom);
  }
}

void GcRoots::add_fiber(Fiber* f) {
  registry_lock();
  f->gc_prev_ = nullptr;
  f->gc_next_ = fibers_;
  if (fibers_) fibers_->gc_prev_ = f;
  fibers_ = f;
  registry_unlock();
}

void GcRoots::remove_fiber(Fiber* f) {
  registry_lock();
  if (f->gc_prev_) {
    f->gc_prev_->gc_next_ = f->gc_next_;
  } else {
    fibers_ = f->gc_next_;
  }
  if (f->gc_next_) f->gc_next_->gc_prev_ = f->gc_prev_;
  registry_unlock();
}

void GcRoots::add_native(NativeStackRoot* n) {
  registry_lock();
  n->prev = nullptr;
  n->next = natives_;
  if (natives_) natives_->prev = n;
  natives_ = n;
  registry_unlock();
}

void GcRoots::remove_native(NativeStackRoot* n) {
  registry_lock();
  if (n->prev) {
    n->prev->next = n->next;
  } else {
    natives_ = n->next;
  }
  if (n->next) n->next->prev = n->prev;
  registry_unlock();
}

}  // namespace atl::sched
