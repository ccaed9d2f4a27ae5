"""Agent console speed over HTTP on PostgreSQL with 1,000,000 tickets, and its query counts.

Builds a scratch PostgreSQL database with N tickets (4 messages each, a year of history,
about 1,000 requesters, a realistic mix of types and statuses) loaded with COPY, starts
the production layout on it (bench/servers.py: `--processes` server processes, 2 by
default, one per core, with production's database pool; uvicorn as deployed, or
`--server daphne|granian`), then times, one client (c=1, on the first process), signed
in and interleaved with GET /ping (the baseline, same server, same run):

- the queue page `/console/?queue=all`, first page, as a supervisor;
- the same queue 100 pages deep (keyset cursor followed in-process), as a supervisor;
- the ticket page `/console/tickets/<number>/` of random tickets, as an agent;
- a TXID search `/console/?queue=all&q=<txid>`, as an agent;
- ticket creation, POST /api/v1/tickets/create (JSON, session + CSRF), as a customer;
- and, when a page says its rail's counts were kept from before the latest change, the
  refresh its script would fetch at once (`counts`), timed on its own.

Each request also runs once in-process under CaptureQueriesContext for its SQL query
count, plus variants that must not change it (100 pages deep; 40 messages instead of
4). Queries slower than --explain-ms get an EXPLAIN ANALYZE printed.

Then, for each size in `--concurrency` (16 by default; e.g. 16,50), a crowd of that many
client processes sends the same requests back to back for `--seconds`, spread over the
servers as a proxy would (an agent team that never pauses), and then /ping alone at the
same concurrency: throughput and, per request, p50, p99 and the p99 as a multiple of
its c=1 figure. `--think S` gives each member a pause between requests (exponential,
mean S seconds), a team at work rather than one that never pauses. `--keep-serving` leaves the servers up afterwards, with the sessions'
cookies and the paths printed, for an outside load tool (ab, wrk, k6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/console.py [--quick]
        [--concurrency 16,50] [--think S] [--server uvicorn|daphne|granian] [--keep-serving]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import http.client
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterable
from itertools import islice

from _support import django_on_scratch_database, drop_scratch_database, emit, summary_ms
from servers import SECRET_KEY_ENV, SERVERS, run_clients, start_servers, stop

NULL = r"\N"  # COPY … WITH (FORMAT csv, NULL '\N'): an unquoted empty field stays ''
CHUNK_TICKETS = 20_000
REQUESTERS = 1_000
UID_START = 100_000_000
DEEP_PAGES = 100
CREATE = "/api/v1/tickets/create"
TEAMS = [
    ("support-en", "English support", "英文客服"),
    ("support-zh", "Chinese support", "中文客服"),
    ("security", "Security desk", "安全团队"),
]
SECURITY_TYPES = {"account-security", "asset-recovery"}
# Share of tickets by type (the slugs seeded by tickets/migrations/0002_ticket_types.py).
TYPE_WEIGHTS = {
    "deposit-not-credited": 25,
    "withdrawal-problem": 20,
    "trading-order": 12,
    "kyc": 10,
    "other": 10,
    "account-security": 8,
    "app-website": 7,
    "api": 3,
    "asset-recovery": 3,
    "complaint": 2,
}
SUBJECTS = {
    "deposit-not-credited": (
        [
            "{coin} deposit not credited",
            "Deposit of {amount} {coin} missing",
            "Where is my {coin}?",
        ],
        ["{coin} 充值未到账", "充值 {amount} {coin} 还没到", "我的 {coin} 去哪了"],
    ),
    "withdrawal-problem": (
        ["{coin} withdrawal stuck", "Withdrawal of {amount} {coin} pending", "Withdrawal failed"],
        ["{coin} 提币卡住了", "提币 {amount} {coin} 一直审核中", "提币失败"],
    ),
    "trading-order": (
        ["Order not filled", "Order {order} cancelled by itself", "Wrong fill price"],
        ["订单未成交", "订单 {order} 被自动撤销", "成交价格不对"],
    ),
    "kyc": (
        ["KYC rejected", "Identity verification pending for days", "Cannot upload passport"],
        ["实名认证被拒", "身份认证几天了还在审核", "护照上传失败"],
    ),
    "other": (
        ["Question about fees", "How do I change my email?", "VIP levels"],
        ["手续费问题", "如何修改邮箱", "VIP 等级"],
    ),
    "account-security": (
        ["Suspicious login", "Account frozen", "2FA device lost"],
        ["异常登录", "账户被冻结", "谷歌验证器丢失"],
    ),
    "app-website": (
        ["App crashes on start", "Chart does not load", "Cannot log in on the website"],
        ["App 打开就闪退", "K 线图加载不出来", "网页版登录不了"],
    ),
    "api": (
        ["API key rate limit", "Signature error on /order", "WebSocket disconnects"],
        ["API 限频", "下单接口签名错误", "WebSocket 断线"],
    ),
    "asset-recovery": (
        ["Sent {coin} to the wrong network", "Recover {amount} {coin}", "Wrong memo"],
        ["{coin} 转错网络", "找回 {amount} {coin}", "标签填错了"],
    ),
    "complaint": (
        ["Complaint about slow support", "Unhappy with the answer", "Nobody replied"],
        ["投诉客服太慢", "对处理结果不满意", "一直没人回复"],
    ),
}
CUSTOMER_BODIES = [
    "Hello, I need help with this. It has been several hours and nothing has happened. "
    "Could you please check my account and tell me what is going on?",
    "I already tried the steps in the help centre, logged out and in again, and cleared the "
    "cache. The problem is still there. Screenshots attached. Please hurry, this is urgent "
    "for me because the market is moving and I cannot act.",
    "Any update? I have been waiting since yesterday.",
    "您好，我已经等了很久了，请尽快帮我处理。区块浏览器上显示已经成功，但账户里看不到。",
    "我按照帮助中心的步骤操作过了，还是不行。麻烦你们查一下，谢谢！",
    "Thanks, that worked. You can close this.",
]
AGENT_BODIES = [
    "Hello, thank you for contacting Beacon support. We are looking into this with the "
    "responsible team and will get back to you as soon as we have news.",
    "Hello, the transaction has now been credited to your account. Sorry for the delay; "
    "the network was congested and the required confirmations took longer than usual. "
    "Is there anything else we can help you with?",
    "您好，感谢您联系 Beacon 客服。我们已转交相关部门核查，有结果会第一时间通知您。",
    "您好，您的问题已经处理完毕，资金已到账。如有其他问题，欢迎随时联系我们。",
]
NOTES = [
    "Checked on chain: 12/12 confirmations. Escalated to the wallet team.",
    "Customer is VIP 3; keep an eye on this one.",
    "已联系钱包组，预计两小时内处理。",
]
COINS = ["USDT", "BTC", "ETH", "TRX", "SOL", "USDC"]


# ---------------------------------------------------------------------------- loading


class CsvStream:
    """A read()-able file over an iterable of row tuples, written as CSV on demand.

    `copy_rows` pulls from it, so rows are formatted a batch at a time and never all held
    in memory.
    """

    def __init__(self, rows: Iterable[tuple]):
        self._rows = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self._pending = ""
        self._position = 0

    def read(self, size: int = -1) -> str:
        want = size if size >= 0 else 1 << 62
        while len(self._pending) - self._position < want:
            batch = list(islice(self._rows, 2_000))
            if not batch:
                break
            self._writer.writerows(batch)
            self._pending = self._pending[self._position :] + self._buffer.getvalue()
            self._position = 0
            self._buffer.seek(0)
            self._buffer.truncate()
        out = self._pending[self._position : self._position + want]
        self._position += len(out)
        return out

    readline = read  # only read() is called; here for completeness


def csv_value(value: object) -> object:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def copy_rows(cursor, model, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY `rows` (values of `columns`) into the model's table.

    Columns the generator does not know (added to the model since) get the field's
    default, so the load keeps working as the schema grows.
    """
    others = [f for f in model._meta.concrete_fields if f.column not in columns]
    defaults = tuple(csv_value(f.get_default()) for f in others)
    if defaults:
        rows = (row + defaults for row in rows)
    names = ", ".join(columns + [f.column for f in others])
    sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    stream = CsvStream(rows)
    with cursor.copy(sql) as copy:  # psycopg 3's COPY FROM STDIN
        while chunk := stream.read(1 << 20):
            copy.write(chunk)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


TICKET_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "requester_id",
    "type_id",
    "subject",
    "status",
    "priority",
    "channel",
    "language",
    "team_id",
    "assignee_id",
    "fields",
    "txid",
    "order_id",
    "tags",
    "original_id",
    "solved_at",
    "rating",
    "rating_comment",
]
MESSAGE_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "ticket_id",
    "author_id",
    "visibility",
    "body",
    "by_staff",
]


def ticket_status(rng: random.Random, age: dt.timedelta) -> str:
    """Recent tickets are mostly being worked; old ones solved or closed (~5 % not done)."""
    active_share = 0.9 if age < dt.timedelta(days=3) else 0.35 if age.days < 21 else 0.035
    if rng.random() < active_share:
        return rng.choices(["new", "open", "pending", "on_hold"], [30, 40, 22, 8])[0]
    if age.days < 7:
        return "solved"
    return "closed" if rng.random() < 0.85 else "solved"


class Generator:
    """Tickets and their messages, in created order, a chunk at a time."""

    def __init__(self, *, total: int, now: dt.datetime, world: dict, seed: int = 7):
        self.rng = random.Random(seed)
        self.total = total
        self.now = now
        self.world = world
        self.start = now - dt.timedelta(days=365)
        self.step = (now - self.start).total_seconds() / (total + 1)
        self.moment = self.start
        self.ticket_id = 0
        self.message_id = 0
        self.day: dt.date | None = None
        self.day_count = 0
        self.days: dict[dt.date, int] = {}
        self.types = list(TYPE_WEIGHTS)
        self.type_weights = list(TYPE_WEIGHTS.values())

    def chunk(self, size: int) -> tuple[list[tuple], list[tuple]]:
        tickets: list[tuple] = []
        messages: list[tuple] = []
        for _ in range(min(size, self.total - self.ticket_id)):
            self._one(tickets, messages)
        return tickets, messages

    def _one(self, tickets: list[tuple], messages: list[tuple]) -> None:
        rng, world = self.rng, self.world
        self.ticket_id += 1
        self.moment = min(
            self.moment + dt.timedelta(seconds=rng.expovariate(1 / self.step)),
            self.now - dt.timedelta(seconds=1),
        )
        created = self.moment
        day = created.date()
        if day != self.day:
            self.day, self.day_count = day, 0
        self.day_count += 1
        self.days[day] = self.day_count
        number = f"{day:%y%m%d}-{self.day_count:06d}"

        requester_id, uid, language = rng.choice(world["requesters"])
        slug = rng.choices(self.types, self.type_weights)[0]
        team = "security" if slug in SECURITY_TYPES else f"support-{language[:2]}"
        status = ticket_status(rng, self.now - created)
        members = world["team_agents"][team]
        assignee = None if status == "new" else rng.choice(members)
        coin = rng.choice(COINS)
        amount = f"{rng.uniform(5, 20_000):.2f}"
        values: dict[str, str] = {"uid": str(uid)}
        txid = order_id = ""
        if slug in {"deposit-not-credited", "withdrawal-problem", "asset-recovery"}:
            values.update(coin=coin, network=rng.choice(["TRC20", "BTC"]), amount=amount)
            if slug != "withdrawal-problem" or rng.random() < 0.8:
                txid = values["txid"] = f"{rng.getrandbits(256):064x}"
            if slug == "withdrawal-problem":
                values["address"] = "T" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ", k=33))
        elif slug == "trading-order":
            order_id = values["order_id"] = f"SPOT{rng.randrange(10**13, 10**14)}"
        subject = rng.choice(SUBJECTS[slug][language != "en"]).format(
            coin=coin, amount=amount, order=order_id
        )
        priority = rng.choices(["low", "normal", "high", "urgent"], [8, 78, 11, 3])[0]
        channel = rng.choices(["web", "email", "chat", "api"], [70, 15, 10, 5])[0]
        tags = '["vip"]' if rng.random() < 0.03 else "[]"
        original = (
            rng.randrange(1, self.ticket_id) if slug == "complaint" and self.ticket_id > 1 else None
        )

        # The conversation: the request, an agent's reply, a note or the customer's answer,
        # another reply. Timestamps follow the ticket's own.
        staff = assignee or rng.choice(members)
        at = created
        conversation = [(requester_id, "public", rng.choice(CUSTOMER_BODIES), "f")]
        conversation.append((staff, "public", rng.choice(AGENT_BODIES), "t"))
        if rng.random() < 0.3:
            conversation.append((staff, "internal", rng.choice(NOTES), "t"))
        else:
            conversation.append((requester_id, "public", rng.choice(CUSTOMER_BODIES), "f"))
        conversation.append((staff, "public", rng.choice(AGENT_BODIES), "t"))
        for author, visibility, body, by_staff in conversation:
            self.message_id += 1
            stamp = iso(at)
            messages.append(
                (self.message_id, stamp, stamp, self.ticket_id, author, visibility, body, by_staff)
            )
            at = min(at + dt.timedelta(minutes=rng.uniform(3, 600)), self.now)
        done = status in {"solved", "closed"}
        rated = done and rng.random() < 0.3
        tickets.append(
            (
                self.ticket_id,
                iso(created),
                iso(at),
                number,
                requester_id,
                world["types"][slug],
                subject,
                status,
                priority,
                channel,
                language,
                world["teams"][team],
                NULL if assignee is None else assignee,
                json.dumps(values),
                txid,
                order_id,
                tags,
                NULL if original is None else original,
                iso(at) if done else NULL,
                rng.randint(1, 5) if rated else NULL,
                "",
            )
        )


def create_people(agent_count: int = 10) -> dict:
    """Teams, agents (agent0 is the measured one), a supervisor, ~1,000 requesters."""
    from accounts.models import Role, User
    from accounts.services import user_role_grant
    from accounts.twofactor.demo import demo_totp_ensure
    from tickets.models import Team, TicketType

    teams = {}
    for slug, name_en, name_zh in TEAMS:
        teams[slug] = Team.objects.create(slug=slug, name_en=name_en, name_zh_hans=name_zh)
    agents = []
    for n in range(agent_count):
        agent = User.objects.create_user(f"agent{n}@bench.test", first_name=f"Agent{n}")
        user_role_grant(user=agent, role=Role.AGENT)
        agents.append(agent)
    # agent0 works English and Chinese tickets, not the security desk's.
    membership = {
        "support-en": agents[: agent_count // 2] + [agents[agent_count // 2]],
        "support-zh": [agents[0]] + agents[agent_count // 2 :],
        "security": agents[-2:],
    }
    for slug, members in membership.items():
        teams[slug].members.add(*members)
    supervisor = User.objects.create_user("supervisor@bench.test", first_name="Sam")
    user_role_grant(user=supervisor, role=Role.SUPERVISOR)
    for staff in [*agents, supervisor]:
        demo_totp_ensure(staff)  # the servers apply production's 2FA rule to staff
    customer = User.objects.create_user("customer@bench.test", first_name="Casey")
    user_role_grant(user=customer, role=Role.CUSTOMER)

    rng = random.Random(11)
    requesters = User.objects.bulk_create(
        [
            User(
                email=f"requester{n}@bench.test",
                uid=UID_START + n,
                password="!",
                language="zh-hans" if rng.random() < 0.35 else "en",
            )
            for n in range(REQUESTERS)
        ],
        batch_size=1_000,
    )
    return {
        "agent": agents[0],
        "supervisor": supervisor,
        "customer": customer,
        "teams": {slug: team.id for slug, team in teams.items()},
        "team_agents": {slug: [a.id for a in members] for slug, members in membership.items()},
        "types": dict(TicketType.objects.values_list("slug", "id")),
        "requesters": [(u.id, u.uid, u.language) for u in requesters],
    }


def load_tickets(total: int, world: dict) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from tickets.models import Team, Ticket, TicketDaySequence, TicketMessage

    missing = set(TYPE_WEIGHTS) - set(world["types"])
    if missing:
        raise SystemExit(f"ticket types missing from the migrations: {sorted(missing)}")
    generator = Generator(total=total, now=timezone.now(), world=world)
    with connection.cursor() as cursor:
        # The rows are consistent by construction: skip the per-row foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        try:
            loaded = 0
            while loaded < total:
                tickets, messages = generator.chunk(CHUNK_TICKETS)
                copy_rows(cursor, Ticket, TICKET_COLUMNS, tickets)
                copy_rows(cursor, TicketMessage, MESSAGE_COLUMNS, messages)
                loaded += len(tickets)
                if loaded % 200_000 == 0:
                    print(f"  {loaded:,} tickets", flush=True)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for table in ("tickets_ticket", "tickets_ticketmessage"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    # Numbering carries on where the loaded days stopped.
    TicketDaySequence.objects.bulk_create(
        [TicketDaySequence(day=day, last=last) for day, last in generator.days.items()]
    )
    with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
        cursor.execute("VACUUM ANALYZE tickets_ticket")
        cursor.execute("VACUUM ANALYZE tickets_ticketmessage")
        for model in (User, Team.members.through):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


# ---------------------------------------------------------------------------- samples


def sample_tickets(world: dict, count: int, *, with_txid: bool) -> list[str]:
    """Numbers (or TXIDs) of random tickets agent0 may see: English or Chinese support's."""
    from tickets.models import Ticket

    rng = random.Random(5 if with_txid else 3)
    last = Ticket.objects.order_by("-id").values_list("id", flat=True).first()
    teams = [world["teams"]["support-en"], world["teams"]["support-zh"]]
    found: dict[int, str] = {}
    while len(found) < count:
        ids = rng.sample(range(1, last + 1), min(last, count * 8))
        rows = Ticket.objects.filter(id__in=ids, team_id__in=teams)
        if with_txid:
            rows = rows.exclude(txid="")
        found.update(rows.values_list("id", "txid" if with_txid else "number"))
    return list(found.values())[:count]


def deep_cursor(user, pages: int) -> str:
    """The `after` cursor of page `pages + 1` of the "all" queue, followed page by page."""
    from tickets import console

    cursor = None
    for _ in range(pages):
        _rows, cursor = console.queue_page(user=user, queue="all", filters={}, after=cursor)
        if cursor is None:
            raise SystemExit(f"the queue has fewer than {pages} pages")
    return cursor


def ticket_with_many_messages(world: dict, number: str, extra: int = 36) -> None:
    from tickets.models import Ticket, TicketMessage

    ticket = Ticket.objects.get(number=number)
    TicketMessage.objects.bulk_create(  # after the first four, as if written today
        [
            TicketMessage(
                ticket=ticket,
                author_id=world["agent"].id if n % 2 else ticket.requester_id,
                body=(AGENT_BODIES if n % 2 else CUSTOMER_BODIES)[n % 4],
                by_staff=bool(n % 2),
                visibility="internal" if n % 7 == 3 else "public",
            )
            for n in range(extra)
        ]
    )


# ---------------------------------------------------------------------------- query counts


class QueryCounter:
    """Runs a request in-process twice (the first warms up) and keeps the second's queries."""

    def __init__(self, explain_ms: float, show: bool):
        self.explain_ms, self.show = explain_ms, show
        self.clients: dict[int, object] = {}
        self.rows: list[tuple[str, int, float, float]] = []

    def run(self, label: str, user, path: str, body: dict | None = None) -> None:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        if user.id not in self.clients:
            self.clients[user.id] = Client()
            self.clients[user.id].force_login(user)
        client = self.clients[user.id]

        def send():
            if body is not None:
                return client.post(path, body, content_type="application/json")
            return client.get(path)

        send()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = send()
            elapsed = time.perf_counter() - started
        if response.status_code not in (200, 201):
            raise SystemExit(f"{label}: {path} answered {response.status_code}")
        queries = captured.captured_queries
        slowest = max(float(q["time"]) * 1000 for q in queries)
        self.rows.append((label, len(queries), elapsed * 1000, slowest))
        if self.show:
            print(f"\n--- {label}: {len(queries)} queries")
            for q in queries:
                print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
        if self.explain_ms and slowest >= self.explain_ms:
            explain(label, queries, self.explain_ms)

    def table(self) -> None:
        print(f"{'request':<40}{'queries':>8}{'in-process ms':>15}{'slowest query ms':>18}")
        for label, count, elapsed, slowest in self.rows:
            print(f"{label:<40}{count:>8}{elapsed:>15.1f}{slowest:>18.1f}")


def explain(label: str, queries: list[dict], explain_ms: float) -> None:
    from django.db import connection

    for query in queries:
        if float(query["time"]) * 1000 < explain_ms:
            continue
        print(f"\n--- {label}: {float(query['time']) * 1000:.0f} ms\n{query['sql']}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))
    print()


# ---------------------------------------------------------------------------- HTTP


class Session:
    """One signed-in user's cookies (a session made with force_login) and CSRF token."""

    cookie: str
    csrf: str

    @classmethod
    def from_cookie(cls, cookie: str, csrf: str) -> Session:
        """The same session in a client process (which has no Django set up)."""
        session = cls.__new__(cls)
        session.cookie, session.csrf = cookie, csrf
        return session

    def __init__(self, user):
        from django.conf import settings
        from django.test import Client
        from django.utils.crypto import get_random_string

        client = Client()
        client.force_login(user)
        self.csrf = get_random_string(32)  # a valid CSRF secret; sent as cookie and header
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={self.csrf}"
        )


def timed(
    conn: http.client.HTTPConnection,
    path: str,
    session: Session | None = None,
    body: dict | None = None,
    expect: int = 200,
) -> float:
    return timed_page(conn, path, session, body, expect)[0]


# A console page drawn with counts kept from before the latest change says so; its script
# then fetches fresh ones at once (tickets/console/count_cache.py). The bench does what the
# browser would and times that refresh on its own ("counts").
_STALE_RAIL = re.compile(r'id="queue-nav" data-counts-stale\s+data-refresh-url="([^"]+)"')


def counts_refresh(content: bytes) -> str | None:
    """The rail's refresh URL when the page asks for fresh counts, else None."""
    found = _STALE_RAIL.search(content.decode("utf-8", "replace"))
    return html.unescape(found[1]) if found else None


def timed_page(
    conn: http.client.HTTPConnection,
    path: str,
    session: Session | None = None,
    body: dict | None = None,
    expect: int = 200,
) -> tuple[float, bytes]:
    headers = {}
    if session is not None:
        headers["Cookie"] = session.cookie
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers.update({"Content-Type": "application/json", "X-CSRFToken": session.csrf})
    started = time.perf_counter()
    conn.request("POST" if body is not None else "GET", path, body=payload, headers=headers)
    response = conn.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    if response.status != expect:
        raise SystemExit(f"{path} answered {response.status}: {content[:300]!r}")
    return elapsed, content


def create_body(n: int) -> dict:
    return {
        "type": "other",
        "subject": f"Benchmark request {n}",
        "body": "How do I change the email address on my account?",
        "fields": {},
    }


def warm_up(port: int, rounds: int, plan: dict, sessions: dict[str, Session]) -> None:
    """Three rounds of every request on one server process: templates, translations,
    its database connection. plan["ticket"] and plan["txid"] hold rounds + 3 paths: the
    last three are these."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    supervisor, agent, customer = sessions["supervisor"], sessions["agent"], sessions["customer"]
    for n in range(rounds, rounds + 3):
        timed(conn, plan["queue"], supervisor)
        timed(conn, plan["deep"], supervisor)
        timed(conn, plan["ticket"][n], agent)
        timed(conn, plan["txid"][n], agent)
        timed(conn, CREATE, customer, create_body(n), expect=201)
        timed(conn, "/ping")
    conn.close()


def measure(port: int, rounds: int, plan: dict, sessions: dict[str, Session]) -> dict:
    """`rounds` of each request, each followed by /ping (the server warmed up before)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    supervisor, agent, customer = sessions["supervisor"], sessions["agent"], sessions["customer"]
    samples: dict[str, list[float]] = {
        k: [] for k in ("queue", "deep", "ticket", "txid", "create", "counts", "ping")
    }
    started = time.perf_counter()
    for n in range(rounds):
        steps = [
            ("queue", plan["queue"], supervisor, None),
            ("deep", plan["deep"], supervisor, None),
            ("ticket", plan["ticket"][n], agent, None),
            ("txid", plan["txid"][n], agent, None),
            ("create", CREATE, customer, create_body(n)),
        ]
        for key, path, session, body in steps:
            took, content = timed_page(conn, path, session, body, 201 if body else 200)
            samples[key].append(took)
            samples["ping"].append(timed(conn, "/ping"))
            refresh = counts_refresh(content)
            if refresh:
                samples["counts"].append(timed(conn, refresh, session))
                samples["ping"].append(timed(conn, "/ping"))
        if n == 0 or (n + 1) % 50 == 0:
            print(f"  round {n + 1}/{rounds}, {time.perf_counter() - started:.0f} s", flush=True)
    conn.close()
    return samples


def _hammer(
    ports: list[int],
    plan: dict,
    cookies: dict,
    seconds: float,
    seed: int,
    ping_only: bool,
    think: float,
    out,
) -> None:
    """One agent of the crowd: a connection to every server (as a proxy spreads them),
    the console's requests in turn with random tickets, or /ping alone, for `seconds`;
    with `think`, a pause between requests (exponential, that mean in seconds)."""
    rng = random.Random(seed)
    sessions = {name: Session.from_cookie(*pair) for name, pair in cookies.items()}
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=300) for port in ports]
    samples: dict[str, list[float]] = {}
    n = seed
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        n += 1
        conn = conns[n % len(conns)]
        if ping_only:
            key, path, session, body = "ping", "/ping", None, None
        else:
            key = ("queue", "deep", "ticket", "txid", "create")[n % 5]
            path, session, body = {
                "queue": (plan["queue"], sessions["supervisor"], None),
                "deep": (plan["deep"], sessions["supervisor"], None),
                "ticket": (rng.choice(plan["ticket"]), sessions["agent"], None),
                "txid": (rng.choice(plan["txid"]), sessions["agent"], None),
                "create": (CREATE, sessions["customer"], create_body(n)),
            }[key]
        took, content = timed_page(conn, path, session, body, 201 if body else 200)
        samples.setdefault(key, []).append(took)
        refresh = counts_refresh(content)
        if refresh:
            samples.setdefault("counts", []).append(timed(conn, refresh, session))
        if think:
            pause = min(rng.expovariate(1 / think), deadline - time.perf_counter())
            time.sleep(max(pause, 0.0))
    out.put(samples)


def crowd(
    ports: list[int],
    plan: dict,
    sessions: dict,
    clients: int,
    seconds: float,
    ping_only: bool,
    think: float = 0.0,
) -> dict:
    """`clients` processes sending requests for `seconds`, back to back (a closed loop:
    an agent team that never pauses) or with `think` seconds between them on average;
    returns requests per second and, per kind of request, the latency figures."""
    cookies = {name: (session.cookie, session.csrf) for name, session in sessions.items()}
    results, elapsed = run_clients(
        _hammer, lambda i: (ports, plan, cookies, seconds, i * 7919, ping_only, think), clients
    )
    merged: dict[str, list[float]] = {}
    for samples in results:
        for key, values in samples.items():
            merged.setdefault(key, []).extend(values)
    total = sum(len(values) for values in merged.values())
    return {
        "per_s": round(total / elapsed, 1),
        "kinds": {key: {**summary_ms(values), "n": len(values)} for key, values in merged.items()},
    }


def keep_serving(ports: list[int], plan: dict, sessions: dict) -> None:
    """Print what an outside load tool needs (ports, cookies, paths), then wait for ^C."""
    print("\nServing for an outside load tool; ^C stops the servers and drops the database.")
    print("  servers: " + " ".join(f"http://127.0.0.1:{port}" for port in ports))
    for name, session in sessions.items():
        print(f"  {name}: Cookie: {session.cookie}; X-CSRFToken: {session.csrf}")
    print(f"  queue: {plan['queue']}\n  deep: {plan['deep']}")
    print(f"  ticket: {plan['ticket'][0]}\n  txid: {plan['txid'][0]}\n  create: POST {CREATE}")
    example = (
        f"ab -n 2000 -c 16 -H 'Cookie: {sessions['supervisor'].cookie}' "
        f"'http://127.0.0.1:{ports[0]}{plan['queue']}'"
    )
    print(f"  e.g. {example}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000 tickets, 50 rounds")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200, help="times each request is sent")
    parser.add_argument(
        "--explain-ms",
        type=float,
        default=100,
        help="EXPLAIN ANALYZE queries slower than this in the in-process run (0: never)",
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of the in-process run"
    )
    parser.add_argument(
        "--server", choices=SERVERS, default="uvicorn", help="the ASGI server (granian: make bench)"
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="server processes (production: one per core)"
    )
    parser.add_argument(
        "--concurrency",
        default="16",
        help="comma-separated crowd sizes after the c=1 run (0: none), e.g. 16,50",
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each crowd run")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause of each crowd member between requests, s (0: back to back)",
    )
    parser.add_argument(
        "--keep-serving",
        action="store_true",
        help="after the runs, keep the servers up for an outside load tool until ^C",
    )
    args = parser.parse_args()
    crowds = [int(c) for c in args.concurrency.split(",") if int(c) > 0]
    seconds = 10.0 if args.quick else args.seconds
    total = 20_000 if args.quick else args.tickets
    rounds = 50 if args.quick else args.rounds
    if total < (DEEP_PAGES + 2) * 50:
        raise SystemExit(f"--tickets must be at least {(DEEP_PAGES + 2) * 50}")

    database = django_on_scratch_database()
    from django.db import connection

    if connection.vendor != "postgresql":
        drop_scratch_database(database)
        sys.exit("console measures PostgreSQL: set DATABASE_URL=postgres://…")
    servers: list = []
    crowd_figures: dict[int, dict] = {}
    log = tempfile.TemporaryFile(mode="w+")
    try:
        from django.conf import settings as django_settings
        from django.db.models import Count

        from tickets import console
        from tickets.models import Ticket

        started = time.perf_counter()
        world = create_people()
        load_tickets(total, world)
        print(
            f"{total:,} tickets and {total * 4:,} messages loaded in "
            f"{time.perf_counter() - started:.0f} s (COPY, then VACUUM ANALYZE)",
            flush=True,
        )

        mix = dict(Ticket.objects.order_by().values_list("status").annotate(n=Count("id")))
        print("  status mix: " + ", ".join(f"{k} {v / total:.1%}" for k, v in sorted(mix.items())))

        supervisor, agent, customer = world["supervisor"], world["agent"], world["customer"]
        numbers = sample_tickets(world, rounds + 4, with_txid=False)
        txids = sample_tickets(world, rounds + 3, with_txid=True)
        long_number = numbers.pop()
        assert console.PAGE_SIZE == 50, console.PAGE_SIZE  # the figures below assume it
        deep = deep_cursor(supervisor, DEEP_PAGES)
        newest = Ticket.objects.order_by("-created_at", "-id").first()
        plan = {
            "queue": "/console/?queue=all",
            "deep": "/console/?" + urllib.parse.urlencode({"queue": "all", "after": deep}),
            "ticket": [f"/console/tickets/{number}/" for number in numbers],
            "txid": [
                "/console/?" + urllib.parse.urlencode({"queue": "all", "q": txid}) for txid in txids
            ],
        }
        one_deep = "/console/?" + urllib.parse.urlencode(
            {"queue": "all", "after": console.cursor_encode(newest)}
        )
        long_ticket = f"/console/tickets/{long_number}/"

        print(f"\nSQL queries per request (in-process, django.test.Client, {total:,} tickets)")
        counter = QueryCounter(args.explain_ms, args.show_queries)
        counter.run("queue, first page (supervisor)", supervisor, plan["queue"])
        counter.run("queue, 1 ticket deep (supervisor)", supervisor, one_deep)
        counter.run(f"queue, {DEEP_PAGES} pages deep (supervisor)", supervisor, plan["deep"])
        counter.run("queue, first page (agent)", agent, plan["queue"])
        counter.run("ticket view, 4 messages (agent)", agent, long_ticket)
        ticket_with_many_messages(world, long_number)
        counter.run("same ticket, 40 messages (agent)", agent, long_ticket)
        counter.run("TXID search (agent)", agent, plan["txid"][0])
        counter.run("create ticket, API (customer)", customer, CREATE, create_body(-1))
        counter.table()
        max_queries = max(count for _label, count, _e, _s in counter.rows)

        sessions = {
            "supervisor": Session(supervisor),
            "agent": Session(agent),
            "customer": Session(customer),
        }
        connection.close()
        servers, ports = start_servers(
            database,
            args.processes,
            log,
            server=args.server,
            env={SECRET_KEY_ENV: django_settings.SECRET_KEY},
        )
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"\nTiming over HTTP ({args.processes} {args.server} processes), c=1 on the first,"
            f" {rounds} rounds; load average {load}",
            flush=True,
        )
        for port in ports:
            warm_up(port, rounds, plan, sessions)
        samples = measure(ports[0], rounds, plan, sessions)
        for clients in crowds:
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"  c={clients}, {seconds:.0f} s each; load average {load}", flush=True)
            crowd_figures[clients] = {
                "console": crowd(
                    ports, plan, sessions, clients, seconds, ping_only=False, think=args.think
                ),
                "ping": crowd(ports, plan, sessions, clients, seconds, ping_only=True),
            }
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"  done; load average {load}", flush=True)
        if args.keep_serving:
            keep_serving(ports, plan, sessions)
    except BaseException:
        log.seek(0)
        tail = log.read()[-3000:]
        if tail.strip():
            print("--- server output (tail)\n" + tail, file=sys.stderr)
        raise
    finally:
        stop(servers)
        log.close()
        drop_scratch_database(database)

    rows = [
        ("queue, first page", "queue"),
        (f"queue, {DEEP_PAGES} pages deep", "deep"),
        ("ticket view", "ticket"),
        ("TXID search", "txid"),
        ("create (API)", "create"),
        ("counts, after a stale page", "counts"),
        ("/ping (baseline)", "ping"),
    ]
    if not samples["counts"]:  # no page was drawn with stale counts
        rows.remove(("counts, after a stale page", "counts"))
    figures = {key: summary_ms(samples[key]) for _label, key in rows}
    floor = figures["ping"]["p99"] or 1
    print(f"\nc=1 ({args.server}, {rounds} each, each followed by /ping)")
    print(f"{'request':<28}{'requests':>9}{'p50 ms':>10}{'p99 ms':>10}{'p99/ping':>10}")
    for label, key in rows:
        f = figures[key]
        ratio = f"{f['p99'] / floor:.1f}x"
        print(f"{label:<28}{len(samples[key]):>9}{f['p50']:>10}{f['p99']:>10}{ratio:>10}")
    for clients, run in crowd_figures.items():
        console_run, ping_run = run["console"], run["ping"]
        pace = f", {args.think:g} s think time" if args.think else ", back to back"
        print(
            f"\nc={clients}{pace} over {args.processes} processes:"
            f" {console_run['per_s']} requests/s"
            f" (/ping alone at c={clients}: {ping_run['per_s']}/s,"
            f" p99 {ping_run['kinds']['ping']['p99']} ms)"
        )
        print(f"{'request':<28}{'requests':>9}{'p50 ms':>10}{'p99 ms':>10}{'p99/c=1':>10}")
        for label, key in rows[:-1]:
            f = console_run["kinds"].get(key)
            if f is None:
                continue
            ratio = f"{f['p99'] / (figures[key]['p99'] or 1):.1f}x"
            print(f"{label:<28}{f['n']:>9}{f['p50']:>10}{f['p99']:>10}{ratio:>10}")
    emit(
        {
            "bench": "console",
            "tickets": total,
            "server": args.server,
            "processes": args.processes,
            "think_s": args.think,
            "queue_p99_ms": figures["queue"]["p99"],
            "deep_page_p99_ms": figures["deep"]["p99"],
            "ticket_view_p99_ms": figures["ticket"]["p99"],
            "txid_search_p99_ms": figures["txid"]["p99"],
            "create_p99_ms": figures["create"]["p99"],
            "counts_refresh_p99_ms": figures.get("counts", {}).get("p99"),
            "counts_refreshes": len(samples["counts"]),
            "max_queries_per_request": max_queries,
            "baseline_p99_ms": figures["ping"]["p99"],
            **{
                f"c{clients}": {
                    "per_s": run["console"]["per_s"],
                    "p99_ms": {k: v["p99"] for k, v in run["console"]["kinds"].items()},
                    "ping_per_s": run["ping"]["per_s"],
                    "ping_p99_ms": run["ping"]["kinds"]["ping"]["p99"],
                }
                for clients, run in crowd_figures.items()
            },
        }
    )


if __name__ == "__main__":
    main()
