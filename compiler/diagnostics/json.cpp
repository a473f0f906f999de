// `atoll check --diagnostics=json`: the diagnostics as one JSON document, for
// editors and scripts (docs/cli.md, "Diagnostics as JSON").
#include <nlohmann/json.hpp>

#include "compiler/diagnostics/diagnostics.h"

namespace atl::diag {
namespace {

using json = nlohmann::ordered_json;

// Lines and columns count from 1, columns in code points (as the text form
// prints them); offsets are bytes from the start of the file.
auto PositionJson(source::LineCol at, uint32_t offset) -> json {
  return {{"line", at.line}, {"column", at.column}, {"offset", offset}};
}

auto RangeJson(const Location& l) -> json {
  return {{"start", PositionJson(l.start, l.span.begin)},
          {"end", PositionJson(l.end, std::max(l.span.begin, l.span.end))}};
}

// Text from a source may hold invalid UTF-8, which JSON cannot carry: it
// goes through Printable (U+FFFD, escaped control characters), as on a terminal.
auto Text(const std::string& s) -> json { return Printable(s); }

auto DiagnosticJson(const Diagnostic& d) -> json {
  json out;
  out["file"] = d.has_location ? Text(d.location.path) : json(nullptr);
  out["range"] = d.has_location ? RangeJson(d.location) : json(nullptr);
  out["code"] = std::string(d.code());
  out["severity"] = d.severity == Severity::Error ? "error" : "warning";
  out["message"] = Text(d.message);
  json notes = json::array();
  for (const Note& n : d.notes) {
    json note;
    note["message"] = Text(n.message);
    note["file"] = n.has_location ? Text(n.location.path) : json(nullptr);
    note["range"] = n.has_location ? RangeJson(n.location) : json(nullptr);
    notes.push_back(std::move(note));
  }
  out["notes"] = std::move(notes);
  json fixes = json::array();
  for (const Fix& f : d.fixes) {
    fixes.push_back({{"message", Text(f.message)},
                     {"file", Text(f.location.path)},
                     {"range", RangeJson(f.location)},
                     {"replacement", Text(f.replacement)}});
  }
  out["fixes"] = std::move(fixes);
  return out;
}

}  // namespace

auto Diagnostics::RenderJson() const -> std::string {
  json list = json::array();
  for (const Diagnostic* d : Sorted()) list.push_back(DiagnosticJson(*d));
  json doc = {{"version", 1},
              {"diagnostics", std::move(list)},
              {"errors", error_count_},
              {"warnings", warning_count_}};
  return doc.dump(2) + "\n";
}

}  // namespace atl::diag
