// GcRoots: the single GC_set_push_other_roots hook for fibers.
//
// Holds every live fiber and every thread that runs fibers. All updates take
// the GC allocation lock, and the hook runs during a collection (which holds
// it), so the hook always sees a consistent registry: a fiber is either
// running (its stack is the thread's stack, scanned by Boehm) or suspended
// with its saved stack pointer recorded (pushed here), never in between.
// A hook installed before this one (runtime/gc's, which pushes the traced
// region chunks) still runs: this one calls it first.
#pragma once

namespace atl::sched {

class Fiber;

// The lock held across a fiber switch and around registry updates: Boehm's
// allocation lock. Under ThreadSanitizer a lock taken on one fiber and
// released on another reads as a bug, and libgc is not instrumented, so TSan
// builds use a plain mutex for the registry and no lock across switches
// (a collection during a switch is then possible: TSan builds are for
// checking the scheduler's own synchronisation, not the GC integration).
void switch_lock();
void switch_unlock();
void registry_lock();
void registry_unlock();

// The native stack of a thread that runs fibers; pushed while `active`
// (a fiber runs on top of it and Boehm only scans the fiber's stack).
struct NativeStackRoot {
  void* sp = nullptr;
  void* bottom = nullptr;
  bool active = false;
  NativeStackRoot* prev = nullptr;
  NativeStackRoot* next = nullptr;
};

class GcRoots {
 public:
  static GcRoots& instance();
  void install();  // once, after GC_INIT
  void add_fiber(Fiber* f);
  void remove_fiber(Fiber* f);
  void add_native(NativeStackRoot* r);
  void remove_native(NativeStackRoot* r);

 private:
  static void push_hook();
  Fiber* fibers_ = nullptr;
  NativeStackRoot* natives_ = nullptr;
};

}  // namespace atl::sched
