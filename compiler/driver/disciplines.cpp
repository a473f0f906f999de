// `atoll disciplines DIR`: every program of a folder under every region
// discipline (compiler/check/discipline.h), one table.
//
// Each cell checks the program in this process (rejected: the first error's
// code and line), then runs this atoll as a child process, `build
// --regions=D -O1` (the lowering gate may still reject), then the program
// under the region sanitizer (ATOLL_REGION_CHECK=1) with ATOLL_GC_STATS=json
// for its region statistics. A dangling access is a sanitizer fault: the
// discipline accepted a program that is unsound. Cells run in parallel, one
// per core; progress goes to stderr.
#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "compiler/check/check.h"
#include "compiler/check/discipline.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/modules.h"

extern char** environ;

namespace atl::driver {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// What a cell came to.
struct Cell {
  enum class Outcome { Accepted, Rejected, Fault, Failed } outcome = Outcome::Failed;
  std::string code;         // Rejected: the first error's code
  int line = 0;             // Rejected: its line
  uint64_t peak_bytes = 0;  // Accepted: most region bytes live at once
  uint64_t root_bytes = 0;  // Accepted: bytes the thread root regions held until exit
  std::string detail;       // Fault: the sanitizer's line; Failed: what failed
};

// A program's `-- regions:` line: the expected outcome per discipline,
// `accept`, `fault` or a diagnostic code (rejected with it).
struct CorpusProgram {
  fs::path path;
  std::string name;
  std::map<std::string, std::string> expected;
};

struct Spawned {
  int status = -1;  // exit status, 128+signal, or -1 (could not start / timed out)
  bool timed_out = false;
  std::string out, err;
};

auto ReadAll(const fs::path& p) -> std::string {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv with stdout and stderr into files of `scratch`, stdin from
// /dev/null, extra environment `env`; kills it after `timeout`.
auto Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
           const fs::path& scratch, std::chrono::seconds timeout) -> Spawned {
  Spawned result;
  const fs::path out = scratch / "stdout", err = scratch / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    // The cell decides these; an inherited value would change the run.
    if (name == "ATOLL_REGION_CHECK" || name == "ATOLL_GC_STATS" || name == "ATOLL_GC_STATS_FILE")
      continue;
    env_strings.push_back(entry);
  }
  for (const std::string& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.err = fmt::format("cannot start {}: {}", argv[0], std::strerror(rc));
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!result.timed_out)
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

auto SelfPath() -> std::string {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("atoll") : p.string();
}

auto Trim(std::string s) -> std::string {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

auto RunCell(const std::string& self, const CorpusProgram& program,
             const check::DisciplineRules& rules, bool check_only, const fs::path& scratch)
    -> Cell {
  Cell cell;
  const std::string regions = fmt::format("--regions={}", rules.name);
  const std::string file = program.path.string();
  {
    // Checked in this process (a child atoll per cell costs more than the
    // check); one at a time, as the front end was not written for threads.
    static std::mutex front_end;
    std::lock_guard<std::mutex> lock(front_end);
    diag::Diagnostics diags;
    Result<driver::Program> loaded = LoadProgram(file, StandardLibraryDir(), diags);
    if (!loaded) {
      cell.detail = loaded.TakeFailure().message;
      return cell;
    }
    if (!diags.has_errors()) check::Check(loaded->Pointers(), diags, rules.id);
    if (diags.has_errors()) {
      cell.outcome = Cell::Outcome::Rejected;
      for (const diag::Diagnostic* d : diags.Sorted()) {
        if (d->severity != diag::Severity::Error) continue;
        cell.code = std::string(d->code());
        cell.line = d->has_location ? static_cast<int>(d->location.start.line) : 0;
        break;
      }
      return cell;
    }
  }
  if (check_only) {
    cell.outcome = Cell::Outcome::Accepted;
    return cell;
  }
  const fs::path exe = scratch / "program";
  Spawned built = Spawn({self, "build", regions, "-O1", file, "-o", exe.string()}, {}, scratch,
                        std::chrono::seconds(120));
  if (built.status == 1) {
    // The lowering gate (E0901): rejected by the compiler, not the checker.
    cell.outcome = Cell::Outcome::Rejected;
    static const std::regex kError(R"(:(\d+):\d+: error\[(E\d{4})\])");
    std::smatch m;
    if (std::regex_search(built.err, m, kError)) {
      cell.line = std::stoi(m[1]);
      cell.code = m[2];
    } else {
      cell.code = "build";
    }
    return cell;
  }
  if (built.status != 0) {
    cell.detail = fmt::format("atoll build: status {}: {}", built.status, Trim(built.err));
    return cell;
  }
  const fs::path stats = scratch / "stats.json";
  std::error_code ec;
  fs::remove(stats, ec);
  Spawned ran = Spawn(
      {exe.string()},
      {"ATOLL_REGION_CHECK=1", "ATOLL_GC_STATS=json", "ATOLL_GC_STATS_FILE=" + stats.string()},
      scratch, std::chrono::seconds(60));
  if (const size_t at = ran.err.find("dangling access to region"); at != std::string::npos) {
    cell.outcome = Cell::Outcome::Fault;
    const size_t begin = ran.err.rfind('\n', at);
    const size_t end = ran.err.find('\n', at);
    cell.detail = ran.err.substr(begin == std::string::npos ? 0 : begin + 1,
                                 end == std::string::npos ? std::string::npos : end - begin - 1);
    return cell;
  }
  if (ran.timed_out || ran.status != 0) {
    cell.detail = ran.timed_out ? "timed out after 60 s"
                                : fmt::format("exit status {}: {}", ran.status, Trim(ran.err));
    return cell;
  }
  json doc = json::parse(ReadAll(stats), nullptr, false);
  if (doc.is_discarded() || !doc.contains("regions")) {
    cell.detail = "no region statistics (ATOLL_GC_STATS_FILE)";
    return cell;
  }
  cell.outcome = Cell::Outcome::Accepted;
  cell.peak_bytes = doc["regions"].value("peak_live_bytes", uint64_t{0});
  cell.root_bytes = doc["regions"].value("root_bytes", uint64_t{0});
  return cell;
}

// `-- regions: subtyping=accept strict=E0402 ...`
auto ReadExpectations(CorpusProgram& p) -> void {
  std::ifstream in(p.path);
  std::string line;
  static const std::regex kPair(R"(([a-z-]+)=([A-Za-z0-9]+))");
  while (std::getline(in, line)) {
    if (line.rfind("-- regions:", 0) != 0) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), kPair), end; it != end; ++it)
      p.expected[(*it)[1]] = (*it)[2];
  }
}

auto Matches(const Cell& c, const std::string& expected) -> bool {
  switch (c.outcome) {
    case Cell::Outcome::Accepted:
      return expected == "accept";
    case Cell::Outcome::Rejected:
      return expected == c.code;
    case Cell::Outcome::Fault:
      return expected == "fault";
    case Cell::Outcome::Failed:
      return false;
  }
  return false;
}

auto Bytes(uint64_t n) -> std::string {
  if (n < 10 * 1024) return fmt::format("{} B", n);
  if (n < 10 * 1024 * 1024) return fmt::format("{} KiB", n / 1024);
  return fmt::format("{} MiB", n / (1024 * 1024));
}

auto Text(const Cell& c, bool check_only) -> std::string {
  switch (c.outcome) {
    case Cell::Outcome::Accepted:
      if (check_only) return "ok";
      return fmt::format("ok {}/{}", Bytes(c.peak_bytes), Bytes(c.root_bytes));
    case Cell::Outcome::Rejected:
      return c.line > 0 ? fmt::format("{}:{}", c.code, c.line) : c.code;
    case Cell::Outcome::Fault:
      return "FAULT";
    case Cell::Outcome::Failed:
      return "failed";
  }
  return "";
}

auto OutcomeName(Cell::Outcome o) -> const char* {
  switch (o) {
    case Cell::Outcome::Accepted:
      return "accepted";
    case Cell::Outcome::Rejected:
      return "rejected";
    case Cell::Outcome::Fault:
      return "fault";
    case Cell::Outcome::Failed:
      return "failed";
  }
  return "";
}

}  // namespace

auto RunDisciplines(const DisciplinesOptions& options) -> CommandResult {
  std::error_code ec;
  if (!fs::is_directory(options.dir, ec))
    return Failure::Usage(fmt::format("'{}' is not a folder", options.dir));
  std::vector<std::string> only;
  for (size_t at = 0; !options.only.empty() && at != std::string::npos;) {
    const size_t comma = options.only.find(',', at);
    only.push_back(
        options.only.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    at = comma == std::string::npos ? comma : comma + 1;
  }
  std::vector<CorpusProgram> programs;
  for (const fs::directory_entry& e : fs::directory_iterator(options.dir, ec)) {
    if (!e.is_regular_file() || e.path().extension() != ".atl") continue;
    const std::string name = e.path().filename().string();
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    CorpusProgram p{e.path(), name, {}};
    ReadExpectations(p);
    programs.push_back(std::move(p));
  }
  std::sort(programs.begin(), programs.end(),
            [](const CorpusProgram& a, const CorpusProgram& b) { return a.name < b.name; });
  for (const std::string& name : only)
    if (std::none_of(programs.begin(), programs.end(),
                     [&](const CorpusProgram& p) { return p.name == name; })) {
      return Failure::Usage(
          fmt::format("--only names '{}', which is not a .atl file of '{}'", name, options.dir));
    }
  if (programs.empty()) return Failure::Usage(fmt::format("no .atl programs in '{}'", options.dir));
  const auto disciplines = check::AllDisciplines();
  const size_t columns = disciplines.size();
  const size_t total = programs.size() * columns;
  std::vector<Cell> cells(total);
  const fs::path scratch_root =
      fs::temp_directory_path() / fmt::format("atoll-disciplines-{}", getpid());
  fs::create_directories(scratch_root, ec);
  if (ec)
    return Failure::Usage(
        fmt::format("cannot create '{}': {}", scratch_root.string(), ec.message()));
  const std::string self = SelfPath();
  unsigned jobs =
      options.jobs > 0 ? static_cast<unsigned>(options.jobs) : std::thread::hardware_concurrency();
  jobs = std::clamp(jobs, 1u, static_cast<unsigned>(total));
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex progress;
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto worker = [&](unsigned id) {
    const fs::path scratch = scratch_root / std::to_string(id);
    std::error_code e;
    fs::create_directories(scratch, e);
    for (size_t i = next++; i < total; i = next++) {
      const CorpusProgram& p = programs[i / columns];
      const check::DisciplineRules& rules = disciplines[i % columns];
      cells[i] = RunCell(self, p, rules, options.check_only, scratch);
      const size_t n = ++done;
      std::lock_guard<std::mutex> lock(progress);
      const std::string line = fmt::format("[{}/{}] {} --regions={}: {}", n, total, p.name,
                                           rules.name, Text(cells[i], options.check_only));
      if (tty)
        fmt::print(stderr, "\r\033[K{}", line);
      else
        fmt::print(stderr, "{}\n", line);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < jobs; ++i) threads.emplace_back(worker, i);
  for (std::thread& t : threads) t.join();
  if (tty) fmt::print(stderr, "\r\033[K");
  fs::remove_all(scratch_root, ec);

  // The summary: per discipline, accepted / rejected / unsound (faults) /
  // failed, and the bytes over the accepted programs.
  struct Summary {
    int accepted = 0, rejected = 0, unsound = 0, failed = 0, unexpected = 0;
    uint64_t peak = 0, root = 0;
  };
  std::vector<Summary> summary(columns);
  std::vector<std::string> differences;
  for (size_t i = 0; i < total; ++i) {
    const Cell& c = cells[i];
    Summary& s = summary[i % columns];
    switch (c.outcome) {
      case Cell::Outcome::Accepted:
        ++s.accepted;
        s.peak += c.peak_bytes;
        s.root += c.root_bytes;
        break;
      case Cell::Outcome::Rejected:
        ++s.rejected;
        break;
      case Cell::Outcome::Fault:
        ++s.unsound;
        break;
      case Cell::Outcome::Failed:
        ++s.failed;
        break;
    }
    const CorpusProgram& p = programs[i / columns];
    const char* name = disciplines[i % columns].name;
    if (auto it = p.expected.find(name); options.expect) {
      // With --check-only, `fault` and E0901 (the lowering gate) mean
      // "accepted by the checker".
      const bool checker_accepts =
          it != p.expected.end() && (it->second == "fault" || it->second == "E0901");
      const bool ok = it == p.expected.end() ? false
                                             : (options.check_only && checker_accepts
                                                    ? c.outcome == Cell::Outcome::Accepted
                                                    : Matches(c, it->second));
      if (!ok) {
        ++s.unexpected;
        differences.push_back(fmt::format("{} --regions={}: expected {}, got {}{}", p.name, name,
                                          it == p.expected.end() ? "(no expectation)" : it->second,
                                          Text(c, options.check_only),
                                          c.detail.empty() ? "" : " (" + c.detail + ")"));
      }
    }
  }

  if (options.format == TableFormat::Json) {
    json doc;
    doc["check_only"] = options.check_only;
    json cols = json::array();
    for (const check::DisciplineRules& r : disciplines) cols.push_back(r.name);
    doc["disciplines"] = cols;
    json rows = json::array();
    for (size_t p = 0; p < programs.size(); ++p) {
      json row;
      row["program"] = programs[p].name;
      json out = json::object();
      for (size_t d = 0; d < columns; ++d) {
        const Cell& c = cells[p * columns + d];
        json cell = {{"outcome", OutcomeName(c.outcome)}};
        if (c.outcome == Cell::Outcome::Accepted && !options.check_only) {
          cell["peak_region_bytes"] = c.peak_bytes;
          cell["root_region_bytes"] = c.root_bytes;
        }
        if (c.outcome == Cell::Outcome::Rejected) {
          cell["code"] = c.code;
          cell["line"] = c.line;
        }
        if (!c.detail.empty()) cell["detail"] = c.detail;
        if (auto it = programs[p].expected.find(disciplines[d].name);
            it != programs[p].expected.end())
          cell["expected"] = it->second;
        out[disciplines[d].name] = cell;
      }
      row["cells"] = out;
      rows.push_back(row);
    }
    doc["programs"] = rows;
    json sum = json::object();
    for (size_t d = 0; d < columns; ++d)
      sum[disciplines[d].name] = {
          {"accepted", summary[d].accepted},      {"rejected", summary[d].rejected},
          {"unsound", summary[d].unsound},        {"failed", summary[d].failed},
          {"peak_region_bytes", summary[d].peak}, {"root_region_bytes", summary[d].root}};
    doc["summary"] = sum;
    if (options.expect) doc["differences"] = differences;
    fmt::print("{}\n", doc.dump(2));
  } else {
    const bool md = options.format == TableFormat::Markdown;
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header = {"program"};
    for (const check::DisciplineRules& r : disciplines) header.emplace_back(r.name);
    table.push_back(header);
    for (size_t p = 0; p < programs.size(); ++p) {
      std::vector<std::string> row = {md ? "`" + programs[p].name + "`" : programs[p].name};
      for (size_t d = 0; d < columns; ++d) {
        std::string t = Text(cells[p * columns + d], options.check_only);
        if (md && cells[p * columns + d].outcome == Cell::Outcome::Fault) t = "**FAULT**";
        row.push_back(t);
      }
      table.push_back(row);
    }
    std::vector<std::string> sum = {md ? "**summary**" : "summary"};
    for (size_t d = 0; d < columns; ++d) {
      const Summary& s = summary[d];
      std::string t = fmt::format("{} ok / {} rej / {} unsound", s.accepted, s.rejected, s.unsound);
      if (s.failed > 0) t += fmt::format(" / {} failed", s.failed);
      if (!options.check_only)
        t += fmt::format(" / {} peak, {} root", Bytes(s.peak), Bytes(s.root));
      sum.push_back(t);
    }
    table.push_back(sum);
    std::vector<size_t> width(columns + 1, 0);
    for (const auto& row : table)
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (size_t r = 0; r < table.size(); ++r) {
      std::string line = md ? "|" : "";
      for (size_t i = 0; i < table[r].size(); ++i) {
        std::string cell = table[r][i];
        cell.resize(width[i], ' ');
        line += md ? " " + cell + " |" : (i == 0 ? "" : "  ") + cell;
      }
      fmt::print("{}\n", Trim(line));
      if (r == 0) {
        std::string rule = md ? "|" : "";
        for (size_t i = 0; i < table[r].size(); ++i)
          rule += md ? std::string(width[i] + 2, '-') + "|"
                     : (i == 0 ? "" : "  ") + std::string(width[i], '-');
        fmt::print("{}\n", rule);
      }
    }
    if (!md)
      fmt::print(
          "\ncells: ok PEAK/ROOT (peak region bytes live at once / bytes held by thread root "
          "regions "
          "until exit), CODE:LINE (rejected), FAULT (the region sanitizer caught a dangling "
          "access)\n");
  }
  for (const std::string& d : differences) fmt::print(stderr, "atoll: unexpected: {}\n", d);
  return differences.empty() ? kExitOk : kExitDiagnostics;
}

}  // namespace atl::driver
