"""The chat's HTTP side: start a conversation, read or download what was said.

The live conversation itself runs over the websocket (livechat.consumers); these views
serve the widget's first step and browsers without JavaScript.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError
from core.ratelimits import rate_allowed
from livechat.models import Conversation
from livechat.selectors import conversation_for_request, messages_after
from livechat.services.conversations import conversation_frame, conversation_start
from livechat.services.messages import message_frame
from livechat.services.transcripts import transcript_filename, transcript_text


def _fields(request: HttpRequest) -> dict:
    """A form post or a JSON object; anything else reads as empty."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _owned(request: HttpRequest, public_id) -> Conversation:
    conversation = conversation_for_request(request, public_id)
    if conversation is None:
        raise Http404  # missing and not yours look the same
    return conversation


@require_POST
@never_cache
def chat_start(request: HttpRequest) -> JsonResponse:
    if not rate_allowed(request, action="chat_start"):
        message = _("Too many chats started; please wait a little.")
        return JsonResponse({"code": "rate_limited", "message": message}, status=429)
    if not request.session.session_key:
        request.session.save()  # an anonymous visitor owns the chat by this session
    fields = _fields(request)
    try:
        conversation = conversation_start(
            user=request.user,
            session_key=request.session.session_key,
            language=_text(fields.get("language")) or get_language(),
            email=_text(fields.get("email")),
        )
    except ApplicationError as error:
        body = {"code": error.code, "message": error.message, "extra": error.extra}
        return JsonResponse(body, status=400)
    public_id = str(conversation.public_id)
    return JsonResponse({"conversation": public_id, "ws": f"/ws/chat/{public_id}/"})


@require_GET
@never_cache
def chat_messages(request: HttpRequest, public_id) -> JsonResponse:
    conversation = _owned(request, public_id)
    try:
        after = max(int(request.GET.get("after", 0)), 0)
    except ValueError:
        after = 0
    rows = messages_after(conversation=conversation, after=after)
    messages = [message_frame(row) for row in rows]
    for message in messages:
        message.pop("internal", None)
    return JsonResponse({"conversation": conversation_frame(conversation), "messages": messages})


@require_GET
@never_cache
def chat_transcript(request: HttpRequest, public_id) -> HttpResponse:
    conversation = _owned(request, public_id)
    response = HttpResponse(transcript_text(conversation), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{transcript_filename(conversation)}"'
    return response
