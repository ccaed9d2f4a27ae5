"""A good forum answer becomes a help-centre article draft, through helpcenter's own
services (article_save, category_ensure): helpcenter knows nothing of the forum."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.links import defang
from community.models import ModerationAction, Post
from community.permissions import ForumPolicy
from community.services.moderation import action_record
from core.exceptions import ApplicationError
from helpcenter.models import Article
from helpcenter.services import article_save, category_ensure

# Drafts wait in this help-centre category until a writer files them properly.
DRAFT_CATEGORY = "community-answers"


def draft_slug(post: Post) -> str:
    return f"community-{post.topic_id}-{post.pk}"


def _draft_markdown(post: Post) -> str:
    """The answer as stored (secrets already masked), look-alikes still defanged, and
    where it came from, for the writer."""
    body = post.body
    for flagged in sorted(post.flagged_links, key=len, reverse=True):
        body = body.replace(flagged, defang(flagged))
    with translation.override(post.topic.language):  # the article's language
        source = _("From the community: %(url)s") % {
            "url": f"/community/t/{post.topic_id}/#post-{post.pk}"
        }
    return f"{body}\n\n---\n\n_{source}_\n"


@transaction.atomic
def answer_to_article_draft(*, actor, post: Post) -> Article:
    """Staff turn an accepted or staff answer into a draft article in the topic's language.

    Once per answer (the slug names it); the draft is not published and not searched
    until a writer publishes it.
    """
    if not (ForumPolicy.is_staff(actor) or ForumPolicy.is_moderator(actor)):
        raise PermissionDenied
    topic = post.topic
    usable = post.status == Post.Status.PUBLISHED and not post.is_opening
    if not usable or not (topic.accepted_post_id == post.pk or post.staff_id):
        raise ApplicationError(
            _("Only a published accepted or staff answer can become an article."), code="bad_post"
        )
    article = Article(
        slug=draft_slug(post),
        lang=topic.language,
        title=topic.title,
        category=category_ensure(slug=DRAFT_CATEGORY),
        tags=["community"],
        body_markdown=_draft_markdown(post),
        status=Article.Status.DRAFT,
        updated_on=timezone.localdate(),
    )
    try:
        article = article_save(article=article)
    except ValidationError:
        raise ApplicationError(
            _("This answer is already an article draft."), code="already_drafted"
        ) from None
    action_record(
        actor=actor,
        action=ModerationAction.Action.ARTICLE_DRAFT,
        post=post,
        topic=topic,
        detail={"article_id": article.pk, "slug": article.slug, "lang": article.lang},
    )
    return article
