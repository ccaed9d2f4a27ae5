"""Identity verification in Chromium: the customer chooses files, sees previews and the
progress bar, and submits; a reviewer opens the queue, sees the images and rejects with
a reason; the customer reads the reason."""

from __future__ import annotations

import random
import re
import struct
import zlib
from collections.abc import Callable, Iterator

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.kyc.services import kyc_review, kyc_submit
from accounts.models import KycSubmission, ReviewStatus, Role, User
from accounts.services import user_role_grant

PASSWORD = "correct-horse-battery-staple"
NOTE = "The lower edge of the back side is cut off."


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A real RGB PNG of noise: it does not compress, so its size is about w × h × 3."""
    noise = random.Random(seed)
    rows = b"".join(b"\x00" + noise.randbytes(width * 3) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def make_person(email: str, *, role: Role | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role is not None:
        user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator[Callable[[User], Page]]:
    contexts = []

    def open_for(user: User) -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(user.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    yield open_for
    for context in contexts:
        context.close()


def test_kyc_upload_review_and_rejection(sign_in, private_media, tmp_path):
    customer = make_person("alice@example.test")
    reviewer = make_person("reviewer@example.test", role=Role.SECURITY_REVIEWER)
    basic = kyc_submit(
        user=customer,
        level=1,
        documents={},
        legal_name="Alice Example",
        birth_date=timezone.localdate().replace(year=1990, month=5, day=17),
        nationality="SG",
    )
    kyc_review(reviewer=reviewer, submission_id=basic.id, approve=True)
    files = {
        "front": png_bytes(400, 300, seed=1),  # about 360 kB: long enough to watch upload
        "back": png_bytes(40, 30, seed=2),
        "selfie": png_bytes(30, 40, seed=3),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.png"
        paths[name].write_bytes(data)
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a picture")

    # --- 1. the customer chooses files and sees previews ------------------------------------
    me = sign_in(customer)
    me.goto("/account/verification/")
    expect(me.get_by_test_id("kyc-level")).to_contain_text("Your verification level: 1")
    expect(me.get_by_role("heading", name="Verify level 2")).to_be_visible()
    expect(me.get_by_text("We usually review within 1–3 business days.")).to_be_visible()

    # A wrong type is caught before anything is sent.
    front = me.get_by_label("Identity document, front")
    front.set_input_files(wrong)
    field = me.locator(".kyc-file", has=front)
    expect(field.locator("[data-kyc-file-error]")).to_have_text(
        "notes.txt is not a JPEG, PNG or WebP image or a PDF."
    )
    expect(front).to_have_attribute("aria-invalid", "true")

    front.set_input_files(paths["front"])
    me.get_by_label("Identity document, back").set_input_files(paths["back"])
    me.get_by_label("Selfie").set_input_files(paths["selfie"])
    expect(field.locator("[data-kyc-file-error]")).to_be_hidden()
    previews = me.locator("[data-kyc-preview-image]")
    expect(previews).to_have_count(3)
    for index in range(3):
        expect(previews.nth(index)).to_have_attribute("src", re.compile(r"^blob:"))
        # Decoded by the browser: a real image, not a broken icon.
        assert previews.nth(index).evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

    # --- 2. it uploads with a progress bar (upload throttled so the bar can be seen) ----------
    cdp = me.context.new_cdp_session(me)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 100_000},
    )
    me.get_by_role("button", name="Submit for review").click()
    bar = me.locator("[data-upload-progress]")
    expect(bar).to_be_visible()
    expect(me.locator("[data-upload-text]")).to_have_text(re.compile(r"^[1-9]\d?%$"))
    expect(me.get_by_role("button", name="Submit for review")).to_be_disabled()
    expect(me.locator(".messages")).to_contain_text("we received it", timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(me.get_by_role("heading", name="Level 2 is under review")).to_be_visible()
    submission = KycSubmission.objects.get(user=customer, level=2)
    assert submission.status == ReviewStatus.PENDING
    assert {doc.kind: doc.size for doc in submission.documents.all()} == {
        "id_front": len(files["front"]),
        "id_back": len(files["back"]),
        "selfie": len(files["selfie"]),
    }

    # --- 3. a reviewer opens the queue, sees the images and rejects with a reason --------------
    desk = sign_in(reviewer)
    desk.goto("/console/security/kyc/")
    expect(desk.get_by_test_id("kyc-queue-count")).to_have_text("(1)")
    desk.get_by_role("link", name=f"#{submission.id}").click()
    expect(desk.get_by_test_id("kyc-legal-name")).to_have_text("Alice Example")
    images = desk.locator(".kyc-document img")
    expect(images).to_have_count(3)
    for index in range(3):
        assert images.nth(index).evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert images.nth(0).evaluate("img => img.naturalWidth") == 400
    desk.get_by_label("Glare, shadow or cut-off corners hide part of the document").check()
    desk.get_by_label("Note to the customer").fill(NOTE)
    desk.get_by_role("button", name="Reject").click()
    expect(desk.locator(".messages")).to_contain_text("Rejected.")
    expect(desk.get_by_test_id("kyc-document-views")).to_contain_text(reviewer.email)
    submission.refresh_from_db()
    assert submission.status == ReviewStatus.REJECTED
    assert submission.rejection_reasons == ["glare"]

    # --- 4. the customer reads the reason and may send it again --------------------------------
    me.goto("/account/verification/")
    rejected = me.get_by_test_id("kyc-submission").filter(has_text="Rejected").first
    expect(rejected).to_contain_text("Glare, shadow or cut-off corners hide part of the document")
    expect(rejected).to_contain_text(NOTE)
    expect(me.get_by_role("heading", name="Send level 2 again")).to_be_visible()
    assert me.locator("a[href*='/console/security/kyc/documents/']").count() == 0


def test_the_form_works_without_javascript(browser, live_server, private_media, tmp_path):
    customer = make_person("nojs@example.test")
    reviewer = make_person("reviewer@example.test", role=Role.SECURITY_REVIEWER)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en-US"
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.locator("input[name=login]").fill(customer.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("input[name=password]").press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

        page.goto("/account/verification/")
        page.get_by_label("Legal name, as on your identity document").fill("No Script")
        page.get_by_label("Date of birth").fill("1985-03-04")
        page.get_by_label("Nationality").select_option("DE")
        page.get_by_role("button", name="Submit for review").click()

        expect(page.locator(".messages")).to_contain_text("we received it")
        expect(page.get_by_role("heading", name="Level 1 is under review")).to_be_visible()
        basic = KycSubmission.objects.get(user=customer)
        assert (basic.legal_name, basic.nationality) == ("No Script", "DE")
        assert basic.birth_date.isoformat() == "1985-03-04"
        kyc_review(reviewer=reviewer, submission_id=basic.id, approve=True)

        page.goto("/account/verification/")
        for label, seed in (("Identity document, front", 4), ("Identity document, back", 5)):
            path = tmp_path / f"{seed}.png"
            path.write_bytes(png_bytes(20, 20, seed=seed))
            page.get_by_label(label).set_input_files(path)
        page.get_by_role("button", name="Submit for review").click()

        # A plain post: the server names the missing selfie and keeps nothing.
        expect(page.get_by_text("Choose a selfie.")).to_be_visible()
        assert not KycSubmission.objects.filter(user=customer, level=2).exists()
        selfie = tmp_path / "selfie.png"
        selfie.write_bytes(png_bytes(20, 20, seed=6))
        for label, path in (
            ("Identity document, front", tmp_path / "4.png"),
            ("Identity document, back", tmp_path / "5.png"),
            ("Selfie", selfie),
        ):
            page.get_by_label(label).set_input_files(path)
        page.get_by_role("button", name="Submit for review").click()
        expect(page.get_by_role("heading", name="Level 2 is under review")).to_be_visible()
    finally:
        context.close()
    advanced = KycSubmission.objects.get(user=customer, level=2)
    assert advanced.documents.count() == 3
