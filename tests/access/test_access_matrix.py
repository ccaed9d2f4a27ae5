"""Who may open what: every URL pattern, every API operation and every websocket route,
asked as each kind of person, against ONE table of what they should get.

The table is the intended rule, not a record of today's answers: customers see only
their own things (another's is a 404), staff pages need a staff role and, with
BEACON_STAFF_MFA_REQUIRED on (as in production), 2FA; the security desk is for security
reviewers, reports and email lists for supervisors, the admin for superusers; a frozen
account's session is dead, so it is answered as a signed-out visitor. A route without a
row fails `test_every_route_has_exactly_one_row`: add its row (and, if it takes a new
kind of parameter, a value in tests/access/matrix.py).

Columns: who asks (tests/access/world.py makes them). The method is what the row
sends: GET for pages, POST for actions that take nothing else, the operation's own for
the API. Every request is undone (a savepoint), so no cell changes what the next sees.
Where the table says a person is refused, the same person's POST to that URL (hostile
form fields that would pass validation) must be refused too, and write nothing.
Answers are named in tests/access/matrix.py: a status code, `3xx` (a redirect
elsewhere), `login`/`alogin` (to the site's or the admin's sign-in), `mfa` (to the 2FA
set-up), and for sockets `open`, or the code they were closed with after the handshake.

Run: `.venv/bin/python -m pytest tests/access -q` (PostgreSQL and Redis, as in CI).
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import connections

from tests.access import matrix
from tests.access.world import ACTORS, World, build_world, sign_in_everyone

# fmt: off
TABLE = {
    #                                                              method anonym other  owner  agent  superv review admin  frozen no2fa
    # -- the site's own
    "/healthz":                                                    "GET  200    200    200    200    200    200    200    200    200",
    "/ping":                                                       "GET  200    200    200    200    200    200    200    200    200",
    "/i18n/setlang/":                                              "GET  3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx",
    # -- the admin: superusers only (staff have no model permissions: 403)
    "/admin/":                                                     "GET  alogin alogin alogin 200    200    200    200    alogin mfa",
    "/admin/login/":                                               "GET  200    200    200    3xx    3xx    3xx    3xx    200    mfa",
    "/admin/logout/":                                              "POST 3xx    3xx    3xx    200    200    200    200    3xx    mfa",
    "/admin/password_change/":                                     "GET  alogin alogin alogin 200    200    200    200    alogin mfa",
    "/admin/password_change/done/":                                "GET  alogin alogin alogin 200    200    200    200    alogin mfa",
    "/admin/autocomplete/":                                        "GET  alogin alogin alogin 403    403    403    403    alogin mfa",
    "/admin/jsi18n/":                                              "GET  alogin alogin alogin 200    200    200    200    alogin mfa",
    "/admin/r/<content_type_id>/<object_id>/":                     "GET  alogin alogin alogin 404    404    404    404    alogin mfa",
    "/admin/auth/group/":                                          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/auth/group/add/":                                      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/auth/group/<object_id>/history/":                      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/auth/group/<object_id>/delete/":                       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/auth/group/<object_id>/change/":                       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/auth/group/<object_id>/":                              "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/account/emailaddress/":                                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/account/emailaddress/add/":                            "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/account/emailaddress/<object_id>/history/":            "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/account/emailaddress/<object_id>/delete/":             "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/account/emailaddress/<object_id>/change/":             "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/account/emailaddress/<object_id>/":                    "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/mfa/authenticator/":                                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/mfa/authenticator/add/":                               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/mfa/authenticator/<object_id>/history/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/mfa/authenticator/<object_id>/delete/":                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/mfa/authenticator/<object_id>/change/":                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/mfa/authenticator/<object_id>/":                       "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/usersessions/usersession/":                            "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/usersessions/usersession/add/":                        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/usersessions/usersession/<object_id>/history/":        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/usersessions/usersession/<object_id>/delete/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/usersessions/usersession/<object_id>/change/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/usersessions/usersession/<object_id>/":                "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/accounts/user/<id>/password/":                         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/":                                       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/add/":                                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/<object_id>/history/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/<object_id>/delete/":                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/<object_id>/change/":                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/accounts/user/<object_id>/":                           "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/notifications/notification/":                          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notification/add/":                      "GET  alogin alogin alogin 403    403    403    403    alogin mfa",
    "/admin/notifications/notification/<object_id>/history/":      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notification/<object_id>/delete/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notification/<object_id>/change/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notification/<object_id>/":              "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/notifications/notificationpreference/":                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notificationpreference/add/":            "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notificationpreference/<object_id>/history/": "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notificationpreference/<object_id>/delete/": "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notificationpreference/<object_id>/change/": "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/notifications/notificationpreference/<object_id>/":    "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/knox/authtoken/":                                      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/knox/authtoken/add/":                                  "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/knox/authtoken/<object_id>/history/":                  "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/knox/authtoken/<object_id>/delete/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/knox/authtoken/<object_id>/change/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/knox/authtoken/<object_id>/":                          "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/articlecategory/":                          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlecategory/add/":                      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlecategory/<object_id>/history/":      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlecategory/<object_id>/delete/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlecategory/<object_id>/change/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlecategory/<object_id>/":              "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/article/":                                  "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/article/add/":                              "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/article/<object_id>/history/":              "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/article/<object_id>/delete/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/article/<object_id>/change/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/article/<object_id>/":                      "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/articlefeedback/":                          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlefeedback/add/":                      "GET  alogin alogin alogin 403    403    403    403    alogin mfa",
    "/admin/helpcenter/articlefeedback/<object_id>/history/":      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlefeedback/<object_id>/delete/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlefeedback/<object_id>/change/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/articlefeedback/<object_id>/":              "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/searchsynonym/":                            "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/searchsynonym/add/":                        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/searchsynonym/<object_id>/history/":        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/searchsynonym/<object_id>/delete/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/searchsynonym/<object_id>/change/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/searchsynonym/<object_id>/":                "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/announcement/":                             "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/announcement/add/":                         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/announcement/<object_id>/history/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/announcement/<object_id>/delete/":          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/announcement/<object_id>/change/":          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/announcement/<object_id>/":                 "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/glossaryterm/":                             "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/glossaryterm/add/":                         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/glossaryterm/<object_id>/history/":         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/glossaryterm/<object_id>/delete/":          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/glossaryterm/<object_id>/change/":          "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/glossaryterm/<object_id>/":                 "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/businesscalendar/":                         "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/businesscalendar/add/":                     "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/businesscalendar/<object_id>/history/":     "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/businesscalendar/<object_id>/delete/":      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/businesscalendar/<object_id>/change/":      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/businesscalendar/<object_id>/":             "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/helpcenter/contactchannel/":                           "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/contactchannel/add/":                       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/contactchannel/<object_id>/history/":       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/contactchannel/<object_id>/delete/":        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/contactchannel/<object_id>/change/":        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/helpcenter/contactchannel/<object_id>/":               "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/tickets/tickettype/":                                  "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/tickettype/add/":                              "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/tickettype/<object_id>/history/":              "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/tickettype/<object_id>/delete/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/tickettype/<object_id>/change/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/tickettype/<object_id>/":                      "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/tickets/team/":                                        "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/team/add/":                                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/team/<object_id>/history/":                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/team/<object_id>/delete/":                     "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/team/<object_id>/change/":                     "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/team/<object_id>/":                            "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/tickets/slapolicy/":                                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/slapolicy/add/":                               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/slapolicy/<object_id>/history/":               "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/slapolicy/<object_id>/delete/":                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/slapolicy/<object_id>/change/":                "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/slapolicy/<object_id>/":                       "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/tickets/ticket/":                                      "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/ticket/add/":                                  "GET  alogin alogin alogin 403    403    403    403    alogin mfa",
    "/admin/tickets/ticket/<object_id>/history/":                  "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/ticket/<object_id>/delete/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/ticket/<object_id>/change/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/ticket/<object_id>/":                          "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/tickets/macro/":                                       "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/macro/add/":                                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/macro/<object_id>/history/":                   "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/macro/<object_id>/delete/":                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/macro/<object_id>/change/":                    "GET  alogin alogin alogin 403    403    403    200    alogin mfa",
    "/admin/tickets/macro/<object_id>/":                           "GET  alogin alogin alogin 3xx    3xx    3xx    3xx    alogin mfa",
    "/admin/<app_label>/":                                         "GET  alogin alogin alogin 404    404    404    200    alogin mfa",
    "/admin/<url>":                                                "GET  alogin alogin alogin 404    404    404    404    alogin mfa",
    # -- allauth: sign-in, email, password, 2FA, sessions
    "/accounts/login/":                                            "GET  200    3xx    3xx    3xx    3xx    3xx    3xx    200    3xx",
    "/accounts/logout/":                                           "GET  3xx    200    200    200    200    200    200    3xx    200",
    "/accounts/inactive/":                                         "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/signup/":                                           "GET  200    3xx    3xx    3xx    3xx    3xx    3xx    200    3xx",
    "/accounts/reauthenticate/":                                   "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/reauthenticate/code/":                              "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/reauthenticate/code/confirm/":                      "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/email/":                                            "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/confirm-email/":                                    "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/password/change/":                                  "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/password/set/":                                     "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/password/reset/":                                   "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/login/code/confirm/":                               "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/confirm-email/<key>/":                              "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/password/reset/key/done/":                          "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/password/reset/key/<uidb36>-<key>/":                "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/password/reset/done/":                              "GET  200    200    200    200    200    200    200    200    200",
    "/accounts/2fa/":                                              "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/2fa/authenticate/":                                 "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/reauthenticate/":                               "GET  login  3xx    200    200    200    200    200    login  3xx",
    "/accounts/2fa/totp/activate/":                                "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/totp/deactivate/":                              "GET  login  404    3xx    3xx    3xx    3xx    3xx    login  404",
    "/accounts/2fa/recovery-codes/":                               "GET  login  404    404    404    404    404    404    login  404",
    "/accounts/2fa/recovery-codes/generate/":                      "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/recovery-codes/download/":                      "GET  login  404    404    404    404    404    404    login  404",
    "/accounts/2fa/webauthn/":                                     "GET  login  200    200    200    200    200    200    login  200",
    "/accounts/2fa/webauthn/add/":                                 "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/webauthn/reauthenticate/":                      "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/webauthn/keys/<pk>/remove/":                    "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/webauthn/keys/<pk>/edit/":                      "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/2fa/webauthn/login/":                               "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/accounts/sessions/":                                         "GET  login  200    200    200    200    200    200    login  200",
    # -- the customer's account pages (every signed-in person has one)
    "/account/language":                                           "POST 3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx",
    "/account/preferences/":                                       "GET  login  200    200    200    200    200    200    login  200",
    "/account/notifications/":                                     "GET  login  200    200    200    200    200    200    login  200",
    "/account/notifications/read":                                 "POST login  400    400    400    400    400    400    login  400",
    "/account/security/":                                          "GET  login  200    200    200    200    200    200    login  200",
    "/account/security/history/":                                  "GET  login  200    200    200    200    200    200    login  200",
    "/account/security/code/":                                     "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/account/security/phone/":                                    "GET  login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/account/security/sessions/end-others/":                      "POST login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/account/freeze/":                                            "GET  login  200    200    200    200    200    200    login  200",
    "/account/freeze/frozen/":                                     "GET  200    200    200    200    200    200    200    200    200",
    "/account/freeze/not-me/<token>/":                             "GET  200    200    200    200    200    200    200    200    200",
    "/account/freeze/appeal/":                                     "GET  200    200    200    200    200    200    200    200    200",
    "/account/freeze/appeal/<token>/":                             "GET  200    200    200    200    200    200    200    200    200",
    "/account/verification/":                                      "GET  login  200    200    200    200    200    200    login  200",
    "/account/2fa-reset/":                                         "GET  200    200    200    200    200    200    200    200    200",
    "/account/2fa-reset/cancel/<token>/":                          "GET  200    200    200    200    200    200    200    200    200",
    # -- the API walked as pages: session cookie (the API rows below use keys)
    "/api/v1/helpcenter/search":                                   "GET  200    200    200    200    200    200    200    200    mfa",
    "/api/v1/tickets/":                                            "GET  401    200    200    200    200    200    200    401    mfa",
    "/api/v1/tickets/create":                                      "POST 401    201    201    201    201    201    201    401    mfa",
    "/api/v1/tickets/<number>":                                    "GET  401    404    200    200    200    404    200    401    mfa",
    "/api/v1/tickets/<number>/reply":                              "POST 401    404    201    201    201    404    201    401    mfa",
    "/api/v1/tickets/<number>/status":                             "POST 401    404    200    200    200    404    200    401    mfa",
    "/api/v1/mail/inbound":                                        "POST 403    403    403    403    403    403    403    403    mfa",
    "/api/schema/":                                                "GET  200    200    200    200    200    200    200    200    mfa",
    "/api/docs/":                                                  "GET  200    200    200    200    200    200    200    200    mfa",
    # -- the security desk: reviewers (and superusers); agents may freeze customers
    "/console/security/":                                          "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/customers/":                                "GET  login  403    403    403    403    3xx    3xx    login  mfa",
    "/console/security/customers/<uid>/":                          "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/freeze/<uid>/":                             "GET  login  403    403    200    200    200    200    login  mfa",
    "/console/security/appeals/":                                  "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/appeals/<appeal_id>/":                      "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/appeals/<appeal_id>/review":                "POST login  403    403    403    403    3xx    3xx    login  mfa",
    "/console/security/appeals/<appeal_id>/selfie":                "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/kyc/":                                      "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/kyc/<submission_id>/":                      "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/kyc/<submission_id>/decide":                "POST login  403    403    403    403    3xx    3xx    login  mfa",
    "/console/security/kyc/documents/<document_id>/":              "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/2fa-resets/":                               "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/2fa-resets/<reset_id>/":                    "GET  login  403    403    403    403    200    200    login  mfa",
    "/console/security/2fa-resets/<reset_id>/decide":              "POST login  403    403    403    403    3xx    3xx    login  mfa",
    "/console/security/2fa-resets/<reset_id>/documents/<document_id>": "GET  login  403    403    403    403    200    200    login  mfa",
    # -- the chat console: agents and supervisors
    "/console/chats/":                                             "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/chats/<public_id>/context":                          "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/chats/<public_id>/macros/<macro_id>":                "GET  login  403    403    200    200    403    200    login  mfa",
    # (the world's chat is with an agent already: taking it is refused with a message, 3xx)
    "/console/chats/waiting":                                      "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/chats/<public_id>/take":                             "POST login  403    403    3xx    3xx    403    3xx    login  mfa",
    "/console/chats/<public_id>/assign":                           "POST login  403    403    403    3xx    403    3xx    login  mfa",
    "/console/chats/profile":                                      "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/chats/agents/":                                      "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/chats/agents/<agent_id>/profile":                    "GET  login  403    403    200    200    403    200    login  mfa",
    # -- the chat: the conversation's owner only (404 for anyone else)
    "/chat/verify-agent":                                          "GET  200    200    200    200    200    200    200    200    200",
    "/chat/start":                                                 "POST 200    200    200    200    200    200    200    200    200",
    "/chat/<public_id>/messages":                                  "GET  404    404    200    404    404    404    404    404    404",
    "/chat/<public_id>/transcript":                                "GET  404    404    200    404    404    404    404    404    404",
    "/chat/<public_id>/":                                          "GET  404    404    200    404    404    404    404    404    404",
    "/chat/<public_id>/options":                                   "GET  404    404    200    404    404    404    404    404    404",
    "/chat/<public_id>/leave-message":                             "POST 404    404    3xx    404    404    404    404    404    404",
    "/chat/<public_id>/transcript/email":                          "POST 404    404    3xx    404    404    404    404    404    404",
    "/chat/<public_id>/complaint":                                 "POST 404    404    3xx    404    404    404    404    404    404",
    # -- requests: the requester's; staff who may work the ticket see it too
    "/requests/":                                                  "GET  login  200    200    200    200    200    200    login  200",
    "/requests/new/":                                              "GET  login  200    200    200    200    200    200    login  200",
    "/requests/new/suggest":                                       "GET  login  200    200    200    200    200    200    login  200",
    "/requests/created/<number>/":                                 "GET  login  404    200    200    200    404    200    login  404",
    "/requests/<number>/":                                         "GET  login  404    200    200    200    404    200    login  404",
    "/requests/<number>/reply":                                    "POST login  404    3xx    3xx    3xx    404    3xx    login  404",
    "/requests/<number>/status":                                   "POST login  404    3xx    3xx    3xx    404    3xx    login  404",
    "/requests/<number>/rate":                                     "POST login  404    400    403    403    404    403    login  404",
    "/requests/<number>/complain":                                 "POST login  404    3xx    403    403    404    403    login  404",
    "/rate/<token>/":                                              "GET  200    200    200    200    200    200    200    200    200",
    "/requests/confirm/<token>/":                                  "GET  200    200    200    200    200    200    200    200    200",
    "/attachments/<attachment_id>/":                               "GET  login  404    200    200    200    404    200    login  404",
    # -- the agent console: staff roles; reports and email lists: supervisors
    "/console/":                                                   "GET  login  403    403    200    200    200    200    login  mfa",
    "/console/queues":                                             "GET  login  403    403    200    200    200    200    login  mfa",
    "/console/inbox/":                                             "GET  login  403    403    200    200    200    200    login  mfa",
    "/console/tickets/<number>/":                                  "GET  login  403    403    200    200    404    200    login  mfa",
    "/console/tickets/<number>/reply":                             "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/assign":                            "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/status":                            "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/priority":                          "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/outcome":                           "POST login  403    403    403    400    404    400    login  mfa",
    "/console/tickets/<number>/tags":                              "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/merge":                             "POST login  403    403    400    400    404    400    login  mfa",
    "/console/tickets/<number>/follow":                            "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/unfollow":                          "POST login  403    403    3xx    3xx    404    3xx    login  mfa",
    "/console/tickets/<number>/split":                             "POST login  403    403    400    400    404    400    login  mfa",
    "/console/bulk":                                               "POST login  403    403    3xx    3xx    3xx    3xx    login  mfa",
    "/console/emails/":                                            "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/emails/<email_id>/":                                 "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/emails/<email_id>/raw":                              "GET  login  403    403    200    200    403    200    login  mfa",
    "/console/reports/":                                           "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/reports/tickets.csv":                                "GET  login  403    403    403    200    403    200    login  mfa",
    # -- Telegram, X and Discord: linking is any signed-in person's; webhooks are off
    # (404) while a platform has no credentials, as in the tests' settings
    "/account/linked-channels/":                                   "GET  login  200    200    200    200    200    200    login  200",
    "/outside/<platform>/webhook":                                 "POST 404    404    404    404    404    404    404    404    404",
    # -- the community forum: anyone reads, signed-in people post, moderators moderate
    "/community/":                                                 "GET  200    200    200    200    200    200    200    200    200",
    "/community/c/<slug>/":                                        "GET  200    200    200    200    200    200    200    200    200",
    "/community/c/<slug>/new/":                                    "GET  login  200    200    200    200    200    200    login  200",
    "/community/t/<topic_id>/":                                    "GET  200    200    200    200    200    200    200    200    200",
    "/community/t/<topic_id>/reply/":                              "POST login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/community/t/<topic_id>/accept/":                             "POST login  403    3xx    3xx    3xx    403    3xx    login  403",
    "/community/p/<post_id>/vote/":                                "POST login  3xx    3xx    3xx    3xx    3xx    3xx    login  3xx",
    "/community/p/<post_id>/report/":                              "GET  login  200    200    200    200    200    200    login  200",
    "/community/p/<post_id>/article-draft/":                       "POST login  403    403    3xx    3xx    403    3xx    login  403",
    "/community/moderation/":                                      "GET  login  403    403    403    200    403    200    login  403",
    "/community/p/<post_id>/moderate/":                            "POST login  403    403    403    3xx    403    3xx    login  403",
    "/community/t/<topic_id>/lock/":                               "POST login  403    403    403    3xx    403    3xx    login  403",
    "/community/t/<topic_id>/move/":                               "GET  login  403    403    403    200    403    200    login  403",
    "/community/u/<uid>/ban/":                                     "GET  login  403    403    403    200    403    200    login  403",
    "/community/u/<uid>/unban/":                                   "POST login  403    403    403    3xx    403    3xx    login  403",
    # -- incidents: operations leads (supervisors and admins)
    "/console/incidents/":                                         "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/incidents/<incident_id>/":                           "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/incidents/<incident_id>/links/<link_id>/review":     "POST login  403    403    403    3xx    403    3xx    login  mfa",
    # -- the help centre: everyone
    "/":                                                           "GET  200    200    200    200    200    200    200    200    200",
    "/help/search/":                                               "GET  200    200    200    200    200    200    200    200    200",
    "/help/csrf-token":                                            "GET  200    200    200    200    200    200    200    200    200",
    "/help/search/go/<article_id>/":                               "GET  3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx    3xx",
    "/console/help/search-analytics/":                             "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/help/search-analytics.csv":                          "GET  login  403    403    403    200    403    200    login  mfa",
    "/console/help/search-analytics/teach/":                       "POST login  403    403    403    400    403    400    login  mfa",
    "/help/categories/<slug>/":                                    "GET  200    200    200    200    200    200    200    200    200",
    "/help/articles/<slug>/":                                      "GET  200    200    200    200    200    200    200    200    200",
    "/help/articles/<slug>/feedback":                              "POST 400    400    400    400    400    400    400    400    400",
    "/announcements/":                                             "GET  200    200    200    200    200    200    200    200    200",
    "/announcements/<announcement_id>/":                           "GET  200    200    200    200    200    200    200    200    200",
    "/guide/":                                                     "GET  200    200    200    200    200    200    200    200    200",
    "/glossary/":                                                  "GET  200    200    200    200    200    200    200    200    200",
    "/contact/":                                                   "GET  200    200    200    200    200    200    200    200    200",
    "/verify/":                                                    "GET  200    200    200    200    200    200    200    200    200",
    # -- API operations (OpenAPI schema), each person with their API key (Authorization: Token)
    "GET /api/v1/helpcenter/search":                               "GET  200    200    200    200    200    200    200    200    200",
    "POST /api/v1/mail/inbound":                                   "POST 403    403    403    403    403    403    403    403    403",
    "GET /api/v1/tickets/":                                        "GET  401    200    200    200    200    200    200    401    mfa",
    "GET /api/v1/tickets/{number}":                                "GET  401    404    200    200    200    404    200    401    mfa",
    "POST /api/v1/tickets/{number}/reply":                         "POST 401    404    201    201    201    404    201    401    mfa",
    "POST /api/v1/tickets/{number}/status":                        "POST 401    404    200    200    200    404    200    401    mfa",
    "POST /api/v1/tickets/create":                                 "POST 401    201    201    201    201    201    201    401    mfa",
    # -- websockets (config.asgi): 4401 signed out, 4403 not for you; closed after the handshake
    "WS /ws/notifications/":                                       "WS   4401   open   open   open   open   open   open   4401   open",
    "WS /ws/console/":                                             "WS   4401   4403   4403   open   open   open   open   4401   4403",
    "WS /ws/chat/agent/":                                          "WS   4401   4403   4403   open   open   4403   open   4401   4403",
    "WS /ws/chat/<public_id>/":                                    "WS   4403   4403   open   4403   4403   4403   4403   4403   4403",
}
# fmt: on

ROWS = matrix.parse_table(TABLE, ACTORS)
# Bodies that would succeed for a person allowed to send them (elsewhere: HOSTILE_BODY).
BODIES = {
    "/api/v1/tickets/create": {"type": "other", "subject": "From the matrix", "body": "Hello"},
    "/api/v1/tickets/<number>/reply": {"body": "A reply from the matrix"},
    "/api/v1/tickets/<number>/status": {"status": "solved"},
    "POST /api/v1/tickets/create": {"type": "other", "subject": "From the matrix", "body": "Hi"},
    "POST /api/v1/tickets/{number}/reply": {"body": "A reply from the matrix"},
    "POST /api/v1/tickets/{number}/status": {"status": "solved"},
}


@pytest.fixture
def inbound_mail_on(settings):
    """The mail webhook answers (403 without the signature) instead of 404 (turned off)."""
    settings.BEACON_INBOUND_MAIL_SECRET = "matrix-secret"


def test_every_route_has_exactly_one_row(db):
    routes = matrix.page_routes()
    assert len(routes) == len(set(routes)), "two URL patterns read the same: name them apart"
    found = set(routes) | set(matrix.api_operations()) | set(matrix.socket_routes())
    assert sorted(found - set(TABLE)) == [], "routes without a row in TABLE"
    assert sorted(set(TABLE) - found) == [], "rows of routes that no longer exist"


def _walk(world: World, actor: str, keys: list[str], *, api: bool) -> list[str]:
    """Ask every row in `keys` as `actor`; return what does not match the table."""
    client = matrix.client_for(world, actor, api=api)
    problems = []
    for key in keys:
        row, path = ROWS[key], matrix.concrete(key, world)
        expected = row.expected[actor]
        body = BODIES.get(key, matrix.HOSTILE_BODY)
        asked = matrix.ask(client, row.method, path, data=body, json=api)
        if asked.answer != expected:
            problems.append(matrix.mismatch_report(key, actor, expected, asked.answer, []))
        if expected not in matrix.DENIALS:
            continue
        if asked.changed:
            problems.append(matrix.mismatch_report(key, actor, "no writes", "", asked.changed))
        if row.method == "GET":
            unsafe = matrix.ask(client, "POST", path, data=matrix.HOSTILE_BODY, json=api)
            if unsafe.answer not in matrix.DENIALS or unsafe.changed:
                problems.append(
                    matrix.mismatch_report(
                        f"POST {key}", actor, "refused", unsafe.answer, unsafe.changed
                    )
                )
    return problems


@pytest.mark.parametrize("actor", ACTORS)
def test_pages_answer_each_person_as_the_table_says(world, inbound_mail_on, actor):
    keys = [key for key in TABLE if key.startswith("/")]
    problems = _walk(world, actor, keys, api=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("actor", ACTORS)
def test_api_operations_answer_each_person_as_the_table_says(world, inbound_mail_on, actor):
    keys = [key for key in TABLE if key.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE "))]
    problems = _walk(world, actor, keys, api=True)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_sockets_answer_each_person_as_the_table_says(private_media, staff_mfa_rule):
    from config.asgi import application

    def world_signed_in() -> World:
        world = build_world()
        sign_in_everyone(world)
        return world

    world = await database_sync_to_async(world_signed_in)()
    problems = []
    for key in [key for key in TABLE if key.startswith("WS ")]:
        path = await database_sync_to_async(matrix.concrete)(key, world)
        for actor in ACTORS:
            got = await matrix.knock(application, path, world.sessions.get(actor))
            if got != ROWS[key].expected[actor]:
                problems.append(
                    matrix.mismatch_report(key, actor, ROWS[key].expected[actor], got, [])
                )
    # The sockets' sync code ran on this executor's thread: close its connection, or the
    # test database could not be dropped.
    await database_sync_to_async(connections.close_all)()
    assert not problems, "\n".join(problems)
