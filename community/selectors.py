"""Every read of the forum a page (or another app) makes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from community.models import (
    ForumBan,
    ForumCategory,
    ModerationAction,
    Post,
    PostReport,
    PostVote,
    Topic,
)
from community.permissions import ForumPolicy
from community.rendering import html_to_text
from community.search import tokens

TOPICS_PER_PAGE = 30
SEARCH_MAX_LIMIT = 20


def categories() -> QuerySet[ForumCategory]:
    return ForumCategory.objects.annotate(
        topic_count=Count(
            "topics",
            filter=Q(
                topics__posts__is_opening=True,
                topics__posts__status=Post.Status.PUBLISHED,
            ),
        )
    )


def category_get(*, slug: str) -> ForumCategory:
    category = ForumCategory.objects.filter(slug=slug).first()
    if category is None:
        raise Http404
    return category


def _published_topics() -> QuerySet[Topic]:
    opening = Post.objects.filter(topic=OuterRef("pk"), is_opening=True, status="published")
    return Topic.objects.filter(Exists(opening))


def topic_list(*, category: ForumCategory | None = None) -> QuerySet[Topic]:
    """Published topics, newest activity first, with their reply counts."""
    topics = _published_topics().select_related("category", "author", "accepted_post")
    if category is not None:
        topics = topics.filter(category=category)
    return topics.annotate(
        reply_count=Count(
            "posts", filter=Q(posts__is_opening=False, posts__status=Post.Status.PUBLISHED)
        )
    )[:TOPICS_PER_PAGE]


def topic_get_for_user(*, user, topic_id: int) -> Topic:
    """The topic if `user` may see its opening post; 404 for missing and for not visible."""
    topic = (
        Topic.objects.select_related("category", "author", "accepted_post")
        .filter(pk=topic_id)
        .first()
    )
    opening = Post.objects.filter(topic_id=topic_id, is_opening=True).first() if topic else None
    if opening is None or not ForumPolicy.can_see_post(user, opening):
        raise Http404
    topic.opening = opening
    return topic


def topic_posts_for_user(*, user, topic: Topic) -> list[Post]:
    """The replies `user` may see, oldest first, the accepted answer marked."""
    posts = topic.posts.filter(is_opening=False).select_related("author")
    if user.is_authenticated:
        posts = posts.annotate(
            voted=Exists(PostVote.objects.filter(post=OuterRef("pk"), user=user))
        )
    return [post for post in posts if ForumPolicy.can_see_post(user, post)]


def post_get_for_user(*, user, post_id: int) -> Post:
    """The post if `user` may see it and its topic (a reply in a hidden or held topic is
    as hidden as the topic); 404 otherwise."""
    post = Post.objects.select_related("topic", "author").filter(pk=post_id).first()
    if post is None or not ForumPolicy.can_see_post(user, post):
        raise Http404
    if not post.is_opening:
        topic_get_for_user(user=user, topic_id=post.topic_id)
    return post


def moderation_queue() -> dict[str, QuerySet]:
    """Held posts, and posts with open reports (with their reports), oldest first."""
    open_reports = Q(reports__resolved_at__isnull=True)
    reported = (
        Post.objects.filter(open_reports)
        .annotate(open_report_count=Count("reports", filter=open_reports))
        .select_related("topic", "author")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=PostReport.objects.filter(resolved_at__isnull=True).order_by("id"),
                to_attr="open_reports",
            )
        )
        .order_by("created_at")
        .distinct()
    )
    held = (
        Post.objects.filter(status=Post.Status.HELD)
        .select_related("topic", "author")
        .order_by("created_at")
    )
    return {"held": held, "reported": reported}


def moderation_log(*, limit: int = 50) -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related("actor", "topic", "target_user")[:limit]


def bans_active() -> QuerySet[ForumBan]:
    return (
        ForumBan.objects.filter(lifted_at__isnull=True)
        .exclude(ends_at__lte=timezone.now())
        .select_related("user", "created_by")
    )


# ---------------------------------------------------------------------------- search


@dataclass(frozen=True)
class CommunityAnswer:
    """An answer for help-centre search, marked as community content by the caller."""

    post_id: int
    topic_id: int
    topic_title: str
    excerpt: str
    url: str
    accepted: bool
    staff_id: str  # "" unless a staff member wrote it
    language: str
    rank: float


def _answers() -> QuerySet[Post]:
    """Published accepted answers and staff answers, in published topics."""
    return (
        Post.objects.filter(status=Post.Status.PUBLISHED, is_opening=False)
        .filter(Q(accepted_in__isnull=False) | ~Q(staff_id=""))
        .filter(topic__in=_published_topics())
        .select_related("topic")
    )


def search_answers(query: str, language: str, limit: int = 5) -> list[CommunityAnswer]:
    """Accepted and staff answers matching `query`, best first, in `language` first.

    The topic's title counts with the answer's text (the question is what people search
    for). PostgreSQL full-text search ('simple' configuration over jieba tokens); on
    SQLite, any token as a substring.
    """
    words = list(dict.fromkeys(tokens((query or "")[:200])))[:20]
    limit = max(1, min(int(limit), SEARCH_MAX_LIMIT))
    if not words:
        return []
    answers = _answers()
    if connection.vendor == "postgresql":
        raw = " | ".join("'" + word.replace("'", "''").replace("\\", "") + "'" for word in words)
        search = SearchQuery(raw, search_type="raw", config="simple")
        vector = SearchVector("search_tokens", config="simple")
        ranked = answers.annotate(rank=SearchRank(vector, search)).filter(rank__gt=0)
    else:
        match = Q()
        for word in words:
            match |= Q(search_tokens__icontains=word)
        ranked = answers.filter(match).annotate(rank=Count("id"))
    rows = list(ranked.order_by("-rank", "-score", "id")[: limit * 3])
    rows.sort(key=lambda post: (post.topic.language != language, -float(post.rank)))
    return [_answer(post) for post in rows[:limit]]


def _answer(post: Post) -> CommunityAnswer:
    text = html_to_text(post.body_html)
    return CommunityAnswer(
        post_id=post.pk,
        topic_id=post.topic_id,
        topic_title=post.topic.title,
        excerpt=text if len(text) <= 200 else text[:199].rstrip() + "…",
        url=f"/community/t/{post.topic_id}/#post-{post.pk}",
        accepted=post.topic.accepted_post_id == post.pk,
        staff_id=post.staff_id,
        language=post.topic.language,
        rank=float(post.rank),
    )
