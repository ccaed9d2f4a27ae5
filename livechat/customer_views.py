"""What a customer does with a chat besides talking: leave a message when nobody is
there, have the transcript emailed, complain about the chat, and the chat's own page.

Each POST answers JSON to the widget (it sends `Accept: application/json`) and, to a
plain form (the chat page, no JavaScript), redirects back with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed
from livechat.models import Conversation
from livechat.selectors import conversation_for_request
from livechat.services.complaints import chat_complain, complaint_for
from livechat.services.offline import offline_message_leave, offline_offer
from livechat.services.transcripts import transcript_email, transcript_messages


def _owned(request: HttpRequest, public_id) -> Conversation:
    conversation = conversation_for_request(request, public_id)
    if conversation is None:
        raise Http404  # missing and not yours look the same
    return conversation


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _field(request: HttpRequest, name: str, limit: int = 10_000) -> str:
    value = request.POST.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _answer(request: HttpRequest, conversation: Conversation, *, ok: dict, text: str):
    if _wants_json(request):
        return JsonResponse(ok)
    messages.success(request, text)
    return redirect(reverse("livechat_customer:page", args=[conversation.public_id]))


def _refuse(request: HttpRequest, conversation: Conversation, error: ApplicationError, status=400):
    if _wants_json(request):
        body = {"code": error.code, "message": error.message, "extra": error.extra}
        return JsonResponse(body, status=status)
    messages.error(request, error.message)
    return redirect(reverse("livechat_customer:page", args=[conversation.public_id]))


def _limited(request: HttpRequest, conversation: Conversation, action: str):
    if rate_allowed(request, action=action):
        return None
    error = ApplicationError(_("Too many requests; please wait a little."), code="rate_limited")
    return _refuse(request, conversation, error, status=429)


@require_GET
@never_cache
def chat_options(request: HttpRequest, public_id) -> JsonResponse:
    """What the widget may offer now: leave a message, and what was filed already."""
    conversation = _owned(request, public_id)
    complaint = complaint_for(conversation)
    return JsonResponse(
        {
            "status": conversation.status,
            "offline": offline_offer(conversation),
            "ticket": conversation.ticket.number if conversation.ticket else None,
            "complaint": complaint.number if complaint else None,
            "needs_email": conversation.customer_id is None,
            "email": conversation.visitor_email,
        }
    )


@require_POST
def chat_leave_message(request: HttpRequest, public_id) -> HttpResponse:
    conversation = _owned(request, public_id)
    refused = _limited(request, conversation, "chat_leave_message")
    if refused:
        return refused
    try:
        ticket = offline_message_leave(
            conversation=conversation,
            body=_field(request, "body"),
            email=_field(request, "email", 300),
            client_id=_field(request, "client_id", 64),
        )
    except ApplicationError as error:
        return _refuse(request, conversation, error)
    text = _("Your message was saved as request %(number)s.") % {"number": ticket.number}
    return _answer(request, conversation, ok={"ticket": ticket.number, "message": text}, text=text)


@require_POST
def chat_transcript_email(request: HttpRequest, public_id) -> HttpResponse:
    conversation = _owned(request, public_id)
    refused = _limited(request, conversation, "chat_transcript_email")
    if refused:
        return refused
    try:
        address = transcript_email(conversation=conversation)
    except ApplicationError as error:
        return _refuse(request, conversation, error)
    text = _("The transcript is on its way to %(email)s.") % {"email": address}
    return _answer(request, conversation, ok={"email": address, "message": text}, text=text)


@require_POST
def chat_complaint(request: HttpRequest, public_id) -> HttpResponse:
    conversation = _owned(request, public_id)
    refused = _limited(request, conversation, "chat_complaint")
    if refused:
        return refused
    try:
        complaint = chat_complain(
            conversation=conversation,
            body=_field(request, "body"),
            email=_field(request, "email", 300),
        )
    except ApplicationError as error:
        return _refuse(request, conversation, error)
    text = _("Your complaint was filed as request %(number)s. A supervisor will answer.") % {
        "number": complaint.number
    }
    return _answer(
        request, conversation, ok={"ticket": complaint.number, "message": text}, text=text
    )


@require_GET
@never_cache
def chat_page(request: HttpRequest, public_id) -> HttpResponse:
    """The chat's transcript with its actions: download, email, complain."""
    conversation = _owned(request, public_id)
    return render(
        request,
        "livechat/chat_page.html",
        {
            "conversation": conversation,
            "chat_messages": transcript_messages(conversation),
            "complaint": complaint_for(conversation),
            "needs_email": conversation.customer_id is None,
        },
    )
