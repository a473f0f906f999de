// The Language Server Protocol's plumbing for `atoll lsp`: JSON-RPC messages
// framed by a `Content-Length` header, LSP positions (0-based line, and
// character in UTF-16 code units, the protocol's default) against byte
// offsets, and `file://` URIs against paths.
#ifndef ATOLL_DRIVER_LSP_PROTOCOL_H
#define ATOLL_DRIVER_LSP_PROTOCOL_H

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace atl::driver::lsp {

// The next message's body, or nullopt at the end of the input or when the
// framing is broken (no Content-Length, a short body): the connection is
// then unusable.
auto ReadMessage(std::FILE* in) -> std::optional<std::string>;
void WriteMessage(std::FILE* out, std::string_view body);

struct Position {
  uint32_t line = 0;
  uint32_t character = 0;  // UTF-16 code units from the line start
};
// `offset` is a byte offset into `text`; past the end means the end.
auto PositionOf(std::string_view text, uint32_t offset) -> Position;
// A position past the end of its line means the line's end; past the last
// line, the end of the text.
auto OffsetOf(std::string_view text, Position position) -> uint32_t;

// `file:///a%20b/c.atl` -> `/a b/c.atl`; a URI of another scheme is kept as
// it is (the document then has no directory to import from).
auto PathOfUri(std::string_view uri) -> std::string;
auto UriOfPath(std::string_view path) -> std::string;

}  // namespace atl::driver::lsp

#endif  // ATOLL_DRIVER_LSP_PROTOCOL_H
