// Diagnostics: a registry of stable codes (kinds.def), a sink that collects
// errors and warnings, and rendering with the source line and carets.
//
//   diag::Diagnostics diags;
//   diags.Report(diag::Kind::UnexpectedToken, file, span, "expected `=`, found `->`")
//        .AddNote(file, other_span, "the signature is here");
//   std::fputs(diags.RenderAll().c_str(), stderr);
//
// Rendered form (the test runner matches the first line):
//   FILE:LINE:COL: error[E0101]: expected `=`, found `->`
//      3 | f x -> y
//        |     ^^
//   FILE:LINE:COL: note: the signature is here      (a note with a location)
//   note: try ...                                   (a note without one)
//   help: did you mean `total`?                     (a fix: a suggested edit)
// With colour (a terminal, `--color=always`), the same text with ANSI
// escapes; RenderJson gives the machine-readable form (`--diagnostics=json`).
#ifndef ATOLL_DIAGNOSTICS_DIAGNOSTICS_H
#define ATOLL_DIAGNOSTICS_DIAGNOSTICS_H

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source_file.h"

namespace atl::diag {

enum class Severity : uint8_t { Error, Warning };

// Every diagnostic the compiler can emit, in kinds.def order.
enum class Kind : uint16_t {
#define ATL_DIAG(name, code, severity, message, explanation) name,
#include "compiler/diagnostics/kinds.def"
#undef ATL_DIAG
};

// The static description of a kind, straight from kinds.def.
struct KindInfo {
  Kind kind;
  std::string_view name;  // "UnexpectedToken"
  std::string_view code;  // "E0101"
  Severity severity;
  std::string_view message;      // default one-line message
  std::string_view explanation;  // long form for `atoll explain`
};

auto InfoOf(Kind kind) -> const KindInfo&;
auto AllKinds() -> std::span<const KindInfo>;
// Case-insensitive lookup of "E0101"; nullptr when unknown.
auto FindByCode(std::string_view code) -> const KindInfo*;

// A place in a file, resolved when the diagnostic is reported so that a
// diagnostic never depends on the SourceFile staying alive.
struct Location {
  std::string path;
  source::Span span;
  source::LineCol start;     // of span.begin
  source::LineCol end;       // of span.end (the column after the last character)
  std::string line_text;     // the whole first line of the span, raw bytes
  uint32_t caret_begin = 0;  // byte offsets in line_text of the part of the
  uint32_t caret_end = 0;    // span on that line (carets under at least one column)
};

struct Note {
  bool has_location = false;
  Location location;  // meaningful only when has_location
  std::string message;
};

// A suggested edit: replace the text at `location` by `replacement` (an
// editor can apply it; the text rendering shows `help: message`).
struct Fix {
  Location location;
  std::string replacement;
  std::string message;
};

// One reported problem. Invariant: severity == InfoOf(kind).severity and
// message is never empty (the kind's default message is used when none is given).
struct Diagnostic {
  Kind kind;
  Severity severity;
  bool has_location = false;
  Location location;
  std::string message;
  std::vector<Note> notes;
  std::vector<Fix> fixes;

  auto code() const -> std::string_view { return InfoOf(kind).code; }
  auto AddNote(std::string message) -> Diagnostic&;
  auto AddNote(const source::SourceFile& file, source::Span span, std::string message)
      -> Diagnostic&;
  auto AddFix(const source::SourceFile& file, source::Span span, std::string replacement,
              std::string message) -> Diagnostic&;
};

auto MakeLocation(const source::SourceFile& file, source::Span span) -> Location;
// `text` safe to print on a terminal: control characters escaped (`\x1b`,
// `\u{202e}`), invalid UTF-8 as U+FFFD, newlines kept. Render applies it
// to source lines, paths and messages, which may carry bytes of a source.
auto Printable(std::string_view text) -> std::string;
// `color`: ANSI colours for a terminal (severity, location, carets, notes).
auto Render(const Diagnostic& diagnostic, bool color = false) -> std::string;

// The sink every phase reports into. Keeps diagnostics in report order.
// References returned by Report stay valid for the sink's lifetime (deque).
// After `error_limit` errors, further errors are counted but not stored.
class Diagnostics {
 public:
  explicit Diagnostics(uint32_t error_limit = 100) : error_limit_(error_limit) {}

  auto Report(Kind kind, const source::SourceFile& file, source::Span span,
              std::string message = {}) -> Diagnostic&;
  // A diagnostic that belongs to no source position (e.g. an unreadable file).
  auto Report(Kind kind, std::string message = {}) -> Diagnostic&;

  auto error_count() const -> uint32_t { return error_count_; }
  auto warning_count() const -> uint32_t { return warning_count_; }
  auto has_errors() const -> bool { return error_count_ > 0; }
  auto all() const -> const std::deque<Diagnostic>& { return stored_; }

  // Every stored diagnostic rendered, sorted by file and position (stable),
  // plus a summary line when the error limit was hit.
  auto RenderAll(bool color = false) const -> std::string;
  // The same diagnostics as one JSON document (docs/cli.md, "Diagnostics as
  // JSON"): {"version", "diagnostics": [...], "errors", "warnings"}.
  auto RenderJson() const -> std::string;
  // Sorted as RenderAll prints them.
  auto Sorted() const -> std::vector<const Diagnostic*>;

 private:
  auto Store(Diagnostic diagnostic) -> Diagnostic&;

  uint32_t error_limit_;
  uint32_t error_count_ = 0;
  uint32_t warning_count_ = 0;
  std::deque<Diagnostic> stored_;
  Diagnostic overflow_{};  // sink for reports beyond the limit
};

}  // namespace atl::diag

#endif  // ATOLL_DIAGNOSTICS_DIAGNOSTICS_H
