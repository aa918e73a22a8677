"""Print the largest modules and functions of the product code, and the domain's import graph.

Usage: ``python bench/structure.py [--top N]`` from the repository root.

Output (plain text, for the closing note of a restructuring and for anyone to rerun):
- the N largest modules of ``ledger/``, ``projections/``, ``api/`` (lines, path);
- the N longest functions and methods in the same folders (lines, path:qualified name);
- every import made by ``ledger/`` (the domain), one line per module, so a reader can see
  that no arrow leads from the domain to infrastructure.
Lines are physical lines, a function's from its ``def`` to its last line.
"""
from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("ledger", "projections", "auditor", "api")


def product_modules() -> list[Path]:
    """Every ``.py`` file of the product folders, sorted by path."""
    return sorted(p for folder in PRODUCT for p in (ROOT / folder).rglob("*.py"))


def module_sizes() -> list[tuple[int, str]]:
    """(lines, relative path) of every product module, largest first."""
    sizes = [(len(p.read_text().splitlines()), str(p.relative_to(ROOT)))
             for p in product_modules()]
    return sorted(sizes, reverse=True)


def function_sizes() -> list[tuple[int, str]]:
    """(lines, ``path:Class.function``) of every function and method, longest first."""
    found: list[tuple[int, str]] = []
    for path in product_modules():
        tree = ast.parse(path.read_text())
        rel = path.relative_to(ROOT)
        _walk(tree, "", rel, found)
    return sorted(found, reverse=True)


def _walk(node: ast.AST, prefix: str, rel: Path, found: list) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{child.name}"
            found.append((child.end_lineno - child.lineno + 1, f"{rel}:{name}"))
            _walk(child, f"{name}.", rel, found)
        elif isinstance(child, ast.ClassDef):
            _walk(child, f"{prefix}{child.name}.", rel, found)


def domain_imports() -> dict[str, list[str]]:
    """Module path → sorted names it imports, for every module of ``ledger/``."""
    graph: dict[str, list[str]] = {}
    for path in sorted((ROOT / "ledger").rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add("." * node.level + (node.module or ""))
        graph[str(path.relative_to(ROOT))] = sorted(names)
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    top = parser.parse_args().top
    print(f"largest modules (lines) of {', '.join(PRODUCT)}:")
    for lines, name in module_sizes()[:top]:
        print(f"  {lines:5d}  {name}")
    print("longest functions (lines):")
    for lines, name in function_sizes()[:top]:
        print(f"  {lines:5d}  {name}")
    print("imports of the domain (ledger/):")
    for module, names in domain_imports().items():
        print(f"  {module} -> {', '.join(names)}")


if __name__ == "__main__":
    main()
