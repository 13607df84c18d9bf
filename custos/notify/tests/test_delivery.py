"""Urgent messages on every channel a person has (A.2.3): email on a real SMTP server, SMS through GOV.UK Notify,
Teams and Slack incoming webhooks, each a local server checking the provider's published format. At least once,
once per message and channel, retried with back-off, and a channel that is down never holds up the others."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import transaction
from django.test import override_settings

from custos.audit.models import AuditEvent
from custos.notify import actions
from custos.notify.models import Channel, ChannelKind, Delivery, DeliveryState
from custos.notify.tests.base import Providers
from custos.tasks.worker import run_once
from custos.test import CustosTestCase

NOW = dt.datetime(2026, 4, 4, 2, 56, tzinfo=dt.UTC)
LOCAL_HOOKS = {"teams": ["127.0.0.1"], "slack": ["127.0.0.1"]}


class DeliveryTests(CustosTestCase):
    def channels(self, p: Providers) -> None:
        actions.add_channel(self.dsl, kind=ChannelKind.SMS, address="07911 123456", by=self.dsl)
        actions.add_channel(self.dsl, kind=ChannelKind.TEAMS, address=f"{p.teams.url}/workflows/abc", by=self.dsl)
        actions.add_channel(self.dsl, kind=ChannelKind.SLACK, address=f"{p.slack.url}/services/T/B/X", by=self.dsl)

    def queue(self, key: str = "cases.alert:1") -> list[Delivery]:
        with transaction.atomic():
            return actions.queue(
                self.dsl,
                key=key,
                subject="Urgent: a child may be at risk at Oakfield Academy",
                text="Custos urgent alert SG-000001 at Oakfield Academy. You are on call. Acknowledge within 15 min.",
                link="http://127.0.0.1:8000/cases/alerts/1/",
                about="cases.alert:1",
            )

    def test_a23_one_alert_goes_out_on_every_channel_in_each_providers_published_format(self) -> None:
        with time_machine.travel(NOW, tick=False), Providers() as p:
            self.channels(p)
            deliveries = self.queue()
            run_once()
        self.assertEqual(sorted(d.kind for d in deliveries), ["email", "slack", "sms", "teams"])
        self.assertEqual({d.current_state for d in Delivery.objects.all()}, {DeliveryState.SENT})
        self.assertEqual((p.notify.refused, p.teams.refused, p.slack.refused), ([], [], []))
        [sms] = p.notify.received
        self.assertEqual(sms["phone_number"], "+447911123456")
        self.assertIn("/cases/alerts/1/", sms["personalisation"]["message"])
        self.assertEqual(sms["reference"], Delivery.objects.get(kind="sms").key)
        self.assertTrue(Delivery.objects.get(kind="sms").provider_reference)
        self.assertEqual(len(p.teams.received), 1)
        self.assertEqual(len(p.slack.received), 1)
        [mail] = p.smtp.to(self.dsl.email)
        self.assertEqual(mail["Subject"], "Urgent: a child may be at risk at Oakfield Academy")

    def test_a23_queueing_the_same_alert_again_sends_nothing_twice(self) -> None:
        with time_machine.travel(NOW, tick=False), Providers() as p:
            self.channels(p)
            self.queue()
            self.queue()
            run_once()
            self.queue()
            run_once()
        self.assertEqual(Delivery.objects.count(), 4)
        self.assertEqual((len(p.notify.received), len(p.teams.received), len(p.slack.received)), (1, 1, 1))
        self.assertEqual(len(p.smtp.to(self.dsl.email)), 1)

    def test_a23_a_notify_outage_delays_sms_but_not_email_and_each_sms_goes_once_after_recovery(self) -> None:
        with time_machine.travel(NOW, tick=False) as clock, Providers() as p:
            self.channels(p)
            p.notify.down = True
            self.queue("cases.alert:1")
            self.queue("cases.alert:2")
            for _ in range(5):  # the outage lasts several retries, each later than the last (back-off)
                run_once()
                clock.shift(dt.timedelta(minutes=1))
            self.assertEqual(len(p.smtp.to(self.dsl.email)), 2, "email was held up by the SMS outage")
            self.assertEqual((len(p.teams.received), len(p.slack.received)), (2, 2))
            sms = Delivery.objects.filter(kind="sms")
            self.assertEqual(set(sms.values_list("state", flat=True)), {DeliveryState.PENDING})
            self.assertTrue(all(d.attempts >= 2 and "503" in d.last_error for d in sms))
            tried_during_outage = p.notify.attempts
            page_words = sms.first().last_error  # type: ignore[union-attr]
            self.assertIn("GOV.UK Notify answered 503", page_words)
            p.notify.down = False
            for _ in range(3):
                clock.shift(dt.timedelta(minutes=6))  # past the longest back-off
                run_once()
        self.assertGreater(tried_during_outage, 2)
        self.assertEqual(len(p.notify.received), 2, "each SMS is sent exactly once after recovery")
        self.assertEqual({d.current_state for d in Delivery.objects.all()}, {DeliveryState.SENT})
        self.assertEqual(len(p.smtp.to(self.dsl.email)), 2)

    def test_a23_a_number_notify_refuses_is_given_up_at_once_and_audited(self) -> None:
        with time_machine.travel(NOW, tick=False), Providers() as p:
            channel = actions.add_channel(self.dsl, kind=ChannelKind.SMS, address="07911 123456", by=self.dsl)
            Channel.objects.filter(pk=channel.pk).update(address="+33612345678")  # a number Notify will refuse
            self.queue()
            run_once()
        sms = Delivery.objects.get(kind="sms")
        self.assertEqual(sms.state, DeliveryState.FAILED)
        self.assertIn("refused it (400)", sms.last_error)
        self.assertEqual(p.notify.attempts, 1)
        self.assertTrue(AuditEvent.objects.filter(action="notify.delivery_failed").exists())
        self.assertEqual(Delivery.objects.get(kind="email").current_state, DeliveryState.SENT)

    def test_a23_a_removed_webhook_is_given_up_and_a_busy_one_retried(self) -> None:
        with time_machine.travel(NOW, tick=False) as clock, Providers() as p:
            self.channels(p)
            p.slack.down, p.slack.outage_status = True, 404
            p.teams.down, p.teams.outage_status = True, 429
            self.queue()
            run_once()
            self.assertEqual(Delivery.objects.get(kind="slack").state, DeliveryState.FAILED)
            self.assertEqual(Delivery.objects.get(kind="teams").state, DeliveryState.PENDING)
            p.teams.down = False
            clock.shift(dt.timedelta(minutes=1))
            run_once()
        self.assertEqual(Delivery.objects.get(kind="teams").state, DeliveryState.SENT)


@override_settings(CUSTOS_WEBHOOK_HOSTS={"teams": ["webhook.office.com"], "slack": ["hooks.slack.com"]})
class ChannelTests(CustosTestCase):
    URL = "/notify/channels/"

    def test_a23_a_person_adds_a_mobile_number_and_sees_only_its_last_digits(self) -> None:
        client = self.client_for(self.dsl)
        response = client.post(self.URL, {"kind": "sms", "address": "07911 123456"}, follow=True)
        self.assertContains(response, "Urgent alerts now reach you this way too")
        self.assertContains(response, "3456")
        self.assertNotContains(response, "7911123456")
        self.assertEqual(Channel.objects.get().address, "+447911123456")
        event = AuditEvent.objects.get(action="notify.channel_added")
        self.assertNotIn("7911", str(event.changes))

    def test_a23_bad_numbers_and_webhooks_are_refused_plainly_and_nothing_is_saved(self) -> None:
        client = self.client_for(self.dsl)
        for data, words in [
            ({"kind": "sms", "address": "12345"}, "Enter a mobile number"),
            ({"kind": "sms", "address": "020 7946 0000"}, "That is not a mobile number"),
            ({"kind": "slack", "address": "https://evil.example/services/x"}, "not a Slack incoming webhook"),
            ({"kind": "teams", "address": "http://x.webhook.office.com/a"}, "must start with https://"),
            ({"kind": "", "address": "07911 123456"}, "This field is required"),
        ]:
            with self.subTest(data=data):
                self.assertContains(client.post(self.URL, data), words, status_code=400)
        self.assertFalse(Channel.objects.exists())

    def test_a23_the_page_is_for_staff_and_each_person_removes_only_their_own(self) -> None:
        actions.add_channel(self.dsl, kind="teams", address="https://acme.webhook.office.com/webhookb2/x", by=self.dsl)
        channel = Channel.objects.get()
        self.assertEqual(self.client_for(self.pupil).get(self.URL).status_code, 403)
        self.client_for(self.head).post(f"/notify/channels/{channel.pk}/remove/")
        self.assertTrue(Channel.objects.exists())
        self.client_for(self.dsl).post(f"/notify/channels/{channel.pk}/remove/")
        self.assertFalse(Channel.objects.exists())
