from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, CreatedAtField
from tickets.models.sla import TicketSlaFields
from tickets.sensitive import guard as sensitive


class Team(BaseModel):
    """A group of agents who work the same tickets (e.g. the Chinese team, Security)."""

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    calendar = models.ForeignKey(
        "helpcenter.BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Business hours its SLA clocks follow. Empty: around the clock."),
    )

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str) -> str:
        return self.name_zh_hans if lang == "zh-hans" else self.name_en


class TicketType(BaseModel):
    """What a request is about; declares which fields the form asks for."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        COMPLAINT = "complaint", _("Complaint")
        # Opened by the security desk (KYC, appeals, 2FA resets), never by a customer's
        # form; the customer hears from accounts' own emails, not the ticket's.
        REVIEW = "review", _("Security review")

    slug = models.SlugField(max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    # [{"name": "txid", "required": true}, …]; names from tickets.fields.FIELD_SPECS.
    fields = models.JSONField(default=list, blank=True)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Where new tickets of this type go."),
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, lang: str) -> str:
        return self.name_zh_hans if lang == "zh-hans" else self.name_en


class TicketDaySequence(models.Model):
    """The last ticket number handed out on a day; its row lock serialises numbering."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


# Statuses of tickets not yet solved or closed, as stored (Meta cannot see Ticket.Status).
OPEN_STATUSES = ["new", "open", "pending", "on_hold"]


class Ticket(TicketSlaFields, BaseModel):
    # ticket_open sets it, and the SLA clock computed from it goes into the same INSERT.
    created_at = CreatedAtField(db_index=True)

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Waiting on customer")
        ON_HOLD = "on_hold", _("On hold")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    # Not yet solved or closed: what agents still work. Partial indexes cover exactly these.
    OPEN_STATUSES = OPEN_STATUSES

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        EMAIL = "email", _("Email")
        CHAT = "chat", _("Live chat")
        API = "api", _("API")

    number = models.CharField(max_length=16, unique=True, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets"
    )
    type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="tickets")
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=8, default="en")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    fields = models.JSONField(default=dict, blank=True)
    # Copies of two fields, indexed: duplicate checks and the console's search use them.
    txid = models.CharField(max_length=128, blank=True, db_index=True)
    order_id = models.CharField(max_length=64, blank=True, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    # False when whoever filed it did not prove they are the requester (accounts.trust):
    # an anonymous chat visitor who typed the address, an unauthenticated email. Such a
    # ticket is not listed on the requester's account and its emails carry no
    # anti-phishing code, until the requester confirms it (tickets.sender_confirm).
    sender_proven = models.BooleanField(default=True)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        help_text=_("For a complaint: the ticket complained about."),
    )

    class ComplaintOutcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")

    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text=_("Set when this ticket was merged into another."),
    )
    complaint_outcome = models.CharField(
        max_length=14, choices=ComplaintOutcome.choices, blank=True
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True, max_length=2000)
    # Staff who asked to hear about this ticket; only ticket_follow adds them (it checks
    # they may see the ticket), so a later notification never leaks to an outsider.
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["requester", "-created_at"]),
            models.Index(fields=["status", "team", "-created_at", "-id"]),
            models.Index(fields=["assignee", "status", "-created_at", "-id"]),
            # The console counts open tickets per queue from this index alone (index-only
            # scan), and lists open queues newest first from the next one: both stay small
            # however many solved tickets pile up.
            models.Index(
                fields=["type", "status", "assignee", "team", "sla_warn_at"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_counts",
            ),
            # The SLA sweep reads only the tickets whose next step is due.
            models.Index(
                fields=["sla_next_check_at"],
                condition=models.Q(sla_next_check_at__isnull=False),
                name="ticket_sla_next_check",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="ticket_open_newest",
            ),
            models.Index(
                fields=["solved_at"],
                condition=models.Q(solved_at__isnull=False),
                name="ticket_solved_at",
            ),
            # The console's search for a UID typed into the request form.
            models.Index(KeyTransform("uid", "fields"), name="ticket_fields_uid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TicketMessage(BaseModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # As stored and shown: a customer's seed phrase, key or password is already masked here.
    body = models.TextField(max_length=20_000)
    by_staff = models.BooleanField(default=False)
    # What was masked in the body or the ticket's subject: ["seed_phrase", …], so pages warn.
    masked = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"

    @property
    def masked_names(self) -> str:
        """What was hidden, as a short label in the active language ("seed phrase")."""
        return sensitive.kind_names(self.masked)

    @property
    def masked_phrases(self) -> str:
        """What was hidden, for a sentence in the active language ("a seed phrase")."""
        return sensitive.kind_phrases(self.masked)


class TicketAttachment(BaseModel):
    """A file on a message; stored outside any public URL, served by a checked view."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tickets/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class TicketEvent(models.Model):
    """Who changed what on a ticket, when, from what to what: the audit trail."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        REPLIED = "replied", _("Replied")
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        ASSIGNED = "assigned", _("Assigned")
        RATED = "rated", _("Rated")
        COMPLAINED = "complained", _("Complaint filed")
        OUTCOME = "outcome", _("Complaint outcome")
        TAGGED = "tagged", _("Tags changed")
        MERGED = "merged", _("Merged")
        FOLLOWED = "followed", _("Follower added")
        UNFOLLOWED = "unfollowed", _("Follower removed")
        SPLIT_TO = "split_to", _("Split into a new ticket")
        SPLIT_FROM = "split_from", _("Split from a ticket")
        TEAM = "team", _("Team changed")
        SLA_WARNING = "sla_warning", _("SLA at risk")
        SLA_BREACH = "sla_breach", _("SLA breached")
        SENDER = "sender", _("Sender answered")  # the owner confirmed or denied a request

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_value = models.CharField(max_length=200, blank=True)
    to_value = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_value}→{self.to_value}"
