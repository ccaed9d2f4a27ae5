"""The audit trail of a conversation's life: one row for every change of status or agent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from livechat.models.chats import Conversation


class ConversationEvent(models.Model):
    """Who moved the chat from what to what, and why (livechat.services.transitions)."""

    class By(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")
        BOT = "bot", _("Bot")
        ROUTING = "routing", _("Routing")
        SWEEP = "sweep", _("Sweep")  # a periodic task: a lost agent, a visitor who left

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=8, choices=Conversation.Status.choices)
    to_status = models.CharField(max_length=8, choices=Conversation.Status.choices)
    by = models.CharField(max_length=10, choices=By.choices)
    # The person who acted (the customer, the agent, the supervisor); none for routing or a sweep.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The chat's agent before and after: a transfer keeps the status and changes these.
    from_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="chat_event_trail")]
        ordering = ["conversation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.from_status}->{self.to_status} by {self.by}"
