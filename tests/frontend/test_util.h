// Helpers shared by the front-end doctest binaries.
#ifndef ATOLL_TESTS_FRONTEND_TEST_UTIL_H
#define ATOLL_TESTS_FRONTEND_TEST_UTIL_H

#include <memory>
#include <set>
#include <string>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source_file.h"

namespace atl::test {

inline auto File(std::string text) -> std::shared_ptr<const source::SourceFile> {
  return std::make_shared<const source::SourceFile>("test.atl", std::move(text));
}

// The set of codes reported, e.g. {"E0002", "E0101"}.
inline auto Codes(const diag::Diagnostics& diags) -> std::multiset<std::string> {
  std::multiset<std::string> codes;
  for (const diag::Diagnostic& d : diags.all()) codes.insert(std::string(d.code()));
  return codes;
}

}  // namespace atl::test

#endif  // ATOLL_TESTS_FRONTEND_TEST_UTIL_H
