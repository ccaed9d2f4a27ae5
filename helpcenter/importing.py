"""Read help-centre Markdown files with YAML front matter (id, lang, title, category, tags,
updated; optionally status and questions: the taught questions, helpcenter/search/taught.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpcenter.models.articles import Language
from helpcenter.search import taught

_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.DOTALL)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_FILE_BYTES = 1_000_000


class ArticleFileError(ValueError):
    """The file is not a valid article; the message says what is wrong."""


@dataclass(frozen=True)
class ArticleSource:
    slug: str
    lang: str
    title: str
    category: str
    tags: list[str] = field(default_factory=list)
    updated: dt.date = dt.date(2000, 1, 1)
    body: str = ""
    status: str = "published"
    questions: list[str] = field(default_factory=list)


def _require(meta: dict, key: str) -> object:
    if key not in meta or meta[key] in (None, ""):
        raise ArticleFileError(f"front matter lacks '{key}'")
    return meta[key]


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleFileError(f"'updated' is not a date: {value!r}") from exc


def parse_article(text: str) -> ArticleSource:
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise ArticleFileError("no YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ArticleFileError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise ArticleFileError("front matter is not a mapping")
    slug, lang = str(_require(meta, "id")).strip().lower(), str(_require(meta, "lang")).strip()
    if not _SLUG.match(slug):
        raise ArticleFileError(f"id {slug!r} must be lower-case letters, digits, '-' or '_'")
    if lang not in Language.values:
        raise ArticleFileError(f"lang {lang!r} must be one of {', '.join(Language.values)}")
    tags = meta.get("tags") or []
    if not isinstance(tags, list):
        raise ArticleFileError("tags must be a list")
    try:
        questions = taught.clean_questions(meta.get("questions"))
    except ValueError as exc:
        raise ArticleFileError(f"questions: {exc}") from exc
    body = match.group(2).strip()
    if not body:
        raise ArticleFileError("the article has no body")
    return ArticleSource(
        slug=slug,
        lang=lang,
        title=str(_require(meta, "title")).strip()[:200],
        category=str(_require(meta, "category")).strip().lower(),
        tags=[str(tag).strip() for tag in tags if str(tag).strip()][:30],
        updated=_date(_require(meta, "updated")),
        body=body,
        status=str(meta.get("status") or "published"),
        questions=questions,
    )


def read_article_file(path: Path) -> ArticleSource:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ArticleFileError(f"larger than {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleFileError("not UTF-8 text") from exc
    return parse_article(text)


def article_files(paths: list[Path]) -> list[Path]:
    """Every *.md under the given files and folders, sorted, each once."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*.md") if p.is_file())
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(path)
    return sorted(found)
