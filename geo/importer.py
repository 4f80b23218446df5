"""``python -m geo import NEW.geojson``: merge new or changed districts into districts.geojson."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from shapely.geometry import shape

from geo.constants import DISTRICTS_FILE
from geo.districts import read_districts
from geo.geojson_check import POLYGONAL, UNREADABLE, check_collection, json_type, parse_json
from geo.problems import DataError, Problem, has_errors
from geo.settings import default_area, load_settings
from geo.store import SaveError, atomic_write, read_versioned

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


def _area(geometry) -> float:
    try:
        return shape(geometry).area
    except Exception:  # noqa: BLE001 - a broken geometry in the current file only loses the area figure
        return 0.0


def _props(feat: dict) -> dict:
    return feat["properties"] if isinstance(feat.get("properties"), dict) else {}


def _describe(old: dict, new: dict) -> str:
    before, after = _props(old), new["properties"]
    fields = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    if old.get("geometry") != new["geometry"]:
        a0, a1 = _area(old.get("geometry")), _area(new["geometry"])
        fields.append(f"geometry (area {(a1 - a0) / a0:+.1%})" if a0 else "geometry")
    return ", ".join(fields) or "nothing"


def _current_features(current_text: str, current_file: str) -> tuple[list[dict] | None, list[Problem]]:
    """The features of the current file as stored, or None (with the reason) when it cannot be merged into."""
    data, problems = parse_json(current_text, current_file)
    feats = data.get("features") if isinstance(data, dict) else None
    if data is UNREADABLE or not isinstance(feats, list):
        if not has_errors(problems):
            problems.append(
                Problem(
                    "error",
                    current_file,
                    f"top level is a JSON {json_type(data)} without a 'features' list.",
                    "Give a GeoJSON FeatureCollection.",
                    field="features",
                )
            )
        return None, [
            *problems,
            Problem(
                "error",
                current_file,
                "the current districts file cannot be read, so nothing can be merged into it.",
                f"Restore it from {Path(current_file).name}.bak or from git, then import again.",
            ),
        ]
    return feats, []


def _feature_id(feat) -> str | None:
    props = feat.get("properties") if isinstance(feat, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    return None if fid is None or isinstance(fid, (dict, list)) else str(fid)


def _merge_one(old: dict, clean: dict) -> list[str]:
    """Carry over what an export leaves out: aliases it lacks, and name_ar when it has none. Returns notes."""
    old_props, props = _props(old), clean["properties"]
    kept = old_props.get("aliases")
    old_aliases = kept if isinstance(kept, list) else []
    props["aliases"] = [*props["aliases"], *(a for a in old_aliases if a not in props["aliases"])]
    notes = []
    if not props.get("name_ar") and old_props.get("name_ar"):
        props["name_ar"] = old_props["name_ar"]
        notes.append("name_ar kept (the export has none)")
    return notes


def plan_import(
    current_text: str,
    new_text: str,
    new_file: str,
    current_file: str,
    *,
    bbox: tuple[float, float, float, float] | None = None,
) -> tuple[str | None, list[str], list[Problem]]:
    """Merge ``new_text`` into ``current_text``; return (merged text or None, change lines, problems).

    An existing id is replaced, keeping the aliases and the Arabic name the export leaves out; a new
    id is added. Problems in the merged file that come from an imported feature are reported against
    the export (with its feature index), the rest against the current file. ``bbox``: the settings'
    area box (map.toml ``area``), which every district must lie in.
    """
    new_feats, _ = check_collection(new_text, new_file, kinds=POLYGONAL, bbox=bbox)  # the normalised features
    _, problems = read_districts(new_text, new_file, bbox=bbox)  # the same checks, plus properties and topology
    if new_feats is None or has_errors(problems):
        return None, [], problems
    current, found = _current_features(current_text, current_file)
    if current is None:
        return None, [], problems + found
    index = {fid: i for i, f in enumerate(current) if (fid := _feature_id(f)) is not None}
    merged, changes, origin = list(current), [], {}
    for n, feat in enumerate(new_feats):
        clean = {"type": "Feature", "properties": _clean_props(feat["properties"]), "geometry": feat["geometry"]}
        fid = clean["properties"]["id"]
        if fid in index:
            notes = _merge_one(merged[index[fid]], clean)
            what = _describe(merged[index[fid]], clean)
            if what != "nothing":
                changes.append(
                    f"change {fid} ({clean['properties']['name']}): {what}" + "".join(f"; {note}" for note in notes)
                )
                merged[index[fid]] = clean
                origin[index[fid]] = n
        else:
            changes.append(f"add {fid} ({clean['properties']['name']})")
            index[fid] = len(merged)
            origin[len(merged)] = n
            merged.append(clean)
    text = dump_features(merged)
    _, merged_problems = read_districts(text, current_file, bbox=bbox)
    return (
        (None if has_errors(merged_problems) else text),
        changes,
        problems + _attribute(merged_problems, origin, new_file, problems),
    )


def _attribute(merged: list[Problem], origin: dict[int, int], new_file: str, seen: list[Problem]) -> list[Problem]:
    """Blame each problem of the merged file on the file its feature came from; drop repeats."""
    out = []
    for p in merged:
        if p.where == "feature" and p.index in origin:
            p = replace(p, file=new_file, index=origin[p.index])
        if p not in seen and p not in out:
            out.append(p)
    return out


def import_box(data_dir: Path, current_text: str) -> tuple[float, float, float, float] | None:
    """The settings' area box, or the current districts' extent plus a margin (as the loader uses)."""
    area = load_settings(data_dir).area
    if area is None:
        current, _ = read_districts(current_text, DISTRICTS_FILE)
        area = default_area(current) if current is not None else None
    return area


def run_import(new_path: Path, data_dir: Path, *, write: bool) -> tuple[int, list[str]]:
    """Plan (and with ``write``, apply) an import; return (exit code, lines to print)."""
    target = data_dir / DISTRICTS_FILE
    try:
        new_text = new_path.read_bytes().decode("utf-8")
    except OSError as exc:
        return 1, [f"error: cannot read {new_path}: {exc.strerror or exc}."]
    except UnicodeDecodeError as exc:
        return 1, [f"error: {new_path} is not UTF-8 text (byte {exc.start}); save the export as UTF-8."]
    try:
        current, version = read_versioned(target)
        current_text = current.decode("utf-8")
    except OSError as exc:
        return 1, [f"error: cannot read {target}: {exc.strerror or exc}; point --data at the data folder."]
    except UnicodeDecodeError as exc:
        return 1, [
            f"error: {target} is not UTF-8 text (byte {exc.start}); restore it from {target.name}.bak "
            "or from git, then import again."
        ]
    bbox = import_box(data_dir, current_text)
    merged, changes, problems = plan_import(current_text, new_text, str(new_path), str(target), bbox=bbox)
    out = [str(p) for p in problems]
    if merged is None:
        return 1, [*out, f"{new_path}: nothing imported; fix the errors above and run again."]
    out += changes or ["no changes: every district in the file is already identical."]
    if not write or not changes:
        return 0, [*out, "dry run: run again with --yes to write these changes." if changes else ""]
    try:
        backup = atomic_write(
            target,
            merged.encode("utf-8"),
            expected_digest=version,
            validate=lambda b: read_districts(b.decode("utf-8"), str(target), bbox=bbox)[1],
        )
    except SaveError as exc:
        return 1, [*out, f"error: {exc}"]
    except DataError as exc:  # the merged file failed the check made just before writing
        return 1, [*out, *map(str, exc.problems), f"{new_path}: nothing imported; fix the errors above and run again."]
    return 0, [*out, f"wrote {target} (previous version kept as {backup})."]
