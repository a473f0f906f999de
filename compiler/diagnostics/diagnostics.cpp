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

// One piece of a source line as a terminal shows it: the text to print, the
// columns it takes and the bytes of the line it stands for. Control
// characters (and the invisible ones that reorder text, as in "Trojan
// source") are escaped as `\x1b` / `\u{202e}`, and each byte of invalid
// UTF-8 becomes U+FFFD, so no raw byte of a source reaches the terminal.
struct Shown {
  std::string text;
  uint32_t columns = 1;
  size_t bytes = 1;
};

auto IsContinuation(unsigned char c) -> bool { return (c & 0xC0) == 0x80; }

// The code point starting at line[i], or -1 when the bytes there are not
// well-formed UTF-8 (then one byte is consumed).
auto Decode(std::string_view line, size_t i, size_t* length) -> int32_t {
  const auto lead = static_cast<unsigned char>(line[i]);
  *length = 1;
  if (lead < 0x80) return lead;
  size_t n;
  int32_t cp;
  int32_t min;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + n > line.size()) return -1;
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(line[i + k]);
    if (!IsContinuation(c)) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *length = n;
  return cp;
}

auto IsHiddenControl(int32_t cp) -> bool {
  return (cp >= 0x80 && cp < 0xA0) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

auto ShowAt(std::string_view line, size_t i) -> Shown {
  size_t length;
  const int32_t cp = Decode(line, i, &length);
  if (cp < 0) return {"\xEF\xBF\xBD", 1, 1};  // U+FFFD
  if (cp == '\t') return {"\t", 1, 1};
  if (cp < 0x20 || cp == 0x7F) return {fmt::format("\\x{:02x}", cp), 4, 1};
  if (IsHiddenControl(cp)) {
    std::string text = fmt::format("\\u{{{:x}}}", cp);
    const auto columns = static_cast<uint32_t>(text.size());
    return {std::move(text), columns, length};
  }
  return {std::string(line.substr(i, length)), 1, length};
}

}  // namespace

auto Printable(std::string_view text) -> std::string {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      out += '\n';
      ++i;
      continue;
    }
    Shown shown = ShowAt(text, i);
    out += shown.text;
    i += shown.bytes;
  }
  return out;
}

namespace {

// ANSI styles of the coloured rendering (as rustc and clang colour theirs).
struct Palette {
  bool on = false;
  auto Wrap(std::string_view style, std::string_view text) const -> std::string {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", style, text);
  }
};
constexpr std::string_view kBold = "1";
constexpr std::string_view kBoldRed = "1;31";
constexpr std::string_view kBoldYellow = "1;33";
constexpr std::string_view kBoldCyan = "1;36";
constexpr std::string_view kBoldGreen = "1;32";
constexpr std::string_view kBoldBlue = "1;34";

auto SeverityStyle(Severity severity) -> std::string_view {
  return severity == Severity::Error ? kBoldRed : kBoldYellow;
}

// The source line and a caret line under [caret_begin, caret_end). Tabs
// before the span are copied into the padding so the carets line up whatever
// the tab width; escaped characters widen the padding and the carets alike.
auto RenderSnippet(const Location& location, const Palette& palette, std::string_view caret_style)
    -> std::string {
  std::string number = std::to_string(location.start.line);
  std::string gutter(number.size(), ' ');
  const std::string_view line = location.line_text;
  std::string shown_line;
  std::string pad;
  uint32_t carets = 0;
  for (size_t i = 0; i < line.size();) {
    Shown shown = ShowAt(line, i);
    if (i < location.caret_begin) {
      pad += shown.text == "\t" ? std::string("\t") : std::string(shown.columns, ' ');
    } else if (i < location.caret_end) {
      carets += shown.columns;
    }
    shown_line += shown.text;
    i += shown.bytes;
  }
  return fmt::format(" {} {}\n {} {}{}\n", palette.Wrap(kBoldBlue, number + " |"), shown_line,
                     palette.Wrap(kBoldBlue, gutter + " |"), pad,
                     palette.Wrap(caret_style, std::string(std::max<uint32_t>(1, carets), '^')));
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
  const uint32_t line_begin = file.LineStart(location.start.line);
  const uint32_t line_end = line_begin + static_cast<uint32_t>(location.line_text.size());
  const uint32_t begin = std::clamp(span.begin, line_begin, line_end);
  location.caret_begin = begin - line_begin;
  location.caret_end = std::clamp(span.end, begin, line_end) - line_begin;
  location.end = file.LineColOf(std::max(span.begin, span.end));
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

auto Diagnostic::AddFix(const source::SourceFile& file, source::Span span, std::string replacement,
                        std::string fix_message) -> Diagnostic& {
  fixes.push_back(Fix{MakeLocation(file, span), std::move(replacement), std::move(fix_message)});
  return *this;
}

auto Render(const Diagnostic& d, bool color) -> std::string {
  const Palette palette{color};
  std::string out;
  const KindInfo& info = InfoOf(d.kind);
  const std::string_view style = SeverityStyle(d.severity);
  const std::string head =
      palette.Wrap(style, fmt::format("{}[{}]", SeverityWord(d.severity), info.code));
  if (d.has_location) {
    out += fmt::format(
        "{} {}{}\n",
        palette.Wrap(kBold, fmt::format("{}:{}:{}:", Printable(d.location.path),
                                        d.location.start.line, d.location.start.column)),
        head, palette.Wrap(kBold, ": " + Printable(d.message)));
    out += RenderSnippet(d.location, palette, style);
  } else {
    out += fmt::format("atoll: {}{}\n", head, palette.Wrap(kBold, ": " + Printable(d.message)));
  }
  for (const Note& note : d.notes) {
    if (note.has_location) {
      out += fmt::format(
          "{} {} {}\n",
          palette.Wrap(kBold, fmt::format("{}:{}:{}:", Printable(note.location.path),
                                          note.location.start.line, note.location.start.column)),
          palette.Wrap(kBoldCyan, "note:"), Printable(note.message));
      out += RenderSnippet(note.location, palette, kBoldCyan);
    } else {
      out += fmt::format("{} {}\n", palette.Wrap(kBoldCyan, "note:"), Printable(note.message));
    }
  }
  for (const Fix& fix : d.fixes)
    out += fmt::format("{} {}\n", palette.Wrap(kBoldGreen, "help:"), Printable(fix.message));
  return out;
}

auto Diagnostics::Report(Kind kind, const source::SourceFile& file, source::Span span,
                         std::string message) -> Diagnostic& {
  const KindInfo& info = InfoOf(kind);
  Diagnostic d{kind,
               info.severity,
               true,
               MakeLocation(file, span),
               message.empty() ? std::string(info.message) : std::move(message),
               {},
               {}};
  return Store(std::move(d));
}

auto Diagnostics::Report(Kind kind, std::string message) -> Diagnostic& {
  const KindInfo& info = InfoOf(kind);
  Diagnostic d{kind,
               info.severity,
               false,
               {},
               message.empty() ? std::string(info.message) : std::move(message),
               {},
               {}};
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

auto Diagnostics::Sorted() const -> std::vector<const Diagnostic*> {
  // In source order (phases report in their own order): file-less first, then
  // by path and offset; stable, so equal positions keep report order.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : stored_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->has_location != b->has_location) return !a->has_location;
    if (a->location.path != b->location.path) return a->location.path < b->location.path;
    return a->location.span.begin < b->location.span.begin;
  });
  return sorted;
}

auto Diagnostics::RenderAll(bool color) const -> std::string {
  std::string out;
  for (const Diagnostic* d : Sorted()) out += Render(*d, color);
  if (error_count_ > error_limit_) {
    Diagnostic summary{Kind::TooManyErrors,
                       Severity::Error,
                       false,
                       {},
                       fmt::format("{} ({} errors, only the first {} shown)",
                                   InfoOf(Kind::TooManyErrors).message, error_count_, error_limit_),
                       {},
                       {}};
    out += Render(summary, color);
  }
  return out;
}

}  // namespace atl::diag
