"""Providers as local servers, wired into settings for the length of a test."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django.test import override_settings

from custos.notify.tests.servers import API_KEY, TEMPLATE_ID, NotifyServer, SlackServer, TeamsServer
from custos.test import LocalSMTPServer


class Providers:
    """``with Providers() as p``: a real SMTP server, Notify, Teams and Slack, each on its own loopback port."""

    def __enter__(self) -> Providers:
        self._stack = ExitStack()
        self.smtp = self._stack.enter_context(LocalSMTPServer())
        self.notify = self._stack.enter_context(NotifyServer())
        self.teams = self._stack.enter_context(TeamsServer())
        self.slack = self._stack.enter_context(SlackServer())
        self._stack.enter_context(
            override_settings(
                CUSTOS_NOTIFY_API_KEY=API_KEY,
                CUSTOS_NOTIFY_SMS_TEMPLATE_ID=TEMPLATE_ID,
                CUSTOS_NOTIFY_BASE_URL=self.notify.url,
                CUSTOS_WEBHOOK_HOSTS={"teams": ["127.0.0.1"], "slack": ["127.0.0.1"]},
            )
        )
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.close()

    def all_text(self) -> str:
        """Everything every provider received, for checking that no child's name or words went out."""
        import json

        mail = " ".join((m["Subject"] or "") + self.smtp.body(m) for m in self.smtp.messages)
        posted = json.dumps([*self.notify.received, *self.teams.received, *self.slack.received])
        return mail + posted
