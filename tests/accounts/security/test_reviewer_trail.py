"""Security reviewers: one customer's whole audit trail, found by UID or email."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role, SecurityEvent
from tests.accounts.security.conftest import browser, make_person, sign_in

pytestmark = pytest.mark.django_db

HOME = "/console/security/"


@pytest.fixture
def reviewer(db):
    person = make_person("reviewer@example.test", is_staff=True)
    person.groups.add(Group.objects.get_or_create(name=Role.SECURITY_REVIEWER.value)[0])
    client = browser()
    client.force_login(person)
    return person, client


def trail_url(user) -> str:
    return f"/console/security/customers/{user.uid}/"


def test_a_reviewer_sees_a_customers_trail_including_who_acted(alice, reviewer):
    person, client = reviewer
    # given: Alice signed in, failed once, and an agent froze her account
    sign_in(browser(ip="198.51.100.4"), alice.email, ip="198.51.100.4")
    sign_in(browser(ip="192.0.2.9"), alice.email, password="wrong-Password-1", ip="192.0.2.9")
    SecurityEvent.objects.create(user=alice, actor=person, kind=SecurityEvent.Kind.FROZEN)
    bob = make_person("bob@example.test")
    SecurityEvent.objects.create(user=bob, kind=SecurityEvent.Kind.CODE_SET, ip="192.0.2.200")
    # when
    response = client.get(trail_url(alice))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert str(alice.uid) in html and alice.email in html
    for text in ("Signed in", "198.51.100.4", "Failed sign-in attempt", "192.0.2.9"):
        assert text in html
    assert "Account frozen" in html and "by reviewer@example.test" in html
    assert "192.0.2.200" not in html  # Bob's line is not on Alice's page


def test_the_trail_never_shows_the_anti_phishing_code(alice, reviewer):
    alice.anti_phishing_code = "Blue-Owl-7"
    alice.save()
    html = reviewer[1].get(trail_url(alice)).content.decode()
    assert "Blue-Owl-7" not in html and "set" in html


def test_the_home_page_has_a_search_box_that_finds_by_uid_or_email(alice, reviewer):
    client = reviewer[1]
    html = client.get(HOME).content.decode()
    assert 'action="/console/security/customers/"' in html and 'name="q"' in html
    for query in (str(alice.uid), alice.email.upper(), f"  {alice.email} "):
        response = client.get("/console/security/customers/", {"q": query})
        assert response.status_code == 302 and response.url == trail_url(alice)


@pytest.mark.parametrize(
    "query",
    ["999999999", "nobody@example.test", "", "x" * 5000, "' OR 1=1 --"],
    ids=["uid", "email", "empty", "5000", "sql"],
)
def test_a_search_without_a_match_says_so(reviewer, query):
    response = reviewer[1].get("/console/security/customers/", {"q": query})
    assert response.status_code in (400, 404)
    assert (
        response.status_code == 400
        or "No customer has that UID or email" in response.content.decode()
    )


def test_an_unknown_uid_is_404(reviewer):
    assert reviewer[1].get("/console/security/customers/123456789/").status_code == 404


def test_customers_and_agents_cannot_see_anyones_trail(alice, client):
    bob = make_person("bob@example.test")
    agent = make_person("agent@example.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name=Role.AGENT.value)[0])
    for person in (bob, agent, alice):
        client.force_login(person)
        assert client.get(trail_url(alice)).status_code == 403
        assert client.get("/console/security/customers/", {"q": alice.email}).status_code == 403
    client.logout()
    response = client.get(trail_url(alice))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
