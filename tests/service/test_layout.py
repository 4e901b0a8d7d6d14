"""The packages' seams: the monitor never imports the workers (jobs are named, not imported), and no two parts of the
monitor import each other, whatever way round."""
from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """The modules a file imports (relative imports resolved), leaving out those under ``if TYPE_CHECKING:``."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
                if not node.module:
                    found |= {f"{base}.{alias.name}" for alias in node.names}
                    continue
            found.add(base)
    return found


def _part(module: str) -> str:
    """monitor.alerting.store -> monitor.alerting: a sub-package or a top-level module of the monitor."""
    return ".".join(module.split(".")[:2])


def test_the_monitor_imports_nothing_of_the_workers():
    """Not even by running: every module of the monitor imported (but the migrations, which Alembic runs)."""
    importers = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "monitor").rglob("*.py")
                       if any(name.split(".")[0] == "workers" for name in _imports(path)))
    assert importers == []
    code = ("import pkgutil, importlib, sys, monitor\n"
            "for m in pkgutil.walk_packages(monitor.__path__, 'monitor.'):\n"
            "    if not m.name.startswith(('monitor.migrations.env', 'monitor.migrations.versions')):\n"
            "        importlib.import_module(m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] == 'workers'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"


def test_no_two_parts_of_the_monitor_import_each_other():
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "monitor").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module.startswith("monitor.migrations.versions"):
            continue
        graph.setdefault(_part(module), set()).update(
            _part(name) for name in _imports(path) if name.startswith("monitor.") and _part(name) != _part(module))
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        raise AssertionError(f"an import cycle: {' -> '.join(exc.args[1])}") from None
