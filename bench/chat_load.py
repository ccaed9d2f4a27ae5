"""Live chat under load: many customer websockets and 50 agents on 2 uvicorn processes.

Builds a scratch database with N anonymous visitors (sessions made in the database), each
in a chat already assigned to one of 50 agents, starts uvicorn processes (--servers, 2)
sharing Redis, places the sockets on them:

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

The servers negotiate no websocket compression, as daphne (production's server) does not.

Memory per connection: the servers' RSS growth while the customer sockets open, divided
by their number. Runs 1,000 then 5,000 connections (`--quick`: 200).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/chat_load.py [--quick] [--sizes 1000,5000] [--interval 10] \\
        [--duration 60] [--servers 2] [--layout spread|split] [--channel-layer redis|pubsub]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from _support import ROOT, django_on_scratch_database, drop_scratch_database, emit, percentile

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


def serve(port: int) -> None:
    """A server process: uvicorn on bench/chat_asgi.py with bench/chat_settings.py."""
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "chat_settings"
    raise_fd_limit()
    import uvicorn

    uvicorn.run(
        "chat_asgi:application",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        ws="websockets",
        lifespan="off",
        backlog=4096,
        # As daphne: no permessage-deflate (uvicorn's default would compress every frame).
        ws_per_message_deflate=False,
    )


def start_server(
    database: str, port: int, prefix: str, log, channel_layer: str
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
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
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


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


async def phase(
    *,
    sockets_to_open: list[tuple[int, str, str]],
    reader,
    interval: float,
    duration: float,
    servers: list[subprocess.Popen],
    agents: list[tuple[int, str, str]] = (),
) -> dict:
    """Open the sockets ((port, path, cookie) each), let them talk for `duration`, close
    them; the figures."""
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
    sockets = await asyncio.gather(
        *(
            _connect(f"ws://127.0.0.1:{port}{path}", cookie, port, gate)
            for port, path, cookie in sockets_to_open
        )
    )
    opened_in = time.perf_counter() - opened_at
    print(f"  {len(sockets)} sockets open in {opened_in:.1f} s", flush=True)
    readers = [asyncio.create_task(reader(ws, run)) for ws in sockets]
    await settle(servers)  # hellos read, servers idle again: time steady work, not the opening
    # This process holds every client socket: a full garbage collection over thousands of
    # them stalls its loop for a while, and every round trip in flight looks slow. The
    # sockets live to the end, so leave them out of the collections.
    gc.collect()
    gc.freeze()
    after = sum(rss_kib(s.pid) for s in servers)
    started = time.perf_counter()
    cpu_before = [cpu_seconds(s.pid) for s in servers]
    load_before = os.getloadavg()[0]
    deadline = started + duration
    await asyncio.gather(*(_talk(ws, n, run, interval, deadline) for n, ws in enumerate(sockets)))
    await asyncio.sleep(SETTLE_SECONDS)
    busy = [
        round((cpu_seconds(s.pid) - was) / (time.perf_counter() - started), 2)
        for s, was in zip(servers, cpu_before, strict=True)
    ]
    closed_early = sum(1 for task in readers if task.done())  # the server hung up
    await asyncio.gather(*(ws.close() for ws in [*sockets, *agent_sockets]), return_exceptions=True)
    gc.unfreeze()
    for task in [*readers, *agent_tasks]:
        task.cancel()
    sent = len(run.sent)
    return {
        "closed_by_server": closed_early,
        "connections": len(sockets),
        "opened_s": round(opened_in, 1),
        "sent": sent,
        "answered": len(run.rtt),
        "errors": run.errors,
        "msgs_per_s": round(len(run.rtt) / duration, 1),
        "p50_ms": round(percentile(run.rtt, 50) * 1000, 2),
        "p90_ms": round(percentile(run.rtt, 90) * 1000, 2),
        "p99_ms": round(percentile(run.rtt, 99) * 1000, 2),
        "p99_ms_by_10s": p99_by_window(run.rtt_at, run.rtt, started),
        # CPU cores each server kept busy while the sockets talked, and the machine's
        # 1-minute load before (other work on the machine shows here)
        "server_cores": busy,
        "load_before": round(load_before, 2),
        "ack_p99_ms": round(percentile(run.ack, 99) * 1000, 2) if run.ack else None,
        "agent_p50_ms": round(percentile(run.agent, 50) * 1000, 2) if run.agent else None,
        "agent_p99_ms": round(percentile(run.agent, 99) * 1000, 2) if run.agent else None,
        "agent_received": len(run.agent),
        "kib_per_connection": round((after - before) / max(1, len(sockets)), 1),
    }


async def measure(
    size: int, *, ports, servers, customers, agents, interval, duration, layout
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
    )
    return {"chat": chat, "echo": echo}


def show(size: int, result: dict) -> None:
    chat, echo = result["chat"], result["echo"]
    print(
        f"\n{size} customer sockets + {AGENTS} agents (opened in {chat['opened_s']} s; "
        f"machine load before {chat['load_before']})\n"
        f"  chat: {chat['answered']}/{chat['sent']} round trips, {chat['msgs_per_s']} msg/s, "
        f"p50 {chat['p50_ms']} ms, p90 {chat['p90_ms']} ms, p99 {chat['p99_ms']} ms "
        f"(ack p99 {chat['ack_p99_ms']} ms); agent on the other server: "
        f"{chat['agent_received']} received, p50 {chat['agent_p50_ms']} ms, "
        f"p99 {chat['agent_p99_ms']} ms; errors {chat['errors']}, "
        f"closed by the server {chat['closed_by_server']}\n"
        f"  chat p99 per 10 s (ms): {chat['p99_ms_by_10s']}; "
        f"server CPU (cores): {chat['server_cores']}\n"
        f"  echo: {echo['answered']}/{echo['sent']}, {echo['msgs_per_s']} msg/s, "
        f"p50 {echo['p50_ms']} ms, p99 {echo['p99_ms']} ms; server CPU {echo['server_cores']}\n"
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
    parser.add_argument("--servers", type=int, default=2, help="uvicorn processes")
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
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
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
    database = django_on_scratch_database()
    logs = tempfile.NamedTemporaryFile("w+", prefix="chat_load_", suffix=".log", delete=False)
    servers: list[subprocess.Popen] = []
    results: dict[int, dict] = {}
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
        servers = [start_server(database, port, prefix, logs, args.channel_layer) for port in ports]
        print(
            f"servers: uvicorn on {ports}, layout {args.layout}, channel layer "
            f"{args.channel_layer}; log {logs.name}"
        )
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
                    )
                )
            except Exception as exc:  # noqa: BLE001  (report what stopped a size, keep the rest)
                print(f"\n{size} connections failed: {type(exc).__name__}: {exc}", flush=True)
                continue
            show(size, results[size])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
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
        }
    )


if __name__ == "__main__":
    main()
