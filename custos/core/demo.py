"""A fictional trust for the demo and for trying things out: deterministic, and safe to run again."""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw

from custos.accounts.actions import assign_role, import_roster
from custos.accounts.models import Kind, Pupil, Role, RoleAssignment, School, StaffType, Trust, User
from custos.accounts.roster import upn_check_letter

DEMO_PASSWORD = "Custos-demo-2026"  # noqa: S105 - the demo's published sign-in, listed in the README
FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Muhammad",
    "Freya",
    "Leo",
    "Lily",
    "Harry",
    "Florence",
    "Oscar",
    "Willow",
    "Jack",
    "Evie",
    "Charlie",
    "Grace",
    "Theo",
    "Sophia",
    "Jacob",
    "Ella",
    "Alfie",
    "Aria",
    "Thomas",
    "Rosie",
    "Henry",
    "Poppy",
    "Finley",
    "Daisy",
    "Archie",
    "Sienna",
    "Joshua",
    "Chloe",
    "Max",
    "Olivia",
    "Ethan",
    "Isabella",
    "Lucas",
    "Emily",
    "Samuel",
    "Hannah",
    "Reuben",
    "Priya",
    "Arjun",
    "Zara",
    "Kwame",
    "Amara",
    "Tomasz",
    "Zofia",
    "Yusuf",
    "Aisha",
    "Connor",
    "Niamh",
    "Rhys",
    "Cerys",
    "Mohammed",
    "Fatima",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Nowak",
    "Okafor",
    "Mensah",
    "Ahmed",
]


@dataclass(frozen=True)
class DemoSchool:
    name: str
    urn: str
    short: str
    website: str
    colour: str
    years: tuple[int, ...]
    pupils: int
    la_code: str
    club_ages: tuple[int, int]  # the Reading Club's pupils (A.2.5, A.2.6); the demo pupils with accounts fit it


SCHOOLS = (
    DemoSchool(
        "Oakfield Primary Academy",
        "149001",
        "oakfield",
        "https://oakfield.example.sch.uk/",
        "#1d6b3a",
        tuple(range(0, 7)),
        120,
        "873",
        (9, 11),
    ),
    DemoSchool(
        "Riverside High School",
        "149002",
        "riverside",
        "https://riverside.example.sch.uk/",
        "#1d3f8b",
        tuple(range(7, 14)),
        180,
        "873",
        (11, 14),
    ),
)

# (username prefix, first, last, job title, staff type, roles) per school.
SCHOOL_STAFF = (
    ("head", "Helen", "Hart", "Head of School", StaffType.TEACHING, (Role.HEAD_OF_SCHOOL,)),
    ("ict", "Ian", "Tech", "ICT Manager", StaffType.SUPPORT, (Role.ICT_MANAGER,)),
    ("dsl", "Dana", "Safe", "Designated Safeguarding Lead", StaffType.TEACHING, (Role.DSL,)),
    (
        "deputy.dsl",
        "Dev",
        "Guard",
        "Deputy Designated Safeguarding Lead",
        StaffType.TEACHING,
        (Role.DEPUTY_DSL,),
    ),
    (
        "pastoral",
        "Pat",
        "Care",
        "Assistant Head Teacher – Pastoral",
        StaffType.TEACHING,
        (Role.AHT_PASTORAL,),
    ),
    ("teacher", "Tess", "Chalk", "Class Teacher", StaffType.TEACHING, ()),
    ("moderator", "Mo", "Derate", "Teacher of English", StaffType.TEACHING, ()),
    ("moderator2", "Meg", "Review", "Teacher of History", StaffType.TEACHING, ()),
    ("ta", "Tam", "Assist", "Teaching Assistant", StaffType.SUPPORT, ()),
    ("office", "Olu", "Desk", "Office Manager", StaffType.SUPPORT, ()),
    ("governor", "Gwen", "Board", "Governor", StaffType.GOVERNOR, ()),
    ("contractor", "Cal", "Fixit", "IT Contractor (Fixit Ltd)", StaffType.CONTRACTOR, ()),
    ("trainee", "Tia", "Learner", "Trainee Teacher", StaffType.TRAINEE, ()),
    ("volunteer", "Val", "Helper", "Reading Volunteer", StaffType.VOLUNTEER, ()),
)
TRUST_STAFF = (
    ("exec.head", "Eve", "Exec", "Executive Headteacher", StaffType.TEACHING, (Role.EXECUTIVE_HEADTEACHER,)),
    ("hr", "Hana", "People", "HR Manager", StaffType.SUPPORT, (Role.HR,)),
)
TRUST_DOMAIN = "trust.example.org.uk"
# Fixed TOTP keys so the demo's privileged people can sign in: see `manage.py demo_totp`.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def _logo(school: DemoSchool) -> bytes:
    image = Image.new("RGB", (96, 96), school.colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 86, 86), outline="white", width=6)
    draw.text((36, 38), school.short[0].upper(), fill="white", font_size=28)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _person(username: str, first: str, last: str, title: str, staff_type: str, school: School | None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": username,
            "first_name": first,
            "last_name": last,
            "job_title": title,
            "staff_type": staff_type,
            "kind": Kind.STAFF,
            "school": school,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _roster_csv(school: DemoSchool, rng: random.Random, today: dt.date) -> bytes:
    lines = ["UPN,Legal Forename,Legal Surname,Preferred Forename,Preferred Surname,Year,DOB"]
    for i in range(school.pupils):
        year = school.years[i % len(school.years)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        preferred = rng.choice(FIRST_NAMES) if rng.random() < 0.08 else ""
        # Pupils in year N are N+4 or N+5 on 1 September.
        september = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        born = september.replace(year=september.year - year - 5) + dt.timedelta(days=rng.randrange(1, 365))
        body = f"{school.la_code}{school.urn[-4:]}{today.year % 100:02d}{i:03d}"
        lines.append(f"{upn_check_letter(body)}{body},{first},{last},{preferred},,{year},{born:%d/%m/%Y}")
    return ("\n".join(lines) + "\n").encode()


# The demo's new starter has not yet confirmed the policy: signing in as them shows that first (sections 5, 6).
NEW_STARTER_PREFIX = "trainee@"


def _acknowledge_policy(people: list[User]) -> None:
    from custos.policy.actions import acknowledge, current_version

    version = current_version()
    if version is None:
        return
    for user in people:
        if not user.username.startswith(NEW_STARTER_PREFIX):
            acknowledge(user, version)


@transaction.atomic
def seed(today: dt.date | None = None) -> dict[str, int]:
    started = timezone.now()
    today = today or timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    trust, _ = Trust.objects.get_or_create(
        name="The Education Partnership Trust", defaults={"website": "https://trust.example.org.uk/"}
    )
    term_start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    people: list[User] = []
    for spec in TRUST_STAFF:
        user = _person(f"{spec[0]}@{TRUST_DOMAIN}", *spec[1:5], school=None)
        people.append(user)
        for role in spec[5]:
            if not RoleAssignment.objects.filter(user=user, role=role, school=None).exists():
                assign_role(user, role, school=None, starts_on=term_start, by=None)
    for demo in SCHOOLS:
        school, created = School.objects.get_or_create(
            urn=demo.urn,
            defaults={
                "trust": trust,
                "name": demo.name,
                "website": demo.website,
                "email_domain": f"{demo.short}.example.sch.uk",
            },
        )
        if created:
            school.logo.save(f"{demo.short}.png", ContentFile(_logo(demo)), save=True)
        domain = school.email_domain
        for prefix, first, last, title, staff_type, roles in SCHOOL_STAFF:
            user = _person(f"{prefix}@{domain}", first, last, title, staff_type, school)
            people.append(user)
            for role in roles:
                if not RoleAssignment.objects.filter(user=user, role=role, school=school).exists():
                    assign_role(user, role, school=school, starts_on=term_start, by=None)
        roster = _roster_csv(demo, rng, today)
        if not Pupil.objects.filter(school=school).exists():
            report = import_roster(school, roster, by=None, today=today)
            if report.errors:
                raise RuntimeError(f"demo roster for {school} is invalid: {report.errors[:3]}")
        with_accounts = Pupil.objects.filter(school=school, user__isnull=False).count()
        youngest, oldest = demo.club_ages
        # Accounts for pupils old enough for the Reading Club, so the demo's pupil journey can be walked.
        club_aged = [
            pupil
            for pupil in Pupil.objects.filter(school=school, user__isnull=True, on_roll=True).order_by("upn")
            if youngest <= pupil.age_on(timezone.localdate()) <= oldest  # the clock invitations are checked by
        ]
        for pupil in club_aged[: max(0, 6 - with_accounts)]:
            username = f"pupil.{pupil.upn.lower()}"
            user = User.objects.create_user(
                username=username,
                email=f"{username}@{domain}",
                password=DEMO_PASSWORD,
                first_name=pupil.preferred_first_name or pupil.legal_first_name,
                last_name=pupil.legal_last_name,
                kind=Kind.PUPIL,
                school=school,
            )
            pupil.user = user
            pupil.save(update_fields=["user"])
    for user in people:
        if user.all_current_roles() and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
    from custos.core.demo_activity import seed_all

    seed_all()
    _acknowledge_policy(people)
    _history_is_not_mailed(since=started)
    return {
        "schools": School.objects.count(),
        "staff": User.objects.filter(kind=Kind.STAFF).count(),
        "pupils": Pupil.objects.count(),
    }


def _history_is_not_mailed(*, since: dt.datetime) -> None:
    """The mail the seeded history would have sent (approvals, case notices) counts as sent long ago: the terminal
    shows only the mail of what a newcomer does, after the address they are waiting for."""
    from custos.mail.models import Email

    Email.objects.filter(sent_at__isnull=True, created_at__gte=since).update(sent_at=timezone.now())
