// Read-only traversal helpers over the AST used by the checker.
#ifndef ATOLL_CHECK_WALK_H
#define ATOLL_CHECK_WALK_H

#include <functional>

#include "compiler/parse/ast.h"

namespace atl::check {

// Calls `visit` on every VarExpr inside `e` (including `e`), in source
// order, through every construct (also ones the checker rejects).
void ForEachVar(const parse::Expr* e, const std::function<void(const parse::VarExpr*)>& visit);

// Calls `walk` on each expression directly inside `e`, in source order, and
// `decls` on the local definitions of a `let` or a `do` block's `let`
// (their bodies are inside them). Every walk over the AST that treats some
// kinds alike goes through this one list of children.
void ForEachChild(const parse::Expr* e, const std::function<void(const parse::Expr*)>& walk,
                  const std::function<void(const std::vector<parse::Decl*>&)>& decls);

// Calls `visit` on every Expr inside `e` (including `e`), parents first, in
// source order, also inside local definitions.
void ForEachExpr(const parse::Expr* e, const std::function<void(const parse::Expr*)>& visit);

// Strongly connected components of a graph given as adjacency lists, in
// dependency order: every component comes after the components it reaches.
auto StronglyConnected(const std::vector<std::vector<int>>& edges) -> std::vector<std::vector<int>>;

}  // namespace atl::check

#endif  // ATOLL_CHECK_WALK_H
