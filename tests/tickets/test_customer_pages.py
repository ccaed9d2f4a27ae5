"""The customer's ticket pages, through Django's test client and the real services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tickets import rating_links, services
from tickets.models import Ticket, TicketAttachment, TicketMessage, TicketType
from tickets.workflow import REOPEN_DAYS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
NEW = reverse("tickets:new")


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def new_request(customer_client, customer, withdrawal_values):
    """POST the new-request form for a withdrawal; keyword overrides, None drops a field."""

    def post(files=(), **overrides):
        data = {
            "type": "withdrawal-problem",
            "subject": "Withdrawal not arrived",
            "body": "I sent 25.5 USDT yesterday and it has not arrived.",
            **withdrawal_values(customer),
            **overrides,
        }
        data = {key: value for key, value in data.items() if value is not None}
        return customer_client.post(NEW, {**data, "files": list(files)})

    return post


def solve(ticket: Ticket, by) -> Ticket:
    return services.ticket_change_status(actor=by, ticket=ticket, status=Ticket.Status.SOLVED)


# ------------------------------------------------------------------------- new request


def test_request_new_creates_a_withdrawal_with_a_png_and_confirms_by_email(
    new_request,
    png_file,
    customer_client,
    customer,
    withdrawal_values,
    deliver_outbox,
):
    # when
    response = new_request(files=[png_file()])
    deliver_outbox()
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tickets:created", args=[ticket.number])
    page = customer_client.get(response.url).content.decode()
    assert ticket.number in page and reverse("tickets:detail", args=[ticket.number]) in page
    assert (
        ticket.fields["txid"] == withdrawal_values(customer)["txid"]
        and ticket.type.slug == "withdrawal-problem"
    )
    assert TicketAttachment.objects.get().content_type == "image/png"
    assert len(mail.outbox) == 1 and ticket.number in mail.outbox[0].subject


def test_request_new_shows_the_chosen_types_fields_with_the_uid_filled_in(
    customer_client, customer
):
    # when
    page = customer_client.get(NEW, {"type": "withdrawal-problem"}).content.decode()
    # then
    assert f'value="{customer.uid}"' in page
    assert 'type="datetime-local"' in page and 'name="occurred_at"' in page
    assert '<option value="ERC20">Ethereum (ERC20)</option>' in page
    assert 'name="files" accept="image/*,application/pdf,video/*" multiple' in page
    assert 'hx-trigger="keyup changed delay:400ms' in page


def test_request_new_lists_type_names_in_the_viewers_language(customer_client):
    # given
    customer_client.cookies["beacon_language"] = "zh-hans"
    # when
    zh = customer_client.get(NEW).content.decode()
    # then
    assert "提币问题" in zh and "Withdrawal problem" not in zh


def test_request_new_reads_occurred_at_in_the_viewers_time_zone(new_request, customer_client):
    # given
    customer_client.cookies["beacon_tz"] = "Asia/Shanghai"
    # when
    response = new_request(occurred_at="2025-03-01T10:30")
    # then
    assert response.status_code == 302
    assert Ticket.objects.get().fields["occurred_at"] == "2025-03-01T02:30:00+00:00"


def test_request_new_without_a_required_field_is_400_and_writes_nothing(
    new_request, png_file, private_media
):
    # when
    response = new_request(files=[png_file()], address=None)
    # then
    assert response.status_code == 400
    assert 'id="id_address_error"' in response.content.decode()
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    assert files_in(private_media) == []


def test_request_new_refuses_an_executable_renamed_png(
    new_request, elf_as_png, png_file, private_media
):
    # when
    response = new_request(files=[png_file("fine.png"), elf_as_png])
    # then
    assert response.status_code == 400
    assert "screenshot.png is not an image, a PDF or a video." in response.content.decode()
    assert Ticket.objects.count() == 0 and TicketAttachment.objects.count() == 0
    assert files_in(private_media) == []


def test_request_new_refuses_six_files(new_request, png_file, private_media):
    # when
    response = new_request(files=[png_file(f"shot{n}.png") for n in range(6)])
    # then
    assert response.status_code == 400
    assert "Attach at most 5 files." in response.content.decode()
    assert Ticket.objects.count() == 0 and files_in(private_media) == []


def test_request_new_shows_a_bad_erc20_txid_on_the_txid_field(new_request):
    # when
    response = new_request(txid="0x1234")
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="error" id="id_txid_error">This TXID should be 0x followed by 64' in page
    assert 'aria-describedby="id_txid_error"' in page
    assert Ticket.objects.count() == 0


def test_request_new_with_an_unknown_type_is_400(new_request, customer_client):
    # when
    posted = new_request(type="no-such-type")
    shown = customer_client.get(NEW, {"type": "no-such-type"})
    # then
    assert posted.status_code == 400 and shown.status_code == 400
    assert Ticket.objects.count() == 0


def test_request_new_warns_about_an_open_duplicate_until_confirmed(
    new_request, ticket_factory, customer
):
    # given
    first = ticket_factory(customer)
    # when
    warned = new_request()
    confirmed = new_request(confirm_duplicate="on")
    # then
    page = warned.content.decode()
    assert warned.status_code == 200
    assert reverse("tickets:detail", args=[first.number]) in page
    assert 'name="confirm_duplicate"' in page
    assert confirmed.status_code == 302
    assert Ticket.objects.count() == 2


def test_request_new_continue_without_javascript_keeps_what_was_typed(customer_client):
    # when
    response = customer_client.post(
        NEW, {"type": "trading-order", "subject": "Order stuck", "continue": "1"}
    )
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="order_id"' in page and 'value="Order stuck"' in page
    assert "error" not in page.split('id="type-fields"')[1].split("</form>")[0]
    assert Ticket.objects.count() == 0


def test_request_suggest_lists_at_most_three_articles_opening_in_a_new_tab(
    customer_client, article_factory
):
    # given
    for n in range(5):
        article_factory(slug=f"withdrawal-{n}", title=f"Withdrawal delayed {n}")
    # when
    fragment = customer_client.get(reverse("tickets:suggest"), {"q": "withdrawal"})
    empty = customer_client.get(reverse("tickets:suggest"), {"q": ""})
    # then
    assert fragment.status_code == 200
    assert fragment.content.decode().count('target="_blank" rel="noopener"') == 3
    assert "<html" not in fragment.content.decode()
    assert empty.status_code == 200 and b"<a" not in empty.content


# ------------------------------------------------------------------------- my requests


def test_request_list_shows_only_my_requests_and_filters_and_searches(
    customer_client, customer, other_customer, ticket_factory
):
    # given
    pending = ticket_factory(customer, subject="Pending USDT withdrawal")
    done = solve(ticket_factory(customer, subject="Old BTC withdrawal"), customer)
    theirs = ticket_factory(other_customer, subject="Someone else's withdrawal")
    url = reverse("tickets:list")
    # when
    everything = customer_client.get(url).content.decode()
    open_only = customer_client.get(url, {"status": "open"}).content.decode()
    solved_only = customer_client.get(url, {"status": "done"}).content.decode()
    by_subject = customer_client.get(url, {"q": "usdt"}).content.decode()
    by_number = customer_client.get(url, {"q": done.number[-6:]}).content.decode()
    # then
    assert pending.number in everything and done.number in everything
    assert theirs.number not in everything and "Someone else" not in everything
    assert "Status: New" in everything and "Status: Solved" in everything
    assert pending.number in open_only and done.number not in open_only
    assert done.number in solved_only and pending.number not in solved_only
    assert pending.number in by_subject and done.number not in by_subject
    assert done.number in by_number and pending.number not in by_number


def test_request_list_shows_20_a_page_newest_first(customer_client, customer, ticket_factory):
    # given
    tickets = [ticket_factory(customer, subject=f"Request {n}") for n in range(21)]
    # when
    first = customer_client.get(reverse("tickets:list")).content.decode()
    second = customer_client.get(reverse("tickets:list"), {"page": 2}).content.decode()
    # then
    assert first.count('class="result"') == 20
    assert first.index(tickets[-1].number) < first.index(tickets[-2].number)
    assert tickets[0].number not in first and tickets[0].number in second


# ------------------------------------------------------------------------- one request


def test_request_detail_hides_internal_notes_and_badges_staff_replies(
    customer_client, customer, supervisor, ticket_factory, withdrawal_values
):
    # given
    ticket = ticket_factory(customer)
    txid = withdrawal_values(customer)["txid"]
    services.ticket_reply(
        actor=supervisor, ticket=ticket, body="Secret: check wallet 7", internal=True
    )
    services.ticket_reply(actor=supervisor, ticket=ticket, body="We are checking the chain.")
    # when
    page = customer_client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    # then
    assert "We are checking the chain." in page and "Secret: check wallet 7" not in page
    assert "Mei" in page and "Beacon support" in page
    assert "Waiting on customer" in page  # the status, as text
    assert "Transaction ID (TXID)" in page and txid in page


def test_request_reply_with_an_attachment_can_be_downloaded_privately(
    customer_client, customer, ticket_factory, png_file
):
    # given
    ticket = ticket_factory(customer)
    # when
    response = customer_client.post(
        reverse("tickets:reply", args=[ticket.number]),
        {"body": "Here is the screenshot.", "files": [png_file("proof.png")]},
    )
    attachment = TicketAttachment.objects.get()
    download = customer_client.get(reverse("tickets:attachment", args=[attachment.id]))
    # then
    assert response.status_code == 302
    assert ticket.messages.filter(body="Here is the screenshot.").exists()
    assert (
        reverse("tickets:attachment", args=[attachment.id])
        in customer_client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    )
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="proof.png"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_request_reply_that_is_empty_is_400(customer_client, customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    # when
    response = customer_client.post(reverse("tickets:reply", args=[ticket.number]), {"body": " "})
    # then
    assert response.status_code == 400
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_request_solved_then_rated_then_reopened(customer_client, customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    detail = reverse("tickets:detail", args=[ticket.number])
    # when
    solved = customer_client.post(
        reverse("tickets:status", args=[ticket.number]), {"status": "solved"}
    )
    page = customer_client.get(detail).content.decode()
    rated = customer_client.post(
        reverse("tickets:rate", args=[ticket.number]), {"rating": "4", "comment": "Quick, thanks"}
    )
    reopened = customer_client.post(
        reverse("tickets:status", args=[ticket.number]), {"status": "open"}
    )
    # then
    assert solved.status_code == rated.status_code == reopened.status_code == 302
    assert "Reopen" in page and 'name="rating"' in page
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("open", 4, "Quick, thanks")


def test_request_cannot_be_rated_before_it_is_solved(customer_client, customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    # when
    response = customer_client.post(reverse("tickets:rate", args=[ticket.number]), {"rating": "5"})
    # then
    assert response.status_code == 400
    assert "You can rate a request once it is solved." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.rating is None


def test_request_reopen_is_offered_only_within_the_reopen_window(
    customer_client, customer, ticket_factory
):
    # given
    ticket = solve(ticket_factory(customer), customer)
    long_ago = timezone.now() - dt.timedelta(days=REOPEN_DAYS, hours=1)
    Ticket.objects.filter(id=ticket.id).update(solved_at=long_ago)  # time travel
    # when
    page = customer_client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    response = customer_client.post(
        reverse("tickets:status", args=[ticket.number]), {"status": "open"}
    )
    # then
    assert 'value="open"' not in page and 'name="rating"' in page
    assert response.status_code == 400
    assert "solved too long ago to reopen" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_request_complain_opens_a_linked_complaint(customer_client, customer, ticket_factory):
    # given
    ticket = ticket_factory(customer)
    # when
    response = customer_client.post(
        reverse("tickets:complain", args=[ticket.number]), {"body": "Nobody answered for a week."}
    )
    # then
    complaint = Ticket.objects.get(original=ticket)
    assert complaint.type.kind == TicketType.Kind.COMPLAINT and complaint.requester == customer
    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[complaint.number])
    page = customer_client.get(response.url).content.decode()
    assert ticket.number in page and "Nobody answered for a week." in page


# ------------------------------------------------------------------------- signed rating


def test_request_rate_signed_works_signed_out(client, customer, ticket_factory):
    # given
    ticket = solve(ticket_factory(customer), customer)
    url = reverse(
        "tickets:rate-signed",
        args=[rating_links.make_token(ticket_id=ticket.id, requester_id=customer.id)],
    )
    # when
    form = client.get(url, {"rating": "4"})
    response = client.post(url, {"rating": "5", "comment": "Great"})
    # then
    assert form.status_code == 200
    assert 'value="4" id="rate_rating_1" required checked' in form.content.decode()
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (5, "Great")


@pytest.mark.parametrize("who", ["tampered", "someone_else"])
def test_request_rate_signed_refuses_a_bad_token(
    client, customer, other_customer, ticket_factory, who
):
    # given
    ticket = solve(ticket_factory(customer), customer)
    requester = customer if who == "tampered" else other_customer
    token = rating_links.make_token(ticket_id=ticket.id, requester_id=requester.id)
    token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB") if who == "tampered" else token
    # when
    response = client.post(reverse("tickets:rate-signed", args=[token]), {"rating": "1"})
    # then
    assert response.status_code == 400
    assert "This rating link is not valid" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.rating is None


# ------------------------------------------------------------------------- access


def ticket_urls(ticket: Ticket) -> list[tuple[str, str]]:
    attachment = TicketAttachment.objects.get(message__ticket=ticket)
    number = [ticket.number]
    return [
        ("get", reverse("tickets:detail", args=number)),
        ("get", reverse("tickets:created", args=number)),
        ("post", reverse("tickets:reply", args=number)),
        ("post", reverse("tickets:status", args=number)),
        ("post", reverse("tickets:rate", args=number)),
        ("post", reverse("tickets:complain", args=number)),
        ("get", reverse("tickets:attachment", args=[attachment.id])),
    ]


def test_second_customer_gets_404_on_every_url_of_my_request(
    client, customer, other_customer, ticket_factory, png_file
):
    # given
    ticket = solve(ticket_factory(customer, files=[png_file()]), customer)
    client.force_login(other_customer)
    data = {"body": "hijack", "status": "open", "rating": "1"}
    # when
    responses = [getattr(client, method)(url, data) for method, url in ticket_urls(ticket)]
    # then
    assert [response.status_code for response in responses] == [404] * len(responses)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, Ticket.objects.count()) == ("solved", None, 1)
    assert TicketMessage.objects.count() == 1


def test_anonymous_users_are_sent_to_sign_in(client, customer, ticket_factory, png_file):
    # given
    ticket = ticket_factory(customer, files=[png_file()])
    urls = [("get", reverse("tickets:list")), ("get", NEW), ("get", reverse("tickets:suggest"))]
    # when
    responses = [getattr(client, method)(url) for method, url in urls + ticket_urls(ticket)]
    # then
    assert {response.status_code for response in responses} == {302}
    assert all(response.url.startswith("/accounts/login/?next=") for response in responses)


def test_staff_see_only_requests_they_made_under_my_requests(
    client, supervisor, customer, ticket_factory
):
    # given
    theirs = ticket_factory(customer)
    client.force_login(supervisor)
    # when
    page = client.get(reverse("tickets:list")).content.decode()
    # then
    assert theirs.number not in page
