"""Agents see where a message came from and can open the original; nobody else can."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_role_grant
from tests.mail.builders import customer_email
from tickets.mail.intake import email_ingest
from tickets.models import InboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _scratch_media(private_media):
    pass


def staff(user_factory, email: str, role: Role) -> User:
    user = user_factory(email=email)
    user_role_grant(user=user, role=role)
    return user


@pytest.fixture
def emailed() -> InboundEmail:
    message = customer_email(
        sender="stranger@example.test",
        body="My withdrawal is stuck.\n\n-- \nSent from my phone",
        html="<p>My withdrawal is <b>stuck</b>.</p><script>alert(1)</script>",
    )
    return email_ingest(message.as_bytes(), source="imap").inbound


def test_the_ticket_page_says_by_email_and_links_the_original(client, user_factory, emailed):
    agent = staff(user_factory, "agent@example.test", Role.AGENT)
    client.force_login(agent)
    page = client.get(reverse("tickets:console-ticket", args=[emailed.ticket.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "by email" in html and "unverified sender" in html
    assert reverse("tickets:console-email", args=[emailed.id]) in html


def test_the_original_shows_text_headers_and_safe_html(client, user_factory, emailed):
    client.force_login(staff(user_factory, "agent@example.test", Role.AGENT))
    page = client.get(reverse("tickets:console-email", args=[emailed.id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sent from my phone" in html  # the whole text, signature included
    assert "<b>stuck</b>" in html and "alert(1)" not in html
    assert "stranger@example.test" in html and "unverified sender" in html


def test_the_raw_download_is_the_exact_bytes_as_an_attachment(client, user_factory, emailed):
    client.force_login(staff(user_factory, "agent@example.test", Role.AGENT))
    response = client.get(reverse("tickets:console-email-raw", args=[emailed.id]))
    assert response.status_code == 200
    assert response.content == emailed.raw
    assert response["Content-Disposition"].startswith("attachment;")


def test_customers_cannot_open_an_email_record(client, user_factory, emailed):
    client.force_login(emailed.ticket.requester)
    for name in ("tickets:console-email", "tickets:console-email-raw"):
        assert client.get(reverse(name, args=[emailed.id])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, emailed):
    response = client.get(reverse("tickets:console-email", args=[emailed.id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mail_that_opened_nothing_is_for_supervisors_only(client, user_factory, db):
    bulk = customer_email(sender="news@example.test", headers={"Precedence": "bulk"})
    record = email_ingest(bulk.as_bytes(), source="imap").inbound
    agent = staff(user_factory, "agent@example.test", Role.AGENT)
    boss = staff(user_factory, "boss@example.test", Role.SUPERVISOR)
    client.force_login(agent)
    assert client.get(reverse("tickets:console-email", args=[record.id])).status_code == 403
    assert client.get(reverse("tickets:console-emails")).status_code == 403
    client.force_login(boss)
    listing = client.get(reverse("tickets:console-emails"), {"outcome": "bulk"})
    assert listing.status_code == 200 and "news@example.test" in listing.content.decode()
    assert client.get(reverse("tickets:console-email", args=[record.id])).status_code == 200


def test_an_unknown_email_id_is_404(client, user_factory, db):
    client.force_login(staff(user_factory, "boss@example.test", Role.SUPERVISOR))
    assert client.get(reverse("tickets:console-email", args=[999999])).status_code == 404


def test_the_requester_panel_says_when_their_address_bounces(client, user_factory, emailed):
    # given: mail to the stranger bounced for good
    from tests.mail.test_intake import bounce_for

    email_ingest(bounce_for("stranger@example.test"), source="imap")
    client.force_login(staff(user_factory, "agent@example.test", Role.AGENT))
    # when
    page = client.get(reverse("tickets:console-ticket", args=[emailed.ticket.number]))
    # then
    html = page.content.decode()
    assert 'data-testid="email-bounces"' in html and "5.1.1" in html


def test_a_seed_phrase_in_an_email_is_masked_everywhere_agents_look(client, user_factory, db):
    # given: a customer emails their seed phrase, in text and HTML
    from mnemonic import Mnemonic

    # A fixed phrase (valid checksum): a test decides the same way every time.
    phrase = Mnemonic("english").to_mnemonic(bytes(range(16)))
    message = customer_email(
        sender="victim@example.test",
        body=f"Help, my wallet is empty. My seed is {phrase}",
        html=f"<p>Help, my wallet is empty. My seed is {phrase}</p>",
    )
    record = email_ingest(message.as_bytes(), source="imap").inbound
    agent = staff(user_factory, "agent@example.test", Role.AGENT)
    client.force_login(agent)
    # then: the ticket, the record and its page never show it to an agent
    first_words = " ".join(phrase.split()[:6])
    assert first_words not in record.ticket.messages.first().body
    assert first_words not in record.text and record.html == ""
    assert record.masked == ["seed_phrase"]
    page = client.get(reverse("tickets:console-email", args=[record.id])).content.decode()
    assert first_words not in page
    # and the raw original, the one unmasked copy, is for supervisors only
    raw_url = reverse("tickets:console-email-raw", args=[record.id])
    assert client.get(raw_url).status_code == 403
    client.force_login(staff(user_factory, "boss@example.test", Role.SUPERVISOR))
    # read as a mail client would: the encoder may fold or encode a line inside the phrase
    raw = message_from_bytes(client.get(raw_url).content, policy=policy.default)
    assert first_words in raw.get_body(("plain",)).get_content()


def test_an_outsiders_email_noted_on_a_ticket_is_masked_too(user_factory, emailed):
    from mnemonic import Mnemonic

    from notifications import threads
    from notifications.models import Notification

    phrase = Mnemonic("english").to_mnemonic(bytes(range(16, 32)))
    row = Notification.objects.filter(context__ticket_id=emailed.ticket.id).latest("id")
    reply = customer_email(
        sender="eve@example.test",
        body=f"Here is the seed: {phrase}",
        in_reply_to=threads.message_id(row.id, f"ticket-{emailed.ticket.id}"),
    )
    note = email_ingest(reply.as_bytes(), source="imap").inbound.ticket_message
    assert note.visibility == "internal" and note.masked == ["seed_phrase"]
    assert " ".join(phrase.split()[:6]) not in note.body
