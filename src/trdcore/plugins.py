"""The plugin host: the only module that talks to pluggy.

Plugins are found through the ``trdcore`` entry-point group, loaded only when
something asks for them (never at ``import trdcore``), and kept apart from
each other and from the host: a plugin that fails to import, misspells a
hook or raises inside one is recorded as broken, by name and distribution,
and everything else keeps working. ``TRDCORE_STRICT_PLUGINS=1`` turns those
failures into errors instead.

Environment variables (read when a manager is made):

``TRDCORE_PLUGINS``
    Comma-separated entry-point names to load; nothing else is loaded. Set
    it to an empty string to load no installed plugin at all.
``TRDCORE_BLOCK_PLUGINS``
    Comma-separated entry-point names never to load.
``TRDCORE_STRICT_PLUGINS=1``
    Any plugin failure raises :class:`~trdcore.exceptions.PluginError`.
``TRDCORE_TRACE_PLUGINS=1``
    Print every hook call and its result to standard error.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from typing import Any

import attrs
import pluggy

from trdcore import hookspecs
from trdcore.exceptions import PluginError, PluginWarning
from trdcore.extensions import ContentRule, Exporter, Importer, check_name
from trdcore.release import VERSION as __version__

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "TrdcorePluginManager",
    "content_documents",
    "exporters",
    "get_plugin_manager",
    "importers",
    "plugin_manager",
    "plugins",
    "register_commands",
    "rules",
]

ENTRY_POINT_GROUP = "trdcore"
DEFAULT_PLUGINS = (
    "trdcore.default_plugins.commands",
    "trdcore.default_plugins.content",
    "trdcore.default_plugins.exporters",
    "trdcore.default_plugins.rules",
)
_HOOK_NAMES = tuple(name for name in hookspecs.__all__ if name.startswith("trdcore_"))


@attrs.frozen
class PluginInfo:
    """What ``trdcore plugins`` shows about one plugin."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    status: str  # "ok" or "broken"
    reason: str | None = None
    builtin: bool = False
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self, recurse=False) | {
            "hooks": list(self.hooks),
            "warnings": list(self.warnings),
        }


class TrdcorePluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers broken plugins and where each plugin came from."""

    def __init__(self, *, strict: bool = False) -> None:
        super().__init__(hookspecs.PROJECT)
        self.strict = strict
        self.broken: dict[str, PluginError] = {}
        self.origins: dict[str, tuple[str | None, str | None]] = {}
        self.plugin_warnings: dict[str, list[str]] = {}
        self.builtin: set[str] = set()
        #: (kind, name) -> the plugin that registered it, for error messages
        self.owners: dict[tuple[str, str], str] = {}
        #: where TRDCORE_TRACE_PLUGINS=1 sends a line per hook call (None: not tracing)
        self.trace_writer: Callable[[str], object] | None = None
        self.add_hookspecs(hookspecs)

    def fail(self, error: PluginError) -> None:
        """Record a broken plugin, or raise in strict mode."""
        if self.strict:
            raise error
        self.broken.setdefault(error.plugin, error)

    def add(
        self,
        plugin: object,
        name: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
        builtin: bool = False,
    ) -> bool:
        """Register one plugin object, validating its hooks; False if it was refused.

        A name already in use is refused for the newcomer only; the plugin
        that has the name keeps working.
        """
        if self.taken(name):
            self.fail(_name_taken(self, name, distribution))
            return False
        self.origins[name] = (distribution, version)
        try:
            self.register(plugin, name=name)
        except (pluggy.PluginValidationError, ValueError) as error:
            self.fail(PluginError(_explain(error), plugin=name, distribution=distribution))
            return False
        if builtin:
            self.builtin.add(name)
        problems = _unknown_hooks(plugin)
        if problems:
            self.unregister(name=name)
            self.fail(PluginError("; ".join(problems), plugin=name, distribution=distribution))
            return False
        for note in _hook_warnings(plugin):
            self.plugin_warnings.setdefault(name, []).append(note)
            warnings.warn(f"plugin {name!r}: {note}", PluginWarning, stacklevel=2)
        return True

    def taken(self, name: str) -> bool:
        """Whether a plugin is registered, or recorded as broken, under ``name``."""
        return self.get_plugin(name) is not None or name in self.broken


def _name_taken(manager: TrdcorePluginManager, name: str, distribution: str | None) -> PluginError:
    holder = manager.origins.get(name, (None, None))[0] or "another plugin"
    return PluginError(
        f"the plugin name {name!r} is already used by {holder}; rename the entry point",
        plugin=f"{name} (from {distribution or 'unknown distribution'})",
        distribution=distribution,
    )


def _explain(error: Exception) -> str:
    return (
        str(error).replace("Plugin ", "", 1)
        if isinstance(error, pluggy.PluginValidationError)
        else str(error)
    )


def _hook_functions(plugin: object) -> Iterable[tuple[str, Callable[..., Any]]]:
    for attribute in dir(plugin):
        if attribute.startswith("trdcore_"):
            function = getattr(plugin, attribute, None)
            if callable(function):
                yield attribute, function


def _unknown_hooks(plugin: object) -> list[str]:
    """A ``trdcore_`` function that matches no hook is a misspelling: name the closest."""
    problems = []
    for attribute, _ in _hook_functions(plugin):
        if attribute not in _HOOK_NAMES:
            close = difflib.get_close_matches(attribute, _HOOK_NAMES, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"unknown hook {attribute!r}{hint}")
    return problems


def _hook_warnings(plugin: object) -> list[str]:
    """Mistakes pluggy accepts silently: defaults it never passes, a hook never marked."""
    notes = []
    for attribute, function in _hook_functions(plugin):
        options = getattr(function, f"{hookspecs.PROJECT}_impl", None)
        if attribute in _HOOK_NAMES and options is None:
            notes.append(f"{attribute}() is not marked @hookimpl, so it is never called")
        for option in ("wrapper", "hookwrapper", "tryfirst", "trylast"):
            if options and options.get(option):
                notes.append(
                    f"{attribute}() uses @hookimpl({option}=True), which trdcore ignores: "
                    "each plugin's hook is called once, in registration order"
                )
        for parameter in inspect.signature(function).parameters.values():
            if parameter.default is not inspect.Parameter.empty:
                notes.append(
                    f"{attribute}() parameter {parameter.name!r} has a default value; "
                    "pluggy never passes it, so remove the default"
                )
    return notes


def _names(variable: str, environ: Mapping[str, str]) -> set[str] | None:
    value = environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _entry_points() -> list[metadata.EntryPoint]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        # Editable installs can list the same entry point twice.
        key = (entry_point.name, entry_point.value)
        if key not in seen:
            seen.add(key)
            unique.append(entry_point)
    return unique


def get_plugin_manager(
    *,
    load_entry_points: bool = True,
    entry_points: Iterable[metadata.EntryPoint] | None = None,
    environ: Mapping[str, str] | None = None,
    builtin_content: bool = True,
) -> TrdcorePluginManager:
    """A new manager with trdcore's hooks, its built-in plugins and (by default) installed ones.

    ``entry_points`` replaces discovery (tests use it); ``environ`` replaces
    ``os.environ`` for the variables described in the module docstring;
    ``builtin_content=False`` leaves out the built-in catalog content (the
    plugin test kit does, so a test sees only the content it registers).
    """
    env = os.environ if environ is None else environ
    manager = TrdcorePluginManager(strict=env.get("TRDCORE_STRICT_PLUGINS") == "1")
    for module_name in DEFAULT_PLUGINS:
        from importlib import import_module

        if not builtin_content and module_name.endswith(".content"):
            continue
        manager.add(
            import_module(module_name),
            "trdcore-" + module_name.rsplit(".", 1)[-1],
            distribution="trdcore",
            version=__version__,
            builtin=True,
        )
    if load_entry_points or entry_points is not None:
        allowed = _names("TRDCORE_PLUGINS", env)
        blocked = _names("TRDCORE_BLOCK_PLUGINS", env) or set()
        for entry_point in entry_points if entry_points is not None else _entry_points():
            if (
                allowed is not None and entry_point.name not in allowed
            ) or entry_point.name in blocked:
                continue
            _load(manager, entry_point)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        name = manager.get_name(error.plugin) or repr(error.plugin)
        manager.unregister(error.plugin)
        manager.fail(PluginError(_explain(error), plugin=name))
    if env.get("TRDCORE_TRACE_PLUGINS") == "1":
        manager.trace_writer = sys.stderr.write
        manager.trace.root.setwriter(sys.stderr.write)
        manager.enable_tracing()
    return manager


def _load(manager: TrdcorePluginManager, entry_point: metadata.EntryPoint) -> None:
    distribution = entry_point.dist.name if entry_point.dist else None
    version = entry_point.dist.version if entry_point.dist else None
    if manager.taken(entry_point.name):
        manager.fail(_name_taken(manager, entry_point.name, distribution))
        return
    manager.origins[entry_point.name] = (distribution, version)
    try:
        plugin = entry_point.load()
    except Exception as error:
        manager.fail(
            PluginError(
                f"failed to import {entry_point.value}: {type(error).__name__}: {error}",
                plugin=entry_point.name,
                distribution=distribution,
            )
        )
        return
    manager.add(plugin, entry_point.name, distribution=distribution, version=version)


@functools.cache
def plugin_manager() -> TrdcorePluginManager:
    """The process-wide manager the command line uses, made on first use."""
    return get_plugin_manager()


# --- calling hooks, one plugin at a time --------------------------------------------------


def _call_each(
    manager: TrdcorePluginManager, hook_name: str, make_arguments: Callable[[str], dict[str, Any]]
) -> None:
    """Call every implementation of a hook separately, so one failure breaks only its plugin.

    Plugins are called in the order they were registered: built-ins first, so
    a plugin cannot take over a built-in name; it is the one refused.
    """
    caller = getattr(manager.hook, hook_name)
    for implementation in caller.get_hookimpls():
        name = implementation.plugin_name
        if name in manager.broken:
            continue
        arguments = make_arguments(name)
        wanted = {key: arguments[key] for key in implementation.argnames}
        trace = manager.trace_writer
        if trace:
            trace(f"trdcore: {hook_name}({', '.join(wanted)}) in plugin {name!r}\n")
        try:
            implementation.function(**wanted)
        except PluginError as error:
            if trace:
                trace(f"trdcore:   failed: {error.reason}\n")
            manager.fail(error)
        except Exception as error:
            if trace:
                trace(f"trdcore:   raised {type(error).__name__}: {error}\n")
            distribution = manager.origins.get(name, (None, None))[0]
            manager.fail(
                PluginError(
                    f"raised {type(error).__name__} in {hook_name}: {error}",
                    plugin=name,
                    distribution=distribution,
                )
            )


def _collect(
    manager: TrdcorePluginManager,
    hook_name: str,
    kind: str,
    protocol: type,
    key: Callable[[Any], object],
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    owners: dict[str, str] = {}

    def arguments(plugin: str) -> dict[str, Any]:
        def register(item: object) -> None:
            if not isinstance(item, protocol):
                raise PluginError(
                    f"registered {type(item).__name__!r} as {kind}, but it is not one "
                    f"(see trdcore.extensions.{protocol.__name__})",
                    plugin=plugin,
                )
            name = key(item)
            problem = check_name(name)
            if problem:
                raise PluginError(f"{kind}: {problem}", plugin=plugin)
            assert isinstance(name, str)
            if name in found:
                raise PluginError(
                    f"{kind} {name!r} is already registered by plugin {owners[name]!r}",
                    plugin=plugin,
                )
            found[name] = item
            owners[name] = plugin
            manager.owners[(kind, name)] = plugin

        return {"register": register}

    _call_each(manager, hook_name, arguments)
    return found


def exporters(manager: TrdcorePluginManager | None = None) -> dict[str, Exporter]:
    """Every registered exporter by name."""
    return _collect(
        manager or plugin_manager(),
        "trdcore_register_exporters",
        "exporter",
        Exporter,
        lambda item: item.name,
    )


def importers(manager: TrdcorePluginManager | None = None) -> dict[str, Importer]:
    """Every registered importer by name."""
    return _collect(
        manager or plugin_manager(),
        "trdcore_register_importers",
        "importer",
        Importer,
        lambda item: item.name,
    )


def rules(manager: TrdcorePluginManager | None = None) -> dict[str, ContentRule]:
    """Every registered content rule by id."""
    return _collect(
        manager or plugin_manager(),
        "trdcore_register_rules",
        "content rule",
        ContentRule,
        lambda item: item.id,
    )


def content_documents(
    manager: TrdcorePluginManager | None = None,
) -> list[tuple[str, Mapping[str, Any]]]:
    """Every content document registered, with the plugin that registered it."""
    manager = manager or plugin_manager()
    found: list[tuple[str, Mapping[str, Any]]] = []

    def arguments(plugin: str) -> dict[str, Any]:
        def register(document: Mapping[str, Any]) -> None:
            if not isinstance(document, Mapping):
                raise PluginError(
                    f"registered content must be a mapping (a JSON object), not "
                    f"{type(document).__name__}",
                    plugin=plugin,
                )
            found.append((plugin, document))

        return {"register": register}

    _call_each(manager, "trdcore_register_content", arguments)
    return found


def register_commands(cli: Any, manager: TrdcorePluginManager | None = None) -> None:
    """Let every plugin add its subcommands to ``cli``; a taken name is refused."""
    manager = manager or plugin_manager()
    owners: dict[tuple[str, str], str] = {}

    def arguments(plugin: str) -> dict[str, Any]:
        return {"cli": _GuardedGroup(cli, plugin, owners)}

    _call_each(manager, "trdcore_register_commands", arguments)


class _GuardedGroup:
    """The root command group as a plugin sees it: adding a taken name is an error."""

    def __init__(self, group: Any, plugin: str, owners: dict[tuple[str, str], str]) -> None:
        self._group = group
        self._plugin = plugin
        self._owners = owners

    def add_command(self, command: Any, name: str | None = None) -> None:
        name = name or command.name
        if name in self._group.commands:
            holder = self._owners.get(("command", name), "another plugin")
            raise PluginError(
                f"command {name!r} is already registered by plugin {holder!r}", plugin=self._plugin
            )
        self._group.add_command(command, name)
        self._owners[("command", name)] = self._plugin

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        import click

        def decorator(function: Callable[..., Any]) -> Any:
            command = click.command(*args, **kwargs)(function)
            self.add_command(command)
            return command

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        import click

        def decorator(function: Callable[..., Any]) -> Any:
            group = click.group(*args, **kwargs)(function)
            self.add_command(group)
            return group

        return decorator

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._group, attribute)


def plugins(manager: TrdcorePluginManager | None = None) -> list[PluginInfo]:
    """What ``trdcore plugins`` shows: every plugin, working or broken, in name order."""
    manager = manager or plugin_manager()
    from trdcore.catalog import Catalog

    # Exercise the registering hooks so failures inside them (and invalid content) show here too.
    exporters(manager)
    importers(manager)
    rules(manager)
    for problem in Catalog.from_documents(content_documents(manager)).problems:
        manager.fail(problem)
    infos: dict[str, PluginInfo] = {}
    for name, plugin in manager.list_name_plugin():
        distribution, version = manager.origins.get(name, (None, None))
        hooks = tuple(sorted(caller.name for caller in manager.get_hookcallers(plugin) or ()))
        infos[name] = PluginInfo(
            name=name,
            distribution=distribution,
            version=version,
            hooks=hooks,
            status="broken" if name in manager.broken else "ok",
            reason=manager.broken[name].reason if name in manager.broken else None,
            builtin=name in manager.builtin,
            warnings=tuple(manager.plugin_warnings.get(name, ())),
        )
    for name, error in manager.broken.items():
        if name not in infos:
            distribution, version = manager.origins.get(name, (error.distribution, None))
            infos[name] = PluginInfo(name, distribution, version, (), "broken", error.reason)
    return sorted(infos.values(), key=lambda info: (not info.builtin, info.name))
