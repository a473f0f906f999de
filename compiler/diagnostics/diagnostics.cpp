#include "compiler/diagnostics/diagnostics.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace atl::diag {
namespace {

constexpr KindInfo kKinds[] = {
#define ATL_DIAG(name, code, severity, message, explanation) \
  {Kind::name, #name, code, Severity::severity, message, explanation},
#include "compiler/diagnostics/kinds.def"
#undef ATL_DIAG
};

auto SeverityWord(Severity severity) -> std::string_view {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
  }
  return "error";
}

// Columns that `text` occupies on a terminal, counting code points.
auto Columns(std::string_view text) -> uint32_t {
  uint32_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// The source line and a caret line under `location`. Tabs before the span are
// copied into the padding so the carets line up whatever the tab width.
auto RenderSnippet(const Location& location) -> std::string {
  std::string number = std::to_string(location.start.line);
  std::string gutter(number.size(), ' ');
  std::string pad;
  uint32_t column = 1;
  for (char c : location.line_text) {
    if (column >= location.start.column) break;
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    pad += c == '\t' ? '\t' : ' ';
    ++column;
  }
  return fmt::format(" {} | {}\n {} | {}{}\n", number, location.line_text, gutter, pad,
                     std::string(std::max<uint32_t>(1, location.caret_columns), '^'));
}

}  // namespace

auto InfoOf(Kind kind) -> const KindInfo& { return kKinds[static_cast<size_t>(kind)]; }

auto AllKinds() -> std::span<const KindInfo> { return kKinds; }

auto FindByCode(std::string_view code) -> const KindInfo* {
  for (const KindInfo& info : kKinds) {
    if (info.code.size() == code.size() &&
        std::equal(code.begin(), code.end(), info.code.begin(), [](char a, char b) {
          return std::toupper(static_cast<unsigned char>(a)) == b;
        })) {
      return &info;
    }
  }
  return nullptr;
}

auto MakeLocation(const source::SourceFile& file, source::Span span) -> Location {
  Location location;
  location.path = file.path();
  location.span = span;
  location.start = file.LineColOf(span.begin);
  location.line_text = std::string(file.LineText(location.start.line));
  // Underline the part of the span on its first line (at least one column).
  uint32_t line_begin = file.LineStart(location.start.line);
  uint32_t line_end = line_begin + static_cast<uint32_t>(location.line_text.size());
  uint32_t begin = std::min(span.begin, line_end);
  uint32_t end = std::clamp(span.end, begin, line_end);
  location.caret_columns = std::max<uint32_t>(1, Columns(file.Slice({begin, end})));
  return location;
}

auto Diagnostic::AddNote(std::string note_message) -> Diagnostic& {
  notes.push_back(Note{false, {}, std::move(note_message)});
  return *this;
}

auto Diagnostic::AddNote(const source::SourceFile& file, source::Span span,
                         std::string note_message) -> Diagnostic& {
  notes.push_back(Note{true, MakeLocation(file, span), std::move(note_message)});
  return *this;
}

auto Render(const Diagnostic& d) -> std::string {
  std::string out;
  const KindInfo& info = InfoOf(d.kind);
  if (d.has_location) {
    out += fmt::format("{}:{}:{}: {}[{}]: {}\n", d.location.path, d.location.start.line,
                       d.location.start.column, SeverityWord(d.severity), info.code, d.message);
    out += RenderSnippet(d.location);
  } else {
    out += fmt::format("atoll: {}[{}]: {}\n", SeverityWord(d.severity), info.code, d.message);
  }
  for (const Note& note : d.notes) {
    if (note.has_location) {
      out += fmt::format("{}:{}:{}: note: {}\n", note.location.path, note.location.start.line,
                         note.location.start.column, note.message);
      out += RenderSnippet(note.location);
    } else {
      out += fmt::format("note: {}\n", note.message);
    }
  }
  return out;
}

auto Diagnostics::Report(Kind kind, const source::SourceFile& file, source::Span span,
                         std::string message) -> Diagnostic& {
  const KindInfo& info = InfoOf(kind);
  Diagnostic d{kind, info.severity, true, MakeLocation(file, span),
               message.empty() ? std::string(info.message) : std::move(message), {}};
  return Store(std::move(d));
}

auto Diagnostics::Report(Kind kind, std::string message) -> Diagnostic& {
  const KindInfo& info = InfoOf(kind);
  Diagnostic d{kind, info.severity, false, {},
               message.empty() ? std::string(info.message) : std::move(message), {}};
  return Store(std::move(d));
}

auto Diagnostics::Store(Diagnostic d) -> Diagnostic& {
  switch (d.severity) {
    case Severity::Error:
      ++error_count_;
      if (error_count_ > error_limit_) {
        overflow_ = std::move(d);
        return overflow_;
      }
      break;
    case Severity::Warning:
      ++warning_count_;
      break;
  }
  stored_.push_back(std::move(d));
  return stored_.back();
}

auto Diagnostics::RenderAll() const -> std::string {
  // In source order (phases report in their own order): file-less first, then
  // by path and offset; stable, so equal positions keep report order.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : stored_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->has_location != b->has_location) return !a->has_location;
    if (a->location.path != b->location.path) return a->location.path < b->location.path;
    return a->location.span.begin < b->location.span.begin;
  });
  std::string out;
  for (const Diagnostic* d : sorted) out += Render(*d);
  if (error_count_ > error_limit_) {
    out += fmt::format("atoll: error[{}]: {} ({} errors, only the first {} shown)\n",
                       InfoOf(Kind::TooManyErrors).code, InfoOf(Kind::TooManyErrors).message,
                       error_count_, error_limit_);
  }
  return out;
}

}  // namespace atl::diag
