"""Who may do what with a ticket: the one policy every page, API and service asks.

| role | security review tickets (KYC, appeal, 2FA reset) | other tickets |
|---|---|---|
| customer | never, not even their own | their own |
| agent | none (KYC data stays with the desk) | their teams', team-less ones, assigned to them |
| security reviewer | all of them, to work | none (unless also an agent) |
| supervisor, admin | all | all |

Staff who lack the 2FA the console needs (BEACON_STAFF_MFA_REQUIRED) are customers here
until they set it up: the customer pages and attachment links use this policy too, and
must not open a back door around the console's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from accounts.access import Area
from accounts.models import Role, User
from accounts.permissions import is_security_reviewer
from accounts.selectors import user_has_role
from accounts.twofactor.rules import missing_factor
from tickets.models import Team, TicketType


def is_staff_agent(user) -> bool:
    return user.is_authenticated and (
        user_has_role(user=user, role=Role.AGENT) or is_supervisor(user)
    )


def is_supervisor(user) -> bool:
    """Supervisors and administrators (the admin role, or a superuser)."""
    return user.is_authenticated and (
        user_has_role(user=user, role=Role.SUPERVISOR) or user_has_role(user=user, role=Role.ADMIN)
    )


def may_use_console(user) -> bool:
    """Who gets into the agent console at all; what they see there is visible_filter's."""
    return is_staff_agent(user) or is_security_reviewer(user)


# The console's door, for its pages (tickets.views.console.staff_only) and its socket
# (tickets.consumers): signed in, active, the staff 2FA rule, may_use_console.
CONSOLE = Area(staff_area=True, role=may_use_console)


def _staff_area_closed(user) -> bool:
    return missing_factor(user, staff_area=True) is not None


def _is_review(ticket) -> bool:
    return ticket.type.kind == TicketType.Kind.REVIEW


def _review_types() -> Q:
    # A subquery on the type id, not a join: the queue counts stay index-only scans.
    return Q(type__in=TicketType.objects.filter(kind=TicketType.Kind.REVIEW).values("id"))


def _holders(*roles: Role) -> Q:
    """On User: holders of any of `roles` (superusers hold every role)."""
    names = [role.value for role in roles]
    return Q(is_superuser=True) | Q(id__in=User.objects.filter(groups__name__in=names).values("id"))


def _holds(member, *roles: Role) -> bool:
    """_holders' rule for one kept staff member."""
    return member.is_superuser or any(role.value in member.roles for role in roles)


class Seen(StrEnum):
    """The kinds of ticket set visible_filter can give (TicketPolicy.visibility decides)."""

    NOTHING = "nothing"
    OWN = "own"  # customers, and staff locked out of the console until they set up 2FA
    ALL = "all"  # supervisors, admins
    TEAMS = "teams"  # agents
    REVIEWS = "reviews"  # security reviewers
    TEAMS_AND_REVIEWS = "teams_and_reviews"  # agents who also review


@dataclass(frozen=True)
class Visibility:
    """Which tickets a person may see: the kind TicketPolicy decided, and whose they are.

    The filter is made from these two alone, so a statement built from one kind is the
    same for everyone of that kind but for the id (tickets.console.kept_statements).
    """

    seen: Seen
    user_id: int | None

    def filter(self) -> Q:
        user_id = self.user_id
        if self.seen is Seen.NOTHING:
            return Q(pk__in=[])
        if self.seen is Seen.ALL:
            return Q()
        if self.seen is Seen.OWN:
            # Security reviews are about the customer, not from them: staff only. What
            # someone filed in their name without proving it (accounts.trust) is not
            # theirs until they confirm it.
            return Q(requester=user_id, sender_proven=True) & ~Q(type__kind=TicketType.Kind.REVIEW)
        seen = Q(pk__in=[])
        if self.seen in (Seen.TEAMS, Seen.TEAMS_AND_REVIEWS):
            # A subquery, not a join on members: no duplicate rows, so no DISTINCT.
            my_teams = Team.objects.filter(members=user_id).values("id")
            mine = Q(team__isnull=True) | Q(team__in=my_teams) | Q(assignee=user_id)
            seen = mine & ~_review_types()
        if self.seen in (Seen.REVIEWS, Seen.TEAMS_AND_REVIEWS):
            seen |= _review_types()
        return seen


class TicketPolicy:
    """Customers own their tickets; agents work their teams' (and their own) but no security
    reviews; security reviewers work the reviews; supervisors and admins see all."""

    @staticmethod
    def visible_filter(user) -> Q:
        """The queryset filter of tickets `user` may see; nothing for anonymous users."""
        return TicketPolicy.visibility(user).filter()

    @staticmethod
    def visibility(user) -> Visibility:
        """Which tickets `user` may see (visible_filter's decision, before it is a filter)."""
        if not user.is_authenticated:
            return Visibility(Seen.NOTHING, None)
        if may_use_console(user) and _staff_area_closed(user):
            return Visibility(Seen.OWN, user.pk)
        if is_supervisor(user):
            return Visibility(Seen.ALL, user.pk)
        if may_use_console(user):
            agent, reviewer = is_staff_agent(user), is_security_reviewer(user)
            if agent and reviewer:
                return Visibility(Seen.TEAMS_AND_REVIEWS, user.pk)
            if agent:
                return Visibility(Seen.TEAMS, user.pk)
            if reviewer:
                return Visibility(Seen.REVIEWS, user.pk)
            return Visibility(Seen.NOTHING, user.pk)
        return Visibility(Seen.OWN, user.pk)

    @staticmethod
    def sees_reviews(user) -> bool:
        return is_supervisor(user) or is_security_reviewer(user)

    @staticmethod
    def can_work(user, ticket) -> bool:
        """Reply as staff, write internal notes, assign, change status and priority.

        The same people visible_filter shows the ticket to, customers aside.
        """
        if _staff_area_closed(user):
            return False
        if is_supervisor(user):
            return True
        if _is_review(ticket):
            return is_security_reviewer(user)
        if not is_staff_agent(user):
            return False
        return (
            ticket.team_id is None
            or ticket.assignee_id == user.id
            or ticket.team.members.filter(id=user.id).exists()
        )

    @staticmethod
    def can_be_assigned(user, ticket) -> bool:
        """An assignee must be able to work the ticket: in its team (a reviewer, for a
        security review), or a supervisor."""
        if is_supervisor(user):
            return True
        if _is_review(ticket):
            return is_security_reviewer(user)
        return is_staff_agent(user) and (
            ticket.team_id is None or ticket.team.members.filter(id=user.id).exists()
        )

    @staticmethod
    def assignable_filter(ticket) -> Q:
        """On User: who can_be_assigned `ticket` (the users' side of that rule)."""
        bosses = _holders(Role.SUPERVISOR, Role.ADMIN)
        if _is_review(ticket):
            return bosses | _holders(Role.SECURITY_REVIEWER)
        agents = _holders(Role.AGENT)
        if ticket.team_id is not None:
            agents &= Q(id__in=User.objects.filter(teams=ticket.team_id).values("id"))
        return bosses | agents

    @staticmethod
    def can_be_assigned_member(member, ticket) -> bool:
        """assignable_filter's rule for one active staff member as the console keeps them
        (tickets.console.staff.StaffMember: is_superuser, roles, team_ids). The two must
        agree (tests/tickets/test_console_staff.py)."""
        if _holds(member, Role.SUPERVISOR, Role.ADMIN):
            return True
        if _is_review(ticket):
            return _holds(member, Role.SECURITY_REVIEWER)
        return _holds(member, Role.AGENT) and (
            ticket.team_id is None or ticket.team_id in member.team_ids
        )

    @staticmethod
    def can_work_member(member, ticket) -> bool:
        """workers_filter's rule for one kept staff member (as can_be_assigned_member)."""
        if TicketPolicy.can_be_assigned_member(member, ticket):
            return True
        return (
            ticket.assignee_id is not None
            and not _is_review(ticket)
            and _holds(member, Role.AGENT)
            and member.id == ticket.assignee_id
        )

    @staticmethod
    def workers_filter(ticket) -> Q:
        """On User: the staff who may see and work `ticket` (the users' side of can_work)."""
        workers = TicketPolicy.assignable_filter(ticket)
        if ticket.assignee_id is not None and not _is_review(ticket):
            workers |= _holders(Role.AGENT) & Q(id=ticket.assignee_id)
        return workers

    @staticmethod
    def is_requester(user, ticket) -> bool:
        return user.is_authenticated and ticket.requester_id == user.id
