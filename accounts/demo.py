"""Demo people for `make run`: passwords are random per checkout, kept in var/, printed at start."""

from __future__ import annotations

import json
import secrets

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_role_grant
from accounts.twofactor.demo import DEMO_TOTP_SECRET, demo_totp_ensure
from config.env import VAR_DIR

CREDENTIALS_FILE = VAR_DIR / "demo_credentials.json"

DEMO_PEOPLE = [
    # email, role, first name, language, superuser
    ("customer@beacon.test", Role.CUSTOMER, "Lin", "zh-hans", False),
    ("agent@beacon.test", Role.AGENT, "Alex", "en", False),
    # Chat agents for Chinese, and for both languages (livechat/demo.py sets what they serve).
    ("agent.zh@beacon.test", Role.AGENT, "Mei", "zh-hans", False),
    ("agent.both@beacon.test", Role.AGENT, "Jun", "zh-hans", False),
    ("supervisor@beacon.test", Role.SUPERVISOR, "Sam", "en", False),
    # With the admin, a second pair of eyes for unfreeze appeals.
    ("reviewer@beacon.test", Role.SECURITY_REVIEWER, "Rui", "zh-hans", False),
    ("admin@beacon.test", Role.ADMIN, "Ada", "en", True),
]


def _credentials() -> dict[str, str]:
    if CREDENTIALS_FILE.exists():
        return json.loads(CREDENTIALS_FILE.read_text())
    return {}


@transaction.atomic
def _ensure(
    email: str, role: Role, first_name: str, language: str, superuser: bool, password: str
) -> None:
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email, password, first_name=first_name, language=language)
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    user_role_grant(user=user, role=role)
    if role != Role.CUSTOMER:
        demo_totp_ensure(user)  # the console requires 2FA of staff


def seed(out) -> None:
    credentials = _credentials()
    for email, role, first_name, language, superuser in DEMO_PEOPLE:
        credentials.setdefault(email, secrets.token_urlsafe(9))
        _ensure(email, role, first_name, language, superuser, credentials[email])
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    CREDENTIALS_FILE.write_text(json.dumps(credentials, indent=2))
    CREDENTIALS_FILE.chmod(0o600)
    out.write("  demo sign-ins (also in var/demo_credentials.json):")
    for email, role, *_ in DEMO_PEOPLE:
        two_factor = "" if role == Role.CUSTOMER else "  + 2FA"
        out.write(f"    {role.label:<18} {email:<26} {credentials[email]}{two_factor}")
    out.write(
        f"  staff 2FA (demo-only TOTP secret): {DEMO_TOTP_SECRET}"
        "  -> current code: python manage.py demo_totp_code"
    )
