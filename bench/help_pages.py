"""Anonymous help pages per second, beside GET /ping on the same servers in the same run.

Builds a scratch PostgreSQL database with the shared bilingual corpus
(../shared/corpora/kb, 80 articles in two languages), the demo site (categories, contact
channels, announcements, glossary), then starts the production layout on this machine:
`--processes` server processes (uvicorn as deployed; 2: one per core), each on its own port, with the
production database settings (a connection pool per process) and Redis for the cache,
and drives them from `--clients` client processes that keep their connections open and
spread over the servers, as a proxy would.

The page mix is what a visitor on an incident day reads, signed out: the home page, a
category, articles, searches (results and the no-match page), contact, announcements.
Three measurements:

1. c=1 latency of each page (after one visit of each, so kept in memory), interleaved
   with /ping: p50 and p99, and as a multiple of the /ping floor;
2. throughput of the mix at --clients connections for --seconds, beside /ping alone at
   the same concurrency (the servers' floor);
3. both again with the app's page memory off (BEACON_BENCH_NO_PAGE_MEMORY): what a page
   costs when it has to render (HTTP caching headers still on), which is what every
   visitor cost before (plus, then, a session, two cookies and a view_count UPDATE).

Each answer is checked: 200, Cache-Control public, no Set-Cookie. `--server daphne` or
`--server granian` (`make bench` installs granian) runs the same under that server
instead of uvicorn, to compare the servers by measurement: run them in the same sitting.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/help_pages.py [--quick] [--server uvicorn|daphne|granian]
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import tempfile
import time
import urllib.parse

from _support import (
    KB_CORPUS,
    django_on_scratch_database,
    drop_scratch_database,
    emit,
    summary_ms,
)
from servers import NO_PAGE_MEMORY_ENV, SERVERS, run_clients, start_servers, stop

SEARCHES = [
    "withdrawal not received",
    "提币没到账",
    "reset 2fa",
    "忘记资金密码",
    "deposit wrong network",
    "how to mint an nft",
]


# ---------------------------------------------------------------------------- content


def build_site() -> dict[str, list[str]]:
    """The corpus and the demo site; returns the paths of each kind of page."""
    import yaml
    from django.core.management import call_command

    from helpcenter import demo
    from helpcenter.models import Announcement, Article, ArticleCategory

    call_command("import_articles", str(KB_CORPUS), verbosity=0)
    site = yaml.safe_load((demo.CONTENT / "site.yaml").read_text(encoding="utf-8"))
    demo.seed_site(site, demo.load_synonyms())
    slugs = sorted(set(Article.objects.values_list("slug", flat=True)))
    categories = [c.slug for c in ArticleCategory.objects.filter(articles__isnull=False).distinct()]
    print(
        f"{Article.objects.count()} article versions, {len(categories)} categories, "
        f"{Announcement.objects.count()} announcements",
        flush=True,
    )
    quote = urllib.parse.quote_plus
    return {
        "home": ["/"],
        "category": [f"/help/categories/{slug}/" for slug in categories[:10]],
        "article": [f"/help/articles/{slug}/" for slug in slugs[:40]],
        "search": [f"/help/search/?q={quote(q)}" for q in SEARCHES],
        "contact": ["/contact/"],
        "announcements": ["/announcements/"],
    }


# ---------------------------------------------------------------------------- clients


def get(conn: http.client.HTTPConnection, path: str, language: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Language": language})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {body[:200]!r}")
    if path != "/ping" and (
        response.getheader("Set-Cookie")
        or "public" not in (response.getheader("Cache-Control") or "")
    ):
        raise SystemExit(f"{path} is not cacheable: {response.getheaders()}")
    return elapsed


def latency(port: int, pages: dict[str, list[str]], rounds: int) -> dict[str, dict[str, float]]:
    """c=1: each kind of page `rounds` times (cycling its paths and both languages), each
    followed by /ping; one round of warm-up first."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for paths in pages.values():  # every page once in each language (kept, if memory is on)
        for path in paths:
            get(conn, path, "en")
            get(conn, path, "zh-hans")
    samples: dict[str, list[float]] = {kind: [] for kind in [*pages, "ping"]}
    for n in range(rounds + 1):
        for kind, paths in pages.items():
            took = get(conn, paths[n % len(paths)], ("en", "zh-hans")[n % 2])
            ping = get(conn, "/ping", "en")
            if n:
                samples[kind].append(took)
                samples["ping"].append(ping)
    conn.close()
    return {kind: summary_ms(values) for kind, values in samples.items()}


def _client(ports: list[int], paths: list[str], seconds: float, seed: int, out) -> None:
    rng = random.Random(seed)
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports]
    done, samples = 0, []
    deadline = time.perf_counter() + seconds
    n = seed
    while time.perf_counter() < deadline:
        n += 1
        conn = conns[n % len(conns)]
        samples.append(get(conn, rng.choice(paths), rng.choice(("en", "zh-hans"))))
        done += 1
    out.put((done, samples))


def throughput(ports: list[int], paths: list[str], clients: int, seconds: float) -> dict:
    """`clients` processes, each with a connection to every server, asking for random
    paths for `seconds`; returns requests per second and latency percentiles."""
    results, elapsed = run_clients(_client, lambda i: (ports, paths, seconds, i * 7919), clients)
    samples = [s for _, batch in results for s in batch]
    return {"per_s": round(sum(done for done, _ in results) / elapsed, 1), **summary_ms(samples)}


# ---------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10 s runs, 30 rounds")
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=100, help="c=1 rounds per page")
    parser.add_argument(
        "--server", choices=SERVERS, default="uvicorn", help="the ASGI server (granian: make bench)"
    )
    args = parser.parse_args()
    seconds, rounds = (10.0, 30) if args.quick else (args.seconds, args.rounds)

    database = django_on_scratch_database()
    from django.db import connection

    if connection.vendor != "postgresql":
        drop_scratch_database(database)
        sys.exit("help_pages measures PostgreSQL: set DATABASE_URL=postgres://…")
    log = tempfile.TemporaryFile(mode="w+")
    servers: list = []
    try:
        pages = build_site()
        connection.close()  # the servers use the database; this process no longer does
        mix = [path for paths in pages.values() for path in paths]
        figures: dict[str, dict] = {}
        for memory in (True, False):
            label = "memory" if memory else "render"
            servers, ports = start_servers(
                database,
                args.processes,
                log,
                server=args.server,
                env={} if memory else {NO_PAGE_MEMORY_ENV: "1"},
            )
            figures[f"c1_{label}"] = latency(ports[0], pages, rounds)
            figures[label] = throughput(ports, mix, args.clients, seconds)
            figures[f"ping_{label}"] = throughput(ports, ["/ping"], args.clients, seconds)
            stop(servers)
            servers = []
        report(figures, args, seconds)
    finally:
        stop(servers)
        log.seek(0)
        errors = [line for line in log if "Traceback" in line or "ERROR" in line]
        if errors:
            print("server log:", *errors[:10], sep="\n  ")
        drop_scratch_database(database)


def report(figures: dict, args, seconds: float) -> None:
    memory_c1, render_c1 = figures["c1_memory"], figures["c1_render"]
    floor = memory_c1["ping"]
    print(f"\nc=1, one server process ({args.rounds if not args.quick else 30} rounds each):")
    print(
        f"  {'page':<16}{'kept p50':>10}{'kept p99':>10}{'p99/ping':>10}{'render p50':>12}{'render p99':>12}"
    )
    for kind, values in memory_c1.items():
        ratio = values["p99"] / floor["p99"] if floor["p99"] else float("nan")
        other = render_c1[kind]
        print(
            f"  {kind:<16}{values['p50']:>10}{values['p99']:>10}{ratio:>9.1f}x"
            f"{other['p50']:>12}{other['p99']:>12}"
        )
    print(
        f"\nthroughput, {args.processes} {args.server} processes, {args.clients} connections, "
        f"{seconds:.0f} s each:"
    )
    print(f"  {'run':<44}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    rows = [
        ("help pages, kept in memory (as deployed)", "memory"),
        ("  /ping in the same servers (floor)", "ping_memory"),
        ("help pages, rendered each time (memory off)", "render"),
        ("  /ping in the same servers (floor)", "ping_render"),
    ]
    for label, key in rows:
        f = figures[key]
        print(f"  {label:<44}{f['per_s']:>8}{f['p50']:>9}{f['p99']:>9}")
    memory, ping = figures["memory"], figures["ping_memory"]
    print(f"  help pages at {memory['per_s'] / ping['per_s']:.0%} of the /ping floor's rate")
    emit(
        {
            "bench": "help_pages",
            "server": args.server,
            "pages_per_s": memory["per_s"],
            "p50_ms": memory["p50"],
            "p99_ms": memory["p99"],
            "rendered_pages_per_s": figures["render"]["per_s"],
            "baseline_ping_per_s": ping["per_s"],
            "baseline_p99_ms": ping["p99"],
            "c1_p99_ms": {kind: values["p99"] for kind, values in memory_c1.items()},
            "c1_rendered_p99_ms": {kind: values["p99"] for kind, values in render_c1.items()},
            "processes": args.processes,
            "clients": args.clients,
        }
    )


if __name__ == "__main__":
    main()
