"""`make run` on a laptop: DEBUG, a secret kept under var/, mail to the console."""

from __future__ import annotations

import base64
import secrets

from config.env import VAR_DIR

from .base import *  # noqa: F403
from .base import DOCUMENT_ENCRYPTION_KEYS, SECRET_KEY, STATIC_ROOT

DEBUG = True
# WebAuthn wants HTTPS; `make run` serves plain HTTP on localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
ALLOWED_HOSTS = ["*"]


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
