from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from helpcenter import services
from helpcenter.importing import ArticleFileError, article_files, read_article_file


class Command(BaseCommand):
    help = (
        "Import help-centre articles from Markdown files with YAML front matter (files or folders)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths: list[Path], **options):
        try:
            files = article_files(paths)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file or folder: {exc}") from exc
        counts = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        for path in files:
            try:
                outcome = services.article_import(source=read_article_file(path))
            except (ArticleFileError, ApplicationError) as exc:
                outcome = "failed"
                self.stderr.write(f"{path}: {exc}")
            except Exception as exc:  # a validation error from full_clean, say
                outcome = "failed"
                self.stderr.write(f"{path}: {type(exc).__name__}: {exc}")
            counts[outcome] += 1
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(f"{len(files)} files: {summary}")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} file(s) could not be imported")
