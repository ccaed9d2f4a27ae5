"""The agent's chat console: the page, and one customer's context beside each chat.

Staff with the agent role (or supervisors) only; everything live goes over the agent
socket (static/js/agent_chat.js). Which chats an agent may see is the services' rule.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import account_security
from core.exceptions import NotFound
from livechat import console_panels
from livechat.models import AgentPresence, Conversation
from livechat.selectors import agents_online
from livechat.services.agent_actions import conversation_for_agent
from livechat.services.presence import presence_for
from livechat.services.routing import active_loads
from tickets.permissions import is_staff_agent, is_supervisor
from tickets.selectors import ticket_list_for_user
from tickets.views.console import staff_only

RECENT = 5  # tickets and chats shown beside a chat


def canned_replies(language: str):
    """tickets' macros (active), the chat's language first: one set of canned replies for
    tickets and chats. Read only; ticket placeholders the chat lacks stay as typed."""
    from tickets.models import Macro

    macros = Macro.objects.filter(is_active=True)
    return sorted(macros, key=lambda m: (m.language != language, m.title))


def agents_only(view):
    """Signed-out visitors sign in; everyone but agents and supervisors gets a 403. The
    ticket console (staff_only) also lets security reviewers in, but chats are not
    theirs: their agent socket is refused, and this page would give them an agent presence."""

    @staff_only
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_agent(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@agents_only
def chat_console(request: HttpRequest) -> HttpResponse:
    presence = presence_for(request.user)
    context = {
        "presence": presence,
        "macros": canned_replies(request.user.language or "en"),
        "skills": Conversation.Skill.choices,
        "waiting": Conversation.objects.filter(status=Conversation.Status.QUEUED).count(),
        "supervisor": is_supervisor(request.user),
        # The queue's "Assign to…" choices, as of the page load: the service checks again.
        "assignable": agents_online() if is_supervisor(request.user) else [],
    }
    return render(request, "livechat/console/chats.html", context)


@require_GET
@agents_only
def chat_context(request: HttpRequest, public_id) -> HttpResponse:
    """The panel beside one chat: who the customer is, their account, their history."""
    try:
        chat = conversation_for_agent(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    customer = chat.customer
    online = list(
        AgentPresence.objects.filter(status=AgentPresence.Status.ONLINE, agent__is_active=True)
        .exclude(agent=request.user)
        .select_related("agent")
        .order_by("staff_id")
    )
    loads = active_loads([p.agent_id for p in online])
    context = {
        "chat": chat,
        "customer": customer,
        "security": account_security(user=customer) if customer else None,
        "tickets": ticket_list_for_user(user=customer).order_by("-created_at")[:RECENT]
        if customer
        else [],
        "chats": Conversation.objects.filter(customer=customer)
        .exclude(pk=chat.pk)
        .order_by("-created_at")[:RECENT]
        if customer
        else [],
        "agents": [p for p in online if loads[p.agent_id] < p.capacity],
        "skills": Conversation.Skill.choices,
        "panels": console_panels.panels_for(chat),
    }
    return render(request, "livechat/console/_context.html", context)
