from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from community import selectors
        from helpcenter.search import extra

        # Accepted and staff answers after the articles in help-centre search.
        extra.register(selectors.search_answers)
