// ATOLL_REGION_CHECK=1: a dangling access stops with a message naming the
// region and its opening site. Each case runs in a forked child so the mode
// is switched on before the runtime first reads the environment.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "runtime/region/region.h"

namespace {

struct Outcome {
  int status;
  std::string err;
};

Outcome RunChild(const std::function<void()>& body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    setenv("ATOLL_REGION_CHECK", "1", 1);
    body();
    _exit(0);
  }
  close(fds[1]);
  Outcome out{0, {}};
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.err.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  waitpid(pid, &out.status, 0);
  return out;
}

}  // namespace

TEST_CASE("a dangling read names the region and where it was opened") {
  const Outcome out = RunChild([] {
    if (!atl_region_check_enabled()) _exit(3);
    atl_region* outer = atl_region_open("main.atl:3");
    atl_region* r = atl_region_open("main.atl:12");
    auto* p = static_cast<volatile long*>(atl_region_alloc(r, ATL_REGION_TRACED, 64));
    p[0] = 42;
    atl_region_close(r);
    (void)outer;
    long v = p[0];  // dangling
    _exit(static_cast<int>(v == 42 ? 4 : 5));
  });
  REQUIRE(WIFEXITED(out.status));
  CHECK(WEXITSTATUS(out.status) == 1);
  CHECK(out.err.find("dangling access to region #") != std::string::npos);
  CHECK(out.err.find("opened at main.atl:12") != std::string::npos);
}

TEST_CASE("freed chunks are never reused in check mode") {
  const Outcome out = RunChild([] {
    atl_region* a = atl_region_open("a");
    void* pa = atl_region_alloc(a, ATL_REGION_PLAIN, 8);
    atl_region_close(a);
    atl_region* b = atl_region_open("b");
    void* pb = atl_region_alloc(b, ATL_REGION_PLAIN, 8);
    atl_region_totals t;
    atl_region_get_totals(&t);
    _exit(pa != pb && t.chunks_reused == 0 && t.chunks_protected == 1 ? 0 : 6);
  });
  REQUIRE(WIFEXITED(out.status));
  CHECK(WEXITSTATUS(out.status) == 0);
}

TEST_CASE("other segmentation faults still kill the process") {
  const Outcome out = RunChild([] {
    atl_region* a = atl_region_open("a");
    atl_region_alloc(a, ATL_REGION_PLAIN, 8);
    atl_region_close(a);                          // installs the handler
    static volatile uintptr_t wild_address = 16;  // opaque to the optimiser
    _exit(static_cast<int>(*reinterpret_cast<volatile long*>(wild_address)));
  });
  CHECK(WIFSIGNALED(out.status));
  CHECK(WTERMSIG(out.status) == SIGSEGV);
  CHECK(out.err.find("dangling") == std::string::npos);
}

TEST_CASE("check mode is off unless asked for") {
  CHECK(getenv("ATOLL_REGION_CHECK") == nullptr);
  CHECK(atl_region_check_enabled() == 0);
}
