"""The one place allauth is customised."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        """New customers start in the language they signed up in."""
        language = translation.get_language() or User.Language.EN
        if language in User.Language.values:
            user.language = language
        return super().save_user(request, user, form, commit=commit)
