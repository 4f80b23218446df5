"""Nothing lost: atomic, validated, backed-up writes; kills mid-save; concurrent saves; import."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import REPO, tiny_features

from geo.districts import read_districts
from geo.importer import dump_features, run_import
from geo.problems import DataError
from geo.store import ConflictError, SaveError, atomic_write, read_versioned

KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from geo import store
stage, target = sys.argv[1], Path(sys.argv[2])
real_fsync, real_replace = os.fsync, os.replace
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def fsync(fd):
    if stage == "during-temp-write":
        die()
    real_fsync(fd)
def replace(src, dst):
    if stage == "before-rename" and Path(dst) == target:
        die()
    real_replace(src, dst)
os.fsync, os.replace = fsync, replace
_, version = store.read_versioned(target)
store.atomic_write(target, b'{"type": "FeatureCollection", "features": []}', expected_digest=version)
print("survived")
"""


def validate_districts(data: bytes):
    return read_districts(data.decode("utf-8"), "districts.geojson")[1]


@pytest.fixture
def districts_file(tmp_path) -> Path:
    path = tmp_path / "districts.geojson"
    path.write_text(dump_features(tiny_features()), encoding="utf-8")
    return path


@pytest.mark.parametrize("stage", ["during-temp-write", "before-rename"])
def test_killed_writer_leaves_the_original_intact(districts_file, stage):
    original = districts_file.read_bytes()
    res = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, stage, str(districts_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == -9 and "survived" not in res.stdout
    assert districts_file.read_bytes() == original
    gdf, problems = read_districts(original.decode(), "x")
    assert gdf is not None and len(gdf) == 6


def test_write_keeps_a_backup_and_the_mode(districts_file):
    districts_file.chmod(0o644)
    old, version = read_versioned(districts_file)
    feats = tiny_features()[:5]
    backup = atomic_write(
        districts_file, dump_features(feats).encode(), expected_digest=version, validate=validate_districts
    )
    assert backup.read_bytes() == old
    assert len(json.loads(districts_file.read_text())["features"]) == 5
    assert districts_file.stat().st_mode & 0o777 == 0o644
    assert not list(districts_file.parent.glob(".*.tmp"))


def test_invalid_content_is_never_written(districts_file):
    old, version = read_versioned(districts_file)
    with pytest.raises(DataError, match="JSON syntax error"):
        atomic_write(
            districts_file,
            b'{"type": "FeatureCollection", "features": [',
            expected_digest=version,
            validate=validate_districts,
        )
    assert districts_file.read_bytes() == old


def test_stale_version_is_refused_as_a_conflict(districts_file):
    _, version = read_versioned(districts_file)
    districts_file.write_text(dump_features(tiny_features()[:4]), encoding="utf-8")  # someone else saved
    edited = districts_file.read_bytes()
    with pytest.raises(ConflictError, match="changed on disk"):
        atomic_write(districts_file, dump_features(tiny_features()[:3]).encode(), expected_digest=version)
    assert districts_file.read_bytes() == edited


def test_two_saves_at_once_one_wins_one_is_refused(districts_file):
    original, version = read_versioned(districts_file)
    contents = {name: dump_features(tiny_features()[:n]).encode() for name, n in (("a", 5), ("b", 4))}
    barrier, results = threading.Barrier(2), {}

    def save(name):
        barrier.wait()
        try:
            atomic_write(districts_file, contents[name], expected_digest=version, validate=validate_districts)
            results[name] = "saved"
        except ConflictError:
            results[name] = "conflict"

    threads = [threading.Thread(target=save, args=(n,)) for n in contents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["conflict", "saved"]
    winner = next(n for n, r in results.items() if r == "saved")
    assert districts_file.read_bytes() == contents[winner]
    assert districts_file.with_name("districts.geojson.bak").read_bytes() == original


def _export(features, **extra) -> str:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features})


def test_import_adds_and_changes_districts_after_showing_them(tmp_path, tiny_dir):
    new = tiny_features()[1]
    new["properties"].update({"name": "Middle Renamed", "fill": "#ff0000", "aliases": ["Wasat"]})
    added = {
        "type": "Feature",
        "properties": {
            "id": "X0001",
            "name": "Drawn Quarter",
            "name_ar": "حي",
            "geometry_source": "geojson.io",
            "fid": 12,
        },
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[37.16, 36.19], [37.16, 36.2], [37.17, 36.2], [37.17, 36.19], [37.16, 36.19]]],
        },
    }  # clockwise
    export = tmp_path / "export.geojson"
    export.write_text(
        _export([new, added], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}),
        encoding="utf-8",
    )
    before = (tiny_dir / "districts.geojson").read_bytes()
    code, lines = run_import(export, tiny_dir, write=False)
    assert code == 0 and (tiny_dir / "districts.geojson").read_bytes() == before
    assert "add X0001 (Drawn Quarter)" in lines and any(ln.startswith("change T2 (Middle Renamed): ") for ln in lines)
    code, lines = run_import(export, tiny_dir, write=True)
    assert code == 0
    gdf, problems = read_districts((tiny_dir / "districts.geojson").read_text(), "d")
    row = gdf.set_index("id").loc["X0001"]
    assert row["geometry"].exterior.is_ccw and row["extra"] == {"fid": 12}
    t2 = gdf.set_index("id").loc["T2"]
    assert t2["name"] == "Middle Renamed" and t2["aliases"] == ("Wasat", "Alias 2")
    assert (tiny_dir / "districts.geojson.bak").read_bytes() == before


def test_import_refuses_a_bad_export(tmp_path, tiny_dir):
    bad = tiny_features()[0]
    bad["geometry"]["coordinates"] = [[[x * 111319.49, y * 131000] for x, y in bad["geometry"]["coordinates"][0]]]
    export = tmp_path / "export.geojson"
    export.write_text(_export([bad]), encoding="utf-8")
    before = (tiny_dir / "districts.geojson").read_bytes()
    res = subprocess.run(
        [sys.executable, "-m", "geo", "import", str(export), "--data", str(tiny_dir), "--yes"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1 and "projected metres" in res.stdout and "nothing imported" in res.stdout
    assert (tiny_dir / "districts.geojson").read_bytes() == before


def _no_temps(folder: Path) -> bool:
    return not list(folder.glob(".*.tmp"))


def _fail(err: int):
    def raiser(*args, **kwargs):
        raise OSError(err, os.strerror(err))

    return raiser


@pytest.mark.parametrize(
    "case,fault,fragment",
    [
        (
            "read-only folder",
            lambda mp, f: mp.setattr(tempfile, "mkstemp", _fail(errno.EACCES)),
            "districts.geojson was not saved: the data folder is read-only for the app",
        ),
        (
            "read-only file system",
            lambda mp, f: mp.setattr(tempfile, "mkstemp", _fail(errno.EROFS)),
            "the data folder is read-only",
        ),
        (
            "full disk",
            lambda mp, f: mp.setattr(os, "fsync", _fail(errno.ENOSPC)),
            "districts.geojson was not saved: the disk is full",
        ),
        (
            "backup cannot be written",
            lambda mp, f: f.with_name("districts.geojson.bak").mkdir(),
            "its backup districts.geojson.bak could not be written",
        ),
    ],
)
def test_refused_save_says_why_in_one_line_and_leaves_nothing_behind(
    districts_file, monkeypatch, case, fault, fragment
):
    old, version = read_versioned(districts_file)
    fault(monkeypatch, districts_file)
    with pytest.raises(SaveError) as info:
        atomic_write(
            districts_file,
            dump_features(tiny_features()[:5]).encode(),
            expected_digest=version,
            validate=validate_districts,
        )
    message = str(info.value)
    assert fragment in message and "\n" not in message and str(districts_file.parent) not in message
    monkeypatch.undo()
    assert districts_file.read_bytes() == old and _no_temps(districts_file.parent)


def test_conflict_is_a_refused_save_naming_only_the_file(districts_file):
    _, version = read_versioned(districts_file)
    districts_file.write_text(dump_features(tiny_features()[:4]), encoding="utf-8")
    with pytest.raises(SaveError, match=r"^districts\.geojson changed on disk") as info:
        atomic_write(districts_file, dump_features(tiny_features()[:3]).encode(), expected_digest=version)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("stage", ["during-temp-write", "before-rename"])
def test_the_next_save_removes_temp_files_a_killed_save_left(districts_file, stage):
    subprocess.run([sys.executable, "-c", KILL_SCRIPT, stage, str(districts_file)], cwd=REPO, timeout=60)
    assert not _no_temps(districts_file.parent), "the killed save left its temporary file"
    _, version = read_versioned(districts_file)
    atomic_write(
        districts_file,
        dump_features(tiny_features()[:5]).encode(),
        expected_digest=version,
        validate=validate_districts,
    )
    assert _no_temps(districts_file.parent)


def test_import_into_a_broken_current_file_says_why(tmp_path, tiny_dir):
    (tiny_dir / "districts.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    export = tmp_path / "export.geojson"
    export.write_text(_export(tiny_features()[:1]), encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "geo", "import", str(export), "--data", str(tiny_dir), "--yes"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1 and "Traceback" not in res.stdout + res.stderr
    assert "the current districts file cannot be read" in res.stdout
    assert "Restore it from districts.geojson.bak" in res.stdout


def test_import_repairs_a_current_file_whose_broken_feature_it_replaces(tmp_path, tiny_dir):
    broken = tiny_features()
    broken[1]["geometry"] = None  # the current file fails validation, but can be merged into
    (tiny_dir / "districts.geojson").write_text(dump_features(broken), encoding="utf-8")
    export = tmp_path / "export.geojson"
    export.write_text(_export([tiny_features()[1]]), encoding="utf-8")
    code, lines = run_import(export, tiny_dir, write=True)
    assert code == 0, lines
    gdf, problems = read_districts((tiny_dir / "districts.geojson").read_text(), "d")
    assert gdf is not None and len(gdf) == 6


def test_import_keeps_name_ar_when_the_export_has_none(tmp_path, tiny_dir):
    new = tiny_features()[1]
    del new["properties"]["name_ar"]
    new["properties"]["name"] = "Middle Renamed"
    export = tmp_path / "export.geojson"
    export.write_text(_export([new]), encoding="utf-8")
    code, lines = run_import(export, tiny_dir, write=True)
    assert code == 0 and any("name_ar kept" in ln for ln in lines), lines
    t2 = read_districts((tiny_dir / "districts.geojson").read_text(), "d")[0].set_index("id").loc["T2"]
    assert t2["name"] == "Middle Renamed" and t2["name_ar"] == "حي 2"


def test_import_blames_an_export_problem_on_the_export(tmp_path, tiny_dir):
    new = tiny_features()[1]
    new["properties"]["name"] = "West"  # the name of T1: a warning about the imported feature
    export = tmp_path / "export.geojson"
    export.write_text(_export([new]), encoding="utf-8")
    _, lines = run_import(export, tiny_dir, write=False)
    named = [ln for ln in lines if "also used by feature" in ln]
    assert named and all(ln.startswith(f"{export}: feature 0 (id T2)") for ln in named), lines


def test_import_reports_a_refused_save_in_one_line(tmp_path, tiny_dir):
    (tiny_dir / "districts.geojson.bak").mkdir()
    new = tiny_features()[1]
    new["properties"]["name"] = "Middle Renamed"
    export = tmp_path / "export.geojson"
    export.write_text(_export([new]), encoding="utf-8")
    code, lines = run_import(export, tiny_dir, write=True)
    assert code == 1 and lines[-1].startswith("error: districts.geojson was not saved: its backup")
    assert _no_temps(tiny_dir)


def test_data_digest_reads_settled_files_once_and_sees_every_change(tmp_path, monkeypatch):
    from geo import files

    data = tmp_path / "data"
    data.mkdir()
    (data / "events.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    old = 1_500_000_000
    reads = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or real(self))
    monkeypatch.setattr(files, "RACY_NS", 0)  # every file counts as settled at once
    first = files.data_digest(data)
    assert files.data_digest(data) == first and reads.count("events.csv") == 1  # settled: read once
    # an edit in place of the same size, its modification time put back, is still seen (ctime moves)
    (data / "events.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    os.utime(data / "events.csv", (old, old))
    assert files.data_digest(data) != first
    # with the real margin, a file written just now is read on every call until it settles
    monkeypatch.setattr(files, "RACY_NS", 3_000_000_000)
    (data / "events.csv").write_text("a,b\n1,4\n", encoding="utf-8")
    fresh = files.data_digest(data)
    (data / "events.csv").write_text("a,b\n1,5\n", encoding="utf-8")
    assert files.data_digest(data) != fresh
