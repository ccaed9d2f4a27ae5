"""Incident mode: declared once, it reaches the banner, the bot, the request form, and
every linked customer in their language; resolving it solves their requests."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from accounts.models import Role
from accounts.services import user_role_grant
from core.exceptions import ApplicationError
from helpcenter.models import Announcement
from incidents import matching, services
from incidents.models import Incident, IncidentLink
from livechat.bot.replies import respond
from livechat.models import ChatMessage
from livechat.services.conversations import conversation_start
from livechat.services.messages import message_post
from notifications.models import Notification
from tests.cache_down import cache_unreachable
from tickets.models import Ticket, TicketMessage, TicketType
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

ADDRESS = "TQ" + "a" * 32


@pytest.fixture
def lead(user_factory):
    user = user_factory(email="ops@example.test", first_name="Ops")
    user_role_grant(user=user, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def incident(lead):
    return services.incident_declare(
        actor=lead,
        title_en="USDT withdrawals on TRC20 are delayed",
        title_zh_hans="USDT（TRC20）提币延迟",
        status_en="The TRON network is congested; withdrawals are queued and will be sent.",
        status_zh_hans="波场网络拥堵，提币已排队，稍后会陆续发出。",
        coins="USDT",
        networks="TRC20",
        features=["withdrawal"],
        keywords="拥堵, congestion",
    )


def withdrawal(user, *, coin="USDT", network="TRC20", subject="提币没到账", language="zh-hans"):
    return ticket_create(
        requester=user,
        ticket_type=TicketType.objects.get(slug="withdrawal-problem"),
        subject=subject,
        body="I withdrew two hours ago and nothing has arrived.",
        field_values={
            "uid": str(user.uid),
            "coin": coin,
            "network": network,
            "amount": "100",
            "address": ADDRESS,
        },
        language=language,
    )


def test_declaring_puts_up_the_banner_in_both_languages_and_only_a_lead_may(
    incident, user_factory, client
):
    banner = Announcement.objects.get(pk=incident.announcement_id)
    assert banner.kind == Announcement.Kind.MAINTENANCE and banner.ends_at is None
    client.cookies["beacon_language"] = "zh-hans"
    page = client.get("/")
    assert "USDT（TRC20）提币延迟" in page.content.decode()
    agent = user_factory(email="agent@example.test")
    user_role_grant(user=agent, role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.incident_declare(
            actor=agent,
            title_en="x",
            title_zh_hans="x",
            status_en="x",
            status_zh_hans="x",
            coins="BTC",
        )
    client.force_login(agent)
    assert client.get(reverse("incidents:list")).status_code == 403


def test_an_incident_must_name_what_it_affects_and_be_written_in_both_languages(lead):
    with pytest.raises(ApplicationError):
        services.incident_declare(
            actor=lead, title_en="Down", title_zh_hans="故障", status_en="x", status_zh_hans="x"
        )
    with pytest.raises(ApplicationError):
        services.incident_declare(
            actor=lead,
            title_en="Down",
            title_zh_hans="",
            status_en="x",
            status_zh_hans="x",
            coins="BTC",
        )
    assert not Incident.objects.exists() and not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        ("我的 USDT 提币两小时没到账", {}, "certain"),
        ("withdrawal of usdt on tron stuck", {}, "certain"),
        ("提币没到账", {"coin": "USDT", "network": "TRC20"}, "certain"),
        ("USDT 怎么买", {}, "uncertain"),  # the coin alone: maybe, a person decides
        ("网络为什么这么拥堵", {}, "uncertain"),  # a keyword alone
        ("我的 ETH 提币没到账", {}, None),  # the feature alone says nothing
        ("how do I enable 2FA", {}, None),
        ("I solved it, thanks", {}, None),  # "sol" is not a word of "solved"
    ],
)
def test_matching_tells_certain_from_uncertain_from_unrelated(incident, text, fields, expected):
    found = matching.match(text, **fields)
    got = None if not found else ("certain" if found[0].certain else "uncertain")
    assert got == expected


def test_a_matching_ticket_is_linked_an_uncertain_one_waits_and_another_is_left_alone(
    incident, user_factory
):
    lin, ann, bo = (user_factory(email=f"{n}@example.test") for n in ("lin", "ann", "bo"))
    linked = withdrawal(lin)
    maybe = ticket_create(
        requester=ann,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Question about USDT",
        body="Is USDT still supported?",
        field_values={},
    )
    unrelated = withdrawal(bo, coin="ETH", network="ERC20", subject="ETH withdrawal stuck")
    states = {link.ticket_id: link.state for link in IncidentLink.objects.filter(incident=incident)}
    assert states == {linked.pk: "linked", maybe.pk: "review"}
    assert unrelated.pk not in states


def test_the_bot_gives_the_incidents_status_first_in_the_chats_language_once(incident):
    chat = conversation_start(user=None, session_key="s" * 32, language="zh-hans")
    for text in ("USDT 提币一直没到账", "还是没到账，USDT 提币"):
        with translation.override("zh-hans"):
            message, _created = message_post(conversation=chat, sender="customer", body=text)
            respond(conversation=chat, message=message)
    said = list(
        chat.messages.filter(sender=ChatMessage.Sender.BOT, data__kind="notice").values_list(
            "body", flat=True
        )
    )
    assert len(said) == 1  # once per chat
    assert "已知问题" in said[0] and "波场网络拥堵" in said[0]
    assert IncidentLink.objects.get(incident=incident, conversation=chat).state == "linked"


def test_an_update_reaches_each_linked_customer_in_their_language_once_and_resolving_solves(
    incident, lead, user_factory, django_capture_on_commit_callbacks
):
    lin, ann = user_factory(email="lin@example.test"), user_factory(email="ann@example.test")
    zh, en = withdrawal(lin), withdrawal(ann, subject="USDT withdrawal missing", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_post_update(
            actor=lead,
            incident=incident,
            body_en="Half of the queue has been sent.",
            body_zh_hans="已发出一半排队的提币。",
        )
    services.deliver(incident_id=incident.pk)  # what the queued task does
    services.deliver(incident_id=incident.pk)  # again: a retried task sends nothing twice

    def public_replies(ticket):
        return list(
            TicketMessage.objects.filter(
                ticket=ticket, author=lead, visibility="public"
            ).values_list("body", flat=True)
        )

    assert public_replies(zh) == ["已发出一半排队的提币。"]
    assert public_replies(en) == ["Half of the queue has been sent."]
    assert Notification.objects.filter(
        recipient=lin, channel="email"
    ).exists()  # emailed through the outbox
    # when: resolved
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_post_update(
            actor=lead,
            incident=incident,
            body_en="All withdrawals are sent.",
            body_zh_hans="所有提币均已发出。",
            resolve=True,
        )
    services.deliver(incident_id=incident.pk)  # what the queued task does
    for ticket in (zh, en):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.SOLVED
    assert public_replies(zh)[-1] == "所有提币均已发出。"
    banner = Announcement.objects.get(pk=incident.announcement_id)
    assert banner.ends_at is not None and not banner.pinned
    assert matching.active_incidents() == []
    with pytest.raises(ApplicationError):
        services.incident_post_update(
            actor=lead, incident=incident, body_en="again", body_zh_hans="再次"
        )


def test_a_reviewed_link_hears_the_updates_it_missed(incident, lead, user_factory):
    ann = user_factory(email="ann@example.test")
    maybe = ticket_create(
        requester=ann,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="USDT question",
        body="Is USDT fine?",
        field_values={},
        language="en",
    )
    services.incident_post_update(
        actor=lead, incident=incident, body_en="Still queued.", body_zh_hans="仍在排队。"
    )
    services.deliver(incident_id=incident.pk)
    assert not TicketMessage.objects.filter(ticket=maybe, author=lead).exists()  # not linked
    link = IncidentLink.objects.get(ticket=maybe)
    services.link_review(actor=lead, link_id=link.pk, accept=True)
    services.deliver(incident_id=incident.pk)
    assert TicketMessage.objects.filter(ticket=maybe, author=lead, body="Still queued.").exists()


def test_the_request_form_says_the_issue_is_known(incident, user_factory, client):
    lin = user_factory(email="lin@example.test")
    client.force_login(lin)
    client.cookies["beacon_language"] = "zh-hans"
    page = client.get(reverse("tickets:new") + "?type=withdrawal-problem")
    text = page.content.decode()
    assert page.status_code == 200
    assert "USDT（TRC20）提币延迟" in text and "波场网络拥堵" in text
    other = client.get(reverse("tickets:new") + "?type=kyc")
    assert "波场网络拥堵" not in other.content.decode()


def test_the_leads_pages_declare_update_and_review(lead, client, user_factory):
    client.force_login(lead)
    bad = client.post(reverse("incidents:list"), {"title_en": "x"})
    assert bad.status_code == 400 and not Incident.objects.exists()
    made = client.post(
        reverse("incidents:list"),
        {
            "title_en": "ETH deposits paused",
            "title_zh_hans": "ETH 充值暂停",
            "status_en": "Wallet maintenance.",
            "status_zh_hans": "钱包维护中。",
            "coins": "eth",
            "features": ["deposit"],
        },
    )
    incident = Incident.objects.get()
    assert made.status_code == 302 and incident.coins == ["ETH"]
    client.cookies["beacon_language"] = "zh-hans"
    page = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 200 and "ETH 充值暂停" in page.content.decode()
    sent = client.post(
        reverse("incidents:detail", args=[incident.pk]),
        {"body_en": "Back soon.", "body_zh_hans": "即将恢复。"},
    )
    assert sent.status_code == 302 and incident.updates.count() == 1


def test_fifty_matching_requests_are_linked_and_solved_with_one_reply_one_email_each(
    incident, lead, user_factory
):
    # given: fifty customers file about the halted withdrawals, in both languages
    customers = [user_factory(email=f"c{n}@example.test") for n in range(50)]
    tickets = [
        withdrawal(customer, language="zh-hans" if n % 2 else "en")
        for n, customer in enumerate(customers)
    ]
    assert IncidentLink.objects.filter(incident=incident, state="linked").count() == 50
    # when: the lead resolves the incident with one update
    before = set(Notification.objects.values_list("id", flat=True))
    services.incident_post_update(
        actor=lead,
        incident=incident,
        body_en="All withdrawals are sent.",
        body_zh_hans="所有提币均已发出。",
        resolve=True,
    )
    services.deliver(incident_id=incident.pk)
    services.deliver(incident_id=incident.pk)
    # then: every request is solved, and each customer got the update once, by email, in
    # their language
    for n, ticket in enumerate(tickets):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.SOLVED
        emails = Notification.objects.filter(recipient=customers[n], channel="email").exclude(
            id__in=before
        )
        assert list(emails.values_list("kind", flat=True)) == ["ticket.solved"]  # one email
        assert emails.get().context["message_id"]  # which quotes the update
        expected = "所有提币均已发出。" if n % 2 else "All withdrawals are sent."
        assert list(
            TicketMessage.objects.filter(ticket=ticket, author=lead).values_list("body", flat=True)
        ) == [expected]


def test_the_incident_page_counts_who_the_form_and_the_bot_spared(
    incident, lead, user_factory, client
):
    # given: three customers see the notice on the request form; one files anyway
    customers = [user_factory(email=f"seen{n}@example.test") for n in range(3)]
    for customer in customers:
        client.force_login(customer)
        client.get(reverse("tickets:new") + "?type=withdrawal-problem")
        client.get(reverse("tickets:new") + "?type=withdrawal-problem")  # counted once
    withdrawal(customers[0])
    # and: a visitor's chat the bot answered with the status, ended without a person
    chat = conversation_start(user=None, session_key="v" * 32, language="en")
    with translation.override("en"):
        message, _created = message_post(
            conversation=chat, sender="customer", body="USDT withdrawal stuck"
        )
        respond(conversation=chat, message=message)
    from livechat.services.conversations import conversation_end

    conversation_end(conversation=chat, by="customer")
    # when: the lead opens the incident
    client.force_login(lead)
    page = client.get(reverse("incidents:detail", args=[incident.pk]))
    figures = page.context["figures"]
    # then
    assert (figures.tickets, figures.chats) == (1, 1)
    assert (figures.form_shown, figures.filed_anyway, figures.form_deflected) == (3, 1, 2)
    assert figures.bot_closed == 1


def test_while_the_cache_is_down_requests_are_still_filed_linked_and_told(
    incident, user_factory, client, lead, django_capture_on_commit_callbacks
):
    lin = user_factory(email="lin@example.test")
    client.force_login(lin)
    client.cookies["beacon_language"] = "zh-hans"
    with cache_unreachable():
        form = client.get(reverse("tickets:new") + "?type=withdrawal-problem")
        linked = withdrawal(lin)
        with django_capture_on_commit_callbacks(execute=True):
            services.incident_post_update(
                actor=lead, incident=incident, body_en="Still queued.", body_zh_hans="仍在排队。"
            )
    assert form.status_code == 200 and "波场网络拥堵" in form.content.decode()
    assert IncidentLink.objects.get(ticket=linked).state == "linked"
