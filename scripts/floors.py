"""The house in lines of code: its three rooms and every package on their floors.

    python scripts/floors.py

The rooms are `app/` (web), `jobs/` (workers) and `engine/` (extraction engine). Each package
(a folder with an `__init__.py`) counts the non-blank lines of every `.py` file under it, its
subpackages included; its share is of all lines of the three rooms. Tests are not floors:
`engine/tests` is left out, as `tests/` is. `tests/test_architecture.py` keeps every package
other than the rooms themselves at a third of the house or less; the exit status is 1 when one
holds more.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = {"app": "web", "jobs": "workers", "engine": "extraction engine"}
MAX_SHARE = 1 / 3
SKIPPED = ("tests",)
WIDTH = 30  # characters of bar for the whole house


def _counted(path: Path) -> bool:
    return not any(part in SKIPPED for part in path.relative_to(ROOT).parts)


def lines_of(path: Path) -> int:
    """Non-blank lines of one .py file."""
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def packages() -> dict[str, int]:
    """Every package of the three rooms (the rooms included) and its lines, subpackages included."""
    found: dict[str, int] = {}
    for room in ROOMS:
        for init in sorted((ROOT / room).rglob("__init__.py")):
            folder = init.parent
            if _counted(init):
                files = [p for p in folder.rglob("*.py") if _counted(p)]
                found[folder.relative_to(ROOT).as_posix()] = sum(map(lines_of, files))
    return found


def total(found: dict[str, int]) -> int:
    """All lines of the house: the three rooms."""
    return sum(found[room] for room in ROOMS)


def too_big(found: dict[str, int]) -> dict[str, float]:
    """Packages other than the rooms that hold more than a third of the house."""
    whole = total(found)
    return {
        name: n / whole for name, n in found.items() if name not in ROOMS and n / whole > MAX_SHARE
    }


def picture(found: dict[str, int]) -> str:
    whole = total(found)
    rows = []
    for room, role in ROOMS.items():
        head = f"{room}/  ({role})"
        rows.append(("", head, found[room]))
        for name in sorted(n for n in found if n.startswith(room + "/")):
            depth = name.count("/")
            rows.append(("  " * depth, name, found[name]))
    label_width = max(len(indent + name) for indent, name, _ in rows)
    rule = "-" * (label_width + 17 + WIDTH)
    out = [f"IngestIO: {whole:,} lines of Python in three rooms (non-blank lines, tests left out)"]
    for indent, name, n in rows:
        if not indent:
            out.append(rule)
        share = n / whole
        bar = "#" * round(share * WIDTH)
        out.append(f"{indent + name:<{label_width}} {n:>7,} {share:>6.1%}  {bar}".rstrip())
    out.append(rule)
    out.append(f"{'house':<{label_width}} {whole:>7,} {1:>6.1%}  (no package but a room over 1/3)")
    return "\n".join(out)


def main() -> int:
    found = packages()
    print(picture(found))
    for name, share in sorted(too_big(found).items()):
        print(f"too big: {name} holds {share:.1%} of the house")
    return 1 if too_big(found) else 0


if __name__ == "__main__":
    sys.exit(main())
