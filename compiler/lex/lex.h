// The lexer: source text to tokens. Never fails: malformed input is reported
// into the Diagnostics and skipped or repaired (e.g. an unterminated string
// becomes a string token ending at the line end) so later phases can go on.
#ifndef ATOLL_LEX_LEX_H
#define ATOLL_LEX_LEX_H

#include <memory>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/lex/token.h"
#include "compiler/source/source_file.h"

namespace atl::lex {

auto Lex(std::shared_ptr<const source::SourceFile> file, diag::Diagnostics& diags) -> TokenBuffer;

// Largest Int literal (63-bit signed ints).
inline constexpr int64_t kMaxIntLiteral = (int64_t{1} << 62) - 1;

}  // namespace atl::lex

#endif  // ATOLL_LEX_LEX_H
