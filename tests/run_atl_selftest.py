#!/usr/bin/env python3
"""Unit tests for run_atl.py's annotation parsing and diagnostic matching."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_atl  # noqa: E402


class Annotations(unittest.TestCase):
    def test_expect_lines_in_order(self):
        exp = run_atl.parse_annotations("a -- expect: 1\nb\nc -- expect:  two words\n")
        self.assertEqual(exp.stdout, ["1", " two words"])
        self.assertEqual(exp.mode, "run")

    def test_errors_switch_to_check_mode_and_record_lines(self):
        exp = run_atl.parse_annotations("x\ny = z -- error: E0201\n")
        self.assertEqual(exp.errors, [("E0201", 2)])
        self.assertEqual(exp.mode, "check")

    def test_quoted_texts_after_the_code(self):
        exp = run_atl.parse_annotations('x -- error: E0404 "the `arr`" "say \\"hi\\""\n'
                                        'y -- warning: W0301 "Blue"\n')
        self.assertEqual(exp.errors, [("E0404", 1)])
        self.assertEqual(exp.warnings, [("W0301", 2)])
        self.assertEqual(exp.texts, [("error", "E0404", 1, ["the `arr`", 'say "hi"']),
                                     ("warning", "W0301", 2, ["Blue"])])

    def test_runtime_error_and_exit(self):
        exp = run_atl.parse_annotations("-- expect runtime error: division by zero\n-- exit: 3\n")
        self.assertEqual(exp.runtime_error, "division by zero")
        self.assertEqual(exp.exit_code, 3)
        self.assertEqual(exp.stdout, [])

    def test_opt_levels(self):
        self.assertEqual(run_atl.parse_annotations("-- opt: 0 2\n").opt_levels, ["0", "2"])
        self.assertEqual(run_atl.parse_annotations("x\n").opt_levels, [])


class Matching(unittest.TestCase):
    def test_category_words(self):
        self.assertTrue(run_atl.code_matches("escape", "E0410"))
        self.assertFalse(run_atl.code_matches("escape", "E0301"))
        self.assertTrue(run_atl.code_matches("E0301", "E0301"))

    def test_missing_and_unexpected(self):
        problems = run_atl.match_diagnostics([("E0101", 3)], [("E0101", 4)])
        self.assertEqual(problems, ["missing E0101 on line 3", "unexpected E0101 on line 4"])

    def test_exact_set(self):
        self.assertEqual(run_atl.match_diagnostics(
            [("E0101", 1), ("syntax", 5)], [("E0102", 5), ("E0101", 1)]), [])


class Texts(unittest.TestCase):
    STDERR = ("p.atl:3:5: error[E0404]: `r` would dangle\n"
              " 3 | writeArray arr 0 r\n"
              "   |     ^\n"
              "note: allocate it in the parent\n"
              "p.atl:4:1: warning[W0301]: not exhaustive: Blue\n")

    def test_split_keeps_message_and_notes_not_snippets(self):
        ds = run_atl.split_diagnostics(self.STDERR, "dir/p.atl")
        self.assertEqual([d[:3] for d in ds], [("error", "E0404", 3), ("warning", "W0301", 4)])
        self.assertIn("allocate it", ds[0][3])
        self.assertNotIn("writeArray", ds[0][3])

    def test_texts_must_appear(self):
        ds = run_atl.split_diagnostics(self.STDERR, "p.atl")
        exp = run_atl.parse_annotations('\n\n -- error: E0404 "dangle" "parent"\n'
                                        ' -- warning: W0301 "Green"\n')
        self.assertEqual(run_atl.check_texts(exp, ds), ["W0301 on line 4 does not match (lacks) 'Green'"])

    def test_negated_texts_must_not_appear(self):
        ds = run_atl.split_diagnostics(self.STDERR, "p.atl")
        exp = run_atl.parse_annotations('\n\n -- error: E0404 !"t1" "dangle"\n -- warning: W0301 !"Blue"\n')
        self.assertEqual(exp.texts[0][3], ["!t1", "dangle"])
        self.assertEqual(run_atl.check_texts(exp, ds), ["W0301 on line 4 does not match (has) 'Blue'"])


if __name__ == "__main__":
    unittest.main()
