"""One-off import of the 109 Aleppo neighbourhoods from the OCHA/UNCS COD-AB layer.

Run once to create ``data/districts.geojson``; after that the file is edited by hand
(aliases, extra districts) and this script must not be re-run over it without ``--force``.

    python tools/import_ocha.py ../shared/sources/ocha_cod_ab_syr_neighborhoods_2016/syr_neighborhoods.geojson
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape
from shapely.geometry.polygon import orient

ALEPPO_ADM4 = "C1007"
GEOMETRY_SOURCE = "OCHA/UNCS COD-AB neighbourhoods 2016-09-05 (v02)"


def _round(coords, ndigits=6):
    if isinstance(coords[0], (int, float)):
        return [round(c, ndigits) for c in coords[:2]]
    return [_round(c, ndigits) for c in coords]


def _clean(text: str | None) -> str:
    """First non-empty line of a name (the source repeats some Arabic names on several lines)."""
    if not text:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def convert(src: dict) -> dict:
    features = []
    for f in src["features"]:
        p = f["properties"]
        if p.get("adm4_pcode") != ALEPPO_ADM4:
            continue
        geom = orient(shape(f["geometry"]), sign=1.0)  # RFC 7946: outer rings counter-clockwise
        aliases = [
            _clean(p.get(k))
            for k in (
                "neighborhoodrefname",
                "neighborhoodaltname1_en",
                "neighborhoodaltname2_en",
                "neighborhoodaltname1_ar",
                "neighborhoodaltname2_ar",
            )
        ]
        g = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": p["neighborhoodpcode"],
                    "name": _clean(p["neighborhoodname_en"]),
                    "name_ar": _clean(p["neighborhoodname_ar"]),
                    "aliases": [a for a in aliases if a],
                    "geometry_source": GEOMETRY_SOURCE,
                },
                "geometry": {"type": g["type"], "coordinates": _round(json.loads(json.dumps(g["coordinates"])))},
            }
        )
    features.sort(key=lambda f: f["properties"]["id"])
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("--out", type=Path, default=Path("data/districts.geojson"))
    ap.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = ap.parse_args(argv)
    if args.out.exists() and not args.force:
        print(f"{args.out} exists; it may hold hand edits. Use --force to overwrite.", file=sys.stderr)
        return 1
    fc = convert(json.loads(args.source.read_text(encoding="utf-8")))
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in fc["features"])
    args.out.write_text('{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n", encoding="utf-8")
    print(f"wrote {len(fc['features'])} districts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
