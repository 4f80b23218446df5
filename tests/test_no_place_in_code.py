"""No place in the code: the bundled place's name, dates, CRS, box and sides live in data/ (map.toml)
only. The README, data/ and the tests' fixtures are exempt."""

from __future__ import annotations

import re

from conftest import REPO

#: Where the code lives.
SCANNED = ("geo", "layers", "pages", "app.py", "snapshot.py", "newsroom.py")
SUFFIXES = (".py", ".js", ".css")
#: What names the bundled place: its name, its days, its CRS and box, its sides and their colours.
FORBIDDEN = (
    "Aleppo",
    "ALEPPO",
    "aleppo",
    "حلب",
    "32637",
    "2016-11-15",
    "2016-12-22",
    "OFFENSIVE_START",
    "OFFENSIVE_END",
    "ALEPPO_BBOX",
    "METRIC_CRS",
    "36.90, 36.00",
    "37.45, 36.45",
    "BOUNDARY_CREDIT",
    "COD-AB",
    '"government"',
    '"opposition"',
    '"sdf"',
    "'government'",
    "'opposition'",
    "'sdf'",
    "Government and allies",
    "SDF/YPG",
    "الحكومة وحلفاؤها",
    "المعارضة",
)


def code_files() -> list:
    out = []
    for name in SCANNED:
        path = REPO / name
        out += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
    return out


def offending_lines() -> list[str]:
    pattern = re.compile("|".join(re.escape(w) for w in FORBIDDEN))
    found = []
    for path in code_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if m := pattern.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {m.group(0)!r} in {line.strip()[:100]}")
    return found


def test_the_scan_sees_the_code_and_would_catch_a_place():
    files = {p.relative_to(REPO).as_posix() for p in code_files()}
    assert {
        "app.py",
        "snapshot.py",
        "geo/settings.py",
        "layers/payload.py",
        "layers/assets/control_map.js",
        "layers/assets/control_map.css",
    } <= files
    assert re.search("|".join(map(re.escape, FORBIDDEN)), 'PALETTE = {"government": "#BB5566"}')
    assert re.search("|".join(map(re.escape, FORBIDDEN)), "os.environ['ALEPPO_DATA']")
    assert re.search("|".join(map(re.escape, FORBIDDEN)), (REPO / "data" / "map.toml").read_text("utf-8"))


def test_no_file_of_the_code_names_the_bundled_place():
    found = offending_lines()
    assert not found, "the place belongs in data/map.toml:\n" + "\n".join(found)
