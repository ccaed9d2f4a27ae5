"""The one place allauth is customised."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils import translation

from accounts.middleware import page_language
from accounts.models import User
from accounts.security.allauth_mail import mail_in_layout, mail_recipient
from core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """Beacon's one answer (core.client_ip, BEACON_TRUSTED_PROXIES) for allauth's rate
        limits, its sessions list and every sign-in record."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")  # as allauth does
        return ip

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        """New customers start in the language they signed up in."""
        language = translation.get_language() or User.Language.EN
        if language in User.Language.values:
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """In the language of the page that shows it, the next one: signing in switches to
        the person's saved language, signing out back to the browser's."""
        signing_out = message_template == "account/messages/logged_out.txt"
        user = None if signing_out else getattr(request, "user", None)
        with translation.override(page_language(request, user)):
            super().add_message(
                request,
                level,
                message_template=message_template,
                message_context=message_context,
                extra_tags=extra_tags,
                message=message,
            )

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """Every allauth email inside Beacon's layout, with the anti-phishing code."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        address = email if isinstance(email, str) else (email[0] if email else "")
        return mail_in_layout(message, mail_recipient(address, context))

    def send_notification_mail(
        self,
        template_prefix: str,
        user,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        """Security notices (password, email, 2FA changed) name their person, so the code
        shows even when the mail goes to an address no longer theirs (the old one)."""
        context = {"user": user, **(context or {})}
        super().send_notification_mail(template_prefix, user, context, email=email)
