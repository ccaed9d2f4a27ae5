from __future__ import annotations

import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

# Nine digits: short enough to read out on the phone, 900 million values so a random
# pick rarely collides (the unique constraint catches the rare one).
UID_MIN, UID_MAX = 100_000_000, 999_999_999


def new_public_uid() -> int:
    return UID_MIN + secrets.randbelow(UID_MAX - UID_MIN + 1)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone."), code="invalid_time_zone")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address; customers and staff alike."""

    class Language(models.TextChoices):
        EN = "en", "English"
        ZH_HANS = "zh-hans", "简体中文"

    username = None
    email = models.EmailField(_("email address"), unique=True)
    uid = models.PositiveBigIntegerField(
        _("UID"),
        unique=True,
        default=new_public_uid,
        editable=False,
        help_text=_("Public account number shown to the customer and used by support."),
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: follow the browser's time zone."),
    )
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    # Shown in one fixed place in every email Beacon sends this person: a mail without it is fake.
    anti_phishing_code = models.CharField(_("anti-phishing code"), max_length=20, blank=True)
    # Set when an unfreeze or a 2FA reset removed the person's authenticators: they must
    # enrol again before they can do anything else once signed in.
    mfa_reenrolment_required = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uid__gte=10_000_000), name="user_uid_at_least_8_digits"
            ),
        ]
        # Addresses are looked up in any case (`email__iexact`: UPPER(email) = UPPER(%s)),
        # which the unique index cannot answer: without this, every sign-in by address,
        # every inbound email and every chat visitor's address read the whole table.
        indexes = [models.Index(Upper("email"), name="user_email_upper")]

    def __str__(self) -> str:
        return f"{self.email} ({self.uid})"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]


# Roles are Django groups; staff access goes by these names (see accounts.permissions).
class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    SECURITY_REVIEWER = "security_reviewer", _("Security reviewer")
    ADMIN = "admin", _("Administrator")
