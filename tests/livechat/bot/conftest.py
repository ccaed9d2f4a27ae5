from __future__ import annotations

import pytest
from django.core.management import call_command

from livechat.models import Conversation


@pytest.fixture
def kb(db, kb_corpus, settings):
    """The shared help-centre corpus, imported the way operators do it (and embedded, when a
    run turns semantic matching on with BEACON_SEMANTIC_SEARCH=1), with the demo's synonym
    groups: the bot's confidence model is fitted with them (bench/fit_confidence.py), as
    a help centre runs once its staff have entered theirs."""
    from helpcenter import demo, services

    call_command("import_articles", str(kb_corpus), verbosity=0)
    demo.seed_site({}, demo.load_synonyms())
    if settings.HELPCENTER_SEMANTIC_SEARCH:
        services.article_embeddings_refresh(batch_size=64, max_batches=1000)
    services.search_caches_clear()


@pytest.fixture
def chat(db, customer):
    """A signed-in customer's conversation with the bot, in a given language."""

    def make(language: str = "en", **fields) -> Conversation:
        return Conversation.objects.create(customer=customer, language=language, **fields)

    return make


@pytest.fixture
def say():
    """The customer says `text` (saved as the consumer saves it), then the bot responds."""
    from livechat import bot
    from livechat.services.messages import message_post

    def send(conversation: Conversation, text: str) -> list:
        message, _ = message_post(conversation=conversation, sender="customer", body=text)
        bot.respond(conversation=conversation, message=message)
        conversation.refresh_from_db()
        return list(conversation.messages.filter(seq__gt=message.seq).order_by("seq"))

    return send
