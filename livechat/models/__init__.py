"""livechat's models; import from here."""

from livechat.models.chats import ChatMessage, Conversation
from livechat.models.events import ConversationEvent
from livechat.models.presence import AgentPresence

__all__ = ["AgentPresence", "ChatMessage", "Conversation", "ConversationEvent"]
