// Stable S-expression dump of a Module, for `atoll check --dump=ast` and the
// golden tests. One top-level form per line; spans are not printed so that
// dumps do not change when unrelated whitespace does.
#ifndef ATOLL_PARSE_DUMP_H
#define ATOLL_PARSE_DUMP_H

#include <string>

#include "compiler/parse/ast.h"

namespace atl::parse {

auto DumpModule(const Module& module) -> std::string;
auto DumpExpr(const Expr* expr) -> std::string;
auto DumpPattern(const Pattern* pattern) -> std::string;
auto DumpType(const Type* type) -> std::string;

}  // namespace atl::parse

#endif  // ATOLL_PARSE_DUMP_H
