// Every program under tests/lang/ and examples/ that checks and passes the
// lowering gate translates to Core that verifies, before and after the
// optimiser (-O2). Prints the optimiser's node counts over all of them.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/core/core.h"
#include "compiler/core/optimizer.h"
#include "compiler/driver/modules.h"

using namespace atl;

namespace {

// A `-- skip: REASON` line marks a test of a known, reported bug
// (docs/testing.md); the fix removes it.
auto Skipped(const std::filesystem::path& path) -> bool {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("-- skip:", 0) == 0) return true;
  return false;
}

auto Programs() -> std::vector<std::string> {
  std::vector<std::string> files;
  for (const char* dir : {"tests/lang", "examples"}) {
    std::filesystem::path root = std::filesystem::path(ATOLL_SOURCE_DIR) / dir;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
      if (entry.is_regular_file() && entry.path().extension() == ".atl" && !Skipped(entry.path()))
        files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE(
    "every test and example program translates to Core that verifies, before and after "
    "optimising") {
  const std::string lib = std::string(ATOLL_SOURCE_DIR) + "/lib";
  int translated = 0;
  core::OptimizeStats total;
  for (const std::string& file : Programs()) {
    diag::Diagnostics diags;
    auto program = driver::LoadProgram(file, lib, diags);
    if (!program || diags.has_errors()) continue;
    auto checked = check::Check(program->Pointers(), diags);
    if (diags.has_errors()) continue;
    check::GateForLowering(*checked, diags);
    if (diags.has_errors()) continue;
    auto core = core::FromChecked(*checked);
    REQUIRE(core != nullptr);
    INFO(file);
    CHECK(core::Verify(*core) == "");
    core::OptimizeStats stats = core::Optimize(*core, 2);
    const std::string problems = core::Verify(*core);
    CHECK(problems == "");
    CHECK(stats.copied <=
          core::opt::kGrowthFactor * stats.size_before + core::opt::kGrowthAllowance);
    if (!problems.empty() && std::getenv("ATOLL_CORE_DUMP") != nullptr)
      fmt::print("{}", core::Dump(*core, false));
    if (std::getenv("ATOLL_CORE_ROUNDS_REPORT") && stats.rounds >= 12)
      fmt::print("12 rounds: {}\n", file);
    ++translated;
    total.size_before += stats.size_before;
    total.size_after += stats.size_after;
    total.inlined += stats.inlined;
    total.copied += stats.copied;
    total.known_calls += stats.known_calls;
    total.dead += stats.dead;
    total.specialised += stats.specialised;
    total.rounds = std::max(total.rounds, stats.rounds);
  }
  CHECK(translated > 100);
  fmt::print(
      "{} programs; -O2 nodes {} -> {}; inlined {} ({} nodes copied), known calls {}, dead {}, "
      "specialised {}; max rounds {}\n",
      translated, total.size_before, total.size_after, total.inlined, total.copied,
      total.known_calls, total.dead, total.specialised, total.rounds);
}
