"""Fail when project modules import each other in a loop (`make lint`).

Two checks over src/ (migrations aside), from the source alone (nothing is imported):

1. no cycle among module-level imports (importing a.b.c also runs the package a.b; a package's
   own modules do not count as importing it);
2. no import inside a function of a project module that imports the importer back, directly or
   through others: such an import hides a loop instead of removing it.

    python scripts/check_imports.py [-v]    # -v also lists the function-level imports that are fine
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"


def project_modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        if parts:
            mods[".".join(parts)] = (path, is_pkg)
    return mods


def _targets(mods, module: str, is_pkg: bool, node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in mods]
    assert isinstance(node, ast.ImportFrom)
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_pkg else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    out = []
    for alias in node.names:
        full = f"{base}.{alias.name}"
        name = full if full in mods else base
        if name in mods:
            out.append(name)
    return out


def imports(mods) -> tuple[dict[str, set[str]], list[tuple[str, str, int, str]]]:
    """(module -> modules it imports at module level, [(module, target, line, function)] inside functions)."""
    graph: dict[str, set[str]] = {}
    inner: list[tuple[str, str, int, str]] = []
    for module, (path, is_pkg) in mods.items():
        edges: set[str] = set()

        def visit(node, function, module=module, is_pkg=is_pkg, edges=edges):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    for target in _targets(mods, module, is_pkg, child):
                        if target == module:
                            continue
                        if function:
                            inner.append((module, target, child.lineno, function))
                        else:
                            edges.add(target)
                            parts = target.split(".")
                            for i in range(1, len(parts)):
                                parent = ".".join(parts[:i])
                                if parent in mods and not (module == parent or module.startswith(parent + ".")):
                                    edges.add(parent)
                    continue
                is_fn = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                visit(child, function or (child.name if is_fn else None))

        visit(ast.parse(path.read_text(encoding="utf-8")), None)
        graph[module] = edges
    return graph, inner


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def main(argv: list[str]) -> int:
    mods = project_modules()
    graph, inner = imports(mods)
    failed = False
    for component in cycles(graph):
        failed = True
        print("import loop between: " + ", ".join(component))
    for module, target, line, function in inner:
        path = mods[module][0].relative_to(ROOT.parent)
        if reaches(graph, target, module):
            failed = True
            print(f"{path}:{line}: {function}() imports {target}, which imports {module} back: a hidden loop")
        elif "-v" in argv:
            print(f"{path}:{line}: {function}() imports {target} (no loop)")
    if failed:
        print("Break the loop: move the shared part into a module both can import (see docs/adr/).")
        return 1
    print(f"imports: no loops among {len(mods)} project modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
