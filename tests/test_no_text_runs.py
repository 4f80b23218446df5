"""No text is evaluated on the server: template syntax in every text field stays literal.

Every text the product takes (the settings, each data file's text columns and properties, the CLI's
flags) carries template syntax that would print a number, an ``IF-RAN`` or create a file if any
Jinja pass evaluated it, and a Wikipedia citation that would break the page if it were parsed.
Every output (each snapshot kind in each language, the comparison, the exports, the CLI's tables,
the text alternatives) must hold it literally.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import TINY_EVENTS, TINY_MAP, tiny_features, write_data

from geo import acled, datapackage, exports
from geo.compare import compare_csv
from geo.describe import about, alt_text, citation, text_file
from geo.load import load_dataset
from geo.timeline import timeline_for
from snapshot import render_compare_html, render_html

#: The product of 7007 and 11 (77077) appears only where a template ran.
EVALUATED = "77077"


def hostile_text(sentinel: Path) -> str:
    """Template syntax of every kind, a sandbox escape reaching the shell, and a wiki citation."""
    escape = "{{ cycler.__init__.__globals__.os.popen('touch " + str(sentinel) + "').read() }}"
    return "{{ 7007*11 }} {% if 1 %}IF-RAN{% endif %} {# hidden #} {{cite web |url=x}} " + escape


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def settings_text(t: str) -> str:
    """The bundled settings with every text (titles, credit, licence, side labels) hostile."""

    def both(_: re.Match) -> str:
        return "{ en = " + json.dumps(t) + ", ar = " + json.dumps(t) + " }"

    out = re.sub(
        r"^(title|subtitle|place|credit|licence) = .*$", lambda m: f"{m[1]} = " + both(m), TINY_MAP, flags=re.M
    )
    out = re.sub(r"^(label|in_text) = .*$", lambda m: f"{m[1]} = " + both(m), out, flags=re.M)
    return out


def overlay(kind: str, t: str) -> dict:
    props = {"id": f"{kind[0].upper()}1", "name": t, "name_ar": t, "note": t, "source": "alpha"}
    props |= {"geometry_source": t, "location_precision": t, "active_from": "2016-11-15", "active_to": "2016-12-22"}
    if kind == "route":
        props |= {"direction": t, "status": [{"from": "2016-11-15", "to": None, "status": "in use"}]}
        geometry = {"type": "LineString", "coordinates": [[37.135, 36.195], [37.155, 36.205]]}
    else:
        props |= {"kind": t if kind == "checkpoint" else "landmark", "operator": t}
        geometry = {"type": "Point", "coordinates": [37.145, 36.2]}
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": props, "geometry": geometry}]}


def hostile_folder(folder: Path, t: str) -> Path:
    feats = tiny_features()
    for f in feats:
        p = f["properties"]
        p.update(name=f"{p['name']} {t}", name_ar=f"{p['name_ar']} {t}", aliases=[t], geometry_source=t, extra=t)
    events = "event_id,date,district,controller,share,source,precision,place,claimant,note\n"
    for line in TINY_EVENTS.splitlines()[1:]:
        events += ",".join([*line.split(",")[:-1], csv_cell(t), csv_cell(t), csv_cell(t)]) + "\n"
    sources = (
        "key,title,publisher,date,url,stance\n"
        f"alpha,{csv_cell(t)},{csv_cell(t)},2016-12-01,https://example.org/a,{csv_cell(t)}\n"
        f"beta,{csv_cell(t)},{csv_cell(t)},,,{csv_cell(t)}\n"
    )
    write_data(folder, features=feats, events=events, sources=sources, settings=settings_text(t))
    for kind, file in (("route", "routes"), ("checkpoint", "checkpoints"), ("landmark", "landmarks")):
        (folder / f"{file}.geojson").write_text(json.dumps(overlay(kind, t)), encoding="utf-8")
    (folder / "evacuation.csv").write_text(
        "figure_id,date,source,reported_by,measure,value,value_high,basis,note\n"
        f"F1,2016-12-15,alpha,{csv_cell(t)},people_evacuated,100,,count,{csv_cell(t)}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("templates")
    sentinel = tmp / "evaluated"
    t = hostile_text(sentinel)
    ds = load_dataset(hostile_folder(tmp / "data", t))
    return ds, timeline_for(ds), t, sentinel


def readable(text: str) -> str:
    """An output as a reader (or a JSON parser) reads it: entities and \\u escapes decoded."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    return html.unescape(text)


def assert_literal(output: str, t: str, sentinel: Path, *, where: str) -> None:
    shown = readable(output)
    assert EVALUATED not in shown, f"{where}: a template ran"
    assert not re.search(r"(?<!%\})IF-RAN", shown), f"{where}: a template ran"
    assert not sentinel.exists(), f"{where}: the sandbox escape reached the shell"
    assert "{{ 7007*11 }}" in shown, f"{where}: the text is not shown as written"


def test_the_hostile_record_loads_with_every_text_field_set(hostile):
    ds, _, t, _ = hostile
    assert ds.settings.text("title") == t and ds.settings.side_label("government") == t
    assert (ds.events["note"] == t).all() and (ds.sources["title"] == t).all()
    assert ds.routes is not None and ds.checkpoints is not None and ds.landmarks is not None
    assert ds.evacuation is not None and (ds.evacuation["note"] == t).all()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("static", [False, True])
def test_snapshot_pages_hold_template_syntax_literally(hostile, lang, static):
    ds, tl, t, sentinel = hostile
    page = render_html(
        ds,
        tl,
        tl.days[10],
        title=t,
        byline=t,
        link="https://example.org/x",
        lang=lang,
        static=static,
        basemap="streets",
    )
    assert_literal(page, t, sentinel, where=f"snapshot {lang} static={static}")
    assert readable(page).count(t) >= 5  # the title, the byline, the credit, the sources, the payload's texts


def test_a_title_or_byline_alone_is_literal_in_the_page_heading(hostile):
    ds, tl, t, sentinel = hostile
    page = render_html(ds, tl, tl.days[3], title="{{ 7007*11 }}", byline="{% if 1 %}IF-RAN{% endif %}")
    assert "<h1>&#123;&#123; 7007*11 &#125;&#125;</h1>" in page
    assert '<p class="cm-byline">&#123;% if 1 %&#125;IF-RAN&#123;% endif %&#125;</p>' in page
    assert "<title>&#123;&#123; 7007*11 &#125;&#125;</title>" in page


def test_the_comparison_page_holds_template_syntax_literally(hostile):
    ds, tl, t, sentinel = hostile
    for lang in ("en", "ar"):
        page = render_compare_html(ds, tl, tl.days[3], tl.days[20], title=t, byline=t, lang=lang)
        assert_literal(page, t, sentinel, where=f"comparison {lang}")


def test_exports_hold_template_syntax_literally(hostile):
    ds, tl, t, sentinel = hostile
    day = tl.days[20]
    outputs = {
        "day csv": exports.day_csv(ds, tl, day),
        "day geojson": exports.day_geojson_text(ds, tl, day),
        "intervals csv": exports.intervals_csv(ds, tl),
        "acled csv": acled.acled_csv(ds, tl),
        "comparison csv": compare_csv(ds, tl, tl.days[3], day),
    }
    with zipfile.ZipFile(io.BytesIO(datapackage.package_zip(ds))) as z:
        outputs["data package"] = "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".csv", ".json"))
        )
    for name, text in outputs.items():
        assert_literal(text, t, sentinel, where=name)


def test_texts_for_readers_hold_template_syntax_literally(hostile):
    ds, tl, t, sentinel = hostile
    day = tl.days[20]
    cite = citation(t, day, "https://example.org/", ds.digest, day.date())
    texts = [alt_text(ds, tl, day), text_file(ds, tl, day, cite=cite), cite]
    texts += [json.dumps(about(ds, lang, tl=tl), ensure_ascii=False) for lang in ("en", "ar")]
    for k, text in enumerate(texts):
        assert_literal(text, t, sentinel, where=f"text {k}")


def test_the_command_lines_keep_template_syntax_literal(hostile, tmp_path, capsys):
    import snapshot
    from geo.cli import main as geo_main

    ds, tl, t, sentinel = hostile
    folder = hostile_folder(tmp_path / "data", t)
    out = tmp_path / "a.html"
    assert (
        snapshot.main(["--data", str(folder), "--date", "2016-12-01", "--html", str(out), "--title", t, "--byline", t])
        == 0
    )
    assert_literal(out.read_text(encoding="utf-8"), t, sentinel, where="snapshot.py --title")
    for argv in (
        ["control", "--date", "2016-12-01"],
        ["history", "T1"],
        ["control", "--date", "2016-12-01", "--format", "json"],
    ):
        assert geo_main([*argv, "--data", str(folder)]) == 0
        assert_literal(capsys.readouterr().out, t, sentinel, where=f"geo {argv[0]}")
