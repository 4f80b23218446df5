"""The command-line contract other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_control_json_lists_every_district(tiny_dir):
    res = run("control", "--date", "2016-11-21", "--data", str(tiny_dir), "--format", "json")
    assert res.returncode == 0, res.stderr
    records = {r["id"]: r for r in json.loads(res.stdout)}
    assert set(records) == {f"T{i}" for i in range(1, 7)}
    t2 = records["T2"]
    assert {k: t2[k] for k in ("controller", "share", "holder", "rest", "since", "sources")} == {
        "controller": "contested", "share": 0.33, "holder": "government", "rest": "opposition",
        "since": "2016-11-20", "sources": ["alpha"]}
    assert records["T2"]["name_ar"] == "حي 2" and records["T2"]["aliases"] == ["Alias 2"]
    assert records["T6"]["controller"] == "unknown" and records["T6"]["since"] is None


def test_control_csv_and_table(tiny_dir):
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir), "--format", "csv")
    lines = res.stdout.splitlines()
    assert lines[0].startswith("id,name,name_ar,aliases,controller,share") and len(lines) == 7
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir))
    assert "North East" in res.stdout and "unknown" in res.stdout


def test_bad_and_out_of_range_dates_exit_non_zero(tiny_dir):
    for date, fragment in (("2016-13-01", "not a date"), ("2016-11-14", "outside the record"),
                           ("yesterday", "not a date")):
        res = run("control", "--date", date, "--data", str(tiny_dir))
        assert res.returncode == 2 and fragment in res.stderr and "Traceback" not in res.stderr


def test_areas_and_changes(tiny_dir):
    res = run("areas", "--date", "2016-11-25", "--data", str(tiny_dir), "--format", "json")
    km2 = {r["controller"]: r["km2"] for r in json.loads(res.stdout)}
    assert km2["government"] > 1.9 and km2["sdf"] > 0.9
    res = run("changes", "--from", "2016-11-15", "--to", "2016-11-29", "--data", str(tiny_dir), "--format", "csv")
    assert res.returncode == 0
    assert [ln.split(",")[0] for ln in res.stdout.splitlines()[1:]] == ["T2", "T5"]


def test_history_by_alias_and_unknown_name(tiny_dir):
    res = run("history", "alias 2", "--data", str(tiny_dir), "--format", "json")
    hist = json.loads(res.stdout)
    assert hist["id"] == "T2" and [h["event_id"] for h in hist["history"]] == ["E2", "E6", "E7"]
    res = run("history", "Atlantis", "--data", str(tiny_dir))
    assert res.returncode == 2 and "no district has" in res.stderr


def test_broken_data_is_reported_not_a_traceback(tmp_path, tiny_dir):
    (tiny_dir / "districts.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir))
    assert res.returncode == 1 and "JSON syntax error at line 1" in res.stderr and "Traceback" not in res.stderr


def test_areas_json_is_strict_json_with_the_start_yardstick(tiny_dir):
    res = run("areas", "--date", "2016-11-15", "--data", str(tiny_dir), "--format", "json")
    rows = {r["controller"]: r for r in json.loads(res.stdout, parse_constant=lambda c: pytest.fail(c))}
    assert rows["opposition"]["of_opposition_at_start"] == 100.0
    assert rows["government"]["of_opposition_at_start"] is None


def test_impossible_day_is_named(tiny_dir):
    res = run("control", "--date", "2016-02-30", "--data", str(tiny_dir))
    assert res.returncode == 2 and "error: --date 2016-02-30 is not a day: February 2016 has 29 days." in res.stderr


def test_changes_refuses_a_reversed_range(tiny_dir):
    res = run("changes", "--from", "2016-11-29", "--to", "2016-11-15", "--data", str(tiny_dir))
    assert res.returncode == 2 and res.stdout == ""
    assert "--from 2016-11-29 is later than --to 2016-11-15" in res.stderr


@pytest.mark.parametrize("args", [["control", "--date", "2016-12-01", "--format", "json"], ["validate"]])
def test_closed_pipe_ends_quietly(tiny_dir, args):
    """``python -m geo control ... | head``: the reader goes away; no traceback, the SIGPIPE status."""
    cmd = [sys.executable, "-m", "geo.validate", str(tiny_dir)] if args == ["validate"] else [
        sys.executable, "-m", "geo", *args, "--data", str(tiny_dir)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the first line is written
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_run_app_script_passes_streamlit_options_through(tmp_path):
    """scripts/run-app.sh: options with a dot go to Streamlit, the rest to the app (after --)."""
    import shutil

    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "run-app.sh", tmp_path / "scripts" / "run-app.sh")
    (tmp_path / "requirements.txt").write_text("")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    for name, body in (("python", "exit 0"), ("pip", "exit 0"), ("streamlit", 'printf "%s\\n" "$@"')):
        (venv / name).write_text(f"#!/bin/sh\n{body}\n")
        (venv / name).chmod(0o755)
    res = subprocess.run(["bash", str(tmp_path / "scripts" / "run-app.sh"), "--server.port", "8599", "--data",
                          "my data", "--theme.base=dark", "--enable-editing", "--data=a.b"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["run", "app.py", "--server.headless", "true", "--server.port", "8599",
                                       "--theme.base=dark", "--", "--data", "my data", "--enable-editing",
                                       "--data=a.b"]
    res = subprocess.run(["bash", str(tmp_path / "scripts" / "run-app.sh"), "--server.port"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "--server.port needs a value" in res.stderr
