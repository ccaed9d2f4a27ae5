"""A canned reply filled in for one chat, for the agent's composer (static/js/agent_chat.js).

JSON: `{"body": the text with every placeholder this chat has a value for filled in,
"missing": [placeholders left as written]}`; the console tells the agent which ones to
fill before sending (the reply is refused while one is left).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from core.exceptions import NotFound
from livechat.console_views import agents_only
from livechat.services.agent_actions import conversation_for_agent
from livechat.services.chat_macros import chat_macro_render
from tickets.models import Macro


@require_GET
@agents_only
def chat_macro(request: HttpRequest, public_id, macro_id: int) -> JsonResponse:
    try:
        chat = conversation_for_agent(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    macro = Macro.objects.filter(pk=macro_id, is_active=True).first()
    if macro is None:
        raise Http404
    filled = chat_macro_render(macro=macro, conversation=chat, agent=request.user)
    return JsonResponse({"body": filled.text, "missing": filled.missing})
