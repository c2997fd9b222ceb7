"""mkdocs hooks: generate the CLI reference and the schema reference at build time.

Registered in ``mkdocs.yml`` under ``hooks:``. Both references are generated
from the code and schema files on every build, so neither can drift:

- ``on_config`` expands the nav placeholder ``schemas/reference/*.md`` into
  one entry per packaged schema version;
- ``on_files`` adds those pages as generated files (nothing is written to
  ``docs/``);
- ``on_page_markdown`` replaces ``<!-- cli-reference -->`` with the help of
  every ``trdcore`` command and ``<!-- schema-index -->`` with a table of
  schemas linking to their pages.

The command tree comes from ``trdcore.cli.build_cli(load_entry_points=False)``:
the root group with the built-in commands only, so the page is the same
whatever plugins happen to be installed where the site is built. If that
fails the page gets a note instead, unless ``TRDCORE_DOCS_REQUIRE_CLI=1`` is
set (as ``make test`` does), in which case the build fails and says why.
"""

from __future__ import annotations

import importlib
import logging
import os
import posixpath
from pathlib import Path
from typing import Any

# This folder is on sys.path only while mkdocs loads the hook, so import siblings here.
import cli_reference
import schema_reference
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.trdcore_docs")

CLI_MARKER = "<!-- cli-reference -->"
SCHEMA_INDEX_MARKER = "<!-- schema-index -->"
NAV_PLACEHOLDER = f"{schema_reference.REFERENCE_DIR}/*.md"
REQUIRE_CLI_VARIABLE = "TRDCORE_DOCS_REQUIRE_CLI"


def _schema_root(config: MkDocsConfig) -> Path:
    root = Path(config.config_file_path).parent / "src" / "trdcore" / "schemas"
    if not root.is_dir():
        raise PluginError(f"trdcore docs: schema folder not found at {root}")
    return root


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if config.nav is not None:
        entries = [
            {f"{item.name}@{item.version}": schema_reference.page_uri(item.name, item.version)}
            for item in schema_reference.packaged_schemas(_schema_root(config))
        ]
        config.nav = _expand_placeholder(config.nav, entries)
    return config


def _expand_placeholder(nav: Any, entries: list[dict[str, str]]) -> Any:
    """A copy of the nav with the placeholder replaced by one entry per schema page."""
    if isinstance(nav, list):
        return [_expand_placeholder(item, entries) for item in nav]
    if isinstance(nav, dict):
        return {
            title: entries if value == NAV_PLACEHOLDER else _expand_placeholder(value, entries)
            for title, value in nav.items()
        }
    return nav


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for src_uri, content in schema_reference.reference_pages(_schema_root(config)).items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"trdcore docs: docs/{src_uri} exists, but that page is generated; delete the file"
            )
        files.append(File.generated(config, src_uri, content=content))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if SCHEMA_INDEX_MARKER in markdown:
        prefix = _relative_prefix(page.file.src_uri, schema_reference.REFERENCE_DIR)
        table = schema_reference.render_schema_index(_schema_root(config), link_prefix=prefix)
        markdown = markdown.replace(SCHEMA_INDEX_MARKER, table)
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, _cli_reference(page))
    return markdown


def _relative_prefix(page_uri: str, folder: str) -> str:
    """The link prefix from ``page_uri`` to files in ``folder`` (both docs-relative)."""
    return posixpath.relpath(folder, posixpath.dirname(page_uri) or ".") + "/"


def _cli_reference(page: Page) -> str:
    try:
        # Built-in commands only: installed plugins must not change the published page.
        cli = importlib.import_module("trdcore.cli").build_cli(load_entry_points=False)
        if not cli.commands:
            # Built-in commands arrive through a plugin hook; a broken one leaves the group empty.
            raise RuntimeError("the root group has no commands; run `trdcore plugins`")
    except Exception as error:  # an unfinished CLI must not break the docs unless required
        reason = f"{type(error).__name__}: {error}"
        if os.environ.get(REQUIRE_CLI_VARIABLE) == "1":
            raise PluginError(
                f"trdcore docs: cannot generate the CLI reference on {page.file.src_uri}: "
                f"building the command tree with trdcore.cli.build_cli() failed ({reason}). "
                f"Install trdcore into the docs environment (make setup) or unset "
                f"{REQUIRE_CLI_VARIABLE}."
            ) from error
        log.info("CLI reference left out: trdcore.cli.build_cli() failed (%s)", reason)
        return (
            '!!! note "Command reference not generated"\n\n'
            "    This build could not build the command tree from `trdcore.cli` "
            f"(`{reason}`), so the help of each command is missing here. "
            "Run `trdcore --help` and `trdcore <command> --help` instead.\n"
        )
    return cli_reference.render_cli_reference(cli)
