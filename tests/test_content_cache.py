"""The built-in content is read strictly once and then from a cache named after its bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from trdcore.default_plugins import content


def test_the_cache_gives_exactly_what_strict_reading_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRDCORE_CACHE_DIR", str(tmp_path))
    first = content.builtin_documents()  # read strictly, cache written
    [cached] = list(tmp_path.glob("content-*.json"))
    second = content.builtin_documents()  # from the cache
    assert second == first
    assert second == content._read_strictly(list(content.content_files()))
    assert cached.exists()


def test_changed_content_is_read_again_not_served_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRDCORE_CACHE_DIR", str(tmp_path))
    content.builtin_documents()
    [cached] = list(tmp_path.glob("content-*.json"))
    cached.write_bytes(b'[{"stale": true}]')  # what a stale cache would serve
    assert content.builtin_documents() == [{"stale": True}]  # same bytes in, same name
    real = list(content.content_files())
    copy = tmp_path / "copy"
    copy.mkdir()
    changed = copy / real[0].name
    changed.write_bytes(real[0].read_bytes() + b"\n# an edit\n")
    monkeypatch.setattr(content, "content_files", lambda: iter([changed, *real[1:]]))
    fresh = content.builtin_documents()
    assert fresh != [{"stale": True}]
    assert len(list(tmp_path.glob("content-*.json"))) == 2


def test_an_unwritable_or_disabled_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TRDCORE_CACHE_DIR", str(blocker / "cache"))
    assert content.builtin_documents()
    monkeypatch.setenv("TRDCORE_CACHE_DIR", "off")
    assert content._cache_dir() is None
    assert content.builtin_documents()
