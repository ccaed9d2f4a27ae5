"""allauth.mfa's pages inside the site: they render under the CSP, every control has a
label, the QR code is a data: image, and each 2FA change lands in the audit trail."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.utils import timezone

from accounts.documents import document_store
from accounts.models import IdentityDocument, MfaResetRequest, SecurityEvent

from .conftest import give_totp, password_step, reauthenticate, selfie

SIGNED_IN_PAGES = [
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/webauthn/add/",
    "/account/security/",
]


class PageAudit(HTMLParser):
    """Collects what the CSP forbids and the controls without a label."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[dict] = []
        self.inline_scripts: list[str] = []
        self.styles: list[str] = []
        self.images: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs or tag == "style":
            self.styles.append(tag)
        if any(name.startswith("on") for name in attrs):
            self.styles.append(f"{tag} handler")
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        if tag == "script":
            self._script = attrs
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_data(self, data):
        if self._script is not None and data.strip():
            kind = self._script.get("type", "text/javascript")
            if kind != "application/json":  # data blocks are never run
                self.inline_scripts.append(data.strip()[:60])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def unlabelled(self) -> list[dict]:
        return [
            control
            for control in self.controls
            if control.get("id") not in self.labels
            and not control.get("aria-label")
            and not control.get("aria-labelledby")
        ]


def audit(response) -> PageAudit:
    page = PageAudit()
    page.feed(response.content.decode())
    return page


@pytest.fixture
def signed_in(client, person):
    password_step(client, person)
    reauthenticate(client)
    return client


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_pages_render_under_the_csp_with_every_control_labelled(signed_in, path):
    response = signed_in.get(path)

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = audit(response)
    assert page.inline_scripts == []
    assert page.styles == []
    assert page.unlabelled() == []


def test_the_qr_code_is_a_data_image_the_csp_allows(signed_in):
    response = signed_in.get("/accounts/2fa/totp/activate/")

    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    (qr,) = [src for src in audit(response).images if src.startswith("data:")]
    assert qr.startswith("data:image/svg+xml;base64,")
    assert response.context["form"].secret in response.content.decode()


def test_the_2fa_sign_in_step_is_labelled_and_runs_no_inline_script(client, person):
    give_totp(person)
    password_step(client, person)

    response = client.get("/accounts/2fa/authenticate/")

    page = audit(response)
    assert page.inline_scripts == [] and page.styles == [] and page.unlabelled() == []


def test_the_recovery_codes_page_too(signed_in, person):
    give_totp(person)
    RecoveryCodes.activate(person)

    page = audit(signed_in.get("/accounts/2fa/recovery-codes/"))

    assert page.inline_scripts == [] and page.styles == [] and page.unlabelled() == []


# allauth sends its signals after commit, inside the request: real transactions.
@pytest.mark.django_db(transaction=True)
def test_2fa_changes_are_recorded(client, person):
    give_totp(person)
    RecoveryCodes.activate(person)
    password_step(client, person)
    client.logout()
    client.force_login(person)
    reauthenticate(client)

    client.post("/accounts/2fa/recovery-codes/generate/")
    client.post("/accounts/2fa/totp/deactivate/")

    kinds = list(
        SecurityEvent.objects.filter(user=person).order_by("id").values_list("kind", "detail")
    )
    assert (SecurityEvent.Kind.RECOVERY_CODES, {"type": "regenerated"}) in kinds
    assert (SecurityEvent.Kind.MFA_REMOVED, {"type": "totp"}) in kinds
    assert not Authenticator.objects.filter(user=person).exists()


def test_the_security_page_section_shows_status_and_a_pending_reset(client, person):
    give_totp(person)
    codes = RecoveryCodes.activate(person)
    codes.validate_code(codes.generate_codes()[0])
    client.force_login(person)
    page = client.get("/account/security/").content.decode()
    assert "Two-factor authentication" in page
    assert "9 left" in page
    assert "/accounts/2fa/totp/deactivate/" in page

    MfaResetRequest.objects.create(
        user=person,
        legal_name="Lin Wei",
        birth_date="1990-04-01",
        description="lost",
        selfie=document_store(user=person, kind=IdentityDocument.Kind.SELFIE, upload=selfie()),
        cooldown_ends_at=timezone.now(),
    )
    page = client.get("/account/security/").content.decode()
    assert "A two-factor reset is open for your account." in page
    assert "Cancel it with the link in the email" in page
