from __future__ import annotations

from django.urls import path, register_converter

from community import moderation_views, views


class IdConverter:
    """A row id that fits PostgreSQL's bigint: a longer number is a 404, not a 500."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "cid")

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.topic_new, name="topic-new"),
    path("t/<cid:topic_id>/", views.topic, name="topic"),
    path("t/<cid:topic_id>/reply/", views.reply, name="reply"),
    path("t/<cid:topic_id>/accept/", views.accept, name="accept"),
    path("p/<cid:post_id>/vote/", views.vote, name="vote"),
    path("p/<cid:post_id>/report/", views.report, name="report"),
    path("p/<cid:post_id>/article-draft/", moderation_views.article_draft, name="article-draft"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("p/<cid:post_id>/moderate/", moderation_views.post_moderate, name="post-moderate"),
    path("t/<cid:topic_id>/lock/", moderation_views.topic_lock, name="topic-lock"),
    path("t/<cid:topic_id>/move/", moderation_views.topic_move, name="topic-move"),
    path("u/<cid:uid>/ban/", moderation_views.ban, name="ban"),
    path("u/<cid:uid>/unban/", moderation_views.unban, name="unban"),
]
