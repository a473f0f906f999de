#include "compiler/source/source_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace atl::source {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  uint32_t code_points = 0;
  for (uint32_t i = 0; i < text_.size(); ++i) {
    if (i % kStride == 0) code_points_.push_back(code_points);
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++code_points;
  }
  code_points_.push_back(code_points);
}

auto SourceFile::CodePointsBefore(uint32_t offset) const -> uint32_t {
  const uint32_t block = offset / kStride;
  uint32_t n = code_points_[std::min<size_t>(block, code_points_.size() - 1)];
  for (uint32_t i = block * kStride; i < offset; ++i)
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++n;
  return n;
}

auto SourceFile::Load(const std::string& path, std::string* error)
    -> std::shared_ptr<const SourceFile> {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    *error = std::strerror(errno);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = "is a directory";
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return nullptr;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = "read error";
    return nullptr;
  }
  std::string text = buffer.str();
  // Spans are 32-bit offsets; refuse what they cannot address.
  if (text.size() >= UINT32_MAX) {
    *error = "file too large";
    return nullptr;
  }
  return std::make_shared<const SourceFile>(path, std::move(text));
}

auto SourceFile::Slice(Span span) const -> std::string_view {
  auto begin = std::min<size_t>(span.begin, text_.size());
  auto end = std::clamp<size_t>(span.end, begin, text_.size());
  return std::string_view(text_).substr(begin, end - begin);
}

auto SourceFile::LineColOf(uint32_t offset) const -> LineCol {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<uint32_t>(it - line_starts_.begin());
  return {line, 1 + CodePointsBefore(offset) - CodePointsBefore(line_starts_[line - 1])};
}

auto SourceFile::LineText(uint32_t line) const -> std::string_view {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t begin = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : text_.size();
  std::string_view text = std::string_view(text_).substr(begin, end - begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace atl::source
