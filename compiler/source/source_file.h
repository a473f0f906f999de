// Source files, byte-offset spans and the line table.
#ifndef ATOLL_SOURCE_SOURCE_FILE_H
#define ATOLL_SOURCE_SOURCE_FILE_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace atl::source {

// A half-open byte range [begin, end) into one SourceFile's text. Spans are
// cheap values; line/column are computed only when printing.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;

  auto size() const -> uint32_t { return end - begin; }
  // The smallest span covering both (used to build a node's span from its parts).
  static auto Join(Span a, Span b) -> Span {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
  friend auto operator==(Span, Span) -> bool = default;
};

// 1-based line and column. Columns count Unicode code points, so a caret
// under a line with non-ASCII text still lines up on a terminal.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

// One loaded source file: its path (as given), its full text, a table of
// line starts and the number of code points before every kStride-th byte
// (so LineColOf costs at most kStride bytes of counting, however long the
// line: a 60,000-element list literal on one line made every location
// lookup scan the line). Invariant: line_starts_[0] == 0 and the table is
// sorted; the text never changes after construction, so spans stay valid
// for the file's lifetime. Shared by the AST and the diagnostics (hence
// shared_ptr).
class SourceFile {
 public:
  // Larger sources are refused: a program is never this big, and a device or
  // a runaway generator must not make the compiler read without end.
  static constexpr uint64_t kMaxSourceBytes = uint64_t{64} << 20;

  SourceFile(std::string path, std::string text);

  // Reads a file: a regular file, a pipe or a terminal of at most
  // kMaxSourceBytes (docs/language.md, "Source files"). On failure returns
  // nullptr and sets *error to a readable reason ("No such file or
  // directory", "is a directory, not a source file", "file too large ...").
  static auto Load(const std::string& path, std::string* error)
      -> std::shared_ptr<const SourceFile>;

  auto path() const -> const std::string& { return path_; }
  auto text() const -> std::string_view { return text_; }
  auto Slice(Span span) const -> std::string_view;

  auto LineColOf(uint32_t offset) const -> LineCol;
  auto line_count() const -> uint32_t { return static_cast<uint32_t>(line_starts_.size()); }
  // Text of a 1-based line, without its line terminator.
  auto LineText(uint32_t line) const -> std::string_view;
  auto LineStart(uint32_t line) const -> uint32_t { return line_starts_[line - 1]; }

 private:
  static constexpr uint32_t kStride = 64;
  // Code points in text_[0, offset).
  auto CodePointsBefore(uint32_t offset) const -> uint32_t;

  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  std::vector<uint32_t> code_points_;  // before byte i * kStride
};

}  // namespace atl::source

#endif  // ATOLL_SOURCE_SOURCE_FILE_H
