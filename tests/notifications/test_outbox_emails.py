"""What the outbox sends: the recipient's language, text and HTML, the anti-phishing block."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation

import notifications
from notifications.tasks import send_notification
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db(transaction=True)


def set_code(person, code: str = "BLUE-OTTER-42"):
    person.anti_phishing_code = code
    person.save(update_fields=["anti_phishing_code"])
    return person


def send_hello(person, **kwargs) -> None:
    with transaction.atomic():
        rows = notifications.notify(
            kind="outbox_test.hello", context=hello_context(person), recipient=person, **kwargs
        )
    for row in rows:
        assert send_notification.apply(args=[row.id]).result == "sent"


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_email_is_in_the_recipients_language_with_text_and_html(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    # given: a customer who reads Chinese, while the sender's thread is in English
    person = user_factory(language="zh-hans", first_name="Mei")
    # when
    send_hello(person)
    # then
    (message,) = smtp_server.received
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    # (Django folds an encoded subject onto a continuation line; parsers keep the space)
    assert message["Subject"].strip() == "[Beacon] 我们已收到您的工单 240101-000042"
    assert "您的偏好设置" in text and "您的偏好设置" in html  # the kind's own text
    assert '<html lang="zh-hans">' in html
    footer = translation.override("zh-hans")(translation.gettext)(
        "Beacon staff will never ask for your password, seed phrase, private key or 2FA codes."
    )
    assert footer in text and footer in html  # the layout's text
    assert "Hello Mei, about 240101-000042." in text
    assert "http://127.0.0.1:8000/requests/240101-000042/" in text


def test_email_in_english_for_an_english_customer(test_kinds, outbox_queue, smtp_server, customer):
    # given: the request was made from a Chinese page, but the customer reads English
    # when
    with translation.override("zh-hans"):
        send_hello(customer)
    # then
    (message,) = smtp_server.received
    text, html = parts(message)
    assert message["Subject"] == "[Beacon] We received your request 240101-000042"
    assert "Your preferences" in text and '<html lang="en">' in html


def test_email_language_can_be_chosen_by_the_caller(
    test_kinds, outbox_queue, smtp_server, customer
):
    # when: the ticket was filed in Chinese, say
    send_hello(customer, language="zh-hans")
    # then
    (message,) = smtp_server.received
    assert "我们已收到您的工单" in message["Subject"]


def test_email_shows_the_anti_phishing_code_in_the_header(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given
    set_code(customer)
    # when
    send_hello(customer)
    # then: the code sits in the layout's header, before the kind's content, in both parts
    text, html = parts(smtp_server.received[0])
    assert text.index("BLUE-OTTER-42") < text.index("Your preferences")
    assert "Anti-phishing code: BLUE-OTTER-42" in text
    assert html.index('id="anti-phishing-code"') < html.index('id="content"')
    assert "BLUE-OTTER-42</strong>" in html


def test_email_shows_the_anti_phishing_code_in_chinese_too(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    send_hello(set_code(user_factory(language="zh-hans")))
    text, html = parts(smtp_server.received[0])
    assert "防钓鱼码： BLUE-OTTER-42" in text
    assert html.index("BLUE-OTTER-42") < html.index('id="content"')


def test_email_of_a_kind_that_skips_the_layout_is_not_sent_without_the_code(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: a kind whose templates do not extend accounts/email/base.*
    set_code(customer)
    bare = notifications.NotificationKind(
        name="outbox_test.bare", label="Bare", subject="Bare", template="outbox_test/email/bare"
    )
    notifications.register(bare)
    try:
        with transaction.atomic():
            (row,) = notifications.notify(kind="outbox_test.bare", recipient=customer, context={})
        # when
        result = send_notification.apply(args=[row.id]).result
    finally:
        notifications.unregister("outbox_test.bare")
    # then: failed, and the reason names the template
    assert result == "failed" and smtp_server.received == []
    row.refresh_from_db()
    assert "outbox_test/email/bare does not extend" in row.last_error


def test_email_without_an_anti_phishing_code_has_no_code_block(
    test_kinds, outbox_queue, smtp_server, customer
):
    send_hello(customer)
    text, html = parts(smtp_server.received[0])
    assert "Anti-phishing code" not in text and "anti-phishing-code" not in html


def test_email_to_someone_without_an_account_uses_the_active_language(
    test_kinds, outbox_queue, smtp_server, customer
):
    # given: a guest writing from a Chinese page
    with translation.override("zh-hans"), transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.hello", to_email="guest@example.test", context=hello_context(customer)
        )
    # when
    assert send_notification.apply(args=[row.id]).result == "sent"
    # then: in Chinese, to the guest, and without a preferences link (a guest has none)
    (message,) = smtp_server.received
    assert row.language == "zh-hans" and message["To"] == "guest@example.test"
    text, _ = parts(message)
    assert "您的偏好设置" in text and "/account/preferences/" not in text


def test_email_of_a_non_essential_kind_links_to_the_preferences(
    test_kinds, outbox_queue, smtp_server, customer
):
    send_hello(customer)
    text, html = parts(smtp_server.received[0])
    assert "http://127.0.0.1:8000/account/preferences/" in text
    assert 'href="http://127.0.0.1:8000/account/preferences/"' in html


def test_email_of_an_essential_kind_has_no_preferences_link(
    test_kinds, outbox_queue, smtp_server, customer
):
    # when
    with transaction.atomic():
        (row,) = notifications.notify(
            kind="outbox_test.security", recipient=customer, context=hello_context(customer)
        )
    send_notification.apply(args=[row.id])
    # then: nothing suggests it could be turned off
    text, _ = parts(smtp_server.received[0])
    assert "preferences" not in text.lower().replace("your preferences", "")


def test_email_escapes_what_people_typed_in_html_but_not_in_text(
    test_kinds, outbox_queue, smtp_server, user_factory
):
    # given
    person = user_factory(first_name="<b>Eve</b> & co")
    # when
    send_hello(person)
    # then
    text, html = parts(smtp_server.received[0])
    assert "Hello <b>Eve</b> & co," in text
    assert "Hello &lt;b&gt;Eve&lt;/b&gt; &amp; co," in html
