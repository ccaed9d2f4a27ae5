"""This test run's Celery queue on the real broker, read the way a worker would (the
`broker_queue` fixture in tests/conftest.py empties it around a test)."""

from __future__ import annotations

from typing import Any

from config.celery import app as celery_app


class BrokerQueue:
    """The Celery queue of this test run (config.settings.test gives each run its own)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or celery_app.conf.task_default_queue

    def take(self) -> list[dict[str, Any]]:
        """Remove and return every queued task as {"task": name, "args": [...]}."""
        taken = []
        with celery_app.connection_for_read() as connection:
            queue = connection.SimpleQueue(self.name, no_ack=True)
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                args, _kwargs, _embed = message.decode()
                taken.append({"task": message.headers["task"], "args": args})
            queue.close()
        return taken

    def run(self) -> list[dict[str, Any]]:
        """Run every queued task here, as a worker would; returns what was queued."""
        taken = self.take()
        for task in taken:
            celery_app.tasks[task["task"]].apply(args=task["args"], throw=True)
        return taken
