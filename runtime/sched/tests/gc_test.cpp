// Boehm and fibers: an object referenced only from a suspended fiber's stack
// survives collections forced by other fibers, on every scheduler.
#include <doctest/doctest.h>
#include <gc/gc.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/net.h"
#include "runtime/sched/fiber.h"
#include "runtime/sched/tests/configs.h"

using namespace atl;
using namespace std::chrono_literals;

namespace {
std::atomic<int> g_finalized{0};
void OnFinalize(void*, void*) { g_finalized++; }

// Allocates, drops every reference but the local one, suspends repeatedly,
// then checks the object's contents. Returns true if intact.
__attribute__((noinline)) bool HoldAcrossSwitches(int seed) {
  auto* obj = static_cast<unsigned char*>(GC_MALLOC(256));
  for (int i = 0; i < 256; ++i) obj[i] = static_cast<unsigned char>(seed + i);
  GC_REGISTER_FINALIZER(obj, OnFinalize, nullptr, nullptr, nullptr);
  for (int round = 0; round < 6; ++round) {
    if (round % 2) {
      io::Yield();
    } else {
      io::Sleep(1ms);
    }
  }
  bool ok = true;
  for (int i = 0; i < 256; ++i) ok &= obj[i] == static_cast<unsigned char>(seed + i);
  return ok;
}
}  // namespace

TEST_CASE("objects held only by suspended fiber stacks survive collection") {
  sched::GcSetup();
  for (const auto& cfg : test::AllConfigs()) {
    if (cfg.io != io::BackendKind::Epoll) continue;  // GC is backend independent
    INFO(test::ConfigName(cfg));
    g_finalized = 0;
    std::atomic<int> intact{0};
    int collections = 0;
    sched::Run(cfg, [&] {
      std::vector<io::FiberHandle> hs;
      for (int i = 0; i < 40; ++i) {
        hs.push_back(io::Spawn([&intact, i] {
          if (HoldAcrossSwitches(i)) intact++;
        }));
      }
      auto collector = io::Spawn([&] {
        for (int k = 0; k < 8; ++k) {
          // Garbage plus explicit collections while the holders are parked.
          for (int j = 0; j < 2000; ++j) (void)GC_MALLOC(128);
          GC_gcollect();
          collections++;
          io::Sleep(1ms);
        }
      });
      for (auto& h : hs) h.Join();
      collector.Join();
      GC_invoke_finalizers();
    });
    CHECK(collections == 8);
    CHECK(intact.load() == 40);
    // Finalizers may only run for objects whose holders have finished.
    CHECK(g_finalized.load() <= 40);
  }
}
