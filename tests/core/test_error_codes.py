"""Every error code Beacon answers with is in core.error_codes, once, with its meaning."""

from __future__ import annotations

import ast
import pathlib
import re

from django.conf import settings

from core.error_codes import DRF_CODES, ErrorCode

ROOT = pathlib.Path(settings.BASE_DIR)
# Beacon's own code: not the tests, the benchmarks or generated migrations.
NOT_SOURCE = {".venv", ".git", "tests", "bench", "migrations", "node_modules", "public"}
# The exceptions a refusal is raised with, and the socket's own error-frame sender.
RAISERS = {"ApplicationError", "FrameError", "send_error"}


def _sources() -> dict[pathlib.Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(), filename=str(path))
        for path in ROOT.rglob("*.py")
        if not NOT_SOURCE & set(path.relative_to(ROOT).parts)
    }


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)


def _error_classes(trees) -> set[str]:
    """ApplicationError, FrameError and every class that derives from one of them."""
    found, grew = set(RAISERS), True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found:
                    if any(_name(base) in found for base in node.bases):
                        found.add(node.name)
                        grew = True
    return found


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def codes_used() -> dict[str, list[str]]:
    """code -> where: `code=` of a raise, FrameError/send_error's first argument, and
    the "code" of a JSON answer or frame written as a dict literal."""
    trees = _sources()
    raisers = _error_classes(trees.values())
    used: dict[str, list[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            codes = []
            if isinstance(node, ast.Call) and _name(node.func) in raisers:
                codes += [_literal(kw.value) for kw in node.keywords if kw.arg == "code"]
                if _name(node.func) in {"FrameError", "send_error"} and node.args:
                    codes.append(_literal(node.args[0]))
            elif isinstance(node, ast.Dict):
                keys = [_literal(key) if key is not None else None for key in node.keys]
                if "code" in keys and {"message", "detail", "type"} & set(keys):
                    codes.append(_literal(node.values[keys.index("code")]))
            for code in filter(None, codes):
                used.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return used


def test_every_code_raised_or_answered_is_in_the_list():
    used = codes_used()
    unlisted = {code: where for code, where in used.items() if code not in set(ErrorCode)}
    assert unlisted == {}, "add them to core/error_codes.py (or use a listed code)"
    # the scan finds what it should: a refusal, a frame error, a JSON answer
    assert {"empty", "bad_frame", "rate_limited", "too_large"} <= set(used)


def test_codes_the_browser_scripts_branch_on_are_in_the_list():
    scripts = "\n".join(path.read_text() for path in (ROOT / "static" / "js").glob("*.js"))
    branched = set(re.findall(r"""code\s*===?\s*["']([a-z_]+)["']""", scripts))
    assert branched and branched <= set(ErrorCode)


def test_one_meaning_one_code():
    """The synonyms that were once answered for the same refusal stay gone."""
    retired = {
        "empty_body", "blank", "reason_required", "body_too_long", "comment_too_long",
        "reason_too_long", "query_too_long", "invalid_rating", "invalid_status",
        "not_allowed", "missing", "not_pending",
    }  # fmt: skip
    assert retired & set(codes_used()) == set()
    assert retired & set(ErrorCode) == set()
    names = [code.value for code in ErrorCode]
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in names)
    assert not set(names) & (DRF_CODES - {"not_found"})  # DRF's are its own
