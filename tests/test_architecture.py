"""The shape of the code: imports run one way, no cycles, no private names across modules.

The layer contracts themselves live in pyproject.toml ([tool.importlinter]) and run as
`lint-imports` in `make test`; these tests add what import-linter does not check.
"""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "src" / "trdcore", *sorted((ROOT / "plugins").glob("*/src/*"))]


def test_no_module_imports_itself_back_through_others() -> None:
    graph = grimp.build_graph("trdcore", exclude_type_checking_imports=True)
    imports = {
        module: graph.find_modules_directly_imported_by(module) - {module}
        for module in graph.modules
    }
    cycles = []
    for module in sorted(imports):
        # A path from one of its imports back to it is a cycle.
        seen, queue = set(), collections.deque(imports[module])
        while queue:
            found = queue.popleft()
            if found == module:
                cycles.append(module)
                break
            if found not in seen:
                seen.add(found)
                queue.extend(imports.get(found, ()))
    assert cycles == []


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trdcore"):
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [
        problem
        for source in SOURCES
        for path in sorted(source.rglob("*.py"))
        for problem in _private_imports(path)
    ]
    assert found == []


def test_no_module_in_the_core_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in sorted((ROOT / "src" / "trdcore").rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}
