from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from helpcenter import services
from helpcenter.models import Announcement, Article, ArticleCategory, ContactChannel


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    language = "en"

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.LazyAttribute(lambda o: o.slug.title())
    name_zh_hans = factory.LazyAttribute(lambda o: f"分类 {o.slug}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """Saved through the service, so it is rendered and indexed like real content."""

    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    lang = "en"
    title = factory.Sequence(lambda n: f"Article number {n}")
    category = factory.SubFactory(CategoryFactory)
    tags = factory.LazyFunction(list)
    body_markdown = "Some helpful text."
    status = Article.Status.PUBLISHED
    updated_on = factory.LazyFunction(lambda: dt.date(2026, 1, 1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.article_save(article=model_class(*args, **kwargs))


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    kind = Announcement.Kind.NOTICE
    title_en = factory.Sequence(lambda n: f"Notice {n}")
    title_zh_hans = factory.Sequence(lambda n: f"公告 {n}")
    body_en = "Details."
    body_zh_hans = "详情。"
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    ends_at = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.announcement_save(announcement=model_class(*args, **kwargs))


class ContactChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactChannel

    kind = ContactChannel.Kind.EMAIL
    label_en = "Email"
    label_zh_hans = "邮件"
    value = factory.Sequence(lambda n: f"support{n}@beacon.test")
