// Source line tables and diagnostic rendering.
#include "compiler/diagnostics/diagnostics.h"

#include <doctest/doctest.h>

#include "tests/frontend/test_util.h"

namespace atl {
namespace {

TEST_CASE("line table and line/column of offsets") {
  source::SourceFile file("a.atl", "ab\n\xC3\xA9x\n\nlast");
  CHECK(file.line_count() == 4);
  CHECK(file.LineColOf(0).line == 1);
  CHECK(file.LineColOf(4).line == 2);
  CHECK(file.LineColOf(5).column == 2);  // after the 2-byte é: column counts code points
  CHECK(file.LineText(2) == "\xC3\xA9x");
  CHECK(file.LineText(3).empty());
  CHECK(file.LineText(4) == "last");
  CHECK(file.LineColOf(100).line == 4);  // clamped
}

TEST_CASE("rendering: location, code, source line, carets, notes") {
  auto file = test::File("main = do\n  x <- foo bar\n");
  diag::Diagnostics diags;
  diags.Report(diag::Kind::UnexpectedToken, *file, {17, 20}, "expected something")
      .AddNote(*file, {0, 4}, "in this declaration")
      .AddNote("try again");
  CHECK(diags.error_count() == 1);
  CHECK(diag::Render(diags.all()[0]) ==
        "test.atl:2:8: error[E0101]: expected something\n"
        " 2 |   x <- foo bar\n"
        "   |        ^^^\n"
        "test.atl:1:1: note: in this declaration\n"
        " 1 | main = do\n"
        "   | ^^^^\n"
        "note: try again\n");
}

TEST_CASE("rendering: control characters escaped, invalid UTF-8 replaced, carets aligned") {
  // ESC and BEL escaped; a right-to-left override escaped; \xff replaced;
  // é and the tab kept. The span is `bad` after all of them.
  auto file = test::File("x = \"\x1b[1m\t\xC3\xA9\x07\xE2\x80\xAE\xff\" bad\n");
  diag::Diagnostics diags;
  const uint32_t bad = 4 + 1 + 4 + 1 + 2 + 1 + 3 + 1 + 2;
  diags.Report(diag::Kind::UnexpectedToken, *file, {bad, bad + 3}, "msg \x1b]0;title\x07");
  // Padding: `x = "` 5, `\x1b` 4, `[1m` 3, the tab, then é 1, `\x07` 4,
  // `\u{202e}` 8, U+FFFD 1, `" ` 2.
  CHECK(diag::Render(diags.all()[0]) ==
        "test.atl:1:17: error[E0101]: msg \\x1b]0;title\\x07\n"
        " 1 | x = \"\\x1b[1m\t\xC3\xA9\\x07\\u{202e}\xEF\xBF\xBD\" bad\n" +
            std::string("   | ") + std::string(12, ' ') + "\t" + std::string(16, ' ') + "^^^\n");
  CHECK(diag::Printable("a\nb\x7f\xC2\x85") == "a\nb\\x7f\\u{85}");
  // An overlong encoding, a lone continuation byte and an encoded surrogate:
  // one U+FFFD per byte.
  std::string replacements;
  for (int i = 0; i < 5; ++i) replacements += "\xEF\xBF\xBD";
  CHECK(diag::Printable("\xC0\xAF\xED\xA0\x80") == replacements);
}

TEST_CASE("default messages, warnings and the error limit") {
  auto file = test::File("x");
  diag::Diagnostics diags(2);
  diags.Report(diag::Kind::TabInIndentation, *file, {0, 1});
  CHECK(diags.warning_count() == 1);
  CHECK_FALSE(diags.has_errors());
  CHECK(diags.all()[0].message == "tab character in indentation");
  for (int i = 0; i < 5; ++i) diags.Report(diag::Kind::InvalidCharacter, *file, {0, 1});
  CHECK(diags.error_count() == 5);
  CHECK(diags.all().size() == 3);
  CHECK(diags.RenderAll().find("5 errors, only the first 2 shown") != std::string::npos);
}

TEST_CASE("registry: codes are unique, well-formed and explained") {
  std::set<std::string_view> codes;
  for (const diag::KindInfo& info : diag::AllKinds()) {
    CHECK(codes.insert(info.code).second);
    CHECK(info.code.size() == 5);
    CHECK((info.code[0] == 'E' || info.code[0] == 'W'));
    CHECK((info.code[0] == 'W') == (info.severity == diag::Severity::Warning));
    CHECK_FALSE(info.message.empty());
    CHECK_FALSE(info.explanation.empty());
    CHECK(diag::FindByCode(info.code) == &info);
  }
  CHECK(diag::FindByCode("e0101") == &diag::InfoOf(diag::Kind::UnexpectedToken));
  CHECK(diag::FindByCode("E9999") == nullptr);
}

}  // namespace
}  // namespace atl
