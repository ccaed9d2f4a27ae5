"""Who may do what with a ticket: the one policy every page, API and service asks."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from accounts.selectors import user_has_role
from tickets.models import Team, TicketType


def is_staff_agent(user) -> bool:
    return user.is_authenticated and (
        user_has_role(user=user, role=Role.AGENT) or is_supervisor(user)
    )


def is_supervisor(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user_has_role(user=user, role=Role.SUPERVISOR)
    )


class TicketPolicy:
    """Customers own their tickets; agents work their teams' (and their own); supervisors all."""

    @staticmethod
    def visible_filter(user) -> Q:
        """The queryset filter of tickets `user` may see; nothing for anonymous users."""
        if not user.is_authenticated:
            return Q(pk__in=[])
        if is_supervisor(user):
            return Q()
        if is_staff_agent(user):
            # A subquery, not a join on members: no duplicate rows, so no DISTINCT.
            my_teams = Team.objects.filter(members=user).values("id")
            return Q(team__isnull=True) | Q(team__in=my_teams) | Q(assignee=user)
        # Security reviews are about the customer, not from them: staff only.
        return Q(requester=user) & ~Q(type__kind=TicketType.Kind.REVIEW)

    @staticmethod
    def can_work(user, ticket) -> bool:
        """Reply as staff, write internal notes, assign, change status and priority."""
        if is_supervisor(user):
            return True
        if not is_staff_agent(user):
            return False
        return (
            ticket.team_id is None
            or ticket.assignee_id == user.id
            or ticket.team.members.filter(id=user.id).exists()
        )

    @staticmethod
    def can_be_assigned(user, ticket) -> bool:
        """An assignee must be able to work the ticket: in its team, or a supervisor."""
        if is_supervisor(user):
            return True
        return is_staff_agent(user) and (
            ticket.team_id is None or ticket.team.members.filter(id=user.id).exists()
        )

    @staticmethod
    def is_requester(user, ticket) -> bool:
        return user.is_authenticated and ticket.requester_id == user.id
