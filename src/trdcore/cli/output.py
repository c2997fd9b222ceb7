"""How commands print: JSON, verification marks, validation reports and progress.

Data goes to standard output; warnings, problems and progress go to standard
error, so that output piped into another program stays clean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import orjson

__all__ = [
    "JsonReporter",
    "Reporter",
    "TextReporter",
    "emit_json",
    "verification_mark",
    "with_progress",
]

Part = TypeVar("Part")


def emit_json(data: object) -> None:
    """Print ``data`` as indented JSON on standard output."""
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def verification_mark(verification: str) -> str:
    """Nothing for verified content, else the verification status in brackets."""
    return "" if verification == "verified" else f" [{verification}]"


def with_progress(parts: Iterable[Part], histories: Callable[[Part], int]) -> Iterator[Part]:
    """Count histories on standard error while NDJSON goes to standard output."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed:,} histories"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("evaluating")
        for part in parts:
            yield part
            progress.advance(task, histories(part))


class Reporter:
    """Collects ``trdcore validate`` counts per file and overall; subclasses decide how to print."""

    def __init__(self) -> None:
        self.files = 0
        self.documents = 0
        self.invalid = 0
        self.file_documents = 0
        self.file_invalid = 0
        self.file: Path | None = None

    @property
    def all_valid(self) -> bool:
        return self.invalid == 0

    def start_file(self, path: Path) -> None:
        self.file = path
        self.files += 1
        self.file_documents = 0
        self.file_invalid = 0

    def document(self, report: Any) -> None:
        self.documents += 1
        self.file_documents += 1
        if not report.valid:
            self.invalid += 1
            self.file_invalid += 1

    def end_file(self) -> None:
        pass

    def finish(self) -> None:
        pass


class TextReporter(Reporter):
    """For people: each problem with its line and pointer, a tick per valid file, a summary."""

    def __init__(self, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        self.schemas: set[str] = set()

    def start_file(self, path: Path) -> None:
        super().start_file(path)
        self.schemas = set()

    def document(self, report: Any) -> None:
        super().document(report)
        if report.schema:
            self.schemas.add(report.schema)
        if report.warnings:
            line = f":{report.line}" if report.line is not None else ""
            click.secho(
                f"! {report.source}{line} ({report.schema}): valid, with warnings", fg="yellow"
            )
            for issue in report.warnings:
                position = f"line {issue.line}, " if issue.line is not None else ""
                click.echo(f"    {position}{issue.pointer}: {issue.message} [{issue.keyword}]")
        if report.valid:
            return
        where = f"{report.source}"
        if report.error is not None:
            click.secho(f"✗ {report.error}", fg="red")
            return
        line = f":{report.line}" if report.line is not None else ""
        schema = f" ({report.schema})" if report.schema else ""
        click.secho(f"✗ {where}{line}{schema}", fg="red")
        for issue in report.issues:
            position = f"line {issue.line}, " if issue.line is not None else ""
            pointer = issue.pointer or "(document)"
            click.echo(f"    {position}{pointer}: {issue.message} [{issue.keyword}]")

    def end_file(self) -> None:
        if self.file_invalid or self.quiet:
            if self.file_documents > 1:
                click.echo(
                    f"  {self.file}: {self.file_documents - self.file_invalid:,} valid, "
                    f"{self.file_invalid:,} invalid of {self.file_documents:,} documents"
                )
            return
        schemas = ", ".join(sorted(self.schemas))
        count = f"{self.file_documents:,} documents, " if self.file_documents > 1 else ""
        click.secho(f"✓ {self.file} ({count}{schemas})", fg="green")

    def finish(self) -> None:
        valid = self.documents - self.invalid
        verdict = "all valid" if self.all_valid else f"{self.invalid:,} invalid"
        click.secho(
            f"{self.files:,} file{'s' if self.files != 1 else ''}, "
            f"{self.documents:,} document{'s' if self.documents != 1 else ''}: "
            f"{valid:,} valid, {verdict}",
            bold=True,
            fg="green" if self.all_valid else "red",
        )


class JsonReporter(Reporter):
    """Streams one JSON object so that memory stays flat on huge NDJSON files.

    Shape: ``{"files": [{"source", "problems": [...], "documents", "valid",
    "invalid"}], "summary": {...}, "valid": bool}``; only documents with
    problems or warnings are listed.
    """

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self.out = out
        self.first_file = True
        self.first_problem = True
        self.out.write(b'{"files":[')

    def start_file(self, path: Path) -> None:
        super().start_file(path)
        if not self.first_file:
            self.out.write(b",")
        self.first_file = False
        self.first_problem = True
        self.out.write(b'{"source":' + orjson.dumps(str(path)) + b',"problems":[')

    def document(self, report: Any) -> None:
        super().document(report)
        if report.valid and not report.warnings:
            return
        if not self.first_problem:
            self.out.write(b",")
        self.first_problem = False
        self.out.write(orjson.dumps(report.to_json()))

    def end_file(self) -> None:
        counts = {
            "documents": self.file_documents,
            "valid": self.file_documents - self.file_invalid,
            "invalid": self.file_invalid,
        }
        self.out.write(b"]," + orjson.dumps(counts)[1:])

    def finish(self) -> None:
        summary = {
            "files": self.files,
            "documents": self.documents,
            "valid": self.documents - self.invalid,
            "invalid": self.invalid,
        }
        self.out.write(
            b'],"summary":'
            + orjson.dumps(summary)
            + b',"valid":'
            + (b"true" if self.all_valid else b"false")
            + b"}\n"
        )
        self.out.flush()
