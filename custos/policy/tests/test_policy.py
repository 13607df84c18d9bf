"""The policy as data: imported with its 83 clauses and the Appendix B form, readable with a link per clause."""

from io import StringIO

from django.core.management import CommandError, call_command

from custos.policy.actions import DEFAULT_POLICY, import_policy
from custos.policy.models import Clause, PolicyVersion
from custos.policy.parser import PolicyFormatError, parse_policy
from custos.test import CustosTestCase

POLICY = DEFAULT_POLICY.read_text(encoding="utf-8")


class PolicyParserTests(CustosTestCase):
    def test_the_trusts_policy_has_83_numbered_clauses_in_order(self) -> None:
        parsed = parse_policy(POLICY)
        numbers = [c.number for c in parsed.clauses]
        self.assertEqual(len(numbers), 83)
        self.assertEqual(numbers[:3], ["1.1", "1.2", "1.3"])
        self.assertEqual(numbers[-1], "A.5.9")
        self.assertIn("A.5.4", numbers)

    def test_indented_lists_belong_to_their_clause(self) -> None:
        clause = next(c for c in parse_policy(POLICY).clauses if c.number == "3.1")
        self.assertIn("the Data Protection Act 1998", clause.text)

    def test_appendix_b_form_sections_and_fields_are_read(self) -> None:
        form = parse_policy(POLICY).form_sections
        self.assertEqual([s.title for s in form][:2], ["Team details", "Purpose of setting up social media site"])
        self.assertIn("Names of moderators (the site must have at least 2 approved moderators)", form[4].fields)

    def test_a_file_without_clauses_is_refused(self) -> None:
        with self.assertRaises(PolicyFormatError):
            parse_policy("# Just a title\n\nSome prose.\n")

    def test_duplicate_clause_numbers_are_refused(self) -> None:
        with self.assertRaisesMessage(PolicyFormatError, "1.1"):
            parse_policy("## 1.0 Intro\n- **1.1** One.\n- **1.1** Again.\n")


class PolicyImportTests(CustosTestCase):
    def test_import_creates_a_current_version_and_importing_again_changes_nothing(self) -> None:
        version, created = import_policy(POLICY, label="2026.1", by=None)
        self.assertTrue(created and version.is_current)
        self.assertEqual(version.clauses.count(), 83)
        again, created_again = import_policy(POLICY, label="2026.1", by=None)
        self.assertEqual((again.pk, created_again), (version.pk, False))
        self.assertEqual(Clause.objects.count(), 83)

    def test_another_trusts_policy_in_the_same_form_becomes_the_current_version(self) -> None:
        import_policy(POLICY, label="2026.1", by=None)
        other = "# Another Trust\n\n## 1.0 Intro\n\n- **1.1** Be kind online.\n- **1.2** Ask first.\n"
        version, _ = import_policy(other, label="2027.1", by=None)
        self.assertEqual(PolicyVersion.objects.get(is_current=True), version)
        self.assertEqual(PolicyVersion.objects.count(), 2)

    def test_a_bad_file_leaves_nothing_half_imported(self) -> None:
        with self.assertRaises(CommandError):
            call_command("import_policy", __file__.replace(".py", ".missing"), stdout=StringIO())
        with self.assertRaises(PolicyFormatError):
            import_policy("no clauses here", label="bad", by=None)
        self.assertFalse(PolicyVersion.objects.exists())

    def test_the_command_imports_the_shipped_policy(self) -> None:
        out = StringIO()
        call_command("import_policy", stdout=out)
        self.assertIn("with 83 clauses", out.getvalue())


class PolicyPageTests(CustosTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_policy(POLICY, label="2026.1", by=None)

    def test_staff_read_the_policy_with_a_link_for_every_clause(self) -> None:
        page = self.client_for(self.contractor).get("/policy/")
        for clause in Clause.objects.all():
            self.assertContains(page, f'id="{clause.anchor}"')
            self.assertContains(page, f'href="/policy/clause/{clause.number}/"')
        self.assertContains(page, "Social Media Site Creation Approval Form")

    def test_a_clause_has_its_own_page(self) -> None:
        page = self.client_for(self.teacher).get("/policy/clause/A.5.4/")
        self.assertContains(page, "at least two approved Administrators")

    def test_an_unknown_clause_is_not_found(self) -> None:
        self.assertEqual(self.client_for(self.teacher).get("/policy/clause/Z.9/").status_code, 404)
