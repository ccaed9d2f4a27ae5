"""Live chat under load: many customer websockets and 50 agents on 2 server processes.

Builds a scratch database with N anonymous visitors (sessions made in the database), each
in a chat already assigned to one of 50 agents, starts server processes (--servers, 2;
--server uvicorn, daphne or granian, the same settings for each: see serve()) sharing
Redis, places the sockets on them:

- layout `spread` (the default, as a load balancer would place them): customers and
  agents take turns over the servers, and each customer's agent is on another server
  than the customer; layout `split` (2 servers, the first runs): every customer on
  server A, every agent on server B. Either way every message crosses processes;

then, with raw `websockets` clients in one asyncio process:

- chat: every customer sends `message.send` at random (exponential gaps, mean
  --interval seconds) for --duration seconds. Round trip = send until the customer's own
  `message.new` comes back (saved, numbered, broadcast through Redis). Also timed: the
  `message.ack`, and the agent's copy arriving on the other server;
- echo, the baseline: the same number of sockets on the same servers as the customers,
  through the same middleware, to a bare echo consumer (bench/chat_asgi.py, mounted by
  the bench only), the same message rate.

The servers negotiate no websocket compression, as daphne (production's server) does not
(the report shows the extensions the first socket got).

Where the limit is: over the sending window, the CPU (cores) of each party: each server
(its process tree), this client process, redis-server, all PostgreSQL processes, whatever
else ran, and the whole machine (busy cores out of its count); the same per answered
message; Redis commands/s and PostgreSQL transactions/s; and the client's own event-loop
lag (a saturated client shows there, not as a slow server).

Memory per connection: the servers' RSS growth while the customer sockets open, divided
by their number. Runs 1,000 then 5,000 connections (`--quick`: 200).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/chat_load.py [--quick] [--sizes 1000,5000] [--interval 10] \\
        [--duration 60] [--servers 2] [--layout spread|split] [--channel-layer redis|pubsub] \\
        [--server uvicorn|daphne|granian|uvicorn-wsproto] [--redis-max-connections N] \\
        [--worker-threads N]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from _support import ROOT, django_on_scratch_database, drop_scratch_database, emit, percentile
from servers import stop

AGENTS = 50
CONNECT_AT_ONCE = 100  # handshakes in flight at a time
SETTLE_SECONDS = 3  # after the sends stop, for late answers


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# ---------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = ("uvicorn", "daphne", "granian", "uvicorn-wsproto")


def serve(port: int, server: str) -> None:
    """A server process on bench/chat_asgi.py with bench/chat_settings.py.

    The same settings for all three, as far as each has them: one process, a listen
    backlog of 4,096, warnings-only logs and no access log, no permessage-deflate
    (daphne, production's server, never offers it; uvicorn would by default; granian has
    none), each server's own websocket pings. uvicorn: uvloop, httptools, the
    `websockets` protocol (as the first runs). daphne: as deployed (Twisted on the
    stdlib asyncio loop, config/websocket_server.py's protocol, installed by chat_asgi.py
    as config/asgi.py does). granian: the ASGI interface, 1 worker (a child of its
    supervisor: the bench counts the process tree), uvloop, websockets on, and no cap on
    open connections per worker (its `backpressure` defaults to the backlog, which would
    refuse sockets past 4,096).
    """
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "chat_settings"
    raise_fd_limit()
    if server == "daphne":
        from daphne.cli import CommandLineInterface

        CommandLineInterface().run(
            # -v 0: warnings only and no access log, as the others (production logs one
            # line per socket opened and closed, none per frame).
            ["-v", "0", "-e", f"tcp:port={port}:interface=127.0.0.1:backlog=4096"]
            + ["chat_asgi:application"]
        )
        return
    if server == "granian":
        from granian import Granian

        Granian(
            "chat_asgi:application",
            address="127.0.0.1",
            port=port,
            interface="asgi",
            workers=1,
            loop="uvloop",
            websockets=True,
            backlog=4096,
            backpressure=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            log_level="warning",
        ).serve()
        return
    import uvicorn

    if server == "uvicorn-wsproto":
        # uvicorn as Beacon would run it in production (config/web.py): the
        # wsproto protocol that keeps the head of an over-size message.
        from config.web import serve as serve_uvicorn

        serve_uvicorn("chat_asgi:application", "127.0.0.1", port, log_level="warning", backlog=4096)
        return
    uvicorn.run(
        "chat_asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
        ws="websockets",
        lifespan="off",
        backlog=4096,
        ws_per_message_deflate=False,
    )


def start_server(
    database: str,
    port: int,
    prefix: str,
    log,
    channel_layer: str,
    server_name: str,
    redis_max_connections: int | None = None,
    worker_threads: int | None = None,
) -> subprocess.Popen:
    from django.conf import settings as django_settings
    from django.db import connection

    settings = connection.settings_dict
    password = f":{urllib.parse.quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    url = (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{database}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BEACON_SEMANTIC_SEARCH": "0",
        "BEACON_BENCH_SECRET_KEY": django_settings.SECRET_KEY,
        "BEACON_BENCH_PREFIX": prefix,
        "BEACON_BENCH_CHANNEL_LAYER": channel_layer,
    }
    if redis_max_connections:
        env["BEACON_BENCH_REDIS_MAX_CONNECTIONS"] = str(redis_max_connections)
    if worker_threads:
        env["BEACON_BENCH_WORKER_THREADS"] = str(worker_threads)
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--server", server_name],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit("a server stopped at start (see its log)")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("a server did not start")


# ---------------------------------------------------------------------------- who uses the CPU

TICK = os.sysconf("SC_CLK_TCK")


def processes() -> dict[int, tuple[int, str, int]]:
    """Every process now: pid -> (parent pid, name, CPU ticks used so far, all threads)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                raw = stat.read()
        except OSError:  # gone meanwhile
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def tree(pid: int, table: dict[int, tuple[int, str, int]]) -> list[int]:
    """The process and its descendants (granian runs its worker as a child)."""
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [p for p, (parent, _n, _t) in table.items() if parent in frontier]
        found += frontier
    return found


def rss_kib(pid: int) -> int:
    """Resident memory of the process and its descendants."""
    total = 0
    for member in tree(pid, processes()):
        try:
            with open(f"/proc/{member}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process and its descendants have used so far."""
    table = processes()
    return sum(table[p][2] for p in tree(pid, table) if p in table) / TICK


def machine_ticks() -> tuple[int, int, int]:
    """(busy, stolen, niced) CPU ticks of the whole machine so far, from /proc/stat.
    Niced: processes at a lower priority (positive nice), which yield to the bench's."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return user + nice + system + irq + softirq, steal, nice


class Usage:
    """CPU of each party over a window (cores: CPU seconds per second), and the work
    Redis and PostgreSQL did in it: which one runs out first under load.

    Parties: each server (its process tree), this client process, redis-server, the
    PostgreSQL processes (summed: the backends on the bench's database, the postmaster
    and the background workers that serve every database; backends of other databases,
    another bench or a test run, count as `other`), the whole machine (busy cores out of
    os.cpu_count()), and `other` = machine minus all of those. Redis: commands processed
    (INFO: the whole server, other users included). PostgreSQL: transactions committed
    or rolled back in the bench's database (pg_stat_database; a backend reports at most
    once a second, so a 60 s window is off by a second or so).
    """

    def __init__(self, servers: list[subprocess.Popen]) -> None:
        import redis
        from django.conf import settings
        from django.db import connection

        self.servers = [s.pid for s in servers]
        url = getattr(settings, "REDIS_URL", None) or os.environ["REDIS_URL"]
        self.redis = redis.Redis.from_url(url)
        # A connection of its own, outside Django's (this process runs an event loop).
        self.pg = connection.get_new_connection(connection.get_connection_params())
        self.pg.autocommit = True
        self.database = connection.settings_dict["NAME"]

    def postgres_ours(self, table: dict[int, tuple[int, str, int]]) -> set[int]:
        """PostgreSQL processes that work for this bench: the bench database's backends,
        and those of no database (postmaster, checkpointer, WAL writer...)."""
        ours = set()
        for pid, (_parent, name, _ticks) in table.items():
            if name != "postgres":
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    title = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            client = re.search(r"\S+ (\S+) (?:[\d.:a-f]+\(\d+\)|\[local\])", title)
            if client is None or client.group(1) == self.database:
                ours.add(pid)
        return ours

    def snapshot(self) -> dict:
        with self.pg.cursor() as cursor:
            cursor.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                "WHERE datname = current_database()"
            )
            xacts = cursor.fetchone()[0]
        table = processes()
        return {
            "at": time.perf_counter(),
            "processes": table,
            "postgres": self.postgres_ours(table),
            "machine": machine_ticks(),
            "redis_commands": self.redis.info("stats")["total_commands_processed"],
            "pg_xacts": xacts,
        }

    def between(self, before: dict, after: dict) -> dict:
        seconds = after["at"] - before["at"]
        was, now = before["processes"], after["processes"]

        def cores(pids) -> float:
            # A process born in the window counts from zero; one that ended is lost.
            ticks = sum(now[p][2] - (was[p][2] if p in was else 0) for p in pids if p in now)
            return ticks / TICK / seconds

        def named(name: str) -> list[int]:
            return [p for p, (_parent, n, _t) in now.items() if n == name]

        servers = [cores(tree(pid, now)) for pid in self.servers]
        client = cores([os.getpid()])
        redis_cores = cores(named("redis-server"))
        postgres = cores(before["postgres"] | after["postgres"])
        busy = (after["machine"][0] - before["machine"][0]) / TICK / seconds
        stolen = (after["machine"][1] - before["machine"][1]) / TICK / seconds
        niced = (after["machine"][2] - before["machine"][2]) / TICK / seconds
        return {
            "seconds": round(seconds, 1),
            "cores": {
                "servers": [round(c, 2) for c in servers],
                "client": round(client, 2),
                "redis": round(redis_cores, 2),
                "postgres": round(postgres, 2),
                "other": round(busy - sum(servers) - client - redis_cores - postgres, 2),
                "machine": round(busy, 2),
                "machine_of": os.cpu_count(),
                "stolen": round(stolen, 2),
                "niced": round(niced, 2),  # part of `other` (and of machine)
            },
            "redis_commands_per_s": round(
                (after["redis_commands"] - before["redis_commands"]) / seconds
            ),
            "pg_xacts_per_s": round((after["pg_xacts"] - before["pg_xacts"]) / seconds),
        }

    def close(self) -> None:
        self.pg.close()
        self.redis.close()


async def loop_lag(samples: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """This client's own event-loop lag: a 10 ms sleep's overshoot, again and again. A
    saturated client shows here (its timings then include its own wait)."""
    while not stop.is_set():
        asked = time.perf_counter()
        await asyncio.sleep(0.01)
        samples.append((asked, time.perf_counter() - asked - 0.01))


async def machine_by_window(busy: list[float], stop: asyncio.Event, seconds: float = 10) -> None:
    """The machine's busy cores in each `seconds` window: saturation shows as a row at
    the machine's core count."""
    ticks, at = machine_ticks()[0], time.perf_counter()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            pass
        now_ticks, now = machine_ticks()[0], time.perf_counter()
        busy.append(round((now_ticks - ticks) / TICK / (now - at), 2))
        ticks, at = now_ticks, now


async def settle(servers: list[subprocess.Popen]) -> None:
    """Wait (at least 2 s, at most 60) until the servers use under a tenth of a core.

    After 5,000 sockets open, the servers and the database go on working for seconds;
    a fixed pause made the first seconds of the run time that, not the chat (echo too).
    """
    await asyncio.sleep(2)
    for _ in range(58):
        before = sum(cpu_seconds(s.pid) for s in servers)
        await asyncio.sleep(1)
        if sum(cpu_seconds(s.pid) for s in servers) - before < 0.1:
            return


def p99_by_window(sent_at: list[float], rtt: list[float], start: float, seconds: float = 10):
    """p99 (ms) of the round trips sent in each `seconds` window: a backlog grows, a
    stall is one bad window."""
    windows: dict[int, list[float]] = {}
    for at, value in zip(sent_at, rtt, strict=True):
        windows.setdefault(int((at - start) // seconds), []).append(value)
    return [round(percentile(windows[w], 99) * 1000) for w in sorted(windows)]


# ---------------------------------------------------------------------------- layout


def agent_server(agent: int, *, servers: int, layout: str) -> int:
    return 1 if layout == "split" else agent % servers


def customer_place(n: int, *, servers: int, layout: str) -> tuple[int, int]:
    """Customer n's (server, agent): the agent always on another server."""
    if layout == "split":
        return 0, n % AGENTS
    server = n % servers
    others = [a for a in range(AGENTS) if agent_server(a, servers=servers, layout=layout) != server]
    return server, others[(n // servers) % len(others)]


# ---------------------------------------------------------------------------- data


def make_agents() -> list[tuple[object, str]]:
    """50 agents with a signed-in session each: (user, session key)."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import Role, User
    from accounts.services import user_role_grant
    from livechat.models import AgentPresence

    agents = []
    for n in range(AGENTS):
        user = User.objects.create_user(f"bench-agent-{n}@example.test", None, first_name=f"A{n}")
        user_role_grant(user=user, role=Role.AGENT)
        AgentPresence.objects.create(
            agent=user, staff_id=f"BN-{n:04d}", languages=["en"], capacity=1000
        )
        client = Client()
        client.force_login(user)
        agents.append((user, client.cookies[settings.SESSION_COOKIE_NAME].value))
    return agents


def make_customers(count: int, agents, agent_of) -> list[tuple[str, str]]:
    """`count` anonymous visitors (sessions in the database), each in an active chat with
    one of the agents: (session key, conversation id)."""
    import datetime as dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from livechat.models import Conversation
    from livechat.selectors import visitor_key_for

    now = timezone.now()
    data = SessionStore().encode({})
    keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(count)]
    Session.objects.bulk_create(
        [
            Session(session_key=k, session_data=data, expire_date=now + dt.timedelta(days=1))
            for k in keys
        ],
        batch_size=2000,
    )
    chats = Conversation.objects.bulk_create(
        [
            Conversation(
                visitor_key=visitor_key_for(key),
                language="en",
                status=Conversation.Status.ACTIVE,
                agent=agents[agent_of(n)][0],
                assigned_at=now,
            )
            for n, key in enumerate(keys)
        ],
        batch_size=2000,
    )
    return [(key, str(chat.public_id)) for key, chat in zip(keys, chats, strict=True)]


# ---------------------------------------------------------------------------- clients


class Run:
    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.rtt: list[float] = []
        self.rtt_at: list[float] = []  # when each round trip's message was sent
        self.ack: list[float] = []
        self.agent: list[float] = []
        self.errors = 0
        self.stop = False


async def _connect(url: str, cookie: str, port: int, gate: asyncio.Semaphore):
    from websockets.asyncio.client import connect

    async with gate:
        return await connect(
            url,
            additional_headers={"Cookie": f"sessionid={cookie}"},
            origin=f"http://127.0.0.1:{port}",
            open_timeout=120,
            ping_interval=None,
            close_timeout=2,
            max_queue=None,
        )


async def _read_customer(ws, run: Run) -> None:
    try:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message.ack":
                started = run.sent.get(frame.get("client_id", ""))
                if started is not None:
                    run.ack.append(time.perf_counter() - started)
            elif kind == "message.new":
                message = frame.get("message", {})
                started = run.sent.get(message.get("client_id", ""))
                if started is not None and message.get("sender") == "customer":
                    run.rtt.append(time.perf_counter() - started)
                    run.rtt_at.append(started)
            elif kind == "error":
                run.errors += 1
    except Exception:  # closed at the end of the run
        return


async def _read_agent(ws, run: Run) -> None:
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message.new":
                started = run.sent.get(frame.get("message", {}).get("client_id", ""))
                if started is not None:
                    run.agent.append(time.perf_counter() - started)
    except Exception:
        return


async def _read_echo(ws, run: Run) -> None:
    try:
        async for raw in ws:
            started = run.sent.get(json.loads(raw).get("client_id", ""))
            if started is not None:
                run.rtt.append(time.perf_counter() - started)
                run.rtt_at.append(started)
    except Exception:
        return


async def _talk(ws, n: int, run: Run, interval: float, deadline: float) -> None:
    count = 0
    while True:
        gap = random.expovariate(1 / interval)
        if time.perf_counter() + gap >= deadline:
            return
        await asyncio.sleep(gap)
        client_id = f"b-{n}-{count}"
        count += 1
        run.sent[client_id] = time.perf_counter()
        frame = {"type": "message.send", "client_id": client_id, "body": f"load message {count}"}
        try:
            await ws.send(json.dumps(frame))
        except Exception:
            return


def server_trouble(log_path: str, since: int) -> dict[str, int]:
    """What the servers logged as going wrong from byte `since` of their log: each
    exception (the last line of a traceback) and each refused or dropped socket or event,
    counted, numbers and ids left out so that alike lines add up."""
    counts: dict[str, int] = {}
    with open(log_path, errors="replace") as log:
        log.seek(since)
        for line in log:
            line = line.strip()
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\w*: ", line) or re.search(
                r"refused|away \(|took too long|killed", line
            ):
                key = re.sub(r"<.*>|\d+|'[^']*'", "…", line)[:100]
                counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def p99_of_windows(samples: list[tuple[float, float]], start: float, seconds: float = 10):
    """p99 (ms) of (at, value) samples in each `seconds` window."""
    windows: dict[int, list[float]] = {}
    for at, value in samples:
        windows.setdefault(int((at - start) // seconds), []).append(value)
    return [round(percentile(windows[w], 99) * 1000, 1) for w in sorted(windows)]


async def phase(
    *,
    sockets_to_open: list[tuple[int, str, str]],
    reader,
    interval: float,
    duration: float,
    servers: list[subprocess.Popen],
    usage: Usage,
    log_path: str,
    agents: list[tuple[int, str, str]] = (),
) -> dict:
    """Open the sockets ((port, path, cookie) each), let them talk for `duration`, close
    them; the figures."""
    log_since = os.path.getsize(log_path)
    run = Run()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    agent_sockets = []
    for port, path, cookie in agents:
        agent_sockets.append(await _connect(f"ws://127.0.0.1:{port}{path}", cookie, port, gate))
    agent_tasks = [asyncio.create_task(_read_agent(ws, run)) for ws in agent_sockets]
    if agent_sockets:
        print(f"  {len(agent_sockets)} agents connected", flush=True)
    await asyncio.sleep(1)
    before = sum(rss_kib(s.pid) for s in servers)
    opened_at = time.perf_counter()
    opened = await asyncio.gather(
        *(
            _connect(f"ws://127.0.0.1:{port}{path}", cookie, port, gate)
            for port, path, cookie in sockets_to_open
        ),
        return_exceptions=True,  # a refused handshake is a figure, not the end of the run
    )
    opened_in = time.perf_counter() - opened_at
    sockets = [ws for ws in opened if not isinstance(ws, BaseException)]
    refused = [ws for ws in opened if isinstance(ws, BaseException)]
    print(
        f"  {len(sockets)} sockets open in {opened_in:.1f} s"
        + (
            f"; {len(refused)} failed ({type(refused[0]).__name__}: {refused[0]})"
            if refused
            else ""
        ),
        flush=True,
    )
    extensions = sockets[0].response.headers.get("Sec-WebSocket-Extensions") if sockets else None
    readers = [asyncio.create_task(reader(ws, run)) for ws in sockets]
    await settle(servers)  # hellos read, servers idle again: time steady work, not the opening
    # This process holds every client socket: a full garbage collection over thousands of
    # them stalls its loop for a while, and every round trip in flight looks slow. The
    # sockets live to the end, so leave them out of the collections.
    gc.collect()
    gc.freeze()
    after = sum(rss_kib(s.pid) for s in servers)
    load_before = os.getloadavg()[0]
    lags: list[tuple[float, float]] = []
    lag_stop = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(lags, lag_stop))
    machine_busy: list[float] = []
    machine_task = asyncio.create_task(machine_by_window(machine_busy, lag_stop))
    used_before = usage.snapshot()
    started = used_before["at"]
    deadline = started + duration
    await asyncio.gather(*(_talk(ws, n, run, interval, deadline) for n, ws in enumerate(sockets)))
    await asyncio.sleep(SETTLE_SECONDS)
    used = usage.between(used_before, usage.snapshot())
    lag_stop.set()
    await asyncio.gather(lag_task, machine_task)
    closed_early = sum(1 for task in readers if task.done())  # the server hung up
    await asyncio.gather(*(ws.close() for ws in [*sockets, *agent_sockets]), return_exceptions=True)
    gc.unfreeze()
    for task in [*readers, *agent_tasks]:
        task.cancel()
    trouble = server_trouble(log_path, log_since)
    sent = len(run.sent)
    lag_values = [lag for _at, lag in lags]
    cores = used["cores"]
    answered_per_s = len(run.rtt) / duration
    return {
        "closed_by_server": closed_early,
        "server_trouble": trouble,
        "connections": len(sockets),
        "failed_to_open": len(refused),
        "opened_s": round(opened_in, 1),
        "extensions": extensions,
        "target_msgs_per_s": round(len(sockets) / interval, 1),
        "sent": sent,
        "sent_per_s": round(sent / duration, 1),
        "answered": len(run.rtt),
        "errors": run.errors,
        "msgs_per_s": round(answered_per_s, 1),
        "p50_ms": round(percentile(run.rtt, 50) * 1000, 2),
        "p90_ms": round(percentile(run.rtt, 90) * 1000, 2),
        "p99_ms": round(percentile(run.rtt, 99) * 1000, 2),
        "p99_ms_by_10s": p99_by_window(run.rtt_at, run.rtt, started),
        # CPU cores each party kept busy from the first send to the end of the settling
        # pause, and the machine's 1-minute load before (other work on the machine shows)
        "server_cores": cores["servers"],
        "cores": cores,
        "machine_cores_by_10s": machine_busy,
        # CPU per answered message, each party (ms): what a rate costs the machine
        "cpu_ms_per_msg": {
            party: round(c * 1000 / answered_per_s, 2) if answered_per_s else None
            for party, c in (
                ("servers", sum(cores["servers"])),
                ("client", cores["client"]),
                ("redis", cores["redis"]),
                ("postgres", cores["postgres"]),
                ("machine", cores["machine"]),
            )
        },
        "redis_commands_per_s": used["redis_commands_per_s"],
        "pg_xacts_per_s": used["pg_xacts_per_s"],
        "client_loop_lag_ms": {
            "p50": round(percentile(lag_values, 50) * 1000, 1),
            "p99": round(percentile(lag_values, 99) * 1000, 1),
            "max": round(max(lag_values, default=0) * 1000, 1),
            "p99_by_10s": p99_of_windows(lags, started),
        },
        "load_before": round(load_before, 2),
        "ack_p99_ms": round(percentile(run.ack, 99) * 1000, 2) if run.ack else None,
        "agent_p50_ms": round(percentile(run.agent, 50) * 1000, 2) if run.agent else None,
        "agent_p99_ms": round(percentile(run.agent, 99) * 1000, 2) if run.agent else None,
        "agent_received": len(run.agent),
        "kib_per_connection": round((after - before) / max(1, len(sockets)), 1),
    }


async def measure(
    size: int, *, ports, servers, customers, agents, interval, duration, layout, usage, log_path
) -> dict:
    chosen = customers[:size]
    place = [customer_place(n, servers=len(ports), layout=layout)[0] for n in range(size)]
    chat = await phase(
        sockets_to_open=[
            (ports[place[n]], f"/ws/chat/{public_id}/?after=0", key)
            for n, (key, public_id) in enumerate(chosen)
        ],
        reader=_read_customer,
        interval=interval,
        duration=duration,
        servers=servers,
        usage=usage,
        log_path=log_path,
        agents=[
            (ports[agent_server(a, servers=len(ports), layout=layout)], "/ws/chat/agent/", cookie)
            for a, (_user, cookie) in enumerate(agents)
        ],
    )
    echo = await phase(
        sockets_to_open=[
            (ports[place[n]], "/ws/bench/echo/", key) for n, (key, _id) in enumerate(chosen)
        ],
        reader=_read_echo,
        interval=interval,
        duration=duration / 2,
        servers=servers,
        usage=usage,
        log_path=log_path,
    )
    return {"chat": chat, "echo": echo}


def cpu_row(phase: dict) -> str:
    cores = phase["cores"]
    return (
        f"servers {' + '.join(str(c) for c in cores['servers'])}, client {cores['client']}, "
        f"redis {cores['redis']}, postgres {cores['postgres']}, other {cores['other']}; "
        f"machine {cores['machine']} of {cores['machine_of']} busy"
        + (f" (other includes {cores['niced']} niced)" if cores.get("niced") else "")
        + (f" ({cores['stolen']} stolen)" if cores["stolen"] else "")
    )


def show(size: int, result: dict, server: str) -> None:
    chat, echo = result["chat"], result["echo"]
    lag, per_msg = chat["client_loop_lag_ms"], chat["cpu_ms_per_msg"]
    print(
        f"\n{size} customer sockets + {AGENTS} agents on {server} (opened in "
        f"{chat['opened_s']} s, {chat['failed_to_open']} failed; websocket extensions "
        f"{chat['extensions'] or 'none'}; machine load before {chat['load_before']})\n"
        f"  chat: {chat['answered']}/{chat['sent']} round trips; sent {chat['sent_per_s']} "
        f"msg/s of {chat['target_msgs_per_s']} aimed, answered {chat['msgs_per_s']} msg/s; "
        f"p50 {chat['p50_ms']} ms, p90 {chat['p90_ms']} ms, p99 {chat['p99_ms']} ms "
        f"(ack p99 {chat['ack_p99_ms']} ms); agent on the other server: "
        f"{chat['agent_received']} received, p50 {chat['agent_p50_ms']} ms, "
        f"p99 {chat['agent_p99_ms']} ms; errors {chat['errors']}, "
        f"closed by the server {chat['closed_by_server']}\n"
        f"  chat p99 per 10 s (ms): {chat['p99_ms_by_10s']}; machine busy cores per 10 s: "
        f"{chat['machine_cores_by_10s']}\n"
        f"  chat CPU (cores, first send to {SETTLE_SECONDS} s after the last): {cpu_row(chat)}\n"
        f"  chat CPU per answered message (ms): servers {per_msg['servers']}, client "
        f"{per_msg['client']}, redis {per_msg['redis']}, postgres {per_msg['postgres']}, "
        f"machine {per_msg['machine']}\n"
        f"  Redis {chat['redis_commands_per_s']} commands/s, PostgreSQL "
        f"{chat['pg_xacts_per_s']} transactions/s; client loop lag p50 {lag['p50']} ms, "
        f"p99 {lag['p99']} ms, max {lag['max']} ms (p99 per 10 s: {lag['p99_by_10s']})\n"
        f"  echo: {echo['answered']}/{echo['sent']}, {echo['msgs_per_s']} msg/s, "
        f"p50 {echo['p50_ms']} ms, p99 {echo['p99_ms']} ms; client loop lag p99 "
        f"{echo['client_loop_lag_ms']['p99']} ms; CPU: {cpu_row(echo)}\n"
        f"  the servers' log during the chat: "
        + (
            "; ".join(f"{n} × {line}" for line, n in list(chat["server_trouble"].items())[:5])
            or "no errors"
        )
        + "\n"
        f"  memory: {chat['kib_per_connection']} KiB per chat socket, "
        f"{echo['kib_per_connection']} KiB per echo socket",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 connections, 20 s")
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument(
        "--interval", type=float, default=10.0, help="mean seconds between a customer's messages"
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--servers", type=int, default=2, help="server processes")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="uvicorn-wsproto",
        help="the ASGI server (uvicorn-wsproto: production's, config/web.py; uvicorn with "
        "its websockets protocol: what every figure in bench/README.md before issue 19's "
        "comparison used)",
    )
    parser.add_argument(
        "--channel-layer",
        choices=["redis", "pubsub"],
        default="redis",
        help="redis: the settings' layer (channels-redis, lists); pubsub: channels-redis's "
        "pub/sub layer, to compare",
    )
    parser.add_argument(
        "--layout",
        choices=["spread", "split"],
        default="spread",
        help="spread: customers and agents over every server; split: customers on the "
        "first, agents on the second (2 servers)",
    )
    parser.add_argument(
        "--redis-max-connections",
        type=int,
        help="the channel layer's Redis connection pool per server process (default: the "
        "settings', so redis-py's: 100)",
    )
    parser.add_argument(
        "--worker-threads",
        type=int,
        help="the sockets' database threads per server process (default: "
        "core.sockets.consumer.WORKER_THREADS, 4), to see whether they are the limit",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.server)
        return
    if args.layout == "split" and args.servers != 2:
        parser.error("--layout split takes 2 servers")
    limit = raise_fd_limit()
    sizes = [200] if args.quick else [int(s) for s in args.sizes.split(",")]
    duration = 20.0 if args.quick else args.duration
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    load_at_start = os.getloadavg()
    database = django_on_scratch_database()
    logs = tempfile.NamedTemporaryFile("w+", prefix="chat_load_", suffix=".log", delete=False)
    servers: list[subprocess.Popen] = []
    results: dict[int, dict] = {}
    usage = None
    try:
        print(
            f"file descriptors: {limit}; building {max(sizes)} chats and {AGENTS} agents",
            flush=True,
        )
        agents = make_agents()
        customers = make_customers(
            max(sizes),
            agents,
            lambda n: customer_place(n, servers=args.servers, layout=args.layout)[1],
        )
        prefix = f"asgi-bench-{os.getpid()}"
        ports = [free_port() for _ in range(args.servers)]
        servers = [
            start_server(
                database,
                port,
                prefix,
                logs,
                args.channel_layer,
                args.server,
                args.redis_max_connections,
                args.worker_threads,
            )
            for port in ports
        ]
        print(
            f"servers: {args.server} on {ports}, layout {args.layout}, channel layer "
            f"{args.channel_layer}"
            + (
                f" (Redis pool {args.redis_max_connections} per process)"
                if args.redis_max_connections
                else ""
            )
            + (f", {args.worker_threads} socket threads" if args.worker_threads else "")
            + f"; log {logs.name}; machine load at start "
            f"{', '.join(f'{x:.2f}' for x in load_at_start)}"
        )
        usage = Usage(servers)  # made here: Django refuses to connect inside the event loop
        for size in sizes:
            try:
                results[size] = asyncio.run(
                    measure(
                        size,
                        ports=ports,
                        servers=servers,
                        customers=customers,
                        agents=agents,
                        interval=args.interval,
                        duration=duration,
                        layout=args.layout,
                        usage=usage,
                        log_path=logs.name,
                    )
                )
            except Exception as exc:  # noqa: BLE001  (report what stopped a size, keep the rest)
                print(f"\n{size} connections failed: {type(exc).__name__}: {exc}", flush=True)
                continue
            show(size, results[size], args.server)
    finally:
        if usage is not None:
            usage.close()
        stop(servers)
        from django.db import connections

        connections.close_all()
        drop_scratch_database(database)
    if not results:
        raise SystemExit("no run finished")
    largest = max(results)
    chat, echo = results[largest]["chat"], results[largest]["echo"]
    emit(
        {
            "bench": "chat_load",
            "connections": largest,
            "p50_ms": chat["p50_ms"],
            "p99_ms": chat["p99_ms"],
            "msgs_per_s": chat["msgs_per_s"],
            "kib_per_connection": chat["kib_per_connection"],
            "echo_p99_ms": echo["p99_ms"],
            "servers": args.servers,
            "layout": args.layout,
            "channel_layer": args.channel_layer,
            "server": args.server,
            "redis_max_connections": args.redis_max_connections,
            "worker_threads": args.worker_threads,
            "server_errors": sum(chat["server_trouble"].values()),
            "interval_s": args.interval,
            "sent_per_s": chat["sent_per_s"],
            "p90_ms": chat["p90_ms"],
            "cores": chat["cores"],
            "cpu_ms_per_msg": chat["cpu_ms_per_msg"],
            "redis_commands_per_s": chat["redis_commands_per_s"],
            "pg_xacts_per_s": chat["pg_xacts_per_s"],
            "client_loop_lag_p99_ms": chat["client_loop_lag_ms"]["p99"],
            "failed_to_open": chat["failed_to_open"],
            "closed_by_server": chat["closed_by_server"],
            "load_before": chat["load_before"],
        }
    )


if __name__ == "__main__":
    main()
