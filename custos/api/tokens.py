"""Token secrets: random, shown once, stored only as a SHA-256 (a fast hash is right for 256-bit random secrets)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "cst_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:10]
