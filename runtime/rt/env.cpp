// Start-up check of the ATOLL_* variables (env.h).
#include "runtime/rt/env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern char** environ;

namespace atl::rt {
namespace {

bool Number(const char* v, long long lo, long long hi) {
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  return end != v && *end == '\0' && n >= lo && n <= hi;
}

bool OneOf(const char* v, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (std::strcmp(v, w) == 0) return true;
  }
  return false;
}

struct Variable {
  const char* name;
  const char* accepts;  // for the message; nullptr: any value
  bool (*valid)(const char*);
};

// Every ATOLL_* variable (compiler ones too, so they are not called typos).
const Variable kVariables[] = {
    {"ATOLL_DEBUG", "0 or 1",
     [](const char* v) {
       return OneOf(v, {"0", "1"});
     }},
    {"ATOLL_FIBER_CANARY", nullptr, nullptr},
    {"ATOLL_FIBER_STACK_KB", "a size in KiB, 16..65536",
     [](const char* v) { return Number(v, 16, 65536); }},
    {"ATOLL_GC", "stw, incremental, cards or manual",
     [](const char* v) {
       return OneOf(v, {"stw", "incremental", "cards", "manual"});
     }},
    {"ATOLL_GC_HUGE_PAGES", "0 or 1",
     [](const char* v) {
       return OneOf(v, {"0", "1"});
     }},
    {"ATOLL_GC_INITIAL_MB", "a size in MiB, 0..1048576",
     [](const char* v) { return Number(v, 0, 1 << 20); }},
    {"ATOLL_GC_MARKERS", "a number of marker threads, 1..256",
     [](const char* v) { return Number(v, 1, 256); }},
    {"ATOLL_GC_STATS", "1, text or json",
     [](const char* v) {
       return OneOf(v, {"1", "text", "json"});
     }},
    {"ATOLL_GC_STATS_FILE", nullptr, nullptr},
    {"ATOLL_GC_TIME_LIMIT_US", "a time in microseconds, 0..10000000",
     [](const char* v) { return Number(v, 0, 10000000); }},
    {"ATOLL_GC_TRACE", nullptr, nullptr},
    {"ATOLL_GC_VERIFY", "0 or 1",
     [](const char* v) {
       return OneOf(v, {"0", "1"});
     }},
    {"ATOLL_HOME", nullptr, nullptr},
    {"ATOLL_IO", "epoll, poll or uring",
     [](const char* v) {
       return OneOf(v, {"epoll", "poll", "uring", "io_uring"});
     }},
    {"ATOLL_IO_POOL", "a number of threads, 1..256",
     [](const char* v) { return Number(v, 1, 256); }},
    {"ATOLL_REGION_CHECK", "0 or 1",
     [](const char* v) {
       return OneOf(v, {"0", "1"});
     }},
    {"ATOLL_REGION_HUGE_PAGES", "0 or 1",
     [](const char* v) {
       return OneOf(v, {"0", "1"});
     }},
    {"ATOLL_SCHED", "ws, threads or loop",
     [](const char* v) {
       return OneOf(v, {"ws", "threads", "loop"});
     }},
    {"ATOLL_STACK_MB", "a size in MiB, 1..1048576",
     [](const char* v) { return Number(v, 1, 1 << 20); }},
    {"ATOLL_STRESS_LIMIT_S", nullptr, nullptr},
    {"ATOLL_WORKERS", "a number of workers, 1..1024",
     [](const char* v) { return Number(v, 1, 1024); }},
};

}  // namespace

void CheckEnvironment() {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "ATOLL_", 6) != 0) continue;
    const char* eq = std::strchr(*e, '=');
    if (eq == nullptr) continue;
    const std::string name(*e, static_cast<size_t>(eq - *e));
    const char* value = eq + 1;
    const Variable* known = nullptr;
    for (const Variable& v : kVariables) {
      if (name == v.name) known = &v;
    }
    if (known == nullptr) {
      std::fprintf(
          stderr,
          "atoll: warning: %s is not a variable Atoll reads (docs/environment.md lists them)\n",
          name.c_str());
      continue;
    }
    if (value[0] == '\0' || known->valid == nullptr || known->valid(value)) continue;
    std::fprintf(stderr, "atoll: %s=%s: expected %s\n", name.c_str(), value, known->accepts);
    _exit(2);
  }
}

}  // namespace atl::rt
