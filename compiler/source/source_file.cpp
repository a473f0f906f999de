#include "compiler/source/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

namespace {

// What a non-regular file is, for the message that refuses it.
auto FileTypeName(mode_t mode) -> const char* {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// Closes a descriptor on every path out of Load.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

auto SourceFile::Load(const std::string& path, std::string* error)
    -> std::shared_ptr<const SourceFile> {
  // Regular files and pipes (`atoll check /dev/stdin < x`, `<(...)`) are
  // read, and a terminal; any other device would block or never end
  // (/dev/zero, /dev/urandom), so it is refused.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    *error = std::strerror(errno);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
    *error = std::string("is ") + FileTypeName(st.st_mode) + ", not a source file";
    return nullptr;
  }
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxSourceBytes) {
    *error = "file too large (" + std::to_string(st.st_size) + " bytes; the limit is " +
             std::to_string(kMaxSourceBytes >> 20) + " MiB)";
    return nullptr;
  }
  Descriptor in{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (in.fd < 0) {
    *error = std::strerror(errno);
    return nullptr;
  }
  // Whether a character device is a terminal shows only once it is open.
  if (S_ISCHR(st.st_mode) && !::isatty(in.fd)) {
    *error = "is a character device, not a source file";
    return nullptr;
  }
  // Read at most one byte past the limit, whatever the file claims its size is
  // (pipes and /proc files have none).
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return nullptr;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxSourceBytes) {
      *error = "file too large (more than " + std::to_string(kMaxSourceBytes >> 20) + " MiB)";
      return nullptr;
    }
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
