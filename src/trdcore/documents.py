"""Reading documents from JSON, YAML and NDJSON files, safely and with positions.

Every reader turns bad input into a :class:`~trdcore.exceptions.DocumentError`
that names the file and, where it can, the line and column. Nothing is
silently dropped or altered:

- duplicate keys are refused (most parsers keep the last one and lose data);
- YAML is read with a safe loader that refuses anchors and aliases (the
  "billion laughs" bomb), keeps dates as the strings the schemas expect, and
  only treats ``true``/``false`` as booleans (YAML 1.1 would read ``no`` as
  false);
- nesting deeper than :data:`MAX_DEPTH` is refused before anything recurses;
- NDJSON is streamed line by line with bounded line length, so memory stays
  flat on files of any size, and a bad line is reported without stopping the
  stream.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple

import orjson

from trdcore.exceptions import DocumentError

__all__ = [
    "MAX_DEPTH",
    "MAX_LINE_BYTES",
    "Format",
    "NdjsonBlock",
    "RawLine",
    "SourceDocument",
    "block_lines",
    "detect_format",
    "has_content",
    "parse_json",
    "parse_ndjson_line",
    "parse_yaml",
    "read_documents",
    "read_ndjson",
    "read_ndjson_blocks",
    "read_ndjson_lines",
    "without_line_map",
]

Format = Literal["json", "yaml", "ndjson"]
#: Deeper than any trdcore schema needs (they go about eight levels down).
MAX_DEPTH = 64
#: An NDJSON line longer than this is refused (a history is about 1 kB).
MAX_LINE_BYTES = 16 * 1024 * 1024
_EXTENSIONS: dict[str, Format] = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def _no_lines(pointer: str) -> int | None:
    return None


class SourceDocument(NamedTuple):
    """One document read from a file, or the reason it could not be read.

    ``line`` is where the document starts (1-based); ``line_of`` maps a JSON
    pointer inside it to a line when the format keeps positions (YAML). A
    named tuple rather than an attrs class because batch validation makes
    one per NDJSON line and construction cost shows up in the benchmark.
    """

    source: str
    position: int
    line: int | None
    data: Any = None
    error: DocumentError | None = None
    line_of: Callable[[str], int | None] = _no_lines


def detect_format(path: str | Path) -> Format:
    """The format implied by a file name; a usage error names what is accepted."""
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        accepted = ", ".join(sorted(_EXTENSIONS))
        raise DocumentError(
            f"cannot tell the format from the extension {suffix or '(none)'!r}; "
            f"use one of {accepted}",
            source=str(path),
        ) from None


# --- text checks -----------------------------------------------------------------------


def _decode(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise DocumentError("the file is empty", source=source)
    nul = raw.find(b"\x00", 0, 8192)
    if nul != -1:
        raise DocumentError(
            f"this is a binary file, not JSON or YAML text (NUL byte at offset {nul})",
            source=source,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise DocumentError(
            f"not UTF-8 text (invalid byte at offset {error.start})", source=source, line=line
        ) from None


# --- JSON ------------------------------------------------------------------------------


class _Keys(dict[str, Any]):
    """A JSON object that remembers which keys appeared more than once."""

    duplicates: tuple[str, ...] = ()


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Keys:
    result = _Keys(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        duplicates = []
        for key, _ in pairs:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        result.duplicates = tuple(duplicates)
    return result


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed value nests more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node
        stack.extend(
            (child, depth + 1) for child in children if type(child) is dict or type(child) is list
        )
    return False


_TOO_DEEP = f"nested too deeply (documents may be at most {MAX_DEPTH} levels deep)"


def _find_duplicate(value: Any, pointer: str = "") -> tuple[str, str] | None:
    if isinstance(value, _Keys):
        if value.duplicates:
            return pointer, value.duplicates[0]
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        escaped = str(key).replace("~", "~0").replace("/", "~1")
        found = _find_duplicate(item, f"{pointer}/{escaped}")
        if found:
            return found
    return None


def parse_json(raw: bytes, *, source: str = "<input>", line: int | None = None) -> Any:
    """Parse one JSON text, refusing duplicate keys and excessive nesting.

    Duplicates are looked for without slowing the common case (see
    :func:`_surely_no_duplicates`); only when that quick proof fails is the
    text parsed again, slowly, to find and name the duplicate.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        message = str(error.msg) if hasattr(error, "msg") else str(error)
        if "recursion" in message.lower() or "depth" in message.lower():
            raise DocumentError(_TOO_DEEP, source=source, line=line) from None
        err_line = error.lineno if line is None else line
        raise DocumentError(
            f"malformed JSON: {message}", source=source, line=err_line, column=error.colno
        ) from None
    # Nesting can only exceed MAX_DEPTH if there are that many brackets at all.
    brackets = raw.count(b"{") + raw.count(b"[")
    if brackets > MAX_DEPTH and type(value) in (dict, list) and _deeper_than(value, MAX_DEPTH):
        raise DocumentError(_TOO_DEEP, source=source, line=line)
    if not _surely_no_duplicates(raw, value):
        _refuse_duplicates(raw, source=source, line=line)
    return value


def _surely_no_duplicates(raw: bytes, value: Any) -> bool:
    """A fast proof that parsing lost no key; False means "look closer", not "duplicate".

    Every key is followed by exactly one structural colon, whatever the
    whitespace, and the colons inside strings are the same in the source and
    in a compact re-serialisation of what was parsed, unless the source wrote
    one as the escape ``\\u003a``. So when there is no such escape, equal
    colon counts mean equal key counts: no key was dropped.
    """
    if b"\\u003" in raw:
        return False
    return raw.count(b":") == orjson.dumps(value).count(b":")


def _refuse_duplicates(raw: bytes, *, source: str, line: int | None) -> None:
    import json

    checked = json.loads(raw, object_pairs_hook=_pairs_hook)
    found = _find_duplicate(checked)
    if found:
        pointer, key = found
        raise DocumentError(
            f"duplicate key {key!r} in the object at {pointer or 'the top level'} "
            "(a parser would silently keep only the last one)",
            source=source,
            line=line,
        )


# --- YAML ------------------------------------------------------------------------------


def _yaml_loader() -> Any:
    """A SafeLoader that refuses aliases and deep nesting and keeps dates as text."""
    import yaml

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise DocumentError(
                    "YAML anchors and aliases are not accepted in trdcore documents "
                    f"(alias *{event.anchor}); write the value out in full",
                    line=event.start_mark.line + 1,
                    column=event.start_mark.column + 1,
                )
            self.depth += 1
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise DocumentError(
                    _TOO_DEEP,
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    # YAML 1.2 core schema for booleans; no implicit timestamps (dates stay strings).
    resolvers: dict[Any, list[Any]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [
            (tag, regexp)
            for tag, regexp in entries
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
        ]
        resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return Loader


def _yaml_value(loader: Any, node: Any, pointer: str, lines: dict[str, int]) -> Any:
    import yaml

    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise DocumentError(
                    "a mapping key must be plain text",
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in result:
                raise DocumentError(
                    f"duplicate key {key!r} (first given on line {lines[_child(pointer, key)]})",
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                )
            result[key] = _yaml_value(loader, value_node, _child(pointer, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _yaml_value(loader, item, _child(pointer, index), lines)
            for index, item in enumerate(node.value)
        ]
    value = loader.construct_object(node)
    if isinstance(value, bytes | set) or not isinstance(
        value, str | int | float | bool | type(None)
    ):
        raise DocumentError(
            f"YAML type {node.tag} is not accepted; use plain JSON-compatible values",
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )
    if isinstance(value, float) and value != value:  # NaN is not JSON
        raise DocumentError(
            "NaN is not a valid value",
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )
    return value


def _child(pointer: str, key: object) -> str:
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


def parse_yaml(text: str, *, source: str = "<input>") -> Iterator[SourceDocument]:
    """Every document in a YAML stream, each with a pointer-to-line map."""
    import yaml

    loader = _yaml_loader()(io.StringIO(text))
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            lines: dict[str, int] = {}
            data = _yaml_value(loader, node, "", lines)
            yield SourceDocument(
                source=source,
                position=index,
                line=node.start_mark.line + 1,
                data=data,
                line_of=lines.get,
            )
            index += 1
    except DocumentError as error:
        raise DocumentError(
            error.reason, source=source, line=error.line, column=error.column
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        raise DocumentError(
            f"malformed YAML: {problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"malformed YAML: {error}", source=source) from None
    except RecursionError:
        raise DocumentError(_TOO_DEEP, source=source) from None
    finally:
        loader.dispose()


# --- NDJSON ----------------------------------------------------------------------------


class RawLine(NamedTuple):
    """One record of an NDJSON file before parsing: its bytes, or why it cannot be read."""

    position: int
    line: int
    raw: bytes | None
    error: DocumentError | None = None


def read_ndjson_lines(stream: IO[bytes], *, source: str = "<stdin>") -> Iterator[RawLine]:
    """The non-blank lines of an NDJSON stream as bytes, numbered, not yet parsed.

    Lets a batch hand raw lines to worker processes, which parse them with
    :func:`parse_ndjson_line`. A line longer than :data:`MAX_LINE_BYTES` is
    reported and skipped without being held in memory.
    """
    index = 0
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES + 1)
            error = DocumentError(
                f"line longer than {MAX_LINE_BYTES} bytes", source=source, line=number
            )
            yield RawLine(index, number, None, error)
            index += 1
            continue
        if raw.isspace():
            continue
        yield RawLine(index, number, raw)
        index += 1


def parse_ndjson_line(record: RawLine, *, source: str = "<stdin>") -> SourceDocument:
    """Parse one line from :func:`read_ndjson_lines`; a bad line becomes a document's error."""
    if record.raw is None:
        return SourceDocument(source, record.position, record.line, None, record.error)
    try:
        data = parse_json(record.raw, source=source, line=record.line)
    except DocumentError as error:
        failure = error
        if b"\x00" in record.raw:
            failure = DocumentError(
                "binary content (NUL byte), not JSON text", source=source, line=record.line
            )
        return SourceDocument(source, record.position, record.line, None, failure)
    return SourceDocument(source, record.position, record.line, data)


class NdjsonBlock(NamedTuple):
    """Whole lines of an NDJSON file, unsplit, and the number of the first one (1-based).

    ``too_long`` lists the numbers of lines inside the block's span that were longer than
    :data:`MAX_LINE_BYTES` and left out (see :func:`block_lines`).
    """

    first_line: int
    data: bytes
    too_long: tuple[int, ...] = ()


def read_ndjson_blocks(stream: IO[bytes], *, block_bytes: int = 1 << 20) -> Iterator[NdjsonBlock]:
    """An NDJSON stream in blocks of whole lines, for handing to worker processes.

    The reader does no per-line work beyond finding the last newline of each
    block, so a parent process feeding workers stays nearly idle. A line
    longer than :data:`MAX_LINE_BYTES` is never held in memory: it is left
    out and its number recorded in the next block's ``too_long``.
    """
    line = 1
    carry = b""
    too_long: list[int] = []
    skipping = False
    while True:
        chunk = stream.read(block_bytes)
        if not chunk:
            break
        if skipping:  # inside an over-long line: drop up to its end
            end = chunk.find(b"\n")
            if end < 0:
                continue
            chunk, skipping = chunk[end + 1 :], False
            line += 1
        data = carry + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > MAX_LINE_BYTES:
                too_long.append(line)
                carry, skipping = b"", True
            else:
                carry = data
            continue
        whole, carry = data[: cut + 1], data[cut + 1 :]
        yield NdjsonBlock(line, whole, tuple(too_long))
        too_long = []
        line += whole.count(b"\n")
        if len(carry) > MAX_LINE_BYTES:
            too_long.append(line)
            carry, skipping = b"", True
    if carry or too_long:
        yield NdjsonBlock(line, carry, tuple(too_long))


def block_lines(block: NdjsonBlock, *, source: str = "<stdin>") -> Iterator[RawLine]:
    """The non-blank lines of a block as :class:`RawLine` records, in order, over-long ones
    as errors. ``position`` is the line's index in the file (0-based)."""
    too_long = f"line longer than {MAX_LINE_BYTES} bytes"
    for number in block.too_long:
        yield RawLine(number - 1, number, None, DocumentError(too_long, source=source, line=number))
    for offset, raw in enumerate(block.data.split(b"\n")):
        if raw and not raw.isspace():
            number = block.first_line + offset
            if len(raw) > MAX_LINE_BYTES:
                error = DocumentError(too_long, source=source, line=number)
                yield RawLine(number - 1, number, None, error)
            else:
                yield RawLine(number - 1, number, raw)


def read_ndjson(stream: IO[bytes], *, source: str = "<stdin>") -> Iterator[SourceDocument]:
    """Stream an NDJSON file: one document per non-blank line, errors per line.

    A line longer than :data:`MAX_LINE_BYTES` is reported and skipped without
    being held in memory.
    """
    for record in read_ndjson_lines(stream, source=source):
        yield parse_ndjson_line(record, source=source)


# --- files -----------------------------------------------------------------------------


def read_documents(path: str | Path, *, format: Format | None = None) -> Iterator[SourceDocument]:
    """Every document in a file, in order. A file that cannot be read at all
    yields one :class:`SourceDocument` carrying the error, so callers can
    report it beside the others.
    """
    source = str(path)
    try:
        kind = format or detect_format(path)
        if kind == "ndjson":
            with open(path, "rb") as stream:
                if not has_content(stream):
                    raise DocumentError("the file is empty", source=source)
                yield from read_ndjson(stream, source=source)
            return
        raw = Path(path).read_bytes()
        text = _decode(raw, source)
        if kind == "json":
            body = raw.removeprefix(b"\xef\xbb\xbf")
            # Positions inside a JSON file are not tracked; issues carry pointers only.
            yield SourceDocument(
                source=source, position=0, line=None, data=parse_json(body, source=source)
            )
        else:
            yield from parse_yaml(text, source=source)
    except DocumentError as error:
        yield SourceDocument(source=source, position=0, line=error.line, error=error)
    except OSError as error:
        yield SourceDocument(
            source=source,
            position=0,
            line=None,
            error=DocumentError(f"cannot read the file: {error.strerror}", source=source),
        )


def has_content(stream: IO[bytes]) -> bool:
    while chunk := stream.read(65536):
        if chunk.strip():
            stream.seek(0)
            return True
    return False


def without_line_map(document: SourceDocument) -> SourceDocument:
    """The document without its position map (YAML line numbers), which cannot be sent to
    another process and is not needed once the document has been checked."""
    return document._replace(line_of=_no_lines)
