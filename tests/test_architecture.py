"""The house's dependency rules, checked on the code's own imports.

- The platform (settings, errors and their problem documents, ``db/``, ``observability/``,
  ``security/``, the cache, the background loops and the durable engine in ``jobs/``)
  imports no domain.
- Plans and entitlements (``plans/``) import no domain either: the domain that owns the
  rows an entitlement counts counts them and passes the count in.
- Runs, usage and payments each keep to their own rows: ``runs/`` imports neither
  ``billing/`` nor ``usage/``; ``billing/`` does not import ``runs/``.
- No module takes part in an import cycle.

Every import is read, those inside functions and under ``TYPE_CHECKING`` included: a
dependency hidden in a function is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"

PLATFORM = (
    "luna.settings",
    "luna.errors",
    "luna.problems",
    "luna.db",
    "luna.observability",
    "luna.security",
    "luna.cache",
    "luna.background",
    "luna.jobs",
)
# Domains that, like the platform, import no other domain: the owners of rows ask them.
SELF_CONTAINED = ("luna.plans",)
FORBIDDEN = (
    ("luna.runs", "luna.billing"),
    ("luna.runs", "luna.usage"),
    ("luna.billing", "luna.runs"),
)

# What the code still does against the rules, to be emptied: a violation not listed here
# fails, and so does a listed one that no longer exists.
KNOWN_VIOLATIONS: frozenset[str] = frozenset()

Graph = Mapping[str, set[str]]


@dataclass(frozen=True)
class Module:
    name: str
    path: Path


def modules(root: Path = SOURCE) -> list[Module]:
    """Every module of the ``luna`` package under ``root``."""
    found = []
    for path in sorted((root / "luna").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path))
    return found


def _imported(module: Module, tree: ast.AST, known: set[str]) -> set[str]:
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from a.b import c``: module ``a.b.c`` when there is one, else ``a.b``.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {_owner(name, known) for name in names if name.startswith("luna")} - {None, module.name}


def _owner(name: str, known: set[str]) -> str | None:
    """The module ``name`` refers to (``luna.x.y.Name`` -> ``luna.x.y``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(found: Iterable[Module]) -> dict[str, set[str]]:
    """Module -> the ``luna`` modules it imports (package faces stand for their package)."""
    found = list(found)
    known = {module.name for module in found}
    return {
        module.name: _imported(module, ast.parse(module.path.read_text()), known)
        for module in found
    }


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_violations(graph: Graph) -> set[str]:
    """``a -> b`` for each import that breaks the platform rule or a forbidden pair."""
    broken = set()
    for source, targets in graph.items():
        for target in targets:
            platform_source = any(_within(source, prefix) for prefix in PLATFORM)
            platform_target = any(_within(target, prefix) for prefix in PLATFORM)
            if platform_source and not platform_target and target != "luna":
                broken.add(f"{source} -> {target}")
            for owner in SELF_CONTAINED:
                if _within(source, owner) and not (platform_target or _within(target, owner)):
                    broken.add(f"{source} -> {target}")
            for owner, foreign in FORBIDDEN:
                if _within(source, owner) and _within(target, foreign):
                    broken.add(f"{source} -> {target}")
    return broken


def _is_routes(name: str) -> bool:
    leaf = name.rpartition(".")[2]
    return leaf == "routes" or leaf.endswith("_routes")


def routes_importing_routes(graph: Graph) -> set[str]:
    """``a -> b`` where one routes module imports another: what routes share (the
    ``Annotated`` dependencies) lives in ``deps.py``; only ``app.py`` gathers routers."""
    return {
        f"{source} -> {target}"
        for source, targets in graph.items()
        if _is_routes(source)
        for target in targets
        if _is_routes(target)
    }


def _reachable(graph: Graph, start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def cycles(graph: Graph) -> set[str]:
    """Each import cycle, as the modules that reach one another, sorted and joined."""
    reach = {node: _reachable(graph, node) for node in graph}
    found = set()
    for node in graph:
        if node in reach[node]:
            component = sorted(other for other in reach[node] if node in reach.get(other, ()))
            found.add("cycle: " + " <-> ".join(component))
    return found


def test_the_house_keeps_its_dependency_rules() -> None:
    graph = import_graph(modules())
    found = rule_violations(graph) | cycles(graph)
    assert sorted(found - KNOWN_VIOLATIONS) == [], "new violations of the dependency rules"
    assert sorted(KNOWN_VIOLATIONS - found) == [], "mended: take them off KNOWN_VIOLATIONS"


def test_no_routes_module_imports_another() -> None:
    assert sorted(routes_importing_routes(import_graph(modules()))) == []


def test_routes_dispatch_nothing_themselves() -> None:
    """The queue and the step writer are reached through the actions of
    ``luna.runs.dispatch`` (commit, then dispatch), never from a route."""
    graph = import_graph(modules())
    dispatching = {
        f"{source} -> {target}"
        for source, targets in graph.items()
        if _is_routes(source)
        for target in targets & {"luna.runs.queue", "luna.runs.steps"}
    }
    assert sorted(dispatching) == []


def test_the_check_finds_routes_importing_routes() -> None:
    graph = {
        "luna.billing.routes": {"luna.tenancy.member_routes", "luna.deps"},
        "luna.tenancy.member_routes": {"luna.deps"},
        "luna.app": {"luna.billing.routes"},
    }
    assert routes_importing_routes(graph) == {"luna.billing.routes -> luna.tenancy.member_routes"}


def test_the_check_finds_a_platform_import_of_a_domain_and_a_cycle() -> None:
    graph = {
        "luna.db.engine": {"luna.runs.models"},
        "luna.runs.models": {"luna.db.base"},
        "luna.db.base": set(),
        "luna.runs.service": {"luna.billing.plans", "luna.tenancy.service"},
        "luna.billing.plans": set(),
        "luna.tenancy.service": {"luna.tenancy.members"},
        "luna.tenancy.members": {"luna.tenancy.service"},
    }

    assert rule_violations(graph) == {
        "luna.db.engine -> luna.runs.models",
        "luna.runs.service -> luna.billing.plans",
    }
    assert cycles(graph) == {"cycle: luna.tenancy.members <-> luna.tenancy.service"}


def test_the_graph_reads_relative_imports_and_imports_inside_functions(tmp_path: Path) -> None:
    package = tmp_path / "luna" / "runs"
    package.mkdir(parents=True)
    (tmp_path / "luna" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "lifecycle.py").write_text("from . import models\n")
    (package / "models.py").write_text("def late():\n    from luna.billing import plans\n")
    (tmp_path / "luna" / "billing.py").write_text("")

    graph = import_graph(modules(tmp_path))

    assert graph["luna.runs.lifecycle"] == {"luna.runs.models"}
    assert graph["luna.runs.models"] == {"luna.billing"}
