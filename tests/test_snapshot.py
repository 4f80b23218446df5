"""The snapshot page's content and the snapshot command line (no browser needed here)."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import DATA, TINY_EVENTS, TINY_SOURCES, tiny_features, write_data
from PIL import Image

import snapshot
from geo.load import load_dataset
from geo.timeline import timeline_for
from geo.vocabulary import states
from layers.encode import (
    COORD_SCALE,
    encode_points,
    encode_polygonal,
    encode_topology,
    pack,
    simplify_coverage,
    unpack,
)
from layers.payload import build_payload
from layers.style import iframe_snippet
from snapshot import render_html

EVIL = '<img src=x onerror="window.pwned=1">`${1}`\\</script><script>window.pwned=2</script>'


def _decode(ring: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(ring).reshape(-1, 2), axis=0) / COORD_SCALE


def _ints(value: str | list[int]) -> list[int]:
    """A payload's integer list, packed (``layers.encode.pack``) or not."""
    return unpack(value) if isinstance(value, str) else value


def _arcs(encoded: list) -> list[np.ndarray]:
    """The topology's arcs as integer points (each arc's start is relative to the previous start)."""
    out, start = [], np.zeros(2, dtype=np.int64)
    for a in encoded:
        pts = np.cumsum(np.asarray(_ints(a), dtype=np.int64).reshape(-1, 2), axis=0)
        pts[:, :] += start
        start = pts[0].copy()
        out.append(pts)
    return out


def _ring(arcs: list[np.ndarray], refs) -> np.ndarray:
    parts = [arcs[r] if r >= 0 else arcs[~r][::-1] for r in _ints(refs)]
    return np.vstack([parts[0], *[p[1:] for p in parts[1:]]])


def _shapes(data: dict) -> list:
    arcs = _arcs(data["arcs"])
    return [
        shapely.MultiPolygon(
            [shapely.Polygon(_ring(arcs, p[0]) / COORD_SCALE, [_ring(arcs, h) / COORD_SCALE for h in p[1:]]) for p in g]
        )
        for g in data["geom"]
    ]


def _loaded(folder: Path):
    ds = load_dataset(folder)
    return ds, timeline_for(ds)


@pytest.fixture
def tiny(tiny_dir):
    return _loaded(tiny_dir)


@pytest.fixture(scope="module")
def bundled():
    return _loaded(DATA)


class _Refs(HTMLParser):
    """Every tag's src/href and the tags that carry them."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "poster", "action"):
                self.refs.append((tag, name, value or ""))


def _state_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="cm-page-payload">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_page_has_no_external_resource(tiny):
    html = render_html(*tiny, "2016-11-22")
    parser = _Refs()
    parser.feed(html)
    # The only references are the source links (anchors); nothing is loaded from anywhere.
    assert parser.refs == [("a", "href", "https://example.org/a")]
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html.split("<script")[0])
    assert "<link" not in html and "https://unpkg" not in html and "cdn" not in html.lower()


def test_page_inlines_leaflet_and_shows_title_date_credit_sources(tiny):
    html = render_html(*tiny, "2016-12-13", title="My <title>")
    assert "Leaflet 1.9.3" in html and ".leaflet-container" in html
    assert "My &lt;title&gt;" in html and "My <title>" not in html
    assert "<title>My &lt;title&gt;</title>" in html
    assert "Boundaries: OCHA / UN Cartographic Section" in html
    assert "Alpha report</a> — Alpha, 2016-12-01" in html and "Beta report — Beta, 2016-12-02" in html
    data = _state_data(html)
    assert data["start"] == 28 and data["dayLabels"][28] == "13 December 2016"  # opens on the day asked for


def test_data_text_is_escaped_everywhere(tmp_path):
    feats = tiny_features()
    feats[0]["properties"]["name"] = EVIL
    sources = TINY_SOURCES.replace("Alpha report", '"<b>Alpha</b> `x` ${y}"')
    events = TINY_EVENTS.replace("a third", '"</script><script>alert(1)</script>"')
    ds, tl = _loaded(write_data(tmp_path / "d", features=feats, sources=sources, events=events))
    html = render_html(ds, tl, "2016-11-22", title=EVIL)
    assert "<img src=x" not in html and "<b>Alpha</b>" not in html
    # the page's own script elements (folium's switches, Leaflet, the runtime, the payload, the mount)
    assert html.count("</script>") == 5
    data = _state_data(html)  # the embedded JSON still holds the exact text
    assert data["districts"][0][1] == EVIL


def test_day_table_reproduces_the_timeline(bundled):
    ds, tl = bundled
    data = build_payload(ds, tl)
    grid = np.array(unpack(data["first"]))
    for i, day in enumerate(tl.days):
        if i:
            ch = np.asarray(unpack(data["changes"][i - 1]), dtype=int).reshape(-1, 2)
            grid[ch[:, 0]] = ch[:, 1]
        codes = [data["codes"][data["states"][g][0]] if g >= 0 else "unknown" for g in grid]
        assert codes == states(tl.control_on(day)).tolist(), day
    assert [d[0] for d in data["districts"]] == list(tl.district_ids)
    assert len(data["geom"]) == len(ds.districts)  # geometry once, not once per day
    assert len(unpack(data["front"])) == len(tl.days)


def test_simplified_districts_keep_every_shared_edge(bundled):
    ds, tl = bundled
    data = build_payload(ds, tl, days=tl.days[:1])
    polys = _shapes(data)
    orig = ds.districts.set_index("id").loc[[d[0] for d in data["districts"]]].geometry.to_numpy()
    tree = shapely.STRtree(orig)
    left, right = tree.query(orig, predicate="touches")
    pairs = [
        (a, b)
        for a, b in zip(left, right, strict=True)
        if a < b and shapely.length(shapely.intersection(orig[a], orig[b])) > 0
    ]
    assert pairs
    # neighbours that shared an edge still share one: no gap opened by rounding or simplifying
    assert all(shapely.distance(polys[a], polys[b]) == 0 for a, b in pairs)
    coords = sum(len(unpack(a)) // 2 for a in data["arcs"])
    assert coords < 0.8 * shapely.get_num_coordinates(orig).sum()  # shared boundaries stored once
    # every district is its simplified outline, rounded: nothing moved but by rounding
    simplified = simplify_coverage(orig)
    assert all(shapely.hausdorff_distance(polys[k], simplified[k]) < 1e-5 for k in range(len(polys)))


def test_topology_rebuilds_every_ring_exactly_and_shares_boundaries():
    left = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    right = shapely.Polygon([(1, 0), (2, 0), (2, 1), (1, 1)])
    frame = shapely.Polygon([(-1, -1), (4, -1), (4, 3), (-1, 3)], [[(2.5, 0.5), (3.5, 0.5), (3.5, 1.5), (2.5, 1.5)]])
    island = shapely.Polygon([(2.5, 0.5), (3.5, 0.5), (3.5, 1.5), (2.5, 1.5)])
    lonely = shapely.MultiPolygon([shapely.box(10, 10, 11, 11), shapely.box(12, 10, 13, 11)])
    shapes = [left, right, frame, island, lonely]
    topo = encode_topology(shapes)
    data = {"arcs": topo.encoded_arcs(), "geom": topo.shapes}
    for got, want in zip(_shapes(data), shapes, strict=True):
        assert shapely.equals_exact(
            shapely.normalize(got), shapely.normalize(shapely.MultiPolygon(list(shapely.get_parts(want)))), tolerance=0
        )
    (edge,) = topo.shared[(0, 1)]  # the common side, stored once
    assert len(_arcs(data["arcs"])[edge]) == 2
    assert topo.shared[(2, 3)]  # the island and the hole it fills are one closed arc
    refs = [r for p in topo.shapes[0] + topo.shapes[1] for ring in p for r in ring]
    assert edge in refs and ~edge in refs  # one neighbour walks it forwards, the other backwards
    assert len(data["arcs"]) == 7  # the rest of left and of right, their side, frame, hole (island), two boxes


def test_packed_integers_read_back_exactly_and_are_shorter_than_json():
    values = [0, -1, 1, 15, 16, -16, -17, 31, 32, 1023, -1024, 3712568, -3712568, 2**40, -(2**40)]
    assert unpack(pack(values)) == values
    assert unpack(pack([])) == [] and pack([0, -1, 1]) == "ABC"  # one digit each for -16..15
    assert set(pack(values)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    deltas = [78, -114, 5, -15, 20, -130, 365, 33, 14, -104]  # a ring's steps
    assert len(pack(deltas)) < len(json.dumps(deltas, separators=(",", ":"))) / 2


def test_points_keep_their_order_and_repeats():
    pts = [(37.1, 36.2), (37.1, 36.2), (37.12345, 36.19999)]
    enc = encode_points(pts)
    assert enc == [3710000, 3620000, 0, 0, 2345, -1]
    assert np.allclose(_decode(unpack(pack(enc))), np.round(np.array(pts), 5), rtol=0, atol=1e-9)
    assert encode_points([]) == []


def test_encoding_rounds_to_five_decimals():
    poly = shapely.Polygon([(37.1234567, 36.2), (37.13, 36.2), (37.13, 36.21), (37.1234567, 36.2)])
    ((ring,),) = encode_polygonal(poly)
    assert ring[:2] == [3712346, 3620000] and len(ring) == 6


def test_static_page_carries_one_day(tiny):
    html = render_html(*tiny, "2016-11-22", static=True)
    data = _state_data(html)
    assert data["days"] == ["2016-11-22"] and data["changes"] == []
    assert 'document.body.classList.add("cm-static")' in html


def test_arabic_page_is_right_to_left(tiny):
    html = render_html(*tiny, "2016-11-22", lang="ar")
    assert '<div id="cm-page" class="cm-page" dir="rtl">' in html and 'document.documentElement.dir = "rtl"' in html
    assert "الحكومة وحلفاؤها" in html and "المصادر" in html and "22 تشرين الثاني 2016" in html
    assert _state_data(html)["districts"][0][2] == "حي 1"


def test_bad_options_are_refused(tiny):
    with pytest.raises(ValueError, match="lang"):
        render_html(*tiny, "2016-11-22", lang="fr")
    with pytest.raises(ValueError, match="outside the record"):
        render_html(*tiny, "2017-03-01")


def test_iframe_snippet_escapes_and_fits():
    snip = iframe_snippet('a"b.html', title="<x>")
    assert 'src="a&quot;b.html"' in snip and "&lt;x&gt;" in snip and 'width="100%"' in snip


def test_cli_bad_date_and_bad_data_are_clear(tiny_dir, tmp_path, capsys):
    assert snapshot.main(["--data", str(tiny_dir), "--date", "2016-13-01", "--html", str(tmp_path / "a.html")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert snapshot.main(["--data", str(tiny_dir), "--date", "2017-06-01", "--html", str(tmp_path / "a.html")]) == 2
    assert "outside the record" in capsys.readouterr().err
    bad = write_data(tmp_path / "bad", events=TINY_EVENTS.replace("T5,sdf", "T9,sdf"))
    assert snapshot.main(["--data", str(bad), "--html", str(tmp_path / "b.html")]) == 1
    err = capsys.readouterr().err
    assert "unknown district 'T9'" in err and "Traceback" not in err
    assert not (tmp_path / "b.html").exists()


def test_cli_writes_html(tiny_dir, tmp_path):
    out = tmp_path / "a.html"
    assert snapshot.main(["--data", str(tiny_dir), "--date", "2016-12-13", "--html", str(out)]) == 0
    assert "13 December 2016" in out.read_text(encoding="utf-8")


def test_missing_chromium_is_a_clear_error(tiny_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(snapshot, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(snapshot.SnapshotError, match="apt-get install chromium"):
        snapshot.render_png("<html></html>", tmp_path / "a.png", width=100, height=100, scale=1)
    code = snapshot.main(["--data", str(tiny_dir), "--png", str(tmp_path / "a.png")])
    assert code == 3 and "apt-get install chromium" in capsys.readouterr().err
    assert not (tmp_path / "a.png").exists()


def test_write_gif_keeps_one_frame_per_picture(tmp_path):
    pngs = []
    for shade in (0, 80, 160, 240):
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), (shade, 100, 50)).save(buf, "PNG")
        pngs.append(buf.getvalue())
    snapshot.write_gif(pngs, tmp_path / "a.gif")
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (40, 30)
    snapshot.write_gif(pngs, tmp_path / "b.gif", size=(20, 15))
    with Image.open(tmp_path / "b.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (20, 15)


def test_claims_keep_the_party_a_source_quotes(bundled):
    ds, tl = bundled
    data = build_payload(ds, tl)
    quoted = set(ds.events.loc[ds.events["claimant"].ne(""), "claimant"])
    shown = {c[6] for c in data["claims"] if len(c) > 6 and c[6]}
    assert quoted and shown == quoted  # e.g. Churkin, SOHR, the Russian Ministry of Defence
