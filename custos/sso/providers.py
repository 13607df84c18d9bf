"""The configured OpenID Connect providers (settings.CUSTOS_SSO_PROVIDERS) as Authlib clients: state, nonce and
PKCE (S256) on every sign-in."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    label: str
    client_id: str
    client_secret: str
    discovery_url: str
    domains: tuple[str, ...]


_clients: dict[ProviderConfig, Any] = {}
_lock = threading.Lock()


def configured() -> list[ProviderConfig]:
    return [
        ProviderConfig(
            name=name,
            label=str(raw["label"]),
            client_id=str(raw["client_id"]),
            client_secret=str(raw["client_secret"]),
            discovery_url=str(raw["discovery_url"]),
            domains=tuple(str(d).lower() for d in raw["domains"]),
        )
        for name, raw in getattr(settings, "CUSTOS_SSO_PROVIDERS", {}).items()
    ]


def get(name: str) -> ProviderConfig | None:
    return next((p for p in configured() if p.name == name), None)


def client_for(provider: ProviderConfig) -> Any:
    """One Authlib client per configuration (its discovery document is fetched once and kept)."""
    with _lock:
        client = _clients.get(provider)
        if client is None:
            registry = OAuth()
            client = registry.register(
                provider.name,
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.discovery_url,
                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 10},
            )
            _clients[provider] = client
        return client
