"""The command-line contract other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, TINY_EVENTS, write_data


def run(*args):
    return subprocess.run([sys.executable, "-m", "geo", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_control_json_lists_every_district(tiny_dir):
    res = run("control", "--date", "2016-11-21", "--data", str(tiny_dir), "--format", "json")
    assert res.returncode == 0, res.stderr
    records = {r["id"]: r for r in json.loads(res.stdout)}
    assert set(records) == {f"T{i}" for i in range(1, 7)}
    t2 = records["T2"]
    assert {k: t2[k] for k in ("state", "share", "holder", "rest", "since", "sources")} == {
        "state": "split",
        "share": 0.33,
        "holder": "government",
        "rest": "opposition",
        "since": "2016-11-20",
        "sources": ["alpha"],
    }
    assert "controller" not in t2 and "contested" not in res.stdout  # one vocabulary: split, disputed
    assert records["T2"]["name_ar"] == "حي 2" and records["T2"]["aliases"] == ["Alias 2"]
    assert records["T6"]["state"] == "unknown" and records["T6"]["since"] is None


def test_control_csv_and_table(tiny_dir):
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir), "--format", "csv")
    lines = res.stdout.splitlines()
    assert lines[0].startswith("id,name,name_ar,aliases,state,share,holder,rest,basis") and len(lines) == 7
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir))
    assert "North East" in res.stdout and "unknown" in res.stdout


def test_bad_and_out_of_range_dates_exit_non_zero(tiny_dir):
    for date, fragment in (
        ("2016-13-01", "not a date"),
        ("2016-11-14", "outside the record"),
        ("yesterday", "not a date"),
    ):
        res = run("control", "--date", date, "--data", str(tiny_dir))
        assert res.returncode == 2 and fragment in res.stderr and "Traceback" not in res.stderr


def test_areas_and_changes(tiny_dir):
    res = run("areas", "--date", "2016-11-25", "--data", str(tiny_dir), "--format", "json")
    km2 = {r["state"]: r["km2"] for r in json.loads(res.stdout)["areas"]}
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
    out = json.loads(res.stdout, parse_constant=lambda c: pytest.fail(c))
    rows = {r["state"]: r for r in out["areas"]}
    assert out["date"] == "2016-11-15" and out["disputed"] == []
    assert rows["opposition"]["of_opposition_at_start"] == 100.0
    assert rows["government"]["of_opposition_at_start"] == 0.0  # nothing gained yet
    assert rows["unknown"]["of_opposition_at_start"] is None


def test_areas_table_prints_the_range_and_the_disputed_band(tiny_dir):
    res = run("areas", "--date", "2016-12-01", "--data", str(tiny_dir))
    assert res.returncode == 0, res.stderr
    assert "sourced only" in res.stdout and "with inferred" in res.stdout
    band = [ln for ln in res.stdout.splitlines() if ln.strip().startswith(("0.", "1."))]
    assert len(band) == 1 and "T3" in band[0] and "government per alpha" in band[0] and "opposition per beta" in band[0]
    # T5's start row is inferred and T5 is named by beta on 28 Nov: the range differs for the SDF only
    sdf = next(ln for ln in res.stdout.splitlines() if ln.split()[:1] == ["sdf"])
    assert "…" not in sdf


def test_control_has_the_basis_column(tiny_dir):
    res = run("control", "--date", "2016-11-15", "--data", str(tiny_dir), "--format", "json")
    basis = {r["id"]: r["basis"] for r in json.loads(res.stdout)}
    assert basis == {"T1": "sourced", "T2": "sourced", "T3": "sourced", "T4": "sourced", "T5": "inferred", "T6": None}


def test_history_matches_spellings_and_groups_and_suggests_on_a_miss(tiny_dir):
    res = run("history", "north-middle", "--data", str(tiny_dir), "--format", "json")
    assert res.returncode == 0 and json.loads(res.stdout)["id"] == "T5"
    res = run("history", "Nurth Midle", "--data", str(tiny_dir))
    assert res.returncode == 0 and "T5 North Middle" in res.stdout and "read as 'North Middle'" in res.stdout
    res = run("history", "North", "--data", str(tiny_dir))  # three districts are as close: ask
    assert res.returncode == 2 and "did you mean North" in res.stderr
    assert all(
        f"{name} ({did})" in res.stderr
        for name, did in (("North East", "T6"), ("North Middle", "T5"), ("North West", "T4"))
    )


def test_control_names_the_state_in_the_shared_vocabulary(tiny_dir):
    def states(day):
        res = run("control", "--date", day, "--data", str(tiny_dir), "--format", "json")
        return {r["id"]: r["state"] for r in json.loads(res.stdout)}

    assert states("2016-11-21") == {
        "T1": "government",
        "T2": "split",
        "T3": "opposition",
        "T4": "sdf",
        "T5": "opposition",
        "T6": "unknown",
    }
    assert states("2016-12-01")["T3"] == "disputed"


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
    cmd = (
        [sys.executable, "-m", "geo.validate", str(tiny_dir)]
        if args == ["validate"]
        else [sys.executable, "-m", "geo", *args, "--data", str(tiny_dir)]
    )
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
    res = subprocess.run(
        [
            "bash",
            str(tmp_path / "scripts" / "run-app.sh"),
            "--server.port",
            "8599",
            "--data",
            "my data",
            "--theme.base=dark",
            "--enable-editing",
            "--data=a.b",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        "8599",
        "--theme.base=dark",
        "--",
        "--data",
        "my data",
        "--enable-editing",
        "--data=a.b",
    ]
    res = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "run-app.sh"), "--server.port"], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 2 and "--server.port needs a value" in res.stderr


def test_a_record_that_names_no_side_gets_a_clear_answer(tmp_path):
    """A record whose every claim is 'contested' (and no map.toml to declare sides) has no side to
    show as holding anything: each command says so, naming the file and field, with no traceback."""
    events = "\n".join(
        ln if i == 0 else ",".join([*ln.split(",")[:3], "contested", "", *ln.split(",")[5:]])
        for i, ln in enumerate(TINY_EVENTS.strip().splitlines())
        if i == 0 or ln.split(",")[0] in {"E1", "E2", "E3", "E4", "E5"}
    )
    folder = write_data(tmp_path / "data", events=events + "\n", settings=None)
    for cmd in (["areas", "--date", "2016-11-15"], ["control", "--date", "2016-11-15"]):
        res = run(*cmd, "--data", str(folder))
        assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
        assert "events.csv, field 'controller': error: no row names a side" in res.stderr, res.stderr


def test_the_cli_s_csv_starts_no_spreadsheet_formula(tmp_path, capsys):
    from conftest import TINY_EVENTS, write_data

    from geo.cli import main

    events = TINY_EVENTS.replace(
        "E1,2016-11-15,T1,government,,alpha,day,start", 'E1,2016-11-15,T1,government,,alpha,day,"=1+1"'
    )
    folder = write_data(tmp_path / "data", events=events)
    assert main(["history", "T1", "--data", str(folder), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'=1+1" in out and ",=1+1" not in out
