// "did you mean": the closest name in scope to an unknown one.
#include <algorithm>
#include <cctype>
#include <vector>

#include "compiler/check/checker.h"

namespace atl::check {

namespace {

// Optimal string alignment distance (Damerau-Levenshtein with adjacent
// transpositions, no substring edited twice), over bytes.
auto EditDistance(std::string_view a, std::string_view b) -> size_t {
  const size_t n = a.size();
  const size_t m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

auto IsIdentifier(std::string_view s) -> bool {
  return !s.empty() &&
         (std::isalpha(static_cast<unsigned char>(s.front())) != 0 || s.front() == '_');
}

}  // namespace

auto ClosestName(std::string_view name, const std::vector<std::string_view>& candidates)
    -> std::optional<std::string> {
  if (name.size() < 2 || !IsIdentifier(name)) return std::nullopt;
  const size_t limit = name.size() <= 4 ? 1 : 2;
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    if (c == name || !IsIdentifier(c)) continue;
    const size_t length_gap =
        c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
    if (length_gap >= best_distance) continue;
    const size_t distance = EditDistance(name, c);
    if (distance < best_distance) {  // ties keep the earlier (inner) candidate
      best_distance = distance;
      best = std::string(c);
    }
  }
  return best;
}

auto HaskellNameHint(std::string_view name) -> const HaskellName* {
  static constexpr std::string_view kNoPartial =
      "the Prelude has no partial list functions: match the list instead, "
      "`case xs of (x :: rest) -> ...` with a `[] -> ...` alternative";
  static constexpr std::string_view kTruncating =
      "Int `/` and `%` truncate toward zero, as in C (Haskell's `quot` and `rem`, not `div` "
      "and `mod`)";
  static constexpr HaskellName kNames[] = {
      {"putStrLn", "print",
       "Atoll's `print` writes a String and a newline; `print (show x)` for "
       "other values"},
      {"head", "", kNoPartial},
      {"tail", "", kNoPartial},
      {"last", "", kNoPartial},
      {"init", "", kNoPartial},
      {"error", "",
       "there is no `error`: return a `Maybe` or a `Result`, or print a message and `exit 1`"},
      {"div", "", kTruncating},
      {"mod", "", kTruncating},
      {"quot", "", kTruncating},
      {"rem", "", kTruncating},
      {"fromIntegral", "intToFloat", "`intToFloat` turns an Int into a Float"},
      {"read", "parseInt", "`parseInt : String -> Maybe Int` reads a decimal Int"},
      {"getArgs", "args", "`args` gives the program's arguments"},
      {"return", "pure", "an action returns a value with `pure`"},
  };
  for (const HaskellName& h : kNames) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

auto Checker::SuggestValue(const std::string& name) const -> std::optional<std::string> {
  std::vector<std::string_view> candidates;
  for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
    for (const auto& [n, binding] : *it) candidates.push_back(n);
  return ClosestName(name, candidates);
}

auto Checker::SuggestConstructor(const std::string& name) const -> std::optional<std::string> {
  std::vector<std::string_view> candidates;
  for (const auto& [n, entry] : constructors_) candidates.push_back(n);
  return ClosestName(name, candidates);
}

auto Checker::SuggestType(const std::string& name) const -> std::optional<std::string> {
  std::vector<std::string_view> candidates;
  for (const auto& [n, entry] : types_) candidates.push_back(n);
  return ClosestName(name, candidates);
}

}  // namespace atl::check
