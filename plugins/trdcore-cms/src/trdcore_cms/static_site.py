"""The ``hugo`` exporter: Markdown with YAML front matter, for Hugo and other git-based sites.

One writer, four small profiles (``--profile``):

``hugo`` (default)
    A complete Hugo site: ``hugo.toml``, minimal layouts (no theme needed)
    and leaf bundles ``content/<section>/<slug>/index.md``; a translation is
    ``index.<lang>.md`` in the same bundle, linked by ``translationKey``.
    Custom fields sit under ``params:``, as Hugo recommends.
``decap``
    The Hugo site plus ``static/admin/config.yml`` for Decap CMS, whose
    folder collections and fields match the front matter.
``jekyll``
    Jekyll collections ``_<section>/<slug>.md`` with flat front matter, a
    ``_config.yml`` and a minimal layout; Liquid is switched off per page.
``astro``
    Astro content collections ``src/content/<section>/<lang>/<slug>.md`` and
    a ``src/content.config.ts`` whose zod schema matches the front matter.

Every page's front matter carries the title, description, content id and
version, review date, reviewer, audience, sources and the page's JSON-LD
(a string the layouts print as is).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from trdcore.exceptions import ExportError
from trdcore.extensions import ExportContext, ExportResult, PluginOption
from trdcore_cms.jsonld import page_jsonld, script_json
from trdcore_cms.markdown_safety import has_shortcode_in_code
from trdcore_cms.pages import CRISIS_SECTION, SECTIONS, Page, build_pages, skipped_items

__all__ = ["PROFILES", "HugoExporter", "front_matter", "yaml_text"]

PROFILES = ("hugo", "decap", "jekyll", "astro")
DEFAULT_TITLE = "Treatment-resistant depression"
_SECTION_TITLES = {
    "patients": "For patients and families",
    "treatments": "Treatment options",
    "clinicians": "For clinicians",
    "clinician-treatments": "Treatment options: clinician notes",
}


# libyaml's emitter (in PyYAML's wheels) is some 20 times faster than the pure-Python one.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def yaml_text(data: Any) -> str:
    """YAML that any front-matter parser reads back to the same values.

    PyYAML quotes whatever could be misread (``---``, quotes, ``: ``, dates,
    ``yes``), so no title or description can end the front matter early.
    """
    return yaml.dump(
        data,
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


def _sources(page: Page) -> list[dict[str, str]]:
    found = []
    for source in page.sources:
        item = {"id": source.id, "title": source.title}
        if source.url:
            item["url"] = source.url
        found.append(item)
    return found


def front_matter(page: Page, jsonld: str, profile: str) -> dict[str, Any]:
    """The front matter of one page for one profile, keys in a fixed order."""
    review = {
        "audience": page.audience,
        "content_id": page.content_id,
        "content_version": page.content_version,
        "last_reviewed": page.last_reviewed.isoformat(),
        "next_review": page.next_review.isoformat() if page.next_review else "",
        "reviewed_by": page.reviewed_by,
        "sources": _sources(page),
        "sources_cited": page.sources_cited,
        "jsonld": jsonld,
    }
    if profile in ("hugo", "decap"):
        return {
            "title": page.title,
            "description": page.description,
            "date": page.last_reviewed.isoformat(),
            "lastmod": page.last_reviewed.isoformat(),
            "weight": page.weight,
            "translationKey": page.translation_key,
            "params": review,
        }
    matter: dict[str, Any] = {"title": page.title, "description": page.description}
    if profile == "jekyll":
        matter["layout"] = "page"
        matter["lang"] = page.language
        matter["render_with_liquid"] = False
    else:
        matter["language"] = page.language
    matter["translation_key"] = page.translation_key
    matter["weight"] = page.weight
    matter.update(review)
    return matter


def _markdown(page: Page, *, heading_ids: bool) -> str:
    """The page body with its crisis block; ``heading_ids`` marks the block ``{#crisis-help}``."""
    parts = [page.body.strip()]
    if page.crisis:
        heading, _, rest = page.crisis.partition("\n")
        if heading_ids:
            heading = f"{heading} {{#{CRISIS_SECTION}}}"
        parts.append(f"{heading}\n{rest}")
    return "\n\n".join(parts) + "\n"


def _document(matter: dict[str, Any], body: str) -> str:
    return f"---\n{yaml_text(matter)}---\n\n{body}"


def _site_file(*parts: str) -> str:
    return resources.files("trdcore_cms").joinpath("site", *parts).read_text(encoding="utf-8")


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes for these characters)."""
    import json

    return json.dumps(text, ensure_ascii=False)


class HugoExporter:
    """Writes a Hugo site (or, by profile, Jekyll, Astro or Decap CMS content) of the catalog."""

    name = "hugo"
    description = (
        "Hugo leaf bundles with YAML front matter and schema.org JSON-LD, plus minimal layouts "
        "(profiles for Decap CMS, Jekyll and Astro)"
    )
    options = (
        PluginOption(
            "profile",
            help="Front matter and file layout.",
            choices=PROFILES,
            default="hugo",
        ),
        PluginOption(
            "site-title",
            help="The site's title.",
            default=DEFAULT_TITLE,
            metavar="TEXT",
        ),
        PluginOption(
            "base-url",
            help="The site's base URL (Hugo's baseURL, Jekyll's baseurl).",
            default="/",
            metavar="URL",
        ),
    )

    def export(self, context: ExportContext) -> ExportResult:
        profile = str(context.options.get("profile", "hugo"))
        if profile not in PROFILES:
            raise ExportError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
        title = str(context.options.get("site-title", DEFAULT_TITLE))
        base_url = str(context.options.get("base-url", "/"))
        if profile == "jekyll":
            pages = build_pages(context.catalog, _jekyll_link, locale=context.locale)
        else:
            pages = build_pages(context.catalog, _section_link, locale=context.locale)
        default_language = pages[0].language if context.locale else "en"
        files: dict[str, bytes | str] = {}
        for page in pages:
            jsonld = script_json(page_jsonld(page, context.catalog))
            matter = front_matter(page, jsonld, profile)
            if profile in ("hugo", "decap"):
                body = _markdown(page, heading_ids=True)
                if has_shortcode_in_code(body):
                    raise ExportError(
                        f"{page.content_id}: code in the text holds '{{{{<' or '{{{{%', which "
                        "Hugo would run as a shortcode; rephrase it"
                    )
                suffix = "" if page.language == default_language else f".{page.language}"
                path = f"content/{page.section}/{page.slug}/index{suffix}.md"
            elif profile == "jekyll":
                body = _markdown(page, heading_ids=True)
                suffix = "" if page.language == default_language else f".{page.language}"
                matter["permalink"] = _jekyll_link(page.section, page.slug + suffix)
                path = f"_{page.section}/{page.slug}{suffix}.md"
            else:
                body = _markdown(page, heading_ids=False)
                path = f"src/content/{page.section}/{page.language}/{page.slug}.md"
            files[path] = _document(matter, body)
        languages = sorted(
            {page.language for page in pages}, key=lambda x: (x != default_language, x)
        )
        sections = [
            section for section, _, _ in SECTIONS if any(p.section == section for p in pages)
        ]
        if profile in ("hugo", "decap"):
            files.update(_hugo_site(title, base_url, languages, sections))
        if profile == "decap":
            files["static/admin/config.yml"] = _decap_config(languages, sections)
        if profile == "jekyll":
            files.update(_jekyll_site(title, base_url, sections))
        if profile == "astro":
            files["src/content.config.ts"] = _astro_config(sections)
        metadata = {
            "profile": profile,
            "pages": len(pages),
            "languages": languages,
            "skipped": skipped_items(context.catalog),
        }
        return ExportResult(files=files, metadata=metadata)


def _section_link(section: str, slug: str) -> str:
    return f"/{section}/{slug}/"


def _jekyll_link(section: str, slug: str) -> str:
    return f"/{section}/{slug}/"


def _hugo_site(
    title: str, base_url: str, languages: list[str], sections: list[str]
) -> dict[str, str]:
    lines = [
        "# Written by trdcore export hugo. Minimal: the layouts in layouts/ need no theme.",
        f"baseURL = {_toml_string(base_url)}",
        f"title = {_toml_string(title)}",
        f"defaultContentLanguage = {_toml_string(languages[0])}",
        'disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotstxt"]',
        "",
        "[markup.goldmark.renderer]",
        "# Raw HTML in content is never published; trdcore already turns it into text.",
        "unsafe = false",
        "",
        "[markup.goldmark.parser.attribute]",
        "title = true",
    ]
    for weight, language in enumerate(languages, start=1):
        lines += ["", f"[languages.{_toml_string(language)}]", f"weight = {weight}"]
        lines.append(f"locale = {_toml_string(language)}")
        lines.append(f"label = {_toml_string(language)}")
    files = {
        "hugo.toml": "\n".join(lines) + "\n",
        "static/trdcore.css": _site_file("hugo", "static", "trdcore.css"),
    }
    for layout in ("baseof.html", "home.html", "list.html", "single.html"):
        files[f"layouts/{layout}"] = _site_file("hugo", "layouts", layout)
    for weight, section in enumerate(sections, start=1):
        matter = {"title": _SECTION_TITLES[section], "weight": weight}
        for language in languages:
            suffix = "" if language == languages[0] else f".{language}"
            files[f"content/{section}/_index{suffix}.md"] = _document(matter, "")
    return files


def _decap_config(languages: list[str], sections: list[str]) -> str:
    """Decap CMS folder collections whose fields are exactly the front matter we write."""
    source_fields = [
        {"name": "id", "label": "Source id", "widget": "string"},
        {"name": "title", "label": "Title", "widget": "string"},
        {"name": "url", "label": "URL", "widget": "string", "required": False},
    ]
    params = [
        {
            "name": "audience",
            "label": "Audience",
            "widget": "select",
            "options": ["patient", "clinician"],
        },
        {"name": "content_id", "label": "Content id", "widget": "string"},
        {"name": "content_version", "label": "Content version", "widget": "string"},
        {
            "name": "last_reviewed",
            "label": "Last reviewed",
            "widget": "string",
            "pattern": [r"^\d{4}-\d{2}-\d{2}$", "YYYY-MM-DD"],
        },
        {"name": "next_review", "label": "Next review", "widget": "string", "required": False},
        {"name": "reviewed_by", "label": "Reviewed by", "widget": "string"},
        {"name": "sources", "label": "Sources", "widget": "list", "fields": source_fields},
        {
            "name": "sources_cited",
            "label": "Sources cited in all (a patient page shows the key ones)",
            "widget": "number",
            "value_type": "int",
        },
        {"name": "jsonld", "label": "JSON-LD (regenerated by trdcore)", "widget": "text"},
    ]
    fields = [
        {"name": "title", "label": "Title", "widget": "string"},
        {"name": "description", "label": "Description", "widget": "text"},
        {"name": "date", "label": "Date", "widget": "string"},
        {"name": "lastmod", "label": "Last modified", "widget": "string"},
        {"name": "weight", "label": "Weight", "widget": "number", "value_type": "int"},
        {"name": "translationKey", "label": "Translation key", "widget": "string"},
        {"name": "params", "label": "Review and sources", "widget": "object", "fields": params},
        {"name": "body", "label": "Body", "widget": "markdown"},
    ]
    config: dict[str, Any] = {
        "backend": {"name": "git-gateway", "branch": "main"},
        "media_folder": "static/images",
        "public_folder": "/images",
    }
    if len(languages) > 1:
        config["i18n"] = {
            "structure": "multiple_files",
            "locales": languages,
            "default_locale": languages[0],
        }
    config["collections"] = [
        {
            "name": section,
            "label": _SECTION_TITLES[section],
            "folder": f"content/{section}",
            "create": True,
            "path": "{{slug}}/index",
            "identifier_field": "title",
            **({"i18n": True} if len(languages) > 1 else {}),
            "fields": fields,
        }
        for section in sections
    ]
    header = "# Decap CMS configuration written by trdcore export hugo --profile decap.\n"
    header += "# Choose your own backend: https://decapcms.org/docs/backends-overview/\n"
    return header + yaml_text(config)


def _jekyll_site(title: str, base_url: str, sections: list[str]) -> dict[str, str]:
    config = {
        "title": title,
        "baseurl": "" if base_url == "/" else base_url.rstrip("/"),
        "markdown": "kramdown",
        "collections": {section: {"output": True} for section in sections},
    }
    return {
        "_config.yml": yaml_text(config),
        "_layouts/page.html": _site_file("jekyll", "page.html"),
    }


def _astro_config(sections: list[str]) -> str:
    return _site_file("astro", "content.config.ts").replace(
        "__COLLECTIONS__", ", ".join(f"'{section}': page(\"{section}\")" for section in sections)
    )
