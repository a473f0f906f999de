#include "runtime/gc/stats.h"

#include <doctest/doctest.h>
#include <gc/gc.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "runtime/gc/gc.h"
#include "runtime/region/region.h"

namespace {

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

__attribute__((noinline)) void* BuildLiveList(int n) {
  void** head = nullptr;
  for (int i = 0; i < n; ++i) {
    auto** node = static_cast<void**>(atl_alloc(2 * sizeof(void*)));
    node[0] = head;
    head = node;
  }
  return head;
}

// When the binary is re-run as a child with ATL_STATS_CHILD set, it behaves
// like an Atoll program: init from the environment, collect, exit.
const bool child_mode = [] {
  if (std::getenv("ATL_STATS_CHILD") == nullptr) return false;
  atl_gc_init();
  atl_region* r = atl_region_open("child");
  atl_region_alloc(r, ATL_REGION_TRACED, 64);
  atl_region_close(r);
  BuildLiveList(1000);  // 16 KB on the GC heap: the run's bytes allocated
  for (int i = 0; i < 3; ++i) atl_gc_collect();
  std::exit(0);
}();

std::string RunChild(const char* format, const char* trace_path = nullptr) {
  char path[] = "/tmp/atl_gc_stats_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setenv("ATL_STATS_CHILD", "1", 1);
    setenv("ATOLL_GC_STATS", format, 1);
    setenv("ATOLL_GC_STATS_FILE", path, 1);
    if (trace_path != nullptr) setenv("ATOLL_GC_TRACE", trace_path, 1);
    execl("/proc/self/exe", "child", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  unlink(path);
  return text.str();
}

}  // namespace

TEST_CASE("pause statistics agree with an external clock around forced collections") {
  (void)child_mode;
  atl_gc_init();
  volatile void* keep = BuildLiveList(50000);  // something to mark
  atl_gc_reset_stats();
  constexpr int kForced = 20;
  const GC_word gc_before = GC_get_gc_no();
  const uint64_t t0 = NowNs();
  for (int i = 0; i < kForced; ++i) atl_gc_collect();
  const uint64_t external = NowNs() - t0;
  const GC_word gc_after = GC_get_gc_no();
  atl_gc_stats s;
  atl_gc_get_stats(&s);
  CHECK(s.collections == gc_after - gc_before);
  CHECK(s.collections == kForced);
  CHECK(s.gc_no == s.collections);
  CHECK(s.pause.count >= s.collections);
  CHECK(s.mark.count == s.collections);
  CHECK(s.pause.total_ns > 0);
  CHECK(s.mark.total_ns > 0);
  CHECK(s.pause.total_ns <= external);
  CHECK(s.total.total_ns <= external);
  // And from below, without a ratio to the external clock (preemption
  // between collections on a loaded machine can make that any size): each
  // collection marks the 50,000-node list, which takes far more than 1 us.
  CHECK(s.total.total_ns >= kForced * 1000u);
  CHECK(s.mark.max_ns > 0);
  CHECK(s.stopped.total_ns == s.pause.total_ns);
  CHECK(s.mark.total_ns <= s.total.total_ns);
  CHECK(s.pause.p50_ns <= s.pause.p99_ns);
  CHECK(s.pause.p99_ns <= s.pause.max_ns);
  CHECK(s.pause.max_ns <= s.pause.total_ns);
  CHECK(s.heap_bytes > 0);
  CHECK(s.dropped == 0);
  (void)keep;
}

TEST_CASE("reset forgets earlier collections") {
  atl_gc_init();
  atl_gc_collect();
  atl_gc_reset_stats();
  atl_gc_stats s;
  atl_gc_get_stats(&s);
  CHECK(s.collections == 0);
  CHECK(s.pause.count == 0);
  CHECK(s.pause.max_ns == 0);
}

TEST_CASE("ATOLL_GC_STATS=json prints one JSON object at exit") {
  const std::string text = RunChild("json");
  INFO(text);
  const nlohmann::json j = nlohmann::json::parse(text);
  CHECK(j["gc"]["collections"].get<int>() >= 3);
  CHECK(j["gc"]["mode"] == "stw");
  CHECK(j["gc"]["pause"]["count"].get<int>() >= 3);
  CHECK(j["gc"]["pause"]["max_ms"].get<double>() >= j["gc"]["pause"]["p50_ms"].get<double>());
  CHECK(j["regions"]["opened"].get<int>() == 1);
  CHECK(j["regions"]["bytes_allocated"].get<int>() == 64);
  CHECK(j["run"]["wall_ms"].get<double>() > 0);
  CHECK(j["run"]["gc_ms"].get<double>() <= j["run"]["wall_ms"].get<double>());
  CHECK(j["run"]["bytes_allocated"].get<int64_t>() > 0);
}

TEST_CASE("ATOLL_GC_STATS=1 prints a text summary at exit") {
  const std::string text = RunChild("1");
  INFO(text);
  CHECK(text.find("atoll run: wall ") == 0);
  CHECK(text.find("\natoll gc (stw): ") != std::string::npos);
  CHECK(text.find("pause") != std::string::npos);
  CHECK(text.find("p99") != std::string::npos);
  CHECK(text.find("atoll regions: 1 opened, 1 closed, 64 bytes allocated") != std::string::npos);
}

TEST_CASE("ATOLL_GC_TRACE writes one JSON line per collection") {
  char trace[] = "/tmp/atl_gc_trace_XXXXXX";
  const int fd = mkstemp(trace);
  REQUIRE(fd >= 0);
  close(fd);
  RunChild("1", trace);
  std::ifstream in(trace);
  std::string line;
  int lines = 0, stops = 0, full_starts = 0;
  double last_start = -1;
  while (std::getline(in, line)) {
    INFO(line);
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.contains("stop")) {
      // A stop's parts add up to its pause (each printed to the
      // microsecond); the collecting thread's CPU time fits inside it.
      CHECK(j["stop"].get<int>() == ++stops);
      double parts = 0;
      for (const char* p :
           {"suspend_ms", "dirty_ms", "regions_ms", "stacks_ms", "mark_ms", "resume_ms"}) {
        CHECK(j[p].get<double>() >= 0);
        parts += j[p].get<double>();
      }
      CHECK(std::abs(parts - j["pause_ms"].get<double>()) <= 0.01);
      CHECK(j["cpu_ms"].get<double>() <= j["pause_ms"].get<double>() + 0.01);
      CHECK(j["final"].get<bool>());  // stop-the-world: every stop finishes its mark phase
      CHECK(j["root_pushes"].get<int>() == 1);
      continue;
    }
    if (j.contains("full_start")) {
      CHECK(j["full_start"].get<int>() == ++full_starts);
      continue;
    }
    if (j.contains("reclaim")) continue;
    CHECK(j["collection"].get<int>() == lines + 1);
    CHECK(j["start_ms"].get<double>() >= last_start);
    CHECK(j["pause_ms"].get<double>() <= j["total_ms"].get<double>() + 1e-6);
    CHECK(j["heap_after"].get<uint64_t>() >= j["free_after"].get<uint64_t>());
    last_start = j["start_ms"].get<double>();
    ++lines;
  }
  unlink(trace);
  CHECK(lines >= 3);
  CHECK(stops == lines);        // one world stop per stop-the-world collection
  CHECK(full_starts == lines);  // each of them full
}
