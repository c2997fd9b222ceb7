"""trdcore's built-in content rules, registered through ``trdcore_register_rules``.

The rules are listed in :mod:`trdcore.lint.builtin_rules`; each docstring gives
its threshold and source (also in docs/content-rules.md).
"""

from __future__ import annotations

from typing import Any

from trdcore.hookspecs import hookimpl


@hookimpl
def trdcore_register_rules(register: Any) -> None:
    from trdcore.lint.builtin_rules import BUILTIN_RULES

    for rule in BUILTIN_RULES:
        register(rule())
