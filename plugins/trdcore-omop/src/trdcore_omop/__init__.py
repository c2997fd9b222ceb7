"""OMOP Common Data Model for trdcore: persons' drug exposures as treatment histories.

A trdcore plugin. It adds the importer ``omop``: ``trdcore import omop DB`` reads a CDM
5.3 or 5.4 in a DuckDB file or any database SQLAlchemy reaches by URL (PostgreSQL at
least) and writes one treatment history per person (or, with ``--events``, the person's
fills as a dispensing-events document), streaming person by person in bounded memory.
What it reads and how, and what it leaves out, is in :mod:`trdcore_omop.reader`,
:mod:`trdcore_omop.histories` and :mod:`trdcore_omop.episode`; the summary of what could
not be used goes to standard error.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdcore import hookimpl
from trdcore.extensions import PluginOption

if TYPE_CHECKING:
    from trdcore.extensions import Importer, ImportResult

__all__ = ["OmopImporter", "trdcore_register_importers"]


def _whole(name: str, value: str, *, least: int) -> int:
    from trdcore.exceptions import UsageError

    if not value.isdigit() or int(value) < least:
        raise UsageError(
            f"option --{name} must be a whole number of at least {least}, not {value!r}"
        )
    return int(value)


class OmopImporter:
    """Reads an OMOP CDM (DuckDB file or database URL) into treatment histories."""

    name = "omop"
    description = "OMOP CDM 5.3/5.4 (DuckDB file or database URL) to treatment histories"
    accepts_urls = True
    options = (
        PluginOption("schema", "Database schema holding the CDM tables.", metavar="NAME"),
        PluginOption(
            "person-id",
            "Read only this person (may be repeated).",
            kind="multiple",
            metavar="ID",
        ),
        PluginOption(
            "events",
            "Write each person's fills as dispensing-events documents instead of histories.",
            kind="flag",
        ),
        PluginOption(
            "episode",
            "How the current episode is found: the latest depression diagnosis after a clean "
            "look-back, or the first antidepressant near a diagnosis.",
            choices=("diagnosis", "first-antidepressant"),
            default="diagnosis",
        ),
        PluginOption(
            "lookback-days",
            "Days without a depression diagnosis before one that starts an episode.",
            default="365",
            metavar="DAYS",
        ),
        PluginOption(
            "window-days",
            "For --episode first-antidepressant: days between the exposure and a diagnosis.",
            default="30",
            metavar="DAYS",
        ),
        PluginOption(
            "gap-days",
            "The drug-era persistence window: days without supply that still continue a trial.",
            default="30",
            metavar="DAYS",
        ),
        PluginOption(
            "stockpile",
            "Whether an early refill's days start when the supply on hand runs out (no: OMOP's "
            "drug eras).",
            choices=("no", "yes"),
            default="no",
        ),
        PluginOption(
            "as-of",
            "Evaluation date: later records are not used and supply beyond it is ongoing.",
            metavar="YYYY-MM-DD",
        ),
        PluginOption(
            "infer-outcomes",
            "Infer outcomes from what followed (claims-style, off by default): a trial is a "
            "non-response when another antidepressant or an augmentation agent started no more "
            "than --switch-days days after it ended; each is labelled outcome_inferred.",
            choices=("switch",),
        ),
        PluginOption(
            "switch-days",
            "With --infer-outcomes switch: the window in days (required, no default).",
            metavar="DAYS",
        ),
        PluginOption(
            "cdm-version",
            "Read the CDM as this version when cdm_source does not say 5.3 or 5.4.",
            choices=("5.3", "5.4"),
        ),
        PluginOption(
            "jobs",
            "Worker processes reading and building persons (default: every core).",
            metavar="N",
        ),
        PluginOption(
            "progress",
            "Show a progress bar on standard error (auto: when it is a terminal).",
            choices=("auto", "yes", "no"),
            default="auto",
        ),
    )

    def read(self, path: Path | str, options: Mapping[str, Any]) -> ImportResult:
        from trdcore.extensions import ImportResult
        from trdcore_omop.run import OmopRun

        run = OmopRun.open(str(path), settings_from(options))
        return ImportResult(documents=run.documents(), warnings=run.warnings)


def settings_from(options: Mapping[str, Any]) -> Any:
    """The run's settings from the importer's options (``--option KEY=VALUE`` or flags)."""
    from trdcore.exceptions import UsageError
    from trdcore.workers import default_jobs
    from trdcore_omop.histories import Settings
    from trdcore_omop.run import RunSettings

    as_of = None
    if options.get("as-of"):
        try:
            as_of = datetime.date.fromisoformat(str(options["as-of"]))
        except ValueError:
            raise UsageError(
                f"option --as-of must be a date as YYYY-MM-DD, not {options['as-of']!r}"
            ) from None
    people = options.get("person-id") or ()
    if isinstance(people, str):
        people = tuple(people.split(","))
    person_ids = tuple(_whole("person-id", str(p).strip(), least=0) for p in people) or None
    episode = str(options.get("episode", "diagnosis"))
    if episode not in ("diagnosis", "first-antidepressant"):
        raise UsageError(
            f"option --episode must be diagnosis or first-antidepressant, not {episode!r}"
        )
    stockpile = str(options.get("stockpile", "no"))
    if stockpile not in ("yes", "no"):
        raise UsageError(f"option --stockpile must be yes or no, not {stockpile!r}")
    progress = str(options.get("progress", "auto"))
    if progress not in ("auto", "yes", "no"):
        raise UsageError(f"option --progress must be auto, yes or no, not {progress!r}")
    events = options.get("events", False)
    from trdcore.rules.inference import switch_inference

    switch_days = options.get("switch-days")
    inference = switch_inference(
        options.get("infer-outcomes") or None,
        None if switch_days in (None, "") else _whole("switch-days", str(switch_days), least=0),
    )
    return RunSettings(
        histories=Settings(
            events=events is True or str(events).lower() in ("yes", "true", "1"),
            episode=episode,  # type: ignore[arg-type]
            lookback_days=_whole(
                "lookback-days", str(options.get("lookback-days", "365")), least=0
            ),
            window_days=_whole("window-days", str(options.get("window-days", "30")), least=0),
            gap_days=_whole("gap-days", str(options.get("gap-days", "30")), least=0),
            inference=inference,
            stockpile=stockpile == "yes",
            as_of=as_of,
        ),
        schema=options.get("schema") or None,
        person_ids=person_ids,
        cdm_version=options.get("cdm-version") or None,
        progress=sys.stderr.isatty() if progress == "auto" else progress == "yes",
        jobs=_whole("jobs", str(options["jobs"]), least=1)
        if options.get("jobs")
        else default_jobs(),
    )


@hookimpl
def trdcore_register_importers(register: Callable[[Importer], None]) -> None:
    register(OmopImporter())
