"""The base of every socket a person holds open: in only through the door its page uses,
and out as soon as that door would close.

On connect a socket asks accounts.access what the matching page asks (signed in, active,
2FA, role), through its `area`, then `admit()` for anything of its own (the chat's
owner). It joins its person's and its session's groups (accounts.realtime), and:

- before each client frame, checks that its session still exists (4401 if not);
- on `account.closed` (a freeze) hangs up 4403;
- on `session.ended` (sign-out, a session ended elsewhere) hangs up 4401;
- on `access.changed` (a role, a factor or the account changed), and every
  RECHECK_SECONDS in case an event was lost (or when the session expires, if sooner),
  asks again as on connect: 4401 when the session no longer signs in the same person,
  else the area's and `admit()`'s answer.

Close codes (livechat/PROTOCOL.md): 4401 signed out; 4403 not allowed (frozen,
deactivated, 2FA to set up, not in the role, not the chat's owner).
"""

from __future__ import annotations

import asyncio
import random
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare

from accounts.access import SIGNED_IN, Area, Refusal, access_refusal
from accounts.models import User
from accounts.realtime import ACCESS_CHANGED, session_group
from core.sockets import JsonSocket, run_blocking
from notifications import user_group

CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_CODES = {
    Refusal.SIGNED_OUT: CLOSE_SIGNED_OUT,
    Refusal.INACTIVE: CLOSE_FORBIDDEN,
    Refusal.MFA_SETUP: CLOSE_FORBIDDEN,
    Refusal.FORBIDDEN: CLOSE_FORBIDDEN,
}
# The safety net under the events: each socket asks again this often (with up to 10%
# more, so a process's sockets do not all ask at once). 1,000 sockets cost about 3
# small queries a second.
RECHECK_SECONDS = 300


def _session_store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def session_user(session_key: str | None) -> User | None:
    """Whom the session signs in now, as Django would find them on the next page: the
    session exists, names a user, and its hash matches their password (a password
    changed elsewhere signs the others out). Inactive users too: the area says 4403 to
    them. Reads only (Django's own check would flush a mismatched session)."""
    if not session_key:
        return None
    store = _session_store(session_key)
    user_id = store.get(SESSION_KEY)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        return None
    stored = store.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return user if any(constant_time_compare(stored, known) for known in hashes) else None


class AccountSocket(JsonSocket):
    area: Area = SIGNED_IN

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rechecks: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
        finally:
            if self.rechecks is not None:
                self.rechecks.cancel()

    async def websocket_connect(self, message: dict) -> None:
        self.user = self.scope.get("user")
        session = self.scope.get("session")
        self.session_key: str | None = getattr(session, "session_key", None)
        await super().websocket_connect(message)
        if not self.closed:
            self.rechecks = asyncio.create_task(self._recheck_now_and_then())

    def standing_groups(self) -> list[str]:
        groups = [user_group(self.user.id)] if self.signed_in else []
        return groups + ([session_group(self.session_key)] if self.session_key else [])

    def connect(self) -> None:
        super().connect()
        if not self.closed and self.session_key:
            # When the session runs out, if it knows that sooner than the next check.
            self.first_recheck = min(RECHECK_SECONDS, self.scope["session"].get_expiry_age() + 1)

    # ---- who may be here

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    def authorize(self) -> int | None:
        refusal = access_refusal(self.user, self.area)
        if refusal is not None:
            return CLOSE_CODES[refusal]
        return self.admit()

    def admit(self) -> int | None:
        """What this socket asks besides the area (e.g. the chat's owner); None to let in."""
        return None

    def frame_refusal(self) -> int | None:
        return CLOSE_SIGNED_OUT if self.session_gone() else None

    def session_gone(self) -> bool:
        """True when the browser's session has ended since connect (signed out elsewhere,
        or flushed): the socket must not outlive it. One query, before every frame."""
        if not self.session_key:
            return self.signed_in  # signed in without a session: cannot happen; refuse
        return not _session_store().exists(self.session_key)

    def recheck(self) -> None:
        """In a worker thread: stay only if the socket would be let in now."""
        if self.closed:
            return
        if self.signed_in:
            user = session_user(self.session_key)
            if user is None or user.pk != self.user.pk:
                self.signed_out()
                return
            self.user = user  # fresh roles, factors and flags from here on
        elif self.session_gone():
            self.hang_up(CLOSE_SIGNED_OUT)
            return
        code = self.authorize()
        if code is not None:
            self.hang_up(code)

    def signed_out(self) -> None:
        """In a worker thread: the session no longer signs the person in. 4403 when that
        is because the account was frozen (the freeze ends its sessions first), else 4401."""
        active = User.objects.filter(pk=self.user.pk, is_active=True).exists()
        self.hang_up(CLOSE_SIGNED_OUT if active else CLOSE_FORBIDDEN)

    async def _recheck_now_and_then(self) -> None:
        delay = getattr(self, "first_recheck", RECHECK_SECONDS)
        while True:
            await asyncio.sleep(delay * random.uniform(1.0, 1.1))
            # Through the socket's own queue, so it runs between its frames, not beside.
            await self.channel_layer.send(self.channel_name, {"type": ACCESS_CHANGED})
            delay = RECHECK_SECONDS

    # ---- events from the channel layer (accounts.realtime)

    def account_closed(self, event: dict) -> None:
        """The account was frozen (accounts.freeze): hang up at once."""
        self.hang_up(CLOSE_FORBIDDEN)

    async def session_ended(self, event: dict) -> None:
        # At once, not by looking at the session: on sign-out this comes before the
        # session is flushed.
        if not self.closed and self.signed_in:
            await run_blocking(self.signed_out)
        self.hang_up(CLOSE_SIGNED_OUT)

    async def access_changed(self, event: dict) -> None:
        if not self.closed:
            await run_blocking(self.recheck)
