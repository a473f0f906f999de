#include "compiler/driver/lsp_protocol.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace atl::driver::lsp {
namespace {

// UTF-16 code units of the code point whose UTF-8 lead byte is `b` (0 for a
// continuation byte). Invalid bytes count as one unit, as U+FFFD would.
auto Utf16Units(unsigned char b) -> uint32_t {
  if ((b & 0xC0) == 0x80) return 0;
  return b >= 0xF0 ? 2 : 1;
}

auto IsUnreserved(unsigned char c) -> bool {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

}  // namespace

auto ReadMessage(std::FILE* in) -> std::optional<std::string> {
  std::optional<size_t> length;
  std::string line;
  for (;;) {
    int c = std::fgetc(in);
    if (c == EOF) return std::nullopt;
    if (c != '\n') {
      line += static_cast<char>(c);
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;  // the blank line ends the header
    constexpr std::string_view kLength = "Content-Length:";
    if (line.size() > kLength.size() && line.compare(0, kLength.size(), kLength) == 0) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(line.c_str() + kLength.size(), &end, 10);
      if (end != line.c_str() + kLength.size() && n <= (uint64_t{64} << 20)) length = n;
    }
    line.clear();
  }
  if (!length) return std::nullopt;
  std::string body(*length, '\0');
  if (std::fread(body.data(), 1, body.size(), in) != body.size()) return std::nullopt;
  return body;
}

void WriteMessage(std::FILE* out, std::string_view body) {
  std::fprintf(out, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out);
  std::fflush(out);
}

auto PositionOf(std::string_view text, uint32_t offset) -> Position {
  if (offset > text.size()) offset = static_cast<uint32_t>(text.size());
  Position p;
  uint32_t line_start = 0;
  for (uint32_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
    }
  }
  for (uint32_t i = line_start; i < offset; ++i)
    p.character += Utf16Units(static_cast<unsigned char>(text[i]));
  return p;
}

auto OffsetOf(std::string_view text, Position position) -> uint32_t {
  uint32_t i = 0;
  for (uint32_t line = 0; line < position.line; ++line) {
    const size_t newline = text.find('\n', i);
    if (newline == std::string_view::npos) return static_cast<uint32_t>(text.size());
    i = static_cast<uint32_t>(newline + 1);
  }
  uint32_t units = 0;
  while (i < text.size() && text[i] != '\n') {
    const uint32_t n = Utf16Units(static_cast<unsigned char>(text[i]));
    if (n > 0 && units + n > position.character) break;
    units += n;
    ++i;
  }
  return i;
}

auto PathOfUri(std::string_view uri) -> std::string {
  constexpr std::string_view kScheme = "file://";
  if (uri.substr(0, kScheme.size()) != kScheme) return std::string(uri);
  std::string_view rest = uri.substr(kScheme.size());
  // `file://host/path`: only the local host is meaningful here.
  if (!rest.empty() && rest.front() != '/')
    rest = rest.substr(std::min(rest.find('/'), rest.size()));
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (rest[i] == '%' && i + 2 < rest.size() && hex(rest[i + 1]) >= 0 && hex(rest[i + 2]) >= 0) {
      path += static_cast<char>(hex(rest[i + 1]) * 16 + hex(rest[i + 2]));
      i += 2;
    } else {
      path += rest[i];
    }
  }
  return path;
}

auto UriOfPath(std::string_view path) -> std::string {
  std::string absolute(path);
  if (!absolute.empty() && absolute.front() != '/') {
    std::error_code error;
    const auto full = std::filesystem::absolute(std::filesystem::path(absolute), error);
    if (!error) absolute = full.lexically_normal().string();
  }
  std::string uri = "file://";
  for (const char c : absolute) {
    const auto b = static_cast<unsigned char>(c);
    if (IsUnreserved(b)) {
      uri += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      uri += '%';
      uri += kHex[b >> 4];
      uri += kHex[b & 15];
    }
  }
  return uri;
}

}  // namespace atl::driver::lsp
