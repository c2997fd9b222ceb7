"""The readers lose nothing: duplicate keys are always found, whatever the formatting."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from trdcore.documents import parse_json
from trdcore.exceptions import DocumentError

keys = st.sampled_from(["a", "b", "c:", 'd"', "e\\", "f g"])
scalars = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.text(alphabet=':"\\ab \u00e9', max_size=6),
)
whitespace = st.sampled_from(["", " ", "\n", "\t ", "\r\n"])


@st.composite
def json_objects(draw: st.DrawFn, depth: int = 0) -> tuple[str, bool]:
    """JSON object text written in many styles, and whether it repeats a key."""
    pairs = draw(st.lists(st.tuples(keys, scalars), max_size=5))
    escape = draw(st.booleans())
    duplicated = len({key for key, _ in pairs}) < len(pairs)
    members = []
    for key, value in pairs:
        if depth < 2 and draw(st.booleans()):
            text, nested_duplicate = draw(json_objects(depth + 1))
            duplicated = duplicated or nested_duplicate
        else:
            text = json.dumps(value, ensure_ascii=escape)
            if escape and isinstance(value, str):
                text = text.replace(":", "\\u003a")
        before, after = draw(whitespace), draw(whitespace)
        members.append(f"{json.dumps(key, ensure_ascii=escape)}{before}:{after}{text}")
    return "{" + draw(whitespace) + ",".join(members) + "}", duplicated


@settings(max_examples=300)
@given(json_objects())
@example(('{"a" : 1, "b": "x\\u003a", "a" : 2}', True))
@example(('{"a": {"b": 1, "b": 2}}', True))
def test_a_duplicate_key_is_refused_exactly_when_there_is_one(case: tuple[str, bool]) -> None:
    text, duplicated = case
    if duplicated:
        with pytest.raises(DocumentError, match="duplicate key"):
            parse_json(text.encode())
    else:
        assert parse_json(text.encode()) == json.loads(text)


# --- NDJSON in blocks, for worker processes ------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40).map(lambda raw: raw.replace(b"\n", b"")),
            st.sampled_from([b"", b"   ", b'{"a": 1}', b"\r"]),
        ),
        max_size=30,
    ),
    st.booleans(),
    st.integers(1, 64),
)
def test_blocks_hold_exactly_the_lines_a_line_reader_sees(
    lines: list[bytes], final_newline: bool, block_bytes: int
) -> None:
    import io

    from trdcore import documents

    content = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    expected = [
        (record.line, record.raw.rstrip(b"\n") if record.raw else None)
        for record in documents.read_ndjson_lines(io.BytesIO(content), source="s")
    ]
    blocks = documents.read_ndjson_blocks(io.BytesIO(content), block_bytes=block_bytes)
    found = [
        (record.line, record.raw)
        for block in blocks
        for record in documents.block_lines(block, source="s")
    ]
    assert found == expected


def test_an_over_long_line_in_blocks_is_reported_by_number_and_never_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from trdcore import documents

    monkeypatch.setattr(documents, "MAX_LINE_BYTES", 10)
    content = b'{"a": 1}\n' + b"x" * 50 + b'\n{"b": 2}\n' + b"y" * 11 + b"\n"
    blocks = list(documents.read_ndjson_blocks(io.BytesIO(content), block_bytes=4))
    assert max(len(block.data) for block in blocks) <= 10 + 4
    records = [record for block in blocks for record in documents.block_lines(block, source="s")]
    assert [(r.line, r.raw, str(r.error) if r.error else None) for r in records] == [
        (1, b'{"a": 1}', None),
        (2, None, "s:2: line longer than 10 bytes"),
        (3, b'{"b": 2}', None),
        (4, None, "s:4: line longer than 10 bytes"),
    ]
