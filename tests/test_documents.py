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
