"""``python -m geo import NEW.geojson``: merge new or changed districts into districts.geojson."""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import shape

from geo.constants import DISTRICTS_FILE
from geo.districts import read_districts
from geo.geojson_check import POLYGONAL, check_collection
from geo.problems import Problem, has_errors
from geo.store import atomic_write, read_versioned

PROPERTY_ORDER = ("id", "name", "name_ar", "aliases", "geometry_source")


def dump_features(features: list[dict]) -> str:
    """The project's file layout: a FeatureCollection with one feature per line, UTF-8."""
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return '{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n"


def _clean_props(props: dict) -> dict:
    out = {k: props[k] for k in PROPERTY_ORDER if k in props}
    out["id"] = str(out["id"]).strip()
    aliases = out.get("aliases") or []
    out["aliases"] = [a.strip() for a in aliases.split(";")] if isinstance(aliases, str) else list(aliases)
    return out | {k: v for k, v in props.items() if k not in PROPERTY_ORDER}


def _describe(old: dict, new: dict) -> str:
    fields = [k for k in sorted(set(old["properties"]) | set(new["properties"]))
              if old["properties"].get(k) != new["properties"].get(k)]
    a0, a1 = shape(old["geometry"]).area, shape(new["geometry"]).area
    if old["geometry"] != new["geometry"]:
        fields.append(f"geometry (area {(a1 - a0) / a0:+.1%})" if a0 else "geometry")
    return ", ".join(fields) or "nothing"


def plan_import(current_text: str, new_text: str, new_file: str, current_file: str
                ) -> tuple[str | None, list[str], list[Problem]]:
    """Merge ``new_text`` into ``current_text``; return (merged text or None, change lines, problems)."""
    new_feats, _ = check_collection(new_text, new_file, kinds=POLYGONAL)  # the normalised features
    _, problems = read_districts(new_text, new_file)  # the same checks, plus properties and topology
    if new_feats is None or has_errors(problems):
        return None, [], problems
    current = json.loads(current_text.lstrip("\ufeff"))["features"]
    index = {str(f["properties"]["id"]): i for i, f in enumerate(current)}
    merged, changes = list(current), []
    for feat in new_feats:
        clean = {"type": "Feature", "properties": _clean_props(feat["properties"]), "geometry": feat["geometry"]}
        fid = clean["properties"]["id"]
        if fid in index:
            old = merged[index[fid]]
            keep = [a for a in old["properties"].get("aliases", []) if a not in clean["properties"]["aliases"]]
            clean["properties"]["aliases"] = [*clean["properties"]["aliases"], *keep]
            what = _describe(old, clean)
            if what != "nothing":
                changes.append(f"change {fid} ({clean['properties']['name']}): {what}")
                merged[index[fid]] = clean
        else:
            changes.append(f"add {fid} ({clean['properties']['name']})")
            index[fid] = len(merged)
            merged.append(clean)
    text = dump_features(merged)
    _, merged_problems = read_districts(text, current_file)
    return (None if has_errors(merged_problems) else text), changes, problems + merged_problems


def run_import(new_path: Path, data_dir: Path, *, write: bool) -> tuple[int, list[str]]:
    """Plan (and with ``write``, apply) an import; return (exit code, lines to print)."""
    target = data_dir / DISTRICTS_FILE
    try:
        new_text = new_path.read_bytes().decode("utf-8")
        current, version = read_versioned(target)
    except (OSError, UnicodeDecodeError) as exc:
        return 1, [f"error: cannot read {exc.filename if isinstance(exc, OSError) else new_path}: {exc}"]
    merged, changes, problems = plan_import(current.decode("utf-8"), new_text, str(new_path), str(target))
    out = [str(p) for p in problems]
    if merged is None:
        return 1, [*out, f"{new_path}: nothing imported; fix the errors above and run again."]
    out += changes or ["no changes: every district in the file is already identical."]
    if not write or not changes:
        return 0, [*out, "dry run: run again with --yes to write these changes." if changes else ""]
    backup = atomic_write(target, merged.encode("utf-8"), expected_digest=version,
                          validate=lambda b: read_districts(b.decode("utf-8"), str(target))[1])
    return 0, [*out, f"wrote {target} (previous version kept as {backup})."]
