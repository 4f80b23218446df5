"""guard: the operator's settings and what a client sends, each checked before it is used."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import guard

REPO = Path(__file__).resolve().parents[1]

FIRST, LAST = dt.date(2016, 11, 15), dt.date(2016, 12, 22)

# ---------------------------------------------------------------- the operator's settings

GOOD_URLS = [
    "https://maps.example.org/control-map/",
    "http://localhost:8501/",
    "https://maps.example.org/app?lang=ar",
    "https://xn--mgbh0fb.example/",
]
BAD_URLS = [
    ("javascript:alert(1)", "not an http(s) address"),
    ("ftp://maps.example.org/", "not an http(s) address"),
    ("https://maps.example.org/a b", "not an http(s) address"),
    ('https://maps.example.org/"onload="x', "not an http(s) address"),
    ("https://maps.example.org/<script>", "not an http(s) address"),
    ("https://maps.example.org/\x00", "not an http(s) address"),
    ("https://", "names no host"),
    ("https://trusted.example@evil.example/", "carries a user name or password"),
    ("https://maps.example.org/#top", "has a #fragment"),
    ("https://maps.example.org/" + "a" * 300, "characters long (at most 300)"),
]


@pytest.mark.parametrize("url", GOOD_URLS)
def test_a_good_public_address_is_used(url):
    settings, problems = guard.operator_settings(["--public-url", url], {})
    assert settings.public_url == url and problems == []


@pytest.mark.parametrize(("url", "why"), BAD_URLS)
def test_a_bad_public_address_is_refused_with_a_reason(url, why):
    settings, problems = guard.operator_settings([], {guard.PUBLIC_URL_ENV: url})
    assert settings.public_url == ""
    (problem,) = problems
    assert why in problem.message and problem.field == guard.PUBLIC_URL_ENV and problem.file == "environment"
    assert problem.hint.startswith("give the address readers open the app at")


def test_the_command_line_wins_over_the_environment_and_no_address_is_none():
    env = {guard.PUBLIC_URL_ENV: "https://env.example/", guard.BROWSER_WORK_ENV: "everyone"}
    settings, _ = guard.operator_settings(["--public-url", "https://cli.example/", "--browser-work", "none"], env)
    assert settings == guard.Operator(public_url="https://cli.example/", browser_work="none", editing=False)
    assert guard.operator_settings(["--data", "x"], {})[0] == guard.Operator()


@pytest.mark.parametrize(
    ("argv", "env", "allowed"),
    [
        ([], {}, False),
        (["--browser-work", "everyone"], {}, True),
        (["--browser-work", "editors"], {}, False),
        (["--browser-work", "editors", "--enable-editing"], {}, True),
        ([], {guard.BROWSER_WORK_ENV: "Editors", "MAP_EDITING": "1"}, True),
        (["--browser-work", "none", "--enable-editing"], {}, False),
    ],
)
def test_who_may_have_pngs_made(argv, env, allowed):
    settings, problems = guard.operator_settings(argv, env)
    assert settings.browser_allowed is allowed and problems == []


def test_a_bad_browser_work_choice_runs_no_browser():
    settings, problems = guard.operator_settings(["--browser-work", "all"], {})
    assert settings.browser_work == "none" and not settings.browser_allowed
    (problem,) = problems
    assert problem.field == "--browser-work" and "'all' is not a choice" in problem.message
    assert "none, editors, everyone" in problem.hint


def test_an_abbreviated_option_is_not_taken_for_the_app_s():
    assert guard.operator_settings(["--public", "https://x.example/"], {})[0].public_url == ""


@pytest.mark.parametrize(
    ("argv", "env", "options"),
    [
        ([], {}, []),
        (["--data", "d"], {"MAP_EDITING": "0"}, []),
        (["--enable-editing"], {}, ["--server.maxUploadSize", "25"]),
        (["--data", "d"], {"MAP_EDITING": "yes"}, ["--server.maxUploadSize", "25"]),
    ],
)
def test_uploads_only_when_editing_is_on(argv, env, options):
    assert guard.streamlit_options(argv, env) == options


@pytest.mark.parametrize(
    ("editing", "upload_mb", "said"),
    [
        (False, 0, None),
        (True, 25, None),
        (True, 10, None),
        (False, 200, "uploads of up to 200 MB are taken though editing is off"),
        (True, 0, "editing is on but every upload is refused"),
        (True, 200, "uploads of up to 200 MB are taken."),
    ],
)
def test_the_upload_limit_is_checked_against_editing(editing, upload_mb, said):
    problems = guard.upload_problems(editing, upload_mb)
    assert [said in p.message and p.field == "server.maxUploadSize" for p in problems] == ([True] if said else [])


def test_streamlit_options_on_the_command_line(capsys):
    assert guard.main(["streamlit-options", "--enable-editing"]) == 0
    assert capsys.readouterr().out.split() == ["--server.maxUploadSize", "25"]
    assert guard.main(["something"]) == 2


# ---------------------------------------------------------------- what a client sends

GOOD_TEXTS = [
    "",
    "Who held what, 20 November",
    "x" * guard.TITLE_MAX,
    "خريطة: قسم \u200cالبيانات\u200f",  # ZWNJ and RLM: Arabic and Persian text needs them
    "Map: A. Writer / Desk — “quoted” & <tagged>",  # HTML and Markdown characters are escaped where they land
]
BAD_TEXTS = [
    ("x" * (guard.TITLE_MAX + 1), "is 121 characters long; at most 120."),
    ("Two\nlines", "control character (U+000A) at character 4."),
    ("Tab\there", "control character (U+0009) at character 4."),
    ("nul\x00", "control character (U+0000) at character 4."),
    ("esc\x1b[31m", "control character (U+001B) at character 4."),
    ("line\u2028sep", "control character (U+2028) at character 5."),
    ("para\u2029sep", "control character (U+2029) at character 5."),
    ("Desk \u202eevil", "control character (U+202E) at character 6."),
    ("\u2066isolate", "control character (U+2066) at character 1."),
    ("lone \ud800", "control character (U+D800) at character 6."),
]


@pytest.mark.parametrize("text", GOOD_TEXTS)
def test_a_good_line_of_text_is_kept_as_typed(text):
    assert guard.client_text(text, form="f", field="Title", max_chars=guard.TITLE_MAX) == (text, None)


@pytest.mark.parametrize(("text", "said"), BAD_TEXTS)
def test_a_bad_line_of_text_is_refused_with_a_reason(text, said):
    kept, problem = guard.client_text(text, form="Share", field="Title", max_chars=guard.TITLE_MAX)
    assert kept == "" and problem is not None
    assert problem.message.endswith(said) and problem.file == "Share" and problem.field == "Title" and problem.hint


GOOD_REPORTS = [({"day": "2016-11-15"}, FIRST), ({"day": "2016-12-22", "other": 1}, LAST)]
BAD_REPORTS = [
    None,
    "2016-11-20",
    ["2016-11-20"],
    {},
    {"day": None},
    {"day": 20161120},
    {"day": ["2016-11-20"]},
    {"day": "2016-11-20T00:00"},
    {"day": " 2016-11-20"},
    {"day": "2016-11-14"},
    {"day": "2016-12-23"},
    {"day": "2016-02-30"},
    {"day": "２０１６-11-20"},  # full-width digits: fromisoformat's digits, not the shape asked for
    {"day": "2016-11-20" * 100_000},
]


@pytest.mark.parametrize(("state", "day"), GOOD_REPORTS)
def test_a_reported_day_of_the_record_is_taken(state, day):
    assert guard.reported_day(state, FIRST, LAST) == day


@pytest.mark.parametrize("state", BAD_REPORTS, ids=lambda s: repr(s)[:40])
def test_anything_else_the_map_reports_is_ignored(state):
    assert guard.reported_day(state, FIRST, LAST) is None


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("2016-12-01", "2016-12-01"),
        ("x" * 41, "x" * 39 + "…"),
        ("a\nb\x1bc\u202ed", "a\ufffdb\ufffdc\ufffdd"),
        ("two words", "two words"),
    ],
)
def test_a_client_s_text_is_quoted_short_and_visible(value, quoted):
    assert guard.shown(value) == quoted


@pytest.mark.parametrize(
    ("args", "env", "upload"),
    [
        (["--data", "nowhere"], {}, []),
        (["--data", "nowhere", "--enable-editing"], {}, ["--server.maxUploadSize", "25"]),
        (["--data", "nowhere"], {"MAP_EDITING": "1"}, ["--server.maxUploadSize", "25"]),
    ],
)
def test_run_app_takes_uploads_only_when_editing_is_on(tmp_path, args, env, upload):
    """scripts/run-app.sh passes the upload limit for the edit page before the operator's options."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "run-app.sh", tmp_path / "scripts" / "run-app.sh")
    (tmp_path / "requirements.txt").write_text("")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    for name, body in (
        ("python", f'exec "{sys.executable}" "$@"'),
        ("pip", "exit 0"),
        ("streamlit", 'printf "%s\\n" "$@"'),
    ):
        (venv / name).write_text(f"#!/bin/sh\n{body}\n")
        (venv / name).chmod(0o755)
    environ = {**os.environ, "PYTHONPATH": str(REPO), "MAP_EDITING": "", **env}
    res = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "run-app.sh"), "--server.port", "8599", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environ,
    )
    assert res.returncode == 0, res.stderr
    expected = ["run", "app.py", "--server.headless", "true", *upload, "--server.port", "8599", "--", *args]
    assert res.stdout.splitlines() == expected
