"""How every model maps to and from its JSON form, derived by cattrs from its annotations.

The models are plain frozen attrs classes whose fields follow the schema's property names, so
one mapping serves them all instead of a hand-written pair of methods per class:

- a field with a default (always ``None``) is optional: absent in JSON means ``None`` and
  ``None`` is left out again; a field without a default is always written, even when it is
  ``None`` (JSON ``null``, as in a trial assessment's ``counted``);
- ``datetime.date`` is an ISO date string, ``tuple[X, ...]`` a JSON array, a model a JSON
  object, and a literal such as ``"unknown"`` stays a string;
- numbers, strings and booleans are copied unchanged, so 7 stays 7 and 7.0 stays 7.0;
- a union such as ``DailyDose | "unknown"`` is read by the JSON value's own kind: a string
  that is one of its literals stays a string, otherwise an object becomes its model, a string
  its date and an array its tuple;
- a field's JSON key is its name unless its metadata gives another under ``JSON_KEY``; a
  field whose ``JSON_KEY`` is ``None`` is no JSON property at all (a model's own record, such
  as the document a treatment history keeps).

``from_json`` trusts that the data passed its schema check: it never validates.

All of this is one cattrs converter, ``_CONVERTER``, built and fully configured when this
module is imported and never configured again. cattrs writes each class's functions on first
use and keeps them inside the converter; that is cattrs' own cache, and what it holds depends
only on the class, so no result can depend on what ran before.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, Union, cast

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.gen import (
    make_dict_structure_fn,
    make_dict_structure_fn_from_attrs,
    make_dict_unstructure_fn,
    override,
)

__all__ = ["JSON_KEY", "DocumentModel", "JsonModel", "json_arguments"]

# A field whose JSON key is not its Python name says so in its metadata under this key.
JSON_KEY = "json_key"

_Hook = Callable[[Any, Any], Any]
M = TypeVar("M", bound="JsonModel")


class JsonModel:
    """Base of every model: builds it from schema-valid JSON and writes it back unchanged."""

    __slots__ = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from JSON that already passed its schema check."""
        model: Self = _CONVERTER.structure(data, cls)
        return model

    def to_json(self) -> dict[str, Any]:
        """The JSON object this model stands for; optional fields that are None are left out."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data


class DocumentModel(JsonModel):
    """A whole document with a schema of its own (``SCHEMA_NAME``), not a part of one."""

    __slots__ = ()

    SCHEMA_NAME: ClassVar[str]


def json_arguments(cls: type[M], data: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``from_json`` builds ``cls`` with, for a ``from_json`` that adds one.

    A model that keeps something of the JSON it was read from (a treatment history keeps the
    whole document) is called with these plus its own.
    """
    arguments: dict[str, Any] = _CONVERTER.structure(data, cast("Any", _Arguments)[cls])
    return arguments


class _Arguments(Generic[M]):
    """The converter's name for "the keyword arguments of an M", so cattrs keeps their function."""


def _as_is(value: Any, _: Any) -> Any:
    """Structure hook for JSON values that are already the field's value (checked, not coerced).

    cattrs' own hooks call ``float(value)`` and check literals; that would turn 7 into 7.0.
    """
    return value


def _date_from_json(value: str, _: Any) -> date:
    return date.fromisoformat(value)


def _is_model(hint: Any) -> bool:
    cls = typing.get_origin(hint) or hint
    return isinstance(cls, type) and issubclass(cls, JsonModel)


def _is_literal(hint: Any) -> bool:
    return typing.get_origin(hint) is Literal


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType)


def _is_homogeneous_tuple(hint: Any) -> bool:
    return typing.get_origin(hint) is tuple and typing.get_args(hint)[-1:] == (...,)


def _is_arguments(hint: Any) -> bool:
    return typing.get_origin(hint) is _Arguments


def _overrides(cls: type[Any]) -> dict[str, Any]:
    """Each field whose JSON key is not its name: renamed, or left out when it has none."""
    overrides: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if JSON_KEY in field.metadata:
            key = field.metadata[JSON_KEY]
            overrides[field.name] = override(omit=True) if key is None else override(rename=key)
    return overrides


def _model_class(hint: Any) -> type[Any]:
    """The attrs class of a model annotation (``Sourced[float]``: Sourced), its names resolved.

    The models' annotations are strings (``from __future__ import annotations``); attrs resolves
    them in place, once, as cattrs' own attrs hooks do.
    """
    cls: type[Any] = typing.get_origin(hint) or hint
    attrs.resolve_types(cls)
    return cls


def _structure_model(hint: Any, converter: cattrs.Converter) -> _Hook:
    cls = _model_class(hint)
    parameters = getattr(cls, "__parameters__", ())
    if hint is cls and parameters:
        # A bare generic model (Sourced, not Sourced[float]): its T is taken as it is.
        hint = cls[(Any,) * len(parameters)]
    return make_dict_structure_fn(hint, converter, **_overrides(cls))


def _unstructure_model(hint: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
    cls = _model_class(hint)
    write = make_dict_unstructure_fn(
        hint, converter, _cattrs_omit_if_default=True, **_overrides(cls)
    )
    # cattrs writes the fields that have defaults after the others; documents keep the
    # class's (the schema's) order, which exports and listings show as it is.
    order = tuple(
        field.metadata.get(JSON_KEY, field.name)
        for field in attrs.fields(cls)
        if field.metadata.get(JSON_KEY, field.name) is not None
    )

    def unstructure(model: Any) -> dict[str, Any]:
        data = write(model)
        return {key: data[key] for key in order if key in data}

    return unstructure


def _structure_arguments(hint: Any, converter: cattrs.Converter) -> _Hook:
    """cattrs' function for ``cls``, writing the keyword arguments into a dict instead."""
    (cls,) = typing.get_args(hint)
    if getattr(cls, "__parameters__", ()):
        raise TypeError(f"{cls.__qualname__}: json_arguments of a generic model is not supported")
    fields = [field.evolve(kw_only=True) for field in attrs.fields(_model_class(cls))]
    return make_dict_structure_fn_from_attrs(fields, dict, converter, **_overrides(cls))


def _structure_union(hint: Any, converter: cattrs.Converter) -> _Hook:
    """Choose a member by the JSON value's own kind: "unknown" | date, DailyDose | "unknown"."""
    members = typing.get_args(hint)
    literals = frozenset(
        value for member in members if _is_literal(member) for value in typing.get_args(member)
    )
    by_kind: dict[type, tuple[_Hook, Any]] = {}
    for member in members:
        structure = _as_is if member is type(None) else converter.get_structure_hook(member)
        if structure is _as_is:
            continue
        kind = _json_kind(member)
        if kind in by_kind:
            raise TypeError(f"{hint!r}: two members of the union are both JSON {kind.__name__}")
        by_kind[kind] = (structure, member)
    if not by_kind:
        return _as_is

    # Parsed JSON holds exact dicts, lists and strs, so the member is found by the value's
    # exact type (a dict lookup) before falling back to isinstance for other mappings.
    by_type = {dict if kind is Mapping else kind: found for kind, found in by_kind.items()}

    def structure_member(value: Any, _: Any) -> Any:
        if value.__class__ is str and value in literals:
            return value
        found = by_type.get(value.__class__)
        if found is not None:
            return found[0](value, found[1])
        for kind, (structure, member) in by_kind.items():
            if isinstance(value, kind):
                return structure(value, member)
        return value

    return structure_member


def _json_kind(hint: Any) -> type:
    if hint is date:
        return str
    if typing.get_origin(hint) is tuple:
        return list
    if _is_model(hint):
        return Mapping
    raise TypeError(f"no JSON mapping for the union member {hint!r}")


def _json_converter() -> cattrs.Converter:
    """The converter for every model; see the module docstring for the rules it follows."""
    converter = cattrs.Converter(
        # Schema-checked input: no error collection, no extra-key check.
        detailed_validation=False,
        unstruct_collection_overrides={tuple: list},
    )
    for scalar in (str, int, float, bool, type(None)):
        converter.register_structure_hook(scalar, _as_is)
    converter.register_structure_hook_factory(_is_literal, lambda _: _as_is)
    converter.register_structure_hook(date, _date_from_json)
    converter.register_unstructure_hook(date, date.isoformat)
    # cattrs' factory for tuple[X, ...] finds X's hook once; its default looks it up per item.
    converter.register_structure_hook_factory(
        _is_homogeneous_tuple, homogenous_tuple_structure_factory
    )
    # Registered last, so they come before cattrs' own hooks for attrs classes and unions.
    converter.register_structure_hook_factory(_is_union, _structure_union)
    converter.register_structure_hook_factory(_is_model, _structure_model)
    converter.register_unstructure_hook_factory(_is_model, _unstructure_model)
    converter.register_structure_hook_factory(_is_arguments, _structure_arguments)
    return converter


_CONVERTER = _json_converter()
