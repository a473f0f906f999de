// parST runs its two bodies at the same time, as two threads of the
// work-stealing scheduler (and of the threads scheduler): each body waits
// (up to 20 s) until it has seen the other one running.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/gc/gc.h"
#include "runtime/rt/rt.h"
#include "runtime/sched/scheduler.h"

namespace {

std::atomic<int> running{0};

atl_value Body(atl_closure* /*self*/, atl_value /*region*/) {
  running.fetch_add(1);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (running.load() < 2 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::yield();
  return atl_bool(running.load() >= 2);
}

atl_closure* MakeBody() {
  auto* c = static_cast<atl_closure*>(atl_alloc(sizeof(atl_closure)));
  c->header = atl_make_header(ATL_KIND_CLOSURE, 1, 1);
  c->code = reinterpret_cast<void*>(&Body);
  return c;
}

}  // namespace

TEST_CASE("both parST bodies run at once") {
  atl_gc_init();
  for (auto kind : {atl::sched::SchedKind::Ws, atl::sched::SchedKind::Threads}) {
    INFO(atl::sched::SchedKindName(kind));
    running = 0;
    atl::sched::Options opts;
    opts.sched = kind;
    opts.workers = 2;
    atl_value pair = 0;
    atl::sched::Run(opts, [&] {
      pair = atl_rt_par_st(atl_from_ptr(MakeBody()), atl_from_ptr(MakeBody()), "par_test", nullptr);
    });
    const atl_object* p = atl_ptr(pair);
    CHECK(p->fields[0] == atl_bool(1));
    CHECK(p->fields[1] == atl_bool(1));
  }
}
