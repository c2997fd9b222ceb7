"""How every model maps to and from its JSON form, derived once per class from its annotations.

The models are plain frozen attrs classes whose fields follow the schema's property names, so
one mapping serves them all instead of a hand-written pair of methods per class:

- a field with a default (always ``None``) is optional: absent in JSON means ``None`` and
  ``None`` is left out again; a field without a default is always written, even when it is
  ``None`` (JSON ``null``, as in a trial assessment's ``counted``);
- ``datetime.date`` is an ISO date string, ``tuple[X, ...]`` a JSON array, a model a JSON
  object, and a literal such as ``"unknown"`` stays a string;
- numbers, strings and booleans are copied unchanged, so 7 stays 7 and 7.0 stays 7.0.

``from_json`` trusts that the data passed its schema check: it never validates.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar, Literal, Self, TypeVar, Union, cast

import attrs

__all__ = ["JSON_KEY", "DocumentModel", "JsonModel"]

_Decoder = Callable[[Any], Any]
# A field whose JSON key is not its Python name says so in its metadata under this key.
JSON_KEY = "json_key"


class JsonModel:
    """Base of every model: builds it from schema-valid JSON and writes it back unchanged."""

    __slots__ = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from JSON that already passed its schema check."""
        build = _BUILDERS.get(cls)
        if build is None:
            build = _BUILDERS[cls] = _compile_builder(cls)
        return cast("Self", build(data))

    def to_json(self) -> dict[str, Any]:
        """The JSON object this model stands for; optional fields that are None are left out."""
        data: dict[str, Any] = {}
        for field in _fields(type(self)):
            value = getattr(self, field.name)
            if value is not None or field.required:
                data[field.key] = _to_json_value(value)
        return data


class DocumentModel(JsonModel):
    """A whole document with a schema of its own (``SCHEMA_NAME``), not a part of one."""

    __slots__ = ()

    SCHEMA_NAME: ClassVar[str]


@attrs.frozen
class _Field:
    """One model field as its JSON property: where it goes and how its value is read."""

    name: str
    argument: str
    key: str
    required: bool
    decode: _Decoder | None


# Filled on first use of each class, so importing the models costs nothing.
_FIELDS_BY_CLASS: dict[type, tuple[_Field, ...]] = {}
_BUILDERS: dict[type, Callable[[Mapping[str, Any]], Any]] = {}


def _compile_builder(cls: type[Any]) -> Callable[[Mapping[str, Any]], Any]:
    """A function written for ``cls`` that builds it from JSON in one call.

    The same mapping as a loop over the fields, generated once per class
    (as attrs and cattrs do), because building models from parsed JSON is on
    the hot path of batch evaluation. A field's default is always None, so
    an absent key passes None.
    """
    namespace: dict[str, Any] = {"cls": cls}
    arguments = []
    defaults = {item.name: item.default for item in attrs.fields(cls)}
    for number, field in enumerate(_fields(cls)):
        key = repr(field.key)
        if not field.required and defaults[field.name] is not None:
            raise TypeError(f"{cls.__qualname__}.{field.name}: an optional field's default is None")
        if field.decode is None:
            value = f"data[{key}]" if field.required else f"data.get({key})"
        else:
            namespace[f"decode{number}"] = field.decode
            value = (
                f"decode{number}(data[{key}])"
                if field.required
                else f"(None if (v{number} := data.get({key})) is None"
                f" else decode{number}(v{number}))"
            )
        arguments.append(f"{field.argument}={value}")
    source = f"def build(data):\n    return cls({', '.join(arguments)})\n"
    exec(compile(source, f"<trdcore from_json of {cls.__qualname__}>", "exec"), namespace)
    return cast("Callable[[Mapping[str, Any]], Any]", namespace["build"])


def _fields(cls: type[Any]) -> tuple[_Field, ...]:
    known = _FIELDS_BY_CLASS.get(cls)
    if known is None:
        known = _FIELDS_BY_CLASS[cls] = _describe_fields(cls)
    return known


def _describe_fields(cls: type[Any]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        _Field(
            name=field.name,
            argument=field.alias,
            key=field.metadata.get(JSON_KEY, field.name),
            required=field.default is attrs.NOTHING,
            decode=_decoder(hints[field.name], f"{cls.__qualname__}.{field.name}"),
        )
        for field in attrs.fields(cls)
    )


def _to_json_value(value: Any) -> Any:
    if isinstance(value, JsonModel):
        return value.to_json()
    if isinstance(value, tuple):
        return [_to_json_value(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decoder(hint: Any, where: str) -> _Decoder | None:
    """How to turn the JSON value of a field typed ``hint`` into the field's value (None: as is)."""
    origin = typing.get_origin(hint)
    if hint is date:
        return date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, JsonModel):
        return hint.from_json
    if origin is tuple:
        item_hint, _ = typing.get_args(hint)
        decode_item = _decoder(item_hint, where)
        if decode_item is None:
            return tuple
        return lambda items: tuple([decode_item(item) for item in items])
    if origin is Union or origin is types.UnionType:
        return _union_decoder(typing.get_args(hint), where)
    if hint in (str, int, float, bool, type(None)) or origin is Literal:
        return None
    if isinstance(hint, TypeVar):
        # The T of Sourced[T] is always a JSON scalar: a number, a boolean or a literal.
        return None
    if isinstance(origin, type) and issubclass(origin, JsonModel):
        return origin.from_json
    raise TypeError(f"{where}: no JSON mapping for the annotation {hint!r}")


def _union_decoder(members: tuple[Any, ...], where: str) -> _Decoder | None:
    """Choose a member by the JSON value's own kind: "unknown" | date, DailyDose | "unknown"."""
    literals = {
        value
        for member in members
        if typing.get_origin(member) is Literal
        for value in typing.get_args(member)
    }
    by_kind: dict[type, _Decoder] = {}
    for member in members:
        decode = _decoder(member, where)
        if decode is None:
            continue
        kind = _json_kind(member)
        if kind in by_kind:
            raise TypeError(f"{where}: two members of the union are both JSON {kind.__name__}")
        by_kind[kind] = decode
    if not by_kind:
        return None

    # Parsed JSON holds exact dicts, lists and strs, so the member is found by the value's
    # exact type (a dict lookup) before falling back to isinstance for other mappings.
    by_type = {dict if kind is Mapping else kind: decode for kind, decode in by_kind.items()}

    def decode_member(value: Any) -> Any:
        if value.__class__ is str and value in literals:
            return value
        decode = by_type.get(value.__class__)
        if decode is not None:
            return decode(value)
        for kind, decode in by_kind.items():
            if isinstance(value, kind):
                return decode(value)
        return value

    return decode_member


def _json_kind(hint: Any) -> type:
    if hint is date:
        return str
    if typing.get_origin(hint) is tuple:
        return list
    return Mapping
