"""docs/policy-coverage.md stays true: every clause listed, every named test real."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from custos.policy.actions import DEFAULT_POLICY
from custos.policy.parser import parse_policy

COVERAGE = Path(settings.BASE_DIR) / "docs" / "policy-coverage.md"
STATUSES = {"enforced", "screened", "recorded", "attested", "guidance", "planned"}
_ROW = re.compile(r"^\|\s*([0-9A-Z]+\.[0-9.]+)\s*\|\s*([a-z]+)\s*\|(.*)\|(.*)\|\s*$")


def coverage_rows() -> dict[str, tuple[str, str, list[str]]]:
    rows = {}
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            tests = re.findall(r"`([^`]+::[^`]+)`", match.group(4))
            rows[match.group(1)] = (match.group(2), match.group(3).strip(), tests)
    return rows


def names_real_test(reference: str) -> bool:
    path, *names = reference.split("::")
    source = Path(settings.BASE_DIR) / path
    if not source.is_file():
        return False
    scope: list[ast.stmt] = ast.parse(source.read_text(encoding="utf-8")).body
    for name in names:
        found = next((n for n in scope if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == name), None)
        if found is None:
            return False
        scope = found.body if isinstance(found, ast.ClassDef) else []
    return names[-1].startswith("test") if names else False


class PolicyCoverageTests(SimpleTestCase):
    def test_every_clause_of_the_policy_is_listed_once_with_a_known_status(self) -> None:
        clauses = [c.number for c in parse_policy(DEFAULT_POLICY.read_text(encoding="utf-8")).clauses]
        rows = coverage_rows()
        self.assertEqual(sorted(set(clauses) - set(rows)), [], "clauses missing from docs/policy-coverage.md")
        self.assertEqual(sorted(set(rows) - set(clauses)), [], "rows for clauses the policy does not have")
        for number, (status, _, _) in rows.items():
            with self.subTest(clause=number):
                self.assertIn(status, STATUSES)

    def test_every_test_named_in_the_coverage_exists(self) -> None:
        for number, (status, _, tests) in coverage_rows().items():
            with self.subTest(clause=number):
                if status != "planned":
                    self.assertTrue(tests, f"clause {number} is {status} but names no test")
                for reference in tests:
                    self.assertTrue(names_real_test(reference), f"{reference} does not exist")

    def test_the_checker_notices_a_test_that_does_not_exist(self) -> None:
        self.assertTrue(
            names_real_test(
                "custos/policy/tests/test_coverage.py::PolicyCoverageTests::test_the_checker_notices_a_test_that_does_not_exist"
            )
        )
        self.assertFalse(names_real_test("custos/policy/tests/test_coverage.py::PolicyCoverageTests::test_imaginary"))
        self.assertFalse(names_real_test("custos/nowhere.py::test_anything"))
