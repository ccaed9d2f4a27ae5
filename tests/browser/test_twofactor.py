"""A customer turns on two-factor from the security page with an authenticator app (pyotp
reading the secret shown on the page), then signs out and back in with a code."""

from __future__ import annotations

import re
import time

import pyotp
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import SecurityEvent, User

PASSWORD = "correct-horse-battery-staple"


def _next_code(authenticator: pyotp.TOTP, used: str) -> str:
    """allauth accepts each code once: wait for the app's next one (at most one period)."""
    while (code := authenticator.now()) == used:
        time.sleep(0.25)
    return code


def test_customer_sets_up_totp_and_signs_in_with_it(page, transactional_db):
    customer = User.objects.create_user("mei@example.test", PASSWORD)
    EmailAddress.objects.create(user=customer, email=customer.email, verified=True, primary=True)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    # sign in with the password only
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    # the security page: 2FA is off; set up an authenticator app
    page.goto("/account/security/")
    section = page.get_by_test_id("twofactor-section")
    expect(section).to_contain_text("Off.")
    section.get_by_role("link", name="Set up an authenticator app").click()
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks again before a 2FA change
    page.get_by_label("Password").press("Enter")

    # the QR code is shown, and the secret beside it: the "app" reads the secret
    qr = page.locator("main img")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())  # it rendered
    secret = page.get_by_label("Authenticator secret").input_value()
    app = pyotp.TOTP(secret)
    first_code = app.now()
    page.get_by_label("Authenticator code").fill(first_code)
    page.get_by_role("button", name="Activate").click()

    # recovery codes are shown, then the security page says 2FA is on
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.goto("/account/security/")
    expect(page.get_by_test_id("twofactor-section")).to_contain_text("On.")
    expect(page.get_by_test_id("twofactor-section")).to_contain_text("10 left")

    # sign out, and back in: password, then a code from the app
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page.get_by_role("link", name="Lost your device?")).to_be_visible()
    # the security-key option is wired by our static file (no inline script)
    expect(page.get_by_role("button", name="Use a security key")).to_be_visible()
    # (deferred scripts: wait until they ran; fails if the function never appears)
    page.wait_for_function(
        "() => typeof window.allauth?.webauthn?.forms?.authenticateForm === 'function'"
    )
    assert page.evaluate("JSON.parse(document.getElementById('js_data').textContent)")[
        "request_options"
    ]
    page.get_by_label("Code").fill(_next_code(app, first_code))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    assert blocked == []
    assert SecurityEvent.objects.filter(user=customer, kind=SecurityEvent.Kind.MFA_ADDED).exists()
