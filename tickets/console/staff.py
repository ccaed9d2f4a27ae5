"""The staff a ticket page offers as assignees and lists as followers, kept in the
shared cache between changes to staff (issue 19).

Who may take or follow a ticket depends on the ticket (its team, whether it is a
security review) and on the staff (roles, teams, whether active, names). Asking the
database for them on every ticket page cost about 9 ms, nearly all of it the ORM
building one statement of nested role subqueries. The active staff, with their roles
and teams, are now kept with a generation that every change to a user, a role or a
team's members bumps (when made and again at commit, as count_cache does: a page read
between the two must not keep the old staff under the new number), for at most TTL
seconds (a queryset `update()` sends no signal). TicketPolicy.can_be_assigned_member
and can_work_member apply the policy's rule to them; tests hold those to
assignable_filter and workers_filter. The receivers connect in TicketsConfig.ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import Role, User
from core.generations import generation_bump, kept
from tickets.models import Team

GENERATION_KEY = "console:staff:generation"
KEY = "console:staff"
TTL = 60  # bounds what a change without signals (a bulk update) leaves on screen
_STAFF_ROLES = [role.value for role in Role if role != Role.CUSTOMER]


@dataclass(frozen=True)
class StaffMember:
    """An active staff user as the ticket page shows them; `user` is read with only the
    id, email, names and superuser flag (no password hash in the cache)."""

    user: User
    is_superuser: bool
    roles: frozenset[str]
    team_ids: frozenset[int]

    @property
    def id(self) -> int:
        return self.user.id


def _read() -> list[StaffMember]:
    holders = User.objects.filter(groups__name__in=_STAFF_ROLES).values("id")
    rows = (
        User.objects.filter(Q(is_superuser=True) | Q(id__in=holders), is_active=True)
        .only("id", "email", "first_name", "last_name", "is_superuser")
        .annotate(
            role_names=ArraySubquery(
                User.groups.through.objects.filter(user_id=OuterRef("pk")).values("group__name")
            ),
            member_of=ArraySubquery(
                Team.members.through.objects.filter(user_id=OuterRef("pk")).values("team_id")
            ),
        )
        .order_by("email")
    )
    return [
        StaffMember(
            user=row,
            is_superuser=row.is_superuser,
            roles=frozenset(row.role_names),
            team_ids=frozenset(row.member_of),
        )
        for row in rows
    ]


def active_staff() -> list[StaffMember]:
    """Every active superuser and holder of a staff role, by email; from the shared
    cache when no staff changed since they were read (one statement otherwise)."""
    staff, _stale = kept(KEY, GENERATION_KEY, _read, TTL)
    return staff


def staff_changed(**_kwargs: object) -> None:
    """A user, a role or a team's members changed: the kept staff are stale now and
    again once the change commits."""
    generation_bump(GENERATION_KEY)
    transaction.on_commit(lambda: generation_bump(GENERATION_KEY), robust=True)


def _user_saved(sender, update_fields=None, **kwargs: object) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in: nothing the ticket page shows
    staff_changed()


def _members_changed(sender, action: str, **kwargs: object) -> None:
    if action.startswith("post_"):
        staff_changed()


def connect() -> None:
    post_save.connect(_user_saved, sender=User, dispatch_uid="tickets.console.staff.user")
    post_delete.connect(staff_changed, sender=User, dispatch_uid="tickets.console.staff.user_gone")
    for model, uid in ((Group, "group"), (Team, "team")):
        post_save.connect(staff_changed, sender=model, dispatch_uid=f"tickets.console.staff.{uid}")
        post_delete.connect(
            staff_changed, sender=model, dispatch_uid=f"tickets.console.staff.{uid}_gone"
        )
    for through, uid in ((User.groups.through, "roles"), (Team.members.through, "members")):
        m2m_changed.connect(
            _members_changed, sender=through, dispatch_uid=f"tickets.console.staff.{uid}"
        )
