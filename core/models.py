from __future__ import annotations

from django.db import models


class CreatedAtField(models.DateTimeField):
    """`auto_now_add`, unless the creator set the moment itself: a row whose other fields
    are computed from its creation time (a ticket's SLA deadlines) is written with them
    in one INSERT, not an INSERT and an UPDATE."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_now_add", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        preset = getattr(model_instance, self.attname)
        if add and preset is not None:
            return preset
        return super().pre_save(model_instance, add)


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RateLimitCounter(models.Model):
    """A rate-limit counter kept while Redis is away (core.ratelimit_store).

    Django's database cache reads and writes these rows with its own SQL, so the columns
    are the ones its createcachetable makes; nothing else uses the model.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "core_ratelimit_fallback"

    def __str__(self) -> str:
        return self.cache_key
