"""Every write to the forum. Each service checks who acts before it changes anything."""

from community.services.drafts import answer_to_article_draft, draft_slug
from community.services.moderation import (
    post_moderate,
    topic_lock,
    topic_move,
    user_ban,
    user_unban,
)
from community.services.posting import (
    BODY_MAX,
    TITLE_MAX,
    PostOutcome,
    active_ban,
    category_create,
    is_new_account,
    new_account_days,
    post_reply,
    post_report,
    post_vote_toggle,
    topic_accept,
    topic_create,
)

__all__ = [
    "BODY_MAX",
    "TITLE_MAX",
    "PostOutcome",
    "active_ban",
    "answer_to_article_draft",
    "category_create",
    "draft_slug",
    "is_new_account",
    "new_account_days",
    "post_moderate",
    "post_reply",
    "post_report",
    "post_vote_toggle",
    "topic_accept",
    "topic_create",
    "topic_lock",
    "topic_move",
    "user_ban",
    "user_unban",
]
