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

#include <atomic>

namespace atl::sched {

class Fiber;

// The native stack of a thread that runs fibers; pushed while `active`
// (a fiber runs on top of it and Boehm only scans the fiber's stack).
// `in_switch` is the thread's switch fence flag (below).
struct NativeStackRoot {
  void* sp = nullptr;
  void* bottom = nullptr;
  bool active = false;
  std::atomic<int> in_switch{0};
  NativeStackRoot* prev = nullptr;
  NativeStackRoot* next = nullptr;
};

// The switch fence. During a switch a thread's stack pointer, its GC stack
// bottom and the registry's view of its fibers disagree, so the collector
// must not stop the world then. A thread raises its own `in_switch` flag
// for the switch (a store and a load, no lock: switches are the hot path);
// the collector, before it stops the world (GC_EVENT_PRE_STOP_WORLD, with
// the allocation lock held), announces itself, makes every thread's flag
// visible with one process-wide membarrier(2), and waits for the flags it
// finds raised; a switch that begins after the announcement waits for the
// world to restart. Where membarrier is missing the switch side pays a full
// fence instead. The collector waits only for switches, which never block.
void SwitchEnter(NativeStackRoot& r);
void SwitchExit(NativeStackRoot& r);
// Registry updates (fibers and threads appearing and going) take Boehm's
// allocation lock, which a collection holds. Under ThreadSanitizer (libgc
// is not instrumented) a plain mutex.
void RegistryLock();
void RegistryUnlock();

class GcRoots {
 public:
  static GcRoots& Instance();
  void Install();  // once, after GC_INIT
  void AddFiber(Fiber* f);
  void RemoveFiber(Fiber* f);
  void AddNative(NativeStackRoot* r);
  void RemoveNative(NativeStackRoot* r);
  // The collector's side of the switch fence (allocation lock held).
  void WaitForSwitches();

 private:
  static void PushHook();
  Fiber* fibers_ = nullptr;
  NativeStackRoot* natives_ = nullptr;
};

}  // namespace atl::sched
