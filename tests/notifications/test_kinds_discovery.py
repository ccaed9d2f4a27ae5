"""Notification kinds become known one way: each app's notification_kinds.py (KINDS),
discovered by the notifications app when Django is ready."""

from __future__ import annotations

import ast
import importlib
import pathlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

import notifications
from notifications import registry

NOTIFICATIONS_DIR = pathlib.Path(settings.BASE_DIR) / "notifications"


def _declared() -> dict[str, str]:
    """kind name -> the app whose notification_kinds.py lists it."""
    declared = {}
    for app_config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app_config.name}.notification_kinds")
        except ModuleNotFoundError:
            continue
        for kind in module.KINDS:
            assert kind.name not in declared, f"{kind.name} is declared twice"
            declared[kind.name] = app_config.label
    return declared


def test_every_known_kind_is_declared_in_an_apps_notification_kinds_module():
    declared = _declared()
    assert {kind.name for kind in notifications.kinds_all()} == set(declared)
    assert {"accounts", "tickets", "livechat"} <= set(declared.values())
    assert declared["ticket.received"] == "tickets"
    assert declared["security.new_device"] == "accounts"
    assert declared["livechat.transcript"] == "livechat"


def test_discovering_again_changes_nothing():
    before = {kind.name: kind for kind in notifications.kinds_all()}
    registry.kinds_discover()
    assert {kind.name: kind for kind in notifications.kinds_all()} == before


def test_another_kind_under_a_taken_name_is_refused():
    taken = notifications.kind_get("ticket.received")
    impostor = notifications.NotificationKind(
        name=taken.name, label="x", subject="x", template="tickets/email/ticket_received"
    )
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        notifications.register(impostor)
    assert notifications.kind_get("ticket.received") is taken


def _runtime_imports(path: pathlib.Path) -> set[str]:
    """Modules `path` imports when it runs (not those under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(node)
        for top in ast.walk(tree)
        if isinstance(top, ast.If) and getattr(top.test, "id", "") == "TYPE_CHECKING"
        for node in ast.walk(top)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_notifications_is_the_bottom_layer():
    """It imports nothing of the apps that use it (the user model's type aside), so
    none of them can pull it into an import cycle again."""
    upper = ("accounts", "tickets", "livechat", "helpcenter")
    offending = {
        f"{path.relative_to(NOTIFICATIONS_DIR)}: {module}"
        for path in NOTIFICATIONS_DIR.rglob("*.py")
        for module in _runtime_imports(path)
        if module.split(".")[0] in upper
    }
    assert offending == set()
