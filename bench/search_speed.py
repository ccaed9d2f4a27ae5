"""Help-centre search speed over HTTP on PostgreSQL with 10,000 articles.

Builds a scratch PostgreSQL database with the shared corpus multiplied into 10,000
article versions (varied titles, shuffled paragraphs), starts the web process (config/web.py)
on it, then times GET /api/v1/helpcenter/search with the benchmark's query set beside
GET /ping (a trivial endpoint on the same server), interleaved, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beacon python bench/search_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
from io import StringIO

import yaml
from _support import (
    KB_CORPUS,
    ROOT,
    django_on_scratch_database,
    drop_scratch_database,
    emit,
    summary_ms,
)

PREFIXES_EN = ["", "Guide: ", "FAQ: ", "Help: ", "Updated: ", "Quick answer: "]
PREFIXES_ZH = ["", "指南：", "常见问题：", "帮助：", "更新：", "快速解答："]


def build_articles(total: int, semantic: bool) -> int:
    """The corpus, then varied copies of it, until `total` article versions exist."""
    from django.core.management import call_command

    from helpcenter import demo, services
    from helpcenter.models import Article
    from helpcenter.search import indexing

    call_command("import_articles", str(KB_CORPUS), stdout=StringIO())
    demo.seed_site({}, demo.load_synonyms())
    if semantic:
        services.article_embeddings_refresh(batch_size=64, max_batches=1000)
    sources = list(Article.objects.select_related("category"))
    rng = random.Random(7)
    copies = []
    for n in range(total - len(sources)):
        source = sources[n % len(sources)]
        paragraphs = source.body_markdown.split("\n\n")
        rng.shuffle(paragraphs)
        prefixes = PREFIXES_ZH if source.lang == "zh-hans" else PREFIXES_EN
        copy = Article(
            slug=f"{source.slug}-v{n}",
            lang=source.lang,
            category=source.category,
            title=f"{rng.choice(prefixes)}{source.title} #{n}",
            tags=source.tags,
            body_markdown="\n\n".join(paragraphs),
            status="published",
            updated_on=source.updated_on,
            embedding=source.embedding,
            embedding_hash=source.embedding_hash,
        )
        services.article_prepare(article=copy)
        copies.append(copy)
    created = Article.objects.bulk_create(copies, batch_size=1000)
    indexing.refresh_vectors([a.id for a in created])
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
        cursor.execute("VACUUM ANALYZE helpcenter_article")
    return Article.objects.count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database: str, port: int, semantic: bool) -> subprocess.Popen:
    from django.db import connection

    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{database}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "BEACON_SEMANTIC_SEARCH": "1" if semantic else "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "config.web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def timed_get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise SystemExit(f"{path} answered {response.status}: {body[:200]!r}")
    return elapsed


def measure(port: int, rounds: int) -> tuple[list[float], list[float]]:
    queries = yaml.safe_load((ROOT / "bench" / "search_queries.yaml").read_text(encoding="utf-8"))
    paths = [
        "/api/v1/helpcenter/search?" + urllib.parse.urlencode({"q": q["q"], "lang": q["lang"]})
        for q in queries
    ]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths[:40]:  # warm up: jieba, caches, connections, the semantic matrix
        timed_get(conn, path)
        timed_get(conn, "/ping")
    search, ping = [], []
    for _ in range(rounds):
        for path in paths:
            search.append(timed_get(conn, path))
            ping.append(timed_get(conn, "/ping"))
    return search, ping


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 articles, keyword search, one round"
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-semantic", action="store_true")
    args = parser.parse_args()
    total = 2_000 if args.quick else args.articles
    semantic = not (args.quick or args.no_semantic)
    rounds = 1 if args.quick else args.rounds

    database = django_on_scratch_database()
    from django.db import connection

    if connection.vendor != "postgresql":
        drop_scratch_database(database)
        sys.exit("search_speed measures PostgreSQL: set DATABASE_URL=postgres://…")
    try:
        started = time.perf_counter()
        count = build_articles(total, semantic)
        print(
            f"{count} article versions ready in {time.perf_counter() - started:.0f} s "
            f"(semantic {'on' if semantic else 'off'})"
        )
        connection.close()
        port = free_port()
        server = start_server(database, port, semantic)
        try:
            search, ping = measure(port, rounds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        drop_scratch_database(database)

    s, p = summary_ms(search), summary_ms(ping)
    print(f"{'endpoint':<28}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}")
    print(f"{'search API':<28}{len(search):>9}{s['p50']:>9}{s['p99']:>9}")
    print(f"{'/ping (baseline)':<28}{len(ping):>9}{p['p50']:>9}{p['p99']:>9}")
    print(f"search p99 is {s['p99'] / p['p99']:.1f}x the baseline p99")
    emit(
        {
            "bench": "search_speed",
            "articles": count,
            "semantic": semantic,
            "p50_ms": s["p50"],
            "p99_ms": s["p99"],
            "baseline_p50_ms": p["p50"],
            "baseline_p99_ms": p["p99"],
        }
    )


if __name__ == "__main__":
    main()
