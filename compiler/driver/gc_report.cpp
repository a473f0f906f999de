// `atoll gc-report TRACE -o report.html`: a self-contained page (inline SVG,
// no script, nothing fetched) drawing the collector's pauses from an
// ATOLL_GC_TRACE file: a timeline (each collection's pause at the time it
// started) and the pauses' cumulative distribution, with a summary table.
#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/commands.h"
#include "compiler/driver/modules.h"

namespace atl::driver {
namespace {

struct Collection {
  double start_ms = 0, pause_ms = 0, mark_ms = 0, reclaim_ms = 0, total_ms = 0;
  double heap_after = 0;
};

constexpr int kWidth = 720, kHeight = 260, kLeft = 64, kBottom = 36, kTop = 16, kRight = 16;

auto Escape(const std::string& s) -> std::string {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Axis frame, labels and a few ticks for a plot of [0, xmax] x [0, ymax].
auto Frame(const std::string& xlabel, const std::string& ylabel, double xmax, double ymax,
           bool xpercent) -> std::string {
  std::string svg;
  const int x0 = kLeft, y0 = kHeight - kBottom, x1 = kWidth - kRight, y1 = kTop;
  svg +=
      fmt::format(R"svg(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>)svg", x0, y0, x1, y0);
  svg +=
      fmt::format(R"svg(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>)svg", x0, y0, x0, y1);
  for (int i = 0; i <= 4; ++i) {
    const double fx = xmax * i / 4, fy = ymax * i / 4;
    const int px = x0 + (x1 - x0) * i / 4, py = y0 - (y0 - y1) * i / 4;
    svg +=
        fmt::format(R"svg(<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>)svg",
                    px, y0 + 14, xpercent ? fmt::format("{:.0f}%", fx) : fmt::format("{:.0f}", fx));
    svg +=
        fmt::format(R"svg(<text x="{}" y="{}" font-size="11" text-anchor="end">{:.2f}</text>)svg",
                    x0 - 4, py + 4, fy);
    svg += fmt::format(R"svg(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/>)svg", x0, py, x1,
                       py);
  }
  svg += fmt::format(R"svg(<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>)svg",
                     (x0 + x1) / 2, kHeight - 4, Escape(xlabel));
  svg += fmt::format(
      R"svg(<text x="12" y="{}" font-size="12" transform="rotate(-90 12 {})" text-anchor="middle">{}</text>)svg",
      (y0 + y1) / 2, (y0 + y1) / 2, Escape(ylabel));
  return svg;
}

auto Timeline(const std::vector<Collection>& cs, double ymax) -> std::string {
  double xmax = 1;
  for (const Collection& c : cs) xmax = std::max(xmax, c.start_ms + c.total_ms);
  std::string svg = fmt::format(
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}">)svg", kWidth, kHeight);
  svg += Frame("time since start (ms)", "pause (ms)", xmax, ymax, false);
  const double sx = (kWidth - kLeft - kRight) / xmax, sy = (kHeight - kBottom - kTop) / ymax;
  for (const Collection& c : cs) {
    const double x = kLeft + c.start_ms * sx, h = c.pause_ms * sy;
    svg += fmt::format(
        R"svg(<rect x="{:.1f}" y="{:.1f}" width="2" height="{:.1f}" fill="#c0392b"><title>{:.3f} ms at {:.1f} ms</title></rect>)svg",
        x, kHeight - kBottom - h, std::max(h, 0.5), c.pause_ms, c.start_ms);
  }
  return svg + "</svg>";
}

auto Distribution(std::vector<double> pauses, double ymax) -> std::string {
  std::sort(pauses.begin(), pauses.end());
  std::string svg = fmt::format(
      R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}">)svg", kWidth, kHeight);
  svg += Frame("world stops with a shorter pause", "pause (ms)", 100, ymax, true);
  const double sx = (kWidth - kLeft - kRight) / 100.0, sy = (kHeight - kBottom - kTop) / ymax;
  std::string points;
  for (size_t i = 0; i < pauses.size(); ++i) {
    const double pct = pauses.size() == 1 ? 100
                                          : 100.0 * static_cast<double>(i) /
                                                static_cast<double>(pauses.size() - 1);
    points += fmt::format("{:.1f},{:.1f} ", kLeft + pct * sx, kHeight - kBottom - pauses[i] * sy);
  }
  svg += fmt::format(
      R"svg(<polyline points="{}" fill="none" stroke="#2c3e50" stroke-width="2"/>)svg", points);
  return svg + "</svg>";
}

auto Quantile(const std::vector<double>& sorted, double q) -> double {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

auto RunGcReport(const GcReportOptions& options) -> CommandResult {
  std::ifstream in(options.trace);
  if (!in) return CannotRead(options.trace, std::strerror(errno));
  std::vector<Collection> cs;
  std::vector<Collection> stops;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      if (j.contains("reclaim") || j.contains("full_start"))
        continue;  // phases outside world stops
      if (j.contains(
              "stop")) {  // one world stop (incremental modes stop several times per collection)
        Collection t;
        t.start_ms = j.at("start_ms").get<double>();
        t.pause_ms = j.at("pause_ms").get<double>();
        stops.push_back(t);
        continue;
      }
      Collection c;
      c.start_ms = j.at("start_ms").get<double>();
      c.pause_ms = j.at("pause_ms").get<double>();
      c.mark_ms = j.at("mark_ms").get<double>();
      c.reclaim_ms = j.at("reclaim_ms").get<double>();
      c.total_ms = j.at("total_ms").get<double>();
      c.heap_after = j.at("heap_after").get<double>();
      cs.push_back(c);
    } catch (const nlohmann::json::exception& e) {
      return Failure::Usage(fmt::format("{}:{}: not a line of an ATOLL_GC_TRACE file ({})",
                                        options.trace, line_no, e.what()));
    }
  }
  // The pauses are the world stops when the trace has them (a collection
  // of an incremental mode has several, and none has a collection line).
  const std::vector<Collection>& shown = stops.empty() ? cs : stops;
  std::vector<double> pauses;
  double total = 0, heap = 0;
  for (const Collection& c : shown) {
    pauses.push_back(c.pause_ms);
    total += c.pause_ms;
  }
  for (const Collection& c : cs) heap = std::max(heap, c.heap_after);
  std::vector<double> sorted = pauses;
  std::sort(sorted.begin(), sorted.end());
  const double ymax = std::max(sorted.empty() ? 1.0 : sorted.back() * 1.1, 0.01);
  std::ostringstream html;
  html << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>GC pauses: "
       << Escape(options.trace)
       << "</title>\n<style>body{font-family:sans-serif;margin:24px}td,th{padding:2px "
          "12px;text-align:right}"
          "</style></head><body>\n";
  html << "<h1>Collector pauses</h1>\n<p>From <code>" << Escape(options.trace)
       << "</code> (ATOLL_GC_TRACE).</p>\n";
  html << fmt::format(
      "<table><tr><th>collections</th><th>world stops</th><th>total "
      "pause</th><th>p50</th><th>p99</th><th>max</th>"
      "<th>largest heap</th></tr><tr><td>{}</td><td>{}</td><td>{:.3f} ms</td><td>{:.3f} "
      "ms</td><td>{:.3f} ms</td>"
      "<td>{:.3f} ms</td><td>{:.1f} MiB</td></tr></table>\n",
      cs.size(), shown.size(), total, Quantile(sorted, 0.5), Quantile(sorted, 0.99),
      sorted.empty() ? 0.0 : sorted.back(), heap / 1048576.0);
  html << "<h2>Timeline</h2>\n" << Timeline(shown, ymax) << "\n";
  html << "<h2>Distribution</h2>\n" << Distribution(pauses, ymax) << "\n</body></html>\n";
  const std::string out = options.output.empty() ? "gc-report.html" : options.output;
  std::ofstream file(out);
  file << html.str();
  file.close();
  if (!file) return Failure::Usage(fmt::format("cannot write '{}'", out));
  fmt::print("wrote {} ({} collections, {} world stops, max pause {:.3f} ms)\n", out, cs.size(),
             shown.size(), sorted.empty() ? 0.0 : sorted.back());
  return kExitOk;
}

}  // namespace atl::driver
