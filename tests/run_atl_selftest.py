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


if __name__ == "__main__":
    unittest.main()
