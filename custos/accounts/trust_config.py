"""The trust a new Custos starts with (``manage.py setup_trust``; the format is in docs/setup.md), read and checked
without Django: every problem in the file is reported, each once with where it is, before anything is written."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

URN = re.compile(r"^\d{6}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+$")
WEBSITE = re.compile(r"^https://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")
NAME_MAX = 200


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    urn: str
    website: str
    email_domains: tuple[str, ...]
    logo: Path | None = None


@dataclass(frozen=True)
class AdministratorSpec:
    first_name: str
    last_name: str
    email: str
    job_title: str
    school_urn: str  # their own school, or "" for the trust's central team


@dataclass(frozen=True)
class TrustSpec:
    name: str
    website: str
    schools: tuple[SchoolSpec, ...]
    administrator: AdministratorSpec


class TrustConfigError(Exception):
    """The configuration has problems; ``problems`` lists every one, each saying where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# Field checks, shared by the file and the interactive questions: each returns the problem, or None.
def problem_with_name(value: str) -> str | None:
    if not value:
        return "is missing"
    return f"is longer than {NAME_MAX} characters" if len(value) > NAME_MAX else None


def problem_with_website(value: str) -> str | None:
    if not value:
        return "is missing"
    return None if WEBSITE.match(value) else f"{value!r} is not an https:// web address"


def problem_with_urn(value: str) -> str | None:
    if not value:
        return "is missing"
    return None if URN.match(value) else f"{value!r} is not a URN: the DfE Unique Reference Number is 6 digits"


def problem_with_domain(value: str) -> str | None:
    return None if DOMAIN.match(value) else f"{value!r} is not an email domain like oakfield.sch.uk"


def problem_with_email(value: str) -> str | None:
    if not value:
        return "is missing"
    if not EMAIL.match(value) or problem_with_domain(value.rsplit("@", 1)[1].lower()):
        return f"{value!r} is not an email address"
    return None


def problem_with_logo(path: Path) -> str | None:
    from custos.community.images import ImageRejected, clean_image

    if not path.is_file():
        return f"{str(path)!r} is not a file"
    try:
        with path.open("rb") as handle:
            clean_image(handle)
    except ImageRejected as rejected:
        return f"{str(path)!r}: {rejected}"
    return None


_KEYS = {
    "trust": {"name", "website"},
    "school": {"name", "urn", "website", "email_domains", "logo"},
    "administrator": {"first_name", "last_name", "email", "job_title", "school"},
}


class _Reader:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.problems: list[str] = []

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            self.problems.append(f"{where}: the [{key}] table is missing")
            return {}
        if not isinstance(value, Mapping):
            self.problems.append(f"{where}: [{key}] must be a table")
            return {}
        return value

    def unknown_keys(self, table: Mapping[str, Any], kind: str, where: str) -> None:
        for key in sorted(set(table) - _KEYS[kind]):
            self.problems.append(f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(_KEYS[kind]))})")

    def text(
        self, table: Mapping[str, Any], key: str, where: str, check: Callable[[str], str | None] | None = None
    ) -> str:
        raw = table.get(key, "")
        if not isinstance(raw, str):
            self.problems.append(f"{where}: {key} must be text in quotes")
            return ""
        value = raw.strip()
        problem = (check or problem_with_name)(value)
        if problem:
            self.problems.append(f"{where}: {key} {problem}")
        return value

    def optional_text(self, table: Mapping[str, Any], key: str, where: str) -> str:
        return self.text(table, key, where, lambda v: problem_with_name(v) if v else None)


def read_spec(data: Mapping[str, Any], *, base_dir: Path) -> TrustSpec:
    """The trust described by ``data`` (the parsed TOML, or the interactive answers), or ``TrustConfigError``."""
    reader = _Reader(base_dir)
    for key in sorted(set(data) - {"trust", "school", "administrator"}):
        reader.problems.append(f"unknown table [{key}] (expected [trust], [[school]] and [administrator])")
    trust = reader.table(data, "trust", "the file")
    reader.unknown_keys(trust, "trust", "[trust]")
    trust_name = reader.text(trust, "name", "[trust]") if trust else ""
    trust_website = reader.text(trust, "website", "[trust]", problem_with_website) if trust else ""

    raw_schools = data.get("school", [])
    if not isinstance(raw_schools, list) or not raw_schools:
        reader.problems.append("the file: at least one [[school]] is needed")
        raw_schools = []
    schools: list[SchoolSpec] = []
    seen_urns: dict[str, str] = {}
    for number, school in enumerate(raw_schools, start=1):
        if not isinstance(school, Mapping):
            reader.problems.append(f"[[school]] {number}: must be a table")
            continue
        where = f"[[school]] {number}" + (f" ({school['name']})" if isinstance(school.get("name"), str) else "")
        reader.unknown_keys(school, "school", where)
        name = reader.text(school, "name", where)
        urn = reader.text(school, "urn", where, problem_with_urn)
        if urn in seen_urns:
            reader.problems.append(f"{where}: urn {urn} is also the URN of {seen_urns[urn]}")
        elif urn:
            seen_urns[urn] = where
        website = reader.text(school, "website", where, problem_with_website)
        domains = school.get("email_domains", [])
        if isinstance(domains, str):
            domains = [domains]
        if not isinstance(domains, list) or not domains or not all(isinstance(d, str) for d in domains):
            reader.problems.append(f'{where}: email_domains must list at least one domain, like ["oakfield.sch.uk"]')
            domains = []
        cleaned = tuple(dict.fromkeys(d.strip().lower().lstrip("@") for d in domains))
        for domain in cleaned:
            problem = problem_with_domain(domain)
            if problem:
                reader.problems.append(f"{where}: email_domains: {problem}")
        logo: Path | None = None
        raw_logo = school.get("logo", "")
        if not isinstance(raw_logo, str):
            reader.problems.append(f"{where}: logo must be the path of an image file, in quotes")
        elif raw_logo.strip():
            logo = (base_dir / raw_logo.strip()).resolve()
            problem = problem_with_logo(logo)
            if problem:
                reader.problems.append(f"{where}: logo {problem}")
        schools.append(SchoolSpec(name=name, urn=urn, website=website, email_domains=cleaned, logo=logo))

    admin = reader.table(data, "administrator", "the file")
    reader.unknown_keys(admin, "administrator", "[administrator]")
    first = reader.text(admin, "first_name", "[administrator]") if admin else ""
    last = reader.text(admin, "last_name", "[administrator]") if admin else ""
    email = reader.text(admin, "email", "[administrator]", problem_with_email).lower() if admin else ""
    title = (reader.optional_text(admin, "job_title", "[administrator]") if admin else "") or "ICT Manager"
    home = reader.text(admin, "school", "[administrator]", lambda v: None) if admin else ""
    if home and home not in seen_urns:
        reader.problems.append(
            f"[administrator]: school {home!r} is not the urn of a [[school]] in this file "
            "(leave it out for someone in the trust's central team)"
        )
    if reader.problems:
        raise TrustConfigError(reader.problems)
    return TrustSpec(
        name=trust_name,
        website=trust_website,
        schools=tuple(schools),
        administrator=AdministratorSpec(
            first_name=first, last_name=last, email=email, job_title=title, school_urn=home
        ),
    )


def read_file(path: Path) -> TrustSpec:
    """The trust described by the TOML file at ``path``; relative logo paths are relative to the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TrustConfigError([f"{path}: cannot be read ({error.strerror})"]) from None
    except UnicodeDecodeError:
        raise TrustConfigError([f"{path}: is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise TrustConfigError([f"{path}: is not valid TOML: {error}"]) from None
    return read_spec(data, base_dir=path.parent)


def ask_interactively(ask: Callable[[str], str], say: Callable[[str], None]) -> dict[str, Any]:
    """The same configuration as a file holds, from questions; each answer is checked as it is typed."""

    def question(prompt: str, check: Callable[[str], str | None] = problem_with_name, default: str = "") -> str:
        while True:
            shown = f"{prompt} [{default}]: " if default else f"{prompt}: "
            answer = ask(shown).strip() or default
            problem = check(answer)
            if problem is None:
                return answer
            say(f"  That {prompt.lower()} {problem}.")

    def domains(answer: str) -> str | None:
        listed = [d.strip().lower().lstrip("@") for d in answer.split(",") if d.strip()]
        if not listed:
            return "is missing"
        return next((p for p in map(problem_with_domain, listed) if p), None)

    def logo(answer: str) -> str | None:
        return problem_with_logo(Path(answer).expanduser().resolve()) if answer else None

    say("The trust")
    trust = {"name": question("Trust name"), "website": question("Trust website", problem_with_website)}
    schools: list[dict[str, Any]] = []
    while True:
        say(f"School {len(schools) + 1}")
        school = {
            "name": question("School name"),
            "urn": question("URN", problem_with_urn),
            "website": question("School website", problem_with_website),
            "email_domains": [d.strip() for d in question("Email domains (comma-separated)", domains).split(",")],
        }
        picture = question("Logo file (PNG or JPEG; leave empty for none)", logo)
        if picture:
            school["logo"] = str(Path(picture).expanduser().resolve())
        schools.append(school)
        if question("Another school? (yes/no)", lambda a: None if a in {"yes", "no"} else "is yes or no", "no") == "no":
            break
    say("The first administrator (ICT Manager at every school above)")
    administrator = {
        "first_name": question("First name"),
        "last_name": question("Last name"),
        "email": question("Email address", problem_with_email),
        "job_title": question("Job title", default="ICT Manager"),
    }
    urns = {s["urn"] for s in schools}
    home = question(
        "URN of their own school (empty for the trust's central team)",
        lambda a: None if not a or a in urns else "is not one of the schools above",
    )
    if home:
        administrator["school"] = home
    return {"trust": trust, "school": schools, "administrator": administrator}
