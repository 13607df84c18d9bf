"""The four ways a message leaves Custos. Each takes a ``Delivery`` and either returns the provider's reference or
raises: ``Retry`` when trying again later may work (the provider is down or busy), ``GiveUp`` when it never will
(a malformed number, a webhook that no longer exists)."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from notifications_python_client.errors import HTTPError as NotifyHTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from custos.notify.models import ChannelKind, Delivery

TIMEOUT_SECONDS = 10


class Retry(Exception):
    """The provider did not take the message this time."""


class GiveUp(Exception):
    """The provider refused the message for good."""


def _permanent(status: int | None) -> bool:
    # 4xx means the request itself is wrong, except 408 (timeout) and 429 (rate limited), which pass.
    return status is not None and 400 <= status < 500 and status not in (408, 429)


def send_sms(delivery: Delivery) -> str:
    """GOV.UK Notify: ``POST /v2/notifications/sms`` signed with a JWT from the trust's API key. The template must
    be the text ``((message))`` alone, so that Custos decides every word."""
    if not settings.CUSTOS_NOTIFY_API_KEY or not settings.CUSTOS_NOTIFY_SMS_TEMPLATE_ID:
        raise Retry("GOV.UK Notify is not configured (CUSTOS_NOTIFY_API_KEY, CUSTOS_NOTIFY_SMS_TEMPLATE_ID)")
    client = NotificationsAPIClient(
        settings.CUSTOS_NOTIFY_API_KEY, base_url=settings.CUSTOS_NOTIFY_BASE_URL, timeout=TIMEOUT_SECONDS
    )
    try:
        response = client.send_sms_notification(
            phone_number=delivery.to,
            template_id=settings.CUSTOS_NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"message": f"{delivery.text} {delivery.link}"},
            reference=delivery.key,
        )
    except NotifyHTTPError as error:
        if _permanent(error.status_code):
            raise GiveUp(f"GOV.UK Notify refused it ({error.status_code}): {error.message}") from error
        raise Retry(f"GOV.UK Notify answered {error.status_code}") from error
    except requests.RequestException as error:
        raise Retry(f"GOV.UK Notify could not be reached: {type(error).__name__}") from error
    return str(response.get("id", ""))


def teams_payload(delivery: Delivery) -> dict[str, Any]:
    """A Teams incoming webhook (Workflows, or the older connectors): a message carrying one Adaptive Card."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": delivery.subject, "weight": "Bolder", "wrap": True},
                        {"type": "TextBlock", "text": delivery.text, "wrap": True},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open Custos", "url": delivery.link}],
                },
            }
        ],
    }


def slack_payload(delivery: Delivery) -> dict[str, Any]:
    """A Slack incoming webhook: ``text`` for notifications, and blocks with a button to the alert."""
    return {
        "text": f"{delivery.subject}: {delivery.text} {delivery.link}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{delivery.subject}*\n{delivery.text}"}},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open Custos"}, "url": delivery.link}
                ],
            },
        ],
    }


def _post_webhook(name: str, url: str, payload: dict[str, Any]) -> str:
    try:
        response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    except requests.RequestException as error:
        raise Retry(f"{name} could not be reached: {type(error).__name__}") from error
    if _permanent(response.status_code):
        raise GiveUp(f"{name} refused it ({response.status_code}): the webhook may have been removed")
    if response.status_code >= 300:
        raise Retry(f"{name} answered {response.status_code}")
    return ""


def send_teams(delivery: Delivery) -> str:
    return _post_webhook("Microsoft Teams", delivery.to, teams_payload(delivery))


def send_slack(delivery: Delivery) -> str:
    return _post_webhook("Slack", delivery.to, slack_payload(delivery))


# Email is not here: it goes through the mail outbox (``custos.mail``), which keeps and retries it.
SENDERS = {
    ChannelKind.SMS: send_sms,
    ChannelKind.TEAMS: send_teams,
    ChannelKind.SLACK: send_slack,
}


def send(delivery: Delivery) -> str:
    return SENDERS[ChannelKind(delivery.kind)](delivery)
