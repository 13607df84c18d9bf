"""The base test case: a small trust with named personas, built through the same actions people use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client, TestCase, TransactionTestCase
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Kind, Pupil, Role, RoleAssignment, School, StaffType, Trust, User

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - test personas only


def make_user(username: str, *, school: School | None, kind: str = Kind.STAFF, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=TEST_PASSWORD,
        first_name=extra.pop("first_name", username.title()),
        last_name=extra.pop("last_name", "Persona"),
        school=school,
        kind=kind,
        staff_type=extra.pop("staff_type", StaffType.TEACHING if kind == Kind.STAFF else ""),
        **extra,
    )
    return user


def give_role(user: User, role: str, school: School | None) -> None:
    RoleAssignment.objects.create(user=user, role=role, school=school, starts_on=dt.date(2020, 1, 1))
    user.__dict__.pop("_roles_cache", None)


def sign_in(client: Client, user: User) -> Client:
    """Sign ``user`` in, with their second factor already passed when their role needs one."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class CustosTransactionTestCase(TransactionTestCase):
    """For tests whose transactions must really commit (other processes, threads, races). The root conftest
    lets the flush after each such test empty the append-only audit log."""


class CustosTestCase(TestCase):
    """Personas at Oakfield: head, ict_manager, dsl, deputy_dsl, pastoral, hr, moderator, teacher, contractor,
    pupil; exec_head across the Trust; outsider, a teacher at another school (Elmwood); external, no school."""

    trust: Trust
    school: School
    other_school: School
    head: User
    ict_manager: User
    dsl: User
    deputy_dsl: User
    pastoral: User
    hr: User
    exec_head: User
    moderator: User
    teacher: User
    contractor: User
    outsider: User
    external: User
    pupil: User
    pupil_record: Pupil

    @classmethod
    def setUpTestData(cls) -> None:
        cls.trust = Trust.objects.create(name="Test Trust")
        cls.school = School.objects.create(
            trust=cls.trust, name="Oakfield Academy", urn="100001", website="https://oakfield.example/"
        )
        cls.other_school = School.objects.create(
            trust=cls.trust, name="Elmwood School", urn="100002", website="https://elmwood.example/"
        )
        roles = {
            "head": Role.HEAD_OF_SCHOOL,
            "ict_manager": Role.ICT_MANAGER,
            "dsl": Role.DSL,
            "deputy_dsl": Role.DEPUTY_DSL,
            "pastoral": Role.AHT_PASTORAL,
            "hr": Role.HR,
        }
        for name, role in roles.items():
            user = make_user(name, school=cls.school)
            give_role(user, role, cls.school)
            setattr(cls, name, user)
        cls.exec_head = make_user("exec_head", school=None)
        give_role(cls.exec_head, Role.EXECUTIVE_HEADTEACHER, None)
        for user in [*(getattr(cls, n) for n in roles), cls.exec_head]:
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        cls.moderator = make_user("moderator", school=cls.school)
        cls.teacher = make_user("teacher", school=cls.school)
        cls.contractor = make_user("contractor", school=cls.school, staff_type=StaffType.CONTRACTOR)
        cls.outsider = make_user("outsider", school=cls.other_school)
        cls.external = make_user("external", school=None, kind=Kind.EXTERNAL, staff_type="")
        cls.pupil = make_user("pupil", school=cls.school, kind=Kind.PUPIL, first_name="Jamie", last_name="Rivers")
        cls.pupil_record = Pupil.objects.create(
            school=cls.school,
            upn="A123456789012",
            legal_first_name="Jameson",
            legal_last_name="Rivers-Legal",
            preferred_first_name="Jamie",
            year_group=8,
            date_of_birth=dt.date(2013, 3, 14),
            user=cls.pupil,
        )

    def setUp(self) -> None:
        for name in ("head", "ict_manager", "dsl", "deputy_dsl", "pastoral", "hr", "exec_head", "teacher"):
            getattr(self, name).__dict__.pop("_roles_cache", None)

    def client_for(self, user: User | None) -> Client:
        client = Client()
        return sign_in(client, user) if user is not None else client

    def today(self) -> dt.date:
        return timezone.localdate()


class LocalSMTPServer:
    """A real SMTP server (aiosmtpd) on a free loopback port; ``messages`` holds what it received."""

    def __init__(self) -> None:
        from email import message_from_bytes
        from email.message import Message

        self.messages: list[Message] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.messages.append(message_from_bytes(envelope.original_content))
                return "250 OK"

        self._handler = Handler()
        self.port = 0

    def __enter__(self) -> LocalSMTPServer:
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        from django.test import override_settings

        self._settings = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        )
        self._settings.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        self._settings.disable()
        self._controller.stop()

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if address in (m["To"] or "")]

    def body(self, message: Any) -> str:
        payload = message.get_payload(decode=True)
        return payload.decode(message.get_content_charset() or "utf-8") if payload else ""
