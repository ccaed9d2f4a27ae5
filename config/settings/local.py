"""`make run` on a laptop: DEBUG, a secret kept under var/, mail to the console."""

from __future__ import annotations

import base64
import secrets

from config.env import VAR_DIR

from .base import *  # noqa: F403
from .base import (
    CSRF_TRUSTED_ORIGINS,
    DOCUMENT_ENCRYPTION_KEYS,
    SECRET_KEY,
    SITE_URL,
    STATIC_ROOT,
    WEBSOCKET_EXTRA_ORIGINS,
)

DEBUG = True
# WebAuthn wants HTTPS; `make run` serves plain HTTP on localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
ALLOWED_HOSTS = ["*"]
# The origins `make run` serves (its default HOST and PORT, by address and by name);
# another port: BEACON_WEBSOCKET_ORIGINS. Not ALLOWED_HOSTS: "*" would let any page open
# a customer's chat with their cookie.
BEACON_WEBSOCKET_ORIGINS = [
    *dict.fromkeys(
        [
            SITE_URL,
            "http://127.0.0.1:8000",
            "http://localhost:8000",
            *CSRF_TRUSTED_ORIGINS,
            *WEBSOCKET_EXTRA_ORIGINS,
        ]
    )
]


def _local_secret_key() -> str:
    # Generated once per checkout so no key is ever committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _local_document_key() -> str:
    # Like the secret key: made once per checkout, kept under var/, never committed.
    path = VAR_DIR / "document_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _local_secret_key()
DOCUMENT_ENCRYPTION_KEYS = DOCUMENT_ENCRYPTION_KEYS or [_local_document_key()]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
