"""`make run`'s demo staff have 2FA, and the printed secret gets an agent into the console."""

from __future__ import annotations

import json
from io import StringIO

import pyotp
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from accounts import demo
from accounts.models import User
from accounts.twofactor.demo import DEMO_TOTP_SECRET


def test_demo_staff_sign_in_to_the_console_with_the_printed_secret(
    client, db, settings, tmp_path, monkeypatch
):
    settings.BEACON_STAFF_MFA_REQUIRED = True
    monkeypatch.setattr("accounts.demo.CREDENTIALS_FILE", tmp_path / "demo.json")
    monkeypatch.setattr("accounts.demo.VAR_DIR", tmp_path)
    out = StringIO()

    demo.seed(out)
    demo.seed(StringIO())  # again: still one authenticator each

    printed = out.getvalue()
    assert DEMO_TOTP_SECRET in printed
    for email in ("agent@beacon.test", "supervisor@beacon.test", "admin@beacon.test"):
        assert Authenticator.objects.filter(user__email=email, type="totp").count() == 1
    assert not Authenticator.objects.filter(user__email="customer@beacon.test").exists()

    password = json.loads((tmp_path / "demo.json").read_text())["agent@beacon.test"]
    client.post("/accounts/login/", {"login": "agent@beacon.test", "password": password})
    code = StringIO()
    call_command("demo_totp_code", stdout=code, stderr=StringIO())
    assert code.getvalue().strip() == pyotp.TOTP(DEMO_TOTP_SECRET).now()
    client.post("/accounts/2fa/authenticate/", {"code": code.getvalue().strip()})

    assert client.get("/console/").status_code == 200
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="agent@beacon.test").pk
