"""The import graph: apps stack in layers and no app imports itself in a circle.

Layers, lowest first: agencies ← incidents ← notifications ← interop ← readiness ← boards.
An app may import its own and lower layers only. `asim` is two things: a foundation every app
may use (settings, limits, CSV, API helpers), which imports no app, and the project's wiring
(URLs, ASGI, subscribers, pages of the shell, management commands), which may import any app
and which no app imports. Imports inside functions count: they are how cycles hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["agencies", "incidents", "notifications", "interop", "readiness", "boards"]
ASIM_WIRING = {
    "asim.apps",
    "asim.api_urls",
    "asim.asgi",
    "asim.context_processors",
    "asim.navigation",
    "asim.routing",
    "asim.urls",
    "asim.views",
    "asim.wiring",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in ["asim", *LAYERS]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules a module imports (a name imported from a package counts as its
    submodule when one exists, else as the package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            targets = [t for t in targets if t in known] or [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def layer_of(module: str) -> float:
    app = module.split(".")[0]
    if app == "asim":
        top = module in ASIM_WIRING or module.startswith("asim.management")
        return len(LAYERS) if top else -1
    return LAYERS.index(app)


def test_no_app_imports_a_higher_layer() -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(module)
        or (module.startswith("asim.") and layer_of(module) < 0 and layer_of(target) >= 0)
    )
    assert wrong == []


def test_no_import_cycles() -> None:
    edges = graph()
    cycles = [scc for scc in strongly_connected(edges) if len(scc) > 1]
    assert cycles == []


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
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
                    result.append(sorted(component))
    return result


def test_the_walk_sees_arrows() -> None:
    """The checks above would pass on an empty graph: the walk must find known arrows."""
    edges = graph()
    assert "agencies.models" in edges["incidents.models"]
    assert len(edges) > 100
