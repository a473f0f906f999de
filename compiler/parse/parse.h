// Parses one Atoll source file into a Module (see ast.h).
#ifndef ATOLL_PARSE_PARSE_H
#define ATOLL_PARSE_PARSE_H

#include <memory>
#include <optional>
#include <string>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/parse/ast.h"
#include "compiler/source/source_file.h"

namespace atl::parse {

// Where the node ids of a module start, per family. The module loader parses
// several files into one program and gives each the counts of the previous
// one, so ids are unique across the whole program (side tables stay dense).
struct IdBase {
  uint32_t expr = 0;
  uint32_t pattern = 0;
  uint32_t type = 0;
  uint32_t decl = 0;
  uint32_t stmt = 0;
};

// Lexes, lays out and parses `file`. Always returns a Module: syntax errors
// are reported into `diags` and leave Error nodes where the parser recovered.
auto Parse(std::shared_ptr<const source::SourceFile> file, diag::Diagnostics& diags,
           IdBase base = {}) -> Module;

// Loads and parses the file at `path`. Returns nullopt when it cannot be read
// (after reporting E0000 CannotReadFile); otherwise as Parse.
auto ParseFile(const std::string& path, diag::Diagnostics& diags, IdBase base = {})
    -> std::optional<Module>;

// Operator table of docs/language.md section 3: higher binds tighter.
enum class Assoc : uint8_t { Left, Right, None };
auto BinaryPrecedence(BinaryOp op) -> int;
auto BinaryAssoc(BinaryOp op) -> Assoc;

}  // namespace atl::parse

#endif  // ATOLL_PARSE_PARSE_H
