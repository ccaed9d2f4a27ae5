"""Who may do what in the forum: the one policy views and services ask.

| who | read published | post, vote, report | accept an answer | staff answer | moderate |
|---|---|---|---|---|---|
| anyone | yes | no | no | no | no |
| signed-in person, not banned | yes | yes | on their own topics | no | no |
| agent (staff role) | yes | yes | any topic | yes, with their staff ID | no |
| supervisor, admin, or the `community.moderate_forum` permission | yes | yes | any topic | if also an agent | yes |

Staff who lack the 2FA the console needs (BEACON_STAFF_MFA_REQUIRED) are customers here
until they set it up, as on tickets (tickets.permissions).
"""

from __future__ import annotations

from accounts.twofactor.rules import missing_factor
from tickets.permissions import is_staff_agent, is_supervisor

MODERATE_PERMISSION = "community.moderate_forum"


def _staff_area_closed(user) -> bool:
    return missing_factor(user, staff_area=True) is not None


class ForumPolicy:
    @staticmethod
    def is_moderator(user) -> bool:
        if not user.is_authenticated or not user.is_active or _staff_area_closed(user):
            return False
        return is_supervisor(user) or user.has_perm(MODERATE_PERMISSION)

    @staticmethod
    def is_staff(user) -> bool:
        """Staff whose posts are official answers, marked with their staff ID."""
        return user.is_authenticated and is_staff_agent(user) and not _staff_area_closed(user)

    @staticmethod
    def can_accept(user, topic) -> bool:
        if not user.is_authenticated:
            return False
        return (
            topic.author_id == user.id
            or ForumPolicy.is_staff(user)
            or (ForumPolicy.is_moderator(user))
        )

    @staticmethod
    def can_see_post(user, post) -> bool:
        """Published posts for everyone; held ones for their author; all for moderators."""
        if post.status == post.Status.PUBLISHED:
            return True
        if ForumPolicy.is_moderator(user):
            return True
        return (
            post.status == post.Status.HELD and user.is_authenticated and post.author_id == user.id
        )
