"""One web process (HTTP and websockets) under uvicorn, the way Beacon runs there:

    python -m config.web --host 0.0.0.0 --port 8000

What differs from uvicorn's defaults, and why, is UVICORN_OPTIONS. The tests and the
benches that run uvicorn run it through `serve`, with these options.
"""

from __future__ import annotations

import argparse

UVICORN_OPTIONS = {
    # Keeps the head of a message past the cap, so the app answers `too_large` and the
    # connection stays open (uvicorn's own protocols close it with 1009).
    "ws": "config.websocket_server:HeadKeepingWSProtocol",
    "ws_max_size": 1 << 20,  # bounds each socket's memory; the app's limit is 16 KiB
    "ws_per_message_deflate": False,  # chat frames are small; deflate costs CPU and memory
    "lifespan": "off",  # Django's ASGI handler has no lifespan
    "proxy_headers": False,  # the app reads X-Forwarded-For itself (core.client_ip)
    # Longer than the proxy keeps an idle upstream connection (nginx: 60 s), so the proxy
    # never sends a request on a connection this end is closing.
    "timeout_keep_alive": 75,
    # uvicorn's access log stays on, as daphne's: a line per request and per socket opened.
}


def serve(app: str, host: str, port: int, **overrides: object) -> None:
    """uvicorn serving `app` (an import string) with UVICORN_OPTIONS, and `overrides`
    (a bench's log level or listen backlog)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, **{**UVICORN_OPTIONS, **overrides})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    serve("config.asgi:application", args.host, args.port)


if __name__ == "__main__":
    main()
