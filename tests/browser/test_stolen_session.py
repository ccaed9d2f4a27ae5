"""The stolen-session story of issue 5, in Chromium, from the alert to getting the account back.

A customer with TOTP and an approved identity verification is signed in on their laptop
(context A). A thief who has the password and a 2FA code signs in on an iPhone (context B).
The customer reads the new-device alert in their mail (context C, signed out) and follows
"This wasn't me"; both sessions die and the thief meets the frozen-account page. The
customer appeals with a selfie, two security reviewers approve it in their own browsers,
and the customer chooses a new password and sets up 2FA again before anything else.

Emails are read as a person reads them: the HTML part opened in a browser tab, its links
clicked. Notification emails go through the outbox (`deliver_outbox` sends what is
pending, as the worker would); allauth's password-reset email is sent directly. Both land
in the locmem outbox, which the live server shares with the test (one process).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator

import pyotp
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import (
    AccountFreeze,
    KycSubmission,
    ReviewStatus,
    Role,
    SecurityEvent,
    UnfreezeAppeal,
    User,
)
from accounts.services import user_role_grant

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "quiet-lantern-orbit-2741"
ANTI_PHISHING_CODE = "Blue-Otter-7"
LEGAL_NAME = "Mei Lin"
BIRTH_DATE = dt.date(1990, 5, 17)
WHAT_HAPPENED = "I got a new-device alert for an iPhone. I do not own one; I froze it at once."
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
# The reviewers' office browser: it must not show up in the customer's own trail.
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SELFIE_SIZE = (24, 32)
# A code typed with less than this left in its 30-second window may arrive after it.
TOTP_MARGIN_SECONDS = 3


def png_bytes(width: int, height: int) -> bytes:
    """A real, tiny greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + bytes([(x * 10 + y) % 256 for x in range(width)]) for y in range(height)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def totp_code(app: pyotp.TOTP, used: tuple[str, ...] = ()) -> str:
    """A code the server will still take when it arrives: not one already used (allauth
    takes each once), and not one about to expire (allauth allows no clock drift)."""
    while True:
        left = app.interval - time.time() % app.interval
        code = app.now()
        if code not in used and left > TOTP_MARGIN_SECONDS:
            return code
        time.sleep(min(left, 0.5) if left > 0.05 else 0.05)


def make_person(email: str, *, role: Role | None = None, first_name: str = "") -> User:
    """A user allauth lets in: password set, email verified."""
    user = User.objects.create_user(email, PASSWORD, first_name=first_name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        user_role_grant(user=user, role=role)
    return user


def mails(to: str, subject: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if to in m.to and subject in m.subject]


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def open_email(page: Page, message) -> None:
    """Show the email's HTML part in the tab, as a mail client would."""
    page.set_content(html_of(message))


def signed_out(page: Page) -> None:
    header = page.locator("header")
    expect(header.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(header.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def signed_in(page: Page, user: User) -> None:
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.locator("header .account-link")).to_have_attribute("title", f"UID {user.uid}")


def password_step(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def code_step(page: Page, code: str) -> None:
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign In").click()


@pytest.fixture
def private_media(settings, tmp_path):
    """Selfies land in the test's own folder, not in var/private."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def browsers(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """A fresh browser context per device (its own cookies, so its own device cookie)."""
    contexts: list[BrowserContext] = []

    def open_one(**options) -> Page:
        options = {"viewport": DESKTOP, "locale": "en-US", **options}
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def emails_link_here(settings, live_server) -> None:
    """Links in our emails point at this live server (allauth's come from the request)."""
    settings.SITE_URL = live_server.url


def test_stolen_session_from_alert_to_reenrolment(
    browsers, deliver_outbox, private_media, emails_link_here, live_server, tmp_path
):
    # --- given: a verified customer with an anti-phishing code, TOTP and recovery codes ------
    customer = make_person("mei@example.test", first_name="Mei")
    customer.anti_phishing_code = ANTI_PHISHING_CODE
    customer.save(update_fields=["anti_phishing_code"])
    first_reviewer = make_person("rita@beacon.test", role=Role.SECURITY_REVIEWER)
    second_reviewer = make_person("ravi@beacon.test", role=Role.SECURITY_REVIEWER)
    KycSubmission.objects.create(
        user=customer,
        level=1,
        status=ReviewStatus.APPROVED,
        legal_name=LEGAL_NAME,
        birth_date=BIRTH_DATE,
        nationality="SG",
        reviewer=first_reviewer,
        reviewed_at=timezone.now(),
    )
    secret = generate_totp_secret()
    TOTP.activate(customer, secret)
    authenticator_app = pyotp.TOTP(secret)  # the customer's phone app; the thief has a copy
    recovery_codes = RecoveryCodes.activate(customer).get_unused_codes()
    selfie = tmp_path / "selfie.png"
    selfie.write_bytes(png_bytes(*SELFIE_SIZE))

    # --- 1. the customer signs in on their laptop, as usual: no alert -----------------------
    laptop = browsers()
    password_step(laptop, customer.email)
    # (A recovery code here leaves the app's current code for the thief: no wait.)
    code_step(laptop, recovery_codes[0])
    signed_in(laptop, customer)
    deliver_outbox()
    assert mails(customer.email, "New sign-in") == []

    # --- 2. the thief signs in on an iPhone with the stolen password and a 2FA code ---------
    thief = browsers(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=IPHONE_SAFARI)
    password_step(thief, customer.email)
    code_step(thief, totp_code(authenticator_app))
    signed_in(thief, customer)

    # then: the customer gets an alert that shows their anti-phishing code and the link
    deliver_outbox()
    (alert,) = mails(customer.email, "[Beacon] New sign-in to your account")
    assert f"Anti-phishing code: {ANTI_PHISHING_CODE}" in alert.body
    assert "Mobile Safari 17 on iPhone" in alert.body
    mailbox = browsers()  # the customer's mail, read in a browser that is not signed in
    open_email(mailbox, alert)
    expect(mailbox.locator("#anti-phishing-code")).to_contain_text(
        f"Anti-phishing code: {ANTI_PHISHING_CODE}"
    )
    expect(mailbox.get_by_text("Mobile Safari 17 on iPhone")).to_be_visible()
    not_me = mailbox.get_by_role("link", name="This wasn't me: freeze my account")
    expect(not_me).to_have_attribute(
        "href", re.compile(rf"^{re.escape(live_server.url)}/account/freeze/not-me/[^/]+/$")
    )

    # --- 3. the customer follows "This wasn't me", without signing in, and confirms -------
    not_me.click()
    expect(mailbox.get_by_role("heading", level=1)).to_have_text(
        "Someone else signed in? Freeze the account"
    )
    expect(mailbox.locator("main")).to_contain_text(customer.email)
    signed_out(mailbox)
    mailbox.get_by_role("button", name="Freeze the account now").click()
    expect(mailbox.get_by_test_id("frozen-heading")).to_have_text("Your account is frozen")
    expect(mailbox.get_by_role("heading", name="How to get your account back")).to_be_visible()
    freeze = AccountFreeze.objects.get(user=customer)
    assert freeze.source == AccountFreeze.Source.ALERT_LINK and freeze.lifted_at is None

    # --- 4. the thief's session is dead, and so is every other -------------------------------
    thief.reload()
    signed_out(thief)
    laptop.reload()
    signed_out(laptop)
    # signing in again: the right password meets the frozen-account page, not the 2FA step
    password_step(thief, customer.email)
    expect(thief.get_by_test_id("account-frozen")).to_have_text("Your account is frozen")
    expect(thief.get_by_role("heading", name="How to get your account back")).to_be_visible()
    expect(thief.get_by_role("link", name="Ask for a new appeal link")).to_be_visible()
    signed_out(thief)

    # --- 5. the freeze email's appeal link; the customer appeals with a selfie --------------
    deliver_outbox()
    (frozen,) = mails(customer.email, "[Beacon] Your account is frozen")
    open_email(mailbox, frozen)
    expect(mailbox.locator("#anti-phishing-code")).to_contain_text(ANTI_PHISHING_CODE)
    mailbox.get_by_role("link", name="Appeal the freeze").click()
    expect(mailbox.get_by_role("heading", level=1)).to_have_text("Appeal the freeze")
    appeal_url = mailbox.url
    mailbox.get_by_label("Legal name").fill(LEGAL_NAME)
    mailbox.get_by_label("Date of birth").fill(BIRTH_DATE.isoformat())
    mailbox.get_by_label("What happened?").fill(WHAT_HAPPENED)
    mailbox.get_by_label("A fresh selfie").set_input_files(selfie)
    expect(mailbox.get_by_role("img", name="Preview of your selfie")).to_be_visible()
    mailbox.get_by_role("button", name="Send my appeal").click()
    expect(mailbox.get_by_test_id("appeal-sent")).to_have_text("We received your appeal")
    expect(mailbox.locator("main")).to_contain_text("Two reviewers must approve it.")
    # the link again: under review, and no second appeal
    mailbox.goto(appeal_url)
    expect(mailbox.get_by_role("heading", level=1)).to_have_text("Your appeal is under review")
    appeal = UnfreezeAppeal.objects.get(user=customer)

    # --- 6. two reviewers approve, each in their own browser (four eyes) ---------------------
    def review(reviewer: User, *, approvals_before: int) -> Page:
        desk = browsers(user_agent=WINDOWS_CHROME)
        password_step(desk, reviewer.email)
        signed_in(desk, reviewer)
        desk.goto("/console/security/appeals/")
        expect(desk.get_by_role("heading", level=1)).to_have_text("Unfreeze appeals")
        row = desk.get_by_test_id("appeal-row").filter(has_text=customer.email)
        expect(row).to_contain_text(f"{approvals_before} / 2")
        row.get_by_role("link").click()

        expect(desk.get_by_role("heading", level=1)).to_have_text(
            f"Appeal of {customer.email} (UID {customer.uid})"
        )
        expect(desk.get_by_test_id("appeal-status")).to_have_text("Under review")
        says = desk.get_by_role("region", name="The appeal says")
        expect(says).to_contain_text(LEGAL_NAME)
        expect(says).to_contain_text(WHAT_HAPPENED)
        photo = says.get_by_role("img", name="Selfie sent with the appeal")
        assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == SELFIE_SIZE[0]
        kyc = desk.get_by_role("region", name="Approved identity verification")
        expect(kyc).to_contain_text(LEGAL_NAME)
        expect(kyc).to_contain_text(BIRTH_DATE.isoformat())
        expect(kyc.get_by_test_id("name-match")).to_have_text("matches")
        expect(kyc.get_by_test_id("birth-date-match")).to_have_text("matches")

        desk.get_by_role("radio", name="Approve").check()
        desk.get_by_label("Reason").fill(f"Selfie and KYC match ({reviewer.email}).")
        desk.get_by_role("button", name="Record my decision").click()
        return desk

    first_desk = review(first_reviewer, approvals_before=0)
    expect(first_desk.locator(".messages")).to_contain_text(
        "Your approval is recorded. A second reviewer must approve."
    )
    row = first_desk.get_by_test_id("appeal-row").filter(has_text=customer.email)
    expect(row).to_contain_text("1 / 2")
    row.get_by_role("link").click()
    expect(first_desk.get_by_test_id("appeal-status")).to_have_text("Under review")
    expect(first_desk.get_by_test_id("already-reviewed")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == UnfreezeAppeal.Status.PENDING

    second_desk = review(second_reviewer, approvals_before=1)
    expect(second_desk.locator(".messages")).to_contain_text(
        "Approved: the account is unfrozen and the customer emailed."
    )
    expect(second_desk.get_by_text("No appeals are waiting.")).to_be_visible()
    first_desk.reload()
    expect(first_desk.get_by_test_id("appeal-status")).to_have_text("Approved")
    appeal.refresh_from_db()
    assert appeal.status == UnfreezeAppeal.Status.APPROVED

    # --- 7. the customer resets the password from the email and must set up 2FA again -------
    deliver_outbox()
    (unfrozen,) = mails(customer.email, "[Beacon] Your account is unfrozen")
    assert f"Anti-phishing code: {ANTI_PHISHING_CODE}" in unfrozen.body
    (reset,) = mails(customer.email, "Password Reset")
    open_email(mailbox, reset)
    expect(mailbox.locator("#anti-phishing-code")).to_contain_text(ANTI_PHISHING_CODE)
    mailbox.locator("a[href*='/accounts/password/reset/key/']").click()
    expect(mailbox.get_by_role("heading", level=1)).to_have_text("Change Password")
    mailbox.get_by_label(re.compile(r"^New Password:?$")).fill(NEW_PASSWORD)
    mailbox.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    mailbox.get_by_role("button", name="Change Password").click()
    expect(mailbox.get_by_text("Your password is now changed.")).to_be_visible()

    # the old password (the thief's) no longer works
    password_step(thief, customer.email)
    expect(thief.get_by_text("not correct")).to_be_visible()
    signed_out(thief)

    # back on the laptop: signed in with the new password, only 2FA set-up is reachable
    password_step(laptop, customer.email, NEW_PASSWORD)
    # straight to the 2FA set-up (allauth may first ask for the password again)
    expect(laptop).to_have_url(re.compile(r"/accounts/(reauthenticate|2fa/totp/activate)/"))
    expect(laptop.locator(".messages")).to_contain_text(
        "Your two-factor authentication was removed. Set it up again before you continue."
    )
    if "/accounts/reauthenticate/" in laptop.url:
        expect(laptop.get_by_role("heading", name="Confirm Access")).to_be_visible()
        laptop.get_by_label("Password").fill(NEW_PASSWORD)
        laptop.get_by_label("Password").press("Enter")
    expect(laptop).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    for elsewhere in ("/requests/", "/account/security/", "/account/security/history/"):
        laptop.goto(elsewhere)
        expect(laptop).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    new_app = pyotp.TOTP(laptop.get_by_label("Authenticator secret").input_value())
    assert new_app.secret != secret
    laptop.get_by_label("Authenticator code").fill(totp_code(new_app))
    laptop.get_by_role("button", name="Activate").click()
    expect(laptop.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    laptop.goto("/requests/")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("My requests")
    customer.refresh_from_db()
    assert customer.is_active and not customer.mfa_reenrolment_required

    # --- 8. the customer's own audit trail tells the story ---------------------------------
    laptop.goto("/account/security/history/")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Security history")
    trail = laptop.locator("ol.security-events")
    new_device = trail.locator("[data-kind=new_device]")
    expect(new_device).to_have_count(1)
    expect(new_device).to_contain_text("Sign-in from a new device or network")
    expect(new_device).to_contain_text("Mobile Safari 17 on iPhone")
    expect(new_device).to_contain_text("new device")
    for kind, label in (
        ("frozen", "Account frozen"),
        ("appeal_submitted", "Unfreeze appeal submitted"),
        ("appeal_approved", "Unfreeze appeal approved"),
        ("password_reset", "Password reset"),
        ("mfa_added", "Two-factor method added"),
    ):
        expect(trail.locator(f"[data-kind={kind}]")).to_contain_text(label)
    # the reviewers are in it by what they did, not by where they sat or what they used
    expect(trail.locator("[data-kind=appeal_reviewed]")).to_have_count(2)
    expect(trail).not_to_contain_text("Chrome 120 on Windows")
    kinds = list(
        SecurityEvent.objects.filter(user=customer)
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )
    story = ["new_device", "frozen", "appeal_submitted", "appeal_approved", "password_reset"]
    assert [kind for kind in kinds if kind in story] == story
