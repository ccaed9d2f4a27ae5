"""Operators' logs: one line per event, each with the request (or task) it belongs to.

settings.LOGGING wires these: every record passes ContextFilter (request id, task, no
traceback for a client's error) on its way to one console handler, formatted by
TextFormatter (`make run`) or JsonFormatter (production: one JSON object a line).
The Celery worker and beat use the same configuration (config/celery.py).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from celery import current_task
from django.http import HttpRequest, HttpResponse

from core.client_ip import from_trusted_proxy

REQUEST_ID_HEADER = "X-Request-ID"
# What proxies send: nginx's $request_id (32 hex), UUIDs, AWS's "Root=1-…" trace ids.
# Anything else, or anything from a client rather than our proxy, gets an id of our own.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:;=+/-]{0,127}")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request this code serves; "" outside a request."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request an id: our proxy's X-Request-ID, else a new one.

    The id is on every log line of the request (ContextFilter), on the request
    (`request.request_id`) and in the response's X-Request-ID, so a customer's report,
    the proxy's access log and these logs meet on one value. First in MIDDLEWARE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _incoming_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _incoming_id(request: HttpRequest) -> str | None:
    value = request.META.get("HTTP_X_REQUEST_ID", "").strip()
    if value and _ACCEPTED_ID.fullmatch(value) and from_trusted_proxy(request):
        return value
    return None


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task` to every record and drops the traceback of a client
    error: Django logs a refused request (403, 404, 400) with its exception, and an
    ordinary PermissionDenied is not something an operator must read a traceback for."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        # django.request logs some lines after the request's middleware returned.
        record.request_id = getattr(request, "request_id", "") or current_request_id()
        record.task = _current_task()
        if record.exc_info and 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def _current_task() -> str:
    """`name[id]` of the Celery task this worker runs now; "" elsewhere."""
    task = current_task._get_current_object()
    if task is None or task.request.id is None:
        return ""
    return f"{task.name}[{task.request.id}]"


class TextFormatter(logging.Formatter):
    """For a person at a terminal: `12:00:01 WARNING django.request [3f2a…] Forbidden: /x`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s%(context)s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        context = getattr(record, "request_id", "") or getattr(record, "task", "")
        record.context = f" [{context}]" if context else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector: time (UTC), level, logger, message,
    request_id or task when there is one, status for a request, the traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "task", "status_code"):
            value = getattr(record, name, None)
            if value:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
