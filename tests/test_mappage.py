"""The app's map page built ahead of the first visit (``python -m mappage``), and found again."""

from __future__ import annotations

import json

import pytest

import mappage
from geo.files import data_digest


@pytest.fixture
def static(tmp_path, monkeypatch):
    folder = tmp_path / "static"
    monkeypatch.setattr(mappage, "STATIC", folder)
    return folder


def test_the_page_is_built_once_and_found_again(tiny_dir, static, capsys):
    digest = data_digest(tiny_dir)
    assert mappage.cached_page(digest, "none") is None
    # the app's own arguments are accepted as they are; only --data matters
    assert mappage.main(["--data", str(tiny_dir), "--enable-editing"]) == 0
    assert "built static/cache/map-" in capsys.readouterr().out
    page = mappage.cached_page(digest, "none")
    assert page and (static / "cache" / page["file"]).is_file()
    html = (static / "cache" / page["file"]).read_text(encoding="utf-8")
    assert "window.ControlMap.mount(" in html and page["first"] == "2016-11-15"
    assert mappage.main(["--data", str(tiny_dir)]) == 0
    assert "already built" in capsys.readouterr().out
    assert len(list((static / "cache").glob("map-*.html"))) == 1
    # other data is another page
    (tiny_dir / "events.csv").write_text(
        (tiny_dir / "events.csv").read_text(encoding="utf-8").replace("T2,", "T3,", 1), encoding="utf-8"
    )
    assert mappage.cached_page(data_digest(tiny_dir), "none") is None


def test_data_with_errors_builds_nothing_and_says_why(tiny_dir, static, capsys):
    (tiny_dir / "districts.geojson").write_text("{ not json", encoding="utf-8")
    assert mappage.main(["--data", str(tiny_dir)]) == 1
    err = capsys.readouterr().err
    assert "has errors" in err and "Traceback" not in err
    assert not list(static.rglob("page-*.json"))
    assert mappage.main(["--data", str(tiny_dir / "missing")]) == 1
    assert "no data folder" in capsys.readouterr().err


def test_a_page_whose_file_is_gone_is_not_found(tiny_dir, static):
    assert mappage.main(["--data", str(tiny_dir)]) == 0
    digest = data_digest(tiny_dir)
    page = mappage.cached_page(digest, "none")
    (static / "cache" / page["file"]).unlink()
    assert mappage.cached_page(digest, "none") is None
    mappage.page_index(digest, "none").write_text(json.dumps({"file": 3}), encoding="utf-8")
    assert mappage.cached_page(digest, "none") is None
