"""Every error code Beacon answers with, in one list, each with what it means.

A refused request says `{"code", "message", ...}`: in the API's answer (core.api), a
chat or console socket's `error` frame (core.sockets, livechat/PROTOCOL.md) and a page's
JSON. Clients branch on the code; people read the message, which says the particulars
("Messages are limited to 4000 characters."). So one meaning has one code wherever it
happens, and a new code is added here first; tests/core/test_error_codes.py fails on a
code that is raised but not listed.

How the names are made:
    empty, too_long, too_large   the input's size: nothing there, or more than allowed
    bad_<thing>                  <thing> is malformed or not one of its choices
    unknown_<thing>              <thing> names nothing that exists in its list
    not_<state>, already_<state> the object is not, or already, in the state needed
    <area>_<what>                a rule of one operation (merge_same, split_all)
    a bare word                  one operation's own refusal, where the word says it
                                 (taken, full, decided, answered)
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class ErrorCode(StrEnum):
    # ---------------------------------------------------------------- any input
    INVALID = "invalid"  # fields failed validation (DRF, forms); details in extra
    EMPTY = "empty"  # a required text or choice is empty after trimming
    TOO_LONG = "too_long"  # a text is longer than its limit (the message gives it)
    TOO_LARGE = "too_large"  # more bytes than accepted: a socket frame, an email
    BAD_LENGTH = "bad_length"  # a Content-Length that is not a number (mail webhook)
    BAD_FRAME = "bad_frame"  # a socket frame that is not JSON, or lacks its fields
    BAD_CLIENT_ID = "bad_client_id"  # a chat message's client_id is not 1-64 characters
    UNFILLED_PLACEHOLDER = "unfilled_placeholder"  # a reply still holds a canned reply's {name}
    BAD_EMAIL = "bad_email"  # not an email address
    BAD_FIELD = "bad_field"  # a ticket form's custom field value is not accepted
    BAD_ATTACHMENT = "bad_attachment"  # a file of a type, size or content not accepted
    BAD_PRIORITY = "bad_priority"  # not one of the ticket priorities
    BAD_RATING = "bad_rating"  # a rating that is not a whole number from 1 to 5
    BAD_REASON = "bad_reason"  # a reason not in its list (a KYC rejection, a forum report)
    BAD_STATUS = "bad_status"  # a status that is not one of its choices
    BAD_TAG = "bad_tag"  # a tag with characters or a length not allowed
    TOO_MANY_TAGS = "too_many_tags"  # more tags on a ticket than allowed
    BAD_TRANSFER = "bad_transfer"  # a chat transfer without a valid target
    BAD_OUTCOME = "bad_outcome"  # a complaint outcome not in the list
    BAD_TRANSITION = "bad_transition"  # the ticket's status cannot change to that one
    UNKNOWN_TYPE = "unknown_type"  # a request type not in the list
    UNKNOWN_ASSIGNEE = "unknown_assignee"  # an assignee not among the listed agents
    UNKNOWN_LANGUAGE = "unknown_language"  # a language Beacon does not serve
    BULK_ACTION = "bulk_action"  # a bulk action the console does not offer

    # ---------------------------------------------------------------- who may
    FORBIDDEN = "forbidden"  # this person may not do this
    SIGN_IN_REQUIRED = "sign_in_required"  # only a signed-in customer may do this
    MFA_REQUIRED = "mfa_required"  # staff must set up two-factor authentication first
    STAFF_ACCOUNT = "staff_account"  # only an administrator may freeze a staff account
    SAME_REVIEWER = "same_reviewer"  # the second review must come from someone else
    EMAIL_UNVERIFIED = "email_unverified"  # the account's email address is not verified
    ANONYMOUS = "anonymous"  # an anonymous visitor's chat cannot do this
    NO_SESSION = "no_session"  # the browser sent no session cookie
    RATE_LIMITED = "rate_limited"  # too many tries; wait (the message says how long)

    # ---------------------------------------------------------------- what exists
    NOT_FOUND = "not_found"  # missing, or not yours: the two look the same
    MISSING_DOCUMENT = "missing_document"  # a KYC level's required files are not all there
    NO_COMPLAINT_TYPE = "no_complaint_type"  # no request type for complaints is set up
    NO_MFA = "no_mfa"  # the account has no two-factor authentication to reset

    # ---------------------------------------------------------------- the state it is in
    CLOSED = "closed"  # the ticket is closed: open a new one
    ENDED = "ended"  # the chat has ended
    NOT_ENDED = "not_ended"  # only an ended chat can be rated
    NOT_ACTIVE = "not_active"  # the chat is not open
    NOT_SOLVED = "not_solved"  # only a solved request can be rated
    NOT_A_COMPLAINT = "not_a_complaint"  # only complaints have an outcome
    NOT_AGENT = "not_agent"  # the assignee is not an agent of the ticket's team
    REOPEN_EXPIRED = "reopen_expired"  # solved too long ago to reopen
    ANSWERED = "answered"  # the request was already answered (a confirm link used twice)
    DECIDED = "decided"  # someone already decided (or it was cancelled)
    ALREADY_OPEN = "already_open"  # a two-factor reset is already open
    ALREADY_FROZEN = "already_frozen"  # the account is already frozen
    COMPLAINT_EXISTS = "complaint_exists"  # one complaint per request or chat
    COMPLAINT_OF_COMPLAINT = "complaint_of_complaint"  # a complaint about a complaint
    DUPLICATE_VOTE = "duplicate_vote"  # this browser already voted on the article
    IDENTITY = "identity"  # the identity details given are not acceptable (KYC)

    # ---------------------------------------------------------------- merge and split
    MERGE_SAME = "merge_same"  # a ticket cannot be merged into itself
    MERGE_REQUESTERS = "merge_requesters"  # only one customer's tickets merge
    MERGE_STATE = "merge_state"  # a merged or closed ticket cannot take part
    MERGE_TARGET = "merge_target"  # no ticket with the number typed
    MERGE_NONE = "merge_none"  # no ticket was ticked
    SPLIT_STATE = "split_state"  # a merged or closed ticket cannot be split
    SPLIT_NONE = "split_none"  # no message was ticked
    SPLIT_ALL = "split_all"  # at least one message must stay
    SPLIT_FOREIGN = "split_foreign"  # a ticked message is another ticket's

    # ---------------------------------------------------------------- live chat agents
    AGENT_UNAVAILABLE = "agent_unavailable"  # the agent is offline or cannot take it
    AGENT_OFFLINE = "agent_offline"  # only an online agent can take chats
    AGENT_UNKNOWN = "agent_unknown"  # no agent has that staff ID
    TAKEN = "taken"  # the chat is no longer waiting: someone took it
    LANGUAGE = "language"  # the agent does not serve the chat's language
    SKILL = "skill"  # the agent lacks the skill the chat needs
    FULL = "full"  # the agent has no room for another chat
    STAFF_ID = "staff_id"  # no staff ID could be given out; try again

    # ---------------------------------------------------------------- the community forum
    BAD_POST = "bad_post"  # the post does not exist here, or cannot be acted on
    BAD_ACTION = "bad_action"  # a moderation action that is not one of its choices
    BAD_END = "bad_end"  # a ban's end that is not in the future
    BANNED = "banned"  # the person is banned from posting
    LOCKED = "locked"  # the topic is locked: no new replies
    NOT_PUBLISHED = "not_published"  # the post is held or hidden, so it cannot be accepted
    OWN_POST = "own_post"  # one's own post cannot be voted for or reported
    NOT_ALLOWED_NOW = "not_allowed_now"  # that moderation action does not apply to it now
    ALREADY_THERE = "already_there"  # the topic is already in that category
    ALREADY_REPORTED = "already_reported"  # this person has reported this post before
    ALREADY_DRAFTED = "already_drafted"  # the answer is already an article draft
    BAN_MODERATOR = "ban_moderator"  # moderators cannot be banned from the forum

    # ---------------------------------------------------------------- incidents
    INCOMPLETE = "incomplete"  # the title, status or update is missing in a language
    NOTHING_AFFECTED = "nothing_affected"  # an incident names no coin, network, feature or word
    TOO_MANY = "too_many"  # more coins, networks, features or words than an incident takes
    ALREADY_RESOLVED = "already_resolved"  # the incident is resolved: no more updates

    # ---------------------------------------------------------------- our side
    BOT_UNAVAILABLE = "bot_unavailable"  # the message was saved; the bot failed to answer
    SERVER_ERROR = "server_error"  # a failure on the server (logged); try again


# The codes DRF itself answers with, through core.api's handler (`detail.code`).
DRF_CODES = frozenset(
    {
        "error",
        "authentication_failed",
        "not_authenticated",
        "permission_denied",
        "not_found",
        "method_not_allowed",
        "not_acceptable",
        "unsupported_media_type",
        "throttled",
        "parse_error",
    }
)
