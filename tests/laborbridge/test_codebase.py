"""House rules that CI enforces through the test suite."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(
            f"makemigrations --check found changes without migrations:\n{out.getvalue()} ({exit_})"
        )


@pytest.mark.parametrize(
    "package", ["matching/engine", "transport/planner", "placement/history.py"]
)
def test_pure_cores_import_nothing_from_django(package):
    root = ROOT / package
    for path in [root] if root.is_file() else root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {
                    "django",
                    "rest_framework",
                    "celery",
                    "laborbridge",
                    "workers",
                    "jobs",
                }, f"{path.relative_to(ROOT)} imports {name}"


# --- Floors: imports point down, never up, and close no circle -----------------------------
#
# laborbridge is the ground floor; workers and jobs stand on it side by side; matching on them;
# transport on matching (placement and subsidies will stand on transport and workers). A
# module's floor is its app's floor, and that includes the app's migrations and management
# commands: `manage.py demo` is a command of the top floor (transport) because it drives every
# app, and laborbridge's own commands may use laborbridge only. Tests live in tests/, outside
# the apps, and may import what they exercise; they are not read here.
#
# Imports are read with ast, at module level and inside functions alike: a function-level
# import is still a dependency, it only hides it. Imports under `if TYPE_CHECKING:` count for
# the direction (a floor does not name the types of the floors above either) but not for
# circles, because they never run.

FLOORS = {
    "laborbridge": 0,
    "workers": 1,
    "jobs": 1,
    "matching": 2,
    "transport": 3,
    "placement": 4,
    "cases": 5,
    "followups": 5,
    "selfservice": 6,
    "targets": 6,  # reads placements, matches and seats for progress and the funnel
    # Policies, eligibility from the employment history, the approval chain and payments.
    "subsidies": 6,
    # SMS to workers: listens to the saves of every floor below (outreach.triggers)
    "outreach": 7,
}

# Modules allowed to import from a higher floor, with the reason.
UPWARD_IMPORTS_ALLOWED = {
    "laborbridge.access": (
        "scoping is answered in one place: each 'visible to' queryset names the domain model "
        "it filters (see the module docstring)"
    ),
}

# Circles allowed for now, as the set of modules they may span, with the reason. An entry that
# no longer matches a circle fails test_allowed_import_circles_still_exist: remove it.
IMPORT_CIRCLES_ALLOWED: dict[frozenset[str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path for app in FLOORS for path in sorted((ROOT / app).rglob("*.py"))
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path):
    """Yield (imported dotted name, line, runs) for every import statement of the module."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]

    def visit(node, runs: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for grandchild in child.body:
                    yield from visit_one(grandchild, False)
                for grandchild in child.orelse:
                    yield from visit_one(grandchild, runs)
            else:
                yield from visit_one(child, runs)

    def visit_one(node, runs: bool):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, runs
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module
            for alias in node.names:
                # `from matching import services` imports the module matching.services;
                # `from matching.models import Match` imports matching.models.
                yield f"{source}.{alias.name}", node.lineno, runs
        else:
            yield from visit(node, runs)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")), True)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _import_graph():
    modules = _modules()
    edges: dict[str, dict[str, tuple[int, bool]]] = {module: {} for module in modules}
    for module, path in modules.items():
        for name, line, runs in _imports(module, path):
            target = _resolve(name, modules)
            if target and target != module:
                _line, ran = edges[module].get(target, (line, False))
                edges[module][target] = (_line, ran or runs)
    return modules, edges


def _upward_imports() -> list[str]:
    modules, edges = _import_graph()
    found = []
    for module, targets in edges.items():
        floor = FLOORS[module.split(".")[0]]
        if any(module == m or module.startswith(m + ".") for m in UPWARD_IMPORTS_ALLOWED):
            continue
        for target, (line, _runs) in sorted(targets.items()):
            if FLOORS[target.split(".")[0]] > floor:
                path = modules[module].relative_to(ROOT)
                found.append(f"{path}:{line} imports {target} (a higher floor)")
    return found


def _circles() -> list[frozenset[str]]:
    """Return the strongly connected components (Tarjan) of the import graph that run."""
    _modules_, edges = _import_graph()
    graph = {m: sorted(t for t, (_line, runs) in ts.items() if runs) for m, ts in edges.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def connect(node: str) -> None:
        # Recursion depth is bounded by the length of an import chain (a few dozen).
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(frozenset(component))

    for node in graph:
        if node not in index:
            connect(node)
    return components


def test_imports_point_down_the_floors():
    found = _upward_imports()
    assert not found, "Imports that point up a floor:\n" + "\n".join(found)


def test_modules_import_no_circle():
    found = [
        component
        for component in _circles()
        if not any(component <= allowed for allowed in IMPORT_CIRCLES_ALLOWED)
    ]
    assert not found, "Import circles:\n" + "\n".join(
        " <-> ".join(sorted(component)) for component in found
    )


def test_allowed_import_circles_still_exist():
    circles = _circles()
    stale = [
        allowed
        for allowed in IMPORT_CIRCLES_ALLOWED
        if not any(component & allowed for component in circles)
    ]
    assert not stale, "No longer circles, remove from IMPORT_CIRCLES_ALLOWED: " + ", ".join(
        " <-> ".join(sorted(allowed)) for allowed in stale
    )


def test_the_import_reader_sees_function_level_and_type_checking_imports(tmp_path):
    """The checker itself: hidden imports are read, type-only ones are marked as not run."""
    path = tmp_path / "selectors.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from matching.models import Match\n"
        "def badge(user):\n"
        "    from transport.selectors import notifications_unread_count\n"
        "    from . import access\n",
        encoding="utf-8",
    )
    found = {name: runs for name, _line, runs in _imports("laborbridge.selectors", path)}
    assert found["transport.selectors.notifications_unread_count"] is True
    assert found["matching.models.Match"] is False
    assert found["laborbridge.access"] is True
