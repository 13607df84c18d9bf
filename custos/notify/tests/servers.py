"""Local HTTP servers standing in for GOV.UK Notify, Teams and Slack: each checks every request against the
provider's published format and answers as the provider does, or as a provider that is down.

- GOV.UK Notify, ``POST /v2/notifications/sms`` (docs.notifications.service.gov.uk/rest-api.html): a bearer JWT
  signed HS256 with the API key's secret, claims ``iss`` (the service id) and ``iat`` (within 30 s); a JSON body
  with ``phone_number`` and ``template_id`` and optionally ``personalisation``, ``reference``, ``sms_sender_id``.
  201 with the notification's ``id``, ``reference``, ``content``, ``uri`` and ``template``; errors as
  ``{"status_code": …, "errors": [{"error": …, "message": …}]}``.
- Teams incoming webhook (Workflows): ``{"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "content": {"type": "AdaptiveCard", …}}]}``, answered 202.
- Slack incoming webhook (api.slack.com/messaging/webhooks): JSON with ``text`` (and optional ``blocks``),
  answered 200 ``ok``; ``400 invalid_payload`` / ``no_text`` otherwise.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"custos_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


class ProviderServer:
    """A provider on a free loopback port. ``received`` holds each accepted request's JSON; ``refused`` the reason
    for each request that broke the format; ``down`` makes it answer ``outage_status`` to everything."""

    name = "provider"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.attempts = 0
        self.down = False
        self.outage_status = 503
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ProviderServer:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with outer._lock:
                    outer.attempts += 1
                    if outer.down:
                        self._answer(outer.outage_status, outer.outage_body())
                        return
                    status, body = outer.handle(self.path, dict(self.headers), raw)
                self._answer(status, body)

            def _answer(self, status: int, body: Any) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def outage_body(self) -> Any:
        return "Service Unavailable"

    def refuse(self, status: int, reason: str, body: Any) -> tuple[int, Any]:
        self.refused.append(reason)
        return status, body

    def json_body(self, headers: dict[str, str], raw: bytes) -> Any:
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if not content_type.startswith("application/json"):
            raise ValueError(f"Content-Type {content_type!r} is not application/json")
        return json.loads(raw)

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        raise NotImplementedError


def _notify_error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class NotifyServer(ProviderServer):
    name = "GOV.UK Notify"
    ALLOWED = {"phone_number", "template_id", "personalisation", "reference", "sms_sender_id"}

    def outage_body(self) -> Any:
        return _notify_error(self.outage_status, "Exception", "Internal server error")

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        if path != "/v2/notifications/sms":
            return self.refuse(404, f"path {path}", _notify_error(404, "NotFound", "Not found"))
        lower = {k.lower(): v for k, v in headers.items()}
        auth = lower.get("authorization", "")
        if not auth.startswith("Bearer "):
            return self.refuse(401, "no bearer token", _notify_error(401, "AuthError", "Unauthorized"))
        try:
            claims = jwt.decode(
                auth.removeprefix("Bearer "), SECRET, algorithms=["HS256"], options={"require": ["iss", "iat"]}
            )
        except jwt.PyJWTError as error:
            return self.refuse(403, f"bad JWT: {error}", _notify_error(403, "AuthError", "Invalid token: signature"))
        if claims["iss"] != SERVICE_ID:
            return self.refuse(403, "wrong iss", _notify_error(403, "AuthError", "Invalid token: service not found"))
        if abs(claims["iat"] - time.time()) > 30:
            return self.refuse(
                403,
                "stale iat",
                _notify_error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"),
            )
        try:
            body = self.json_body(headers, raw)
        except ValueError as error:
            return self.refuse(400, str(error), _notify_error(400, "BadRequestError", "Invalid JSON supplied"))
        if not isinstance(body, dict) or set(body) - self.ALLOWED or not {"phone_number", "template_id"} <= set(body):
            return self.refuse(400, f"fields {sorted(body)}", _notify_error(400, "ValidationError", "bad fields"))
        if body["template_id"] != TEMPLATE_ID:
            return self.refuse(400, "template", _notify_error(400, "BadRequestError", "Template not found"))
        personalisation = body.get("personalisation", {})
        if not isinstance(personalisation, dict) or not isinstance(personalisation.get("message"), str):
            return self.refuse(
                400, "personalisation", _notify_error(400, "BadRequestError", "Missing personalisation: message")
            )
        if not str(body["phone_number"]).startswith("+44"):
            return self.refuse(
                400, "number", _notify_error(400, "ValidationError", "phone_number Not a UK mobile number")
            )
        self.received.append(body)
        notification_id = str(uuid.uuid4())
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {"body": personalisation["message"], "from_number": "GOVUK"},
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": TEMPLATE_ID, "version": 1, "uri": f"{self.url}/v2/template/{TEMPLATE_ID}"},
        }


class TeamsServer(ProviderServer):
    name = "Microsoft Teams"

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        try:
            body = self.json_body(headers, raw)
            assert body["type"] == "message", "type must be message"
            [attachment] = body["attachments"]
            assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive", "contentType"
            card = attachment["content"]
            assert card["type"] == "AdaptiveCard" and card["version"], "not an Adaptive Card"
            assert all(block["type"] == "TextBlock" and block["text"] for block in card["body"]), "body"
            assert all(a["type"] == "Action.OpenUrl" and a["url"].startswith("http") for a in card["actions"]), "act"
        except (ValueError, KeyError, TypeError, AssertionError) as error:
            return self.refuse(400, f"not a Teams message: {error}", "Bad payload")
        self.received.append(body)
        return 202, ""


class SlackServer(ProviderServer):
    name = "Slack"

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        try:
            body = self.json_body(headers, raw)
        except ValueError:
            return self.refuse(400, "not JSON", "invalid_payload")
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
            return self.refuse(400, "no text", "no_text")
        for block in body.get("blocks", []):
            if block.get("type") not in {"section", "actions", "context", "divider", "header"}:
                return self.refuse(400, f"block {block.get('type')}", "invalid_blocks")
        self.received.append(body)
        return 200, "ok"
