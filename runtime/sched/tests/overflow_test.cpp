// A fiber stack overflow stops the process with a clear message: through
// the guard page, through the limit check generated code can emit, and
// through the canary when guard pages are unavailable.
#include <doctest/doctest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "runtime/sched/stack_pool.h"

extern char** environ;

namespace {

struct Outcome {
  int signal = 0;
  std::string err;
};

Outcome RunChild(const char* mode, bool canary_env) {
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  std::string canary = "ATOLL_FIBER_CANARY=1";
  std::vector<char*> env;
  for (char** e = environ; *e; ++e) env.push_back(*e);
  if (canary_env) env.push_back(canary.data());
  env.push_back(nullptr);
  std::string path = FIBER_CHILD_PATH;
  char* argv[] = {path.data(), const_cast<char*>(mode), nullptr};
  pid_t pid;
  REQUIRE(posix_spawn(&pid, path.c_str(), &fa, nullptr, argv, env.data()) == 0);
  close(pipefd[1]);
  Outcome o;
  char buf[512];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) o.err.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  posix_spawn_file_actions_destroy(&fa);
  return o;
}

}  // namespace

TEST_CASE("overflow into the guard page aborts with a message") {
  if (!atl::sched::StackPool::Instance().HardwareGuards()) {
    MESSAGE("MADV_GUARD_INSTALL unavailable: guard-page mode not testable here");
    return;
  }
  Outcome o = RunChild("guard", false);
  INFO(o.err);
  CHECK(o.signal == SIGABRT);
  CHECK(o.err.find("fiber stack overflow") != std::string::npos);
}

TEST_CASE("the stack limit check aborts with a message") {
  Outcome o = RunChild("check", false);
  INFO(o.err);
  CHECK(o.signal == SIGABRT);
  CHECK(o.err.find("stack limit check failed") != std::string::npos);
}

TEST_CASE("without guard pages, a clobbered canary is caught at the next switch") {
  Outcome o = RunChild("canary", true);
  INFO(o.err);
  CHECK(o.signal == SIGABRT);
  CHECK(o.err.find("guard canary clobbered") != std::string::npos);
}
