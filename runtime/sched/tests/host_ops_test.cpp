// Blocking-pool operations (DNS, files, stdout) on every scheduler.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <vector>

#include "runtime/io/fiber_api.h"
#include "runtime/io/host.h"
#include "runtime/io/io_context.h"
#include "runtime/sched/tests/configs.h"

using namespace atl;

TEST_CASE("resolve, write_file and read_file from many fibers at once") {
  for (const auto& cfg : test::AllConfigs()) {
    if (cfg.io == io::BackendKind::Poll) continue;  // the pool is backend independent
    INFO(test::ConfigName(cfg));
    char tmpl[] = "/tmp/atoll_io_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    std::string dir = tmpl;
    std::atomic<int> files_ok{0};
    bool localhost_ok = false, missing_is_error = false, v6_literal = false;
    int missing_code = 0;
    uint64_t ring_ops = 0;
    sched::Run(cfg, [&] {
      auto r = io::Resolve("localhost", 80);
      localhost_ok = r && !r.value().empty();
      auto v6 = io::Resolve("::1", 8080);
      v6_literal = v6 && v6.value().size() == 1 && v6.value()[0].port() == 8080;
      std::vector<io::FiberHandle> hs;
      for (int i = 0; i < 16; ++i) {
        hs.push_back(io::Spawn([&, i] {
          std::string path = dir + "/f" + std::to_string(i);
          std::string data(10000 + i, static_cast<char>('a' + i));
          if (io::WriteFile(path, data).code != 0) return;
          auto back = io::ReadFile(path);
          if (back && back.value() == data) files_ok++;
          unlink(path.c_str());
        }));
      }
      for (auto& h : hs) h.Join();
      auto missing = io::ReadFile(dir + "/missing");
      missing_is_error = !missing;
      missing_code = missing.error().code;
      ring_ops = io::IoContext::Current().submitted_ops();
    });
    rmdir(dir.c_str());
    CHECK(localhost_ok);
    CHECK(v6_literal);
    CHECK(files_ok.load() == 16);
    CHECK(missing_is_error);
    CHECK(missing_code == ENOENT);
    CHECK(io::Error{ENOENT}.text() == "No such file or directory");
    // With io_uring, file reads went through the ring (on some context; the
    // main fiber's own context saw at least its share on ws and loop).
    if (cfg.io == io::BackendKind::Uring && cfg.sched != sched::SchedKind::Ws) CHECK(ring_ops > 0);
  }
}
