"""Live chat under load: many customer websockets and 50 agents on 2 uvicorn processes.

Builds a scratch database with N anonymous visitors (sessions made in the database), each
in a chat already assigned to one of 50 agents, starts two uvicorn processes sharing
Redis (customers on server A, agents on server B: every message crosses processes),
then, with raw `websockets` clients in one asyncio process:

- chat: every customer sends `message.send` at random (exponential gaps, mean
  --interval seconds) for --duration seconds. Round trip = send until the customer's own
  `message.new` comes back (saved, numbered, broadcast through Redis). Also timed: the
  `message.ack`, and the agent's copy arriving on the other server;
- echo, the baseline: the same number of sockets on the same server A, through the same
  middleware, to a bare echo consumer (bench/chat_asgi.py, mounted by the bench only),
  the same message rate.

Memory per connection: the servers' RSS growth while the customer sockets open, divided
by their number. Runs 1,000 then 5,000 connections (`--quick`: 200).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/chat_load.py [--quick] [--sizes 1000,5000] [--interval 10]
"""

from __future__ import annotations

import argparse
import asyncio
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
    )


def start_server(database: str, port: int, prefix: str, log) -> subprocess.Popen:
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


def make_customers(count: int, agents) -> list[tuple[str, str]]:
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
                agent=agents[n % len(agents)][0],
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
    port: int,
    path_for,
    cookies: list[str],
    reader,
    interval: float,
    duration: float,
    servers: list[subprocess.Popen],
    agents_port: int | None = None,
    agents: list[str] = (),
) -> dict:
    """Open the sockets, let them talk for `duration`, close them; the figures."""
    run = Run()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    agent_sockets = []
    for cookie in agents:
        ws = await _connect(
            f"ws://127.0.0.1:{agents_port}/ws/chat/agent/", cookie, agents_port, gate
        )
        agent_sockets.append(ws)
    agent_tasks = [asyncio.create_task(_read_agent(ws, run)) for ws in agent_sockets]
    if agent_sockets:
        print(f"  {len(agent_sockets)} agents connected", flush=True)
    await asyncio.sleep(1)
    before = sum(rss_kib(s.pid) for s in servers)
    opened_at = time.perf_counter()
    sockets = await asyncio.gather(
        *(
            _connect(f"ws://127.0.0.1:{port}{path_for(n)}", cookie, port, gate)
            for n, cookie in enumerate(cookies)
        )
    )
    opened_in = time.perf_counter() - opened_at
    print(f"  {len(sockets)} sockets open in {opened_in:.1f} s", flush=True)
    readers = [asyncio.create_task(reader(ws, run)) for ws in sockets]
    await asyncio.sleep(2)  # hellos read, servers idle again
    after = sum(rss_kib(s.pid) for s in servers)
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_talk(ws, n, run, interval, deadline) for n, ws in enumerate(sockets)))
    await asyncio.sleep(SETTLE_SECONDS)
    closed_early = sum(1 for task in readers if task.done())  # the server hung up
    await asyncio.gather(*(ws.close() for ws in [*sockets, *agent_sockets]), return_exceptions=True)
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
        "p99_ms": round(percentile(run.rtt, 99) * 1000, 2),
        "ack_p99_ms": round(percentile(run.ack, 99) * 1000, 2) if run.ack else None,
        "agent_p50_ms": round(percentile(run.agent, 50) * 1000, 2) if run.agent else None,
        "agent_p99_ms": round(percentile(run.agent, 99) * 1000, 2) if run.agent else None,
        "agent_received": len(run.agent),
        "kib_per_connection": round((after - before) / max(1, len(sockets)), 1),
    }


async def measure(size: int, *, ports, servers, customers, agents, interval, duration) -> dict:
    port_a, port_b = ports
    chosen = customers[:size]
    chat = await phase(
        port=port_a,
        path_for=lambda n: f"/ws/chat/{chosen[n][1]}/?after=0",
        cookies=[key for key, _ in chosen],
        reader=_read_customer,
        interval=interval,
        duration=duration,
        servers=servers,
        agents_port=port_b,
        agents=[cookie for _, cookie in agents],
    )
    echo = await phase(
        port=port_a,
        path_for=lambda n: "/ws/bench/echo/",
        cookies=[key for key, _ in chosen],
        reader=_read_echo,
        interval=interval,
        duration=duration / 2,
        servers=servers,
    )
    return {"chat": chat, "echo": echo}


def show(size: int, result: dict) -> None:
    chat, echo = result["chat"], result["echo"]
    print(
        f"\n{size} customer sockets + {AGENTS} agents (opened in {chat['opened_s']} s)\n"
        f"  chat: {chat['answered']}/{chat['sent']} round trips, {chat['msgs_per_s']} msg/s, "
        f"p50 {chat['p50_ms']} ms, p99 {chat['p99_ms']} ms (ack p99 {chat['ack_p99_ms']} ms); "
        f"agent on the other server: {chat['agent_received']} received, "
        f"p50 {chat['agent_p50_ms']} ms, p99 {chat['agent_p99_ms']} ms; errors {chat['errors']}, closed by the server {chat['closed_by_server']}\n"
        f"  echo: {echo['answered']}/{echo['sent']}, {echo['msgs_per_s']} msg/s, "
        f"p50 {echo['p50_ms']} ms, p99 {echo['p99_ms']} ms\n"
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
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
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
        customers = make_customers(max(sizes), agents)
        prefix = f"asgi-bench-{os.getpid()}"
        ports = (free_port(), free_port())
        servers = [start_server(database, port, prefix, logs) for port in ports]
        print(
            f"servers: uvicorn on {ports[0]} (customers) and {ports[1]} (agents); log {logs.name}"
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
        }
    )


if __name__ == "__main__":
    main()
