from __future__ import annotations

import pytest

from accounts.models import Role, User
from accounts.services import user_role_grant
from tickets import services
from tickets.macros import macro_render
from tickets.models import Macro, TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    customer = User.objects.create_user("lin@example.test", "pw-long-enough-1", first_name="Lin")
    return services.ticket_create(
        requester=customer,
        ticket_type=TicketType.objects.get(slug="other"),
        subject="Help",
        body="Please help.",
        field_values={},
        language="zh-hans",
    )


@pytest.fixture
def agent():
    agent = User.objects.create_user("alex@example.test", "pw-long-enough-1", first_name="Alex")
    user_role_grant(user=agent, role=Role.AGENT)
    return agent


def test_macro_render_fills_placeholders_and_keeps_unknown_ones(ticket, agent):
    macro = Macro(
        title="t",
        language="en",
        body="Hi {customer_name} ({uid}), re {ticket_number}. {agent_name} {unknown} {",
    )
    text = macro_render(macro=macro, ticket=ticket, agent=agent)
    assert text == f"Hi Lin ({ticket.requester.uid}), re {ticket.number}. Alex {{unknown}} {{"


@pytest.mark.parametrize(
    "body",
    ["{customer.name}", "{customer_name[0]}", "{customer_name.__class__}", "}{", "{0}", "{}"],
)
def test_macro_render_leaves_odd_braces_as_written(ticket, agent, body):
    # when
    text = macro_render(
        macro=Macro(title="t", language="en", body=body), ticket=ticket, agent=agent
    )
    # then
    assert text == body


def test_console_ticket_page_offers_macros_in_the_tickets_language_first(client, ticket, agent):
    # given
    Macro.objects.create(title="English one", language="en", body="Hello {customer_name}")
    chinese = Macro.objects.create(title="中文", language="zh-hans", body="{customer_name}，您好")
    client.force_login(agent)
    # when
    page = client.get(f"/console/tickets/{ticket.number}/").content.decode()
    prefilled = client.get(f"/console/tickets/{ticket.number}/?macro={chinese.id}").content.decode()
    # then
    assert page.index("中文") < page.index("English one")
    assert "Lin，您好</textarea>" in prefilled
