// The layout pass: turns indentation into explicit block structure.
//
// Input: the lexer's tokens. Output: the same tokens with VLBrace /
// VSemicolon / VRBrace inserted (the offside rule of docs/language.md section 1, Layout), and with
// brackets balanced: every `(` `[` `{` in the output has a matching closer
// (a missing one is reported and a zero-width closer inserted; an unmatched
// closer is reported and dropped). The parser therefore never looks at
// columns and can skip balanced groups when it recovers from an error.
#ifndef ATOLL_LAYOUT_LAYOUT_H
#define ATOLL_LAYOUT_LAYOUT_H

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/lex/token.h"

namespace atl::layout {

auto Layout(lex::TokenBuffer tokens, diag::Diagnostics& diags) -> lex::TokenBuffer;

}  // namespace atl::layout

#endif  // ATOLL_LAYOUT_LAYOUT_H
