"""The bell without JavaScript: the notifications page, its mark-read form, the header bell."""

from __future__ import annotations

import re

import pytest
from django.test import Client

import notifications
from accounts.views import NOTIFICATIONS_PAGE_LIMIT
from notifications.models import Notification
from tests.notifications.conftest import hello_context

pytestmark = pytest.mark.django_db

PAGE = "/account/notifications/"
READ = "/account/notifications/read"


def ring(person, number: str = "240101-000042") -> Notification:
    (row,) = notifications.notify(
        kind="outbox_test.hello",
        recipient=person,
        context=hello_context(person, number),
        channels=("bell",),
    )
    return row


def unread_ids(person) -> set[int]:
    return set(notifications.bell_unread(user=person).values_list("id", flat=True))


@pytest.fixture
def other(user_factory):
    return user_factory(email="other@example.test")


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


def listed_ids(html: str) -> list[int]:
    return [
        int(value) for value in re.findall(r'<li class="notification[^"]*" data-id="(\d+)"', html)
    ]


def test_bell_page_lists_only_the_users_own_items_newest_first(
    test_kinds, signed_in, customer, other
):
    # given
    older, newer = ring(customer, "240101-000001"), ring(customer, "240101-000002")
    theirs = ring(other, "240101-000099")
    notifications.bell_mark_read(user=customer, ids=[older.id])
    # when
    response = signed_in.get(PAGE)
    # then: own items only, newest first, the unread one said to be unread in words
    html = response.content.decode()
    assert response.status_code == 200
    assert listed_ids(html) == [newer.id, older.id]
    assert "240101-000099" not in html and theirs.id not in listed_ids(html)
    assert html.count('<span class="notification-state">Unread</span>') == 1
    assert re.search(r'data-testid="unread-summary">\s*1 unread\s*<', html)
    assert 'href="/requests/240101-000002/"' in html
    assert 'href="/account/preferences/#notifications-heading"' in html


def test_bell_page_of_someone_without_notifications_says_so(signed_in):
    html = signed_in.get(PAGE).content.decode()
    assert "No notifications yet." in html
    assert listed_ids(html) == []
    assert "Mark all as read" not in html  # nothing to mark


def test_bell_page_shows_the_latest_fifty(test_kinds, signed_in, customer):
    # given
    rows = [ring(customer, f"240101-{n:06d}") for n in range(NOTIFICATIONS_PAGE_LIMIT + 1)]
    # when
    html = signed_in.get(PAGE).content.decode()
    # then
    assert listed_ids(html) == [row.id for row in reversed(rows)][:NOTIFICATIONS_PAGE_LIMIT]
    assert "Only the latest 50 are shown." in html


@pytest.mark.parametrize(("method", "url"), [("get", PAGE), ("post", READ)])
def test_bell_page_sends_anonymous_visitors_to_sign_in(client, method, url):
    response = getattr(client, method)(url, {"all": "1"} if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_bell_mark_read_marks_the_posted_ids_and_goes_back(test_kinds, signed_in, customer, other):
    # given
    first, second, theirs = ring(customer), ring(customer), ring(other)
    # when
    response = signed_in.post(READ, {"ids": [str(first.id)], "next": "/console/?queue=mine"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/console/?queue=mine"
    assert unread_ids(customer) == {second.id}
    assert unread_ids(other) == {theirs.id}


def test_bell_mark_read_all_marks_only_the_users_own_items(test_kinds, signed_in, customer, other):
    # given
    ring(customer), ring(customer)
    theirs = ring(other)
    # when
    response = signed_in.post(READ, {"all": "1"})
    # then: back to the page, which says so
    assert response.status_code == 302 and response["Location"] == PAGE
    assert unread_ids(customer) == set()
    assert unread_ids(other) == {theirs.id}
    html = signed_in.get(PAGE).content.decode()
    assert "Marked as read." in html
    assert re.search(r'data-testid="unread-summary">\s*0 unread\s*<', html)


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param("theirs", id="other-peoples-ids"),
        pytest.param(["999999999999999999"], id="no-such-id"),
    ],
)
def test_bell_mark_read_of_ids_not_ones_own_changes_nothing(
    test_kinds, signed_in, customer, other, ids
):
    # given
    mine, theirs = ring(customer), ring(other)
    posted = [str(theirs.id)] if ids == "theirs" else ids
    # when
    response = signed_in.post(READ, {"ids": posted})
    # then: a no-op
    assert response.status_code == 302
    assert unread_ids(customer) == {mine.id}
    assert unread_ids(other) == {theirs.id}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"ids": ""}, id="empty"),
        pytest.param({"ids": "abc"}, id="not-a-number"),
        pytest.param({"ids": "1.5"}, id="decimal"),
        pytest.param({"ids": "-1"}, id="negative"),
        pytest.param({"ids": "0"}, id="zero"),
        pytest.param({"ids": "٣"}, id="non-ascii-digit"),
        pytest.param({"ids": "9" * 30}, id="past-bigint"),
        pytest.param({"ids": [str(n) for n in range(1, 202)]}, id="too-many"),
    ],
)
def test_bell_mark_read_refuses_malformed_ids(test_kinds, signed_in, customer, data):
    # given
    mine = ring(customer)
    # when
    response = signed_in.post(READ, data)
    # then: a 400 with the page and a message, and nothing marked
    assert response.status_code == 400
    assert "Those notifications could not be marked as read." in response.content.decode()
    assert unread_ids(customer) == {mine.id}


def test_bell_mark_read_of_a_huge_post_is_a_400(test_kinds, signed_in, customer):
    # given: more fields than Django parses (DATA_UPLOAD_MAX_NUMBER_FIELDS)
    mine = ring(customer)
    # when
    response = signed_in.post(READ, {"ids": [str(n) for n in range(1, 5000)]})
    # then
    assert response.status_code == 400
    assert unread_ids(customer) == {mine.id}


def test_bell_mark_read_goes_back_only_to_this_site(test_kinds, signed_in, customer):
    ring(customer)
    response = signed_in.post(READ, {"all": "1", "next": "https://evil.example/phish"})
    assert response["Location"] == PAGE


def test_bell_mark_read_needs_a_post_with_the_csrf_token(test_kinds, customer):
    # given
    mine = ring(customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    # when / then
    assert client.get(READ).status_code == 405
    assert client.post(READ, {"all": "1"}).status_code == 403
    assert unread_ids(customer) == {mine.id}


def test_header_shows_the_bell_to_staff_only(client, customer, user_factory):
    # given
    agent = user_factory(email="agent@example.test", is_staff=True)
    # when
    client.force_login(customer)
    customer_html = client.get(PAGE).content.decode()
    client.force_login(agent)
    agent_html = client.get(PAGE).content.decode()
    # then: a labelled link to the page (the script makes it a button and a panel)
    assert "data-bell" not in customer_html and "js/bell.js" not in customer_html
    assert "js/bell.js" in agent_html
    link = re.search(
        r'<a class="bell-toggle" href="([^"]+)" data-bell-link>(.*?)</a>', agent_html, re.S
    )
    assert link.group(1) == PAGE
    assert '<span class="visually-hidden">Notifications</span>' in link.group(2)
    assert 'data-text-name-unread="Notifications, %(count)s unread"' in agent_html
