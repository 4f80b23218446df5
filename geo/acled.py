"""The control changes as an ACLED-shaped table, to load beside ACLED or UCDP data.

One row per claim that puts a side into a district it did not hold (the district's previous
dominant side, as the timeline decides it). Rival claims about the same district and day are
separate rows, each with its own source key; the notes of each row name the sources that say
otherwise. Start states (a district's first rows) are not changes and are left out.

ACLED's territory sub-event types:

- ``Government regains territory``: the claim puts a side the settings code as state forces in
  (``acled.state_forces`` in map.toml);
- ``Non-state actor overtakes territory``: the claim puts any other side in;
- ``Non-violent transfer of territory``: the note says the other side had left under the
  evacuation (:data:`NON_VIOLENT_NOTE`), so no fighting decided it.

Precision codes follow ACLED's meanings. ``time_precision``: 1 the day is known, 2 the week or a
few days around it, 3 only the month. ``geo_precision``: 1 the place itself (here a named
neighbourhood), 2 near or part of a place, 3 only a larger region is named. From our ``precision``:

======================  ==============  =============  ===============================================
our precision           time_precision  geo_precision  why
======================  ==============  =============  ===============================================
``day``                 1               1              the source dates the claim and names the place
``approximate``         2               2              the date or the placement is loose (by geography,
                                                       or dated only relative to other events)
``inferred``            2               3              the source speaks of a wider area; the editors
                                                       applied it to this district
======================  ==============  =============  ===============================================
"""

from __future__ import annotations

import re

import pandas as pd

from geo.exports import csv_text
from geo.load import Dataset
from geo.settings import Settings
from geo.states import EDITOR_SOURCE, claim_keys, claim_records
from geo.timeline import Timeline

GOVERNMENT_REGAINS = "Government regains territory"
NON_STATE_OVERTAKES = "Non-state actor overtakes territory"
NON_VIOLENT = "Non-violent transfer of territory"
#: A note saying the other side had gone under the evacuation: the hand-over was not fought.
NON_VIOLENT_NOTE = re.compile(
    r"evacuation (?:had |was )?(?:ended|over)|last (?:fighters|evacuees) had (?:left|gone)", re.IGNORECASE
)
#: ACLED interaction codes: state forces, rebel groups.
STATE_FORCES, REBELS = 1, 2
#: Our precision -> (time_precision, geo_precision); see the module docstring.
PRECISION_CODES = {"day": (1, 1), "approximate": (2, 2), "inferred": (2, 3)}
UNSTATED_PRECISION = (2, 2)
#: The place's columns, from the settings' ``acled`` table (blank when not given).
PLACE_COLUMNS = ("country", "iso", "region", "admin1", "admin2", "admin3")

#: ACLED's columns since its 2023 layout, in its order (``timestamp``, ACLED's upload time, left out).
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
)


def actors(settings: Settings) -> dict[str, tuple[str, int]]:
    """Side id -> (ACLED actor name, interaction code): state forces as the settings say, else rebels."""
    state = settings.acled.get("state_forces", ())
    return {s.id: (s.label("en"), STATE_FORCES if s.id in state else REBELS) for s in settings.sides}


def sub_event_type(inter: int, note: str) -> str:
    """ACLED's territory sub-event type for a claim putting a side of interaction code ``inter`` in."""
    if NON_VIOLENT_NOTE.search(note or ""):
        return NON_VIOLENT
    return GOVERNMENT_REGAINS if inter == STATE_FORCES else NON_STATE_OVERTAKES


def _points(ds: Dataset) -> pd.DataFrame:
    pts = ds.districts.set_index("id").geometry.representative_point()
    return pd.DataFrame({"latitude": pts.y.round(4), "longitude": pts.x.round(4)})


def _part(share) -> str:
    return "" if share is None or pd.isna(share) else f"about {round(float(share) * 100)}% of "


def _in_text(settings: Settings, side_id: str) -> str:
    side = settings.side(side_id)
    return side.phrase("en") if side else side_id


def _says(claim: dict, settings: Settings) -> str:
    who = "+".join(claim_keys(claim)) + (f" ({claim['claimant']})" if claim.get("claimant") else "")
    side = _in_text(settings, claim["controller"])
    part = _part(claim["share"])
    return f"{who} puts {part + 'it' if part else 'it'} with {side}"


def _notes(claim: dict, titles: dict[str, str], others: list[dict], prev: str, name: str, settings: Settings) -> str:
    by = " and ".join(titles.get(k, k) for k in claim_keys(claim))
    if claim.get("claimant"):
        by += f", reporting {claim['claimant']}"
    gains = _in_text(settings, claim["controller"])
    word = "as inferred by the editors" if claim["source"] == EDITOR_SOURCE else f"according to {by}"
    text = f"{gains[0].upper()}{gains[1:]} took {_part(claim['share'])}{name} from {_in_text(settings, prev)}, {word}"
    text += f" [{'; '.join(claim_keys(claim))}]."
    if claim.get("note"):
        text += f" {claim['note'].rstrip('.')}."
    rival = [o for o in others if (o["controller"], _part(o["share"])) != (claim["controller"], _part(claim["share"]))]
    if rival:
        says = "; ".join(_says(o, settings) for o in rival)
        text += f" Claims differ that day: {says}."
    return text


def acled_frame(ds: Dataset, tl: Timeline) -> pd.DataFrame:
    """The control changes as an ACLED-shaped frame (:data:`ACLED_COLUMNS`), oldest first."""
    g = tl.groups
    claims = claim_records(tl)
    titles = dict(
        zip(
            ds.sources["key"],
            ds.sources["publisher"].where(ds.sources["publisher"].ne(""), ds.sources["key"]),
            strict=True,
        )
    )
    names = ds.districts.set_index("id")["name"]
    points = _points(ds)
    s = ds.settings
    ACTORS = actors(s)  # noqa: N806 - read as the table it is
    place = {c: s.acled.get(c, "") for c in PLACE_COLUMNS}
    city = s.acled.get("location") or s.text("place")
    rows = []
    for gid, district, prev, start, end in g[["district", "prev", "start", "end"]].itertuples(name=None):
        if not isinstance(prev, str) or prev not in ACTORS:
            continue
        group = claims[start:end]
        for claim in group:
            if claim["controller"] == prev or claim["controller"] not in ACTORS:
                continue
            actor1, inter1 = ACTORS[claim["controller"]]
            actor2, inter2 = ACTORS[prev]
            sub = sub_event_type(inter1, claim.get("note", ""))
            tp, gp = PRECISION_CODES.get(claim.get("precision") or "", UNSTATED_PRECISION)
            day = pd.Timestamp(claim["date"])
            name = str(names.get(district, district))
            rows.append(
                {
                    "event_id_cnty": s.acled.get("id_prefix", "") + claim["event_id"],
                    "event_date": day.date().isoformat(),
                    "year": day.year,
                    "time_precision": tp,
                    "disorder_type": "Strategic developments" if sub == NON_VIOLENT else "Political violence",
                    "event_type": "Strategic developments" if sub == NON_VIOLENT else "Battles",
                    "sub_event_type": sub,
                    "actor1": actor1,
                    "assoc_actor_1": "",
                    "inter1": inter1,
                    "actor2": actor2,
                    "assoc_actor_2": "",
                    "inter2": inter2,
                    "interaction": int(f"{min(inter1, inter2)}{max(inter1, inter2)}"),
                    "civilian_targeting": "",
                    **place,
                    "location": f"{city} - {name}" if city else name,
                    "latitude": points.at[district, "latitude"],
                    "longitude": points.at[district, "longitude"],
                    "geo_precision": gp,
                    "source": "; ".join(claim_keys(claim)),
                    "source_scale": "",
                    "notes": _notes(claim, titles, group, prev, name, s),
                    "fatalities": None,
                    "tags": f"district={district}; share={'' if pd.isna(claim['share']) else claim['share']}; "
                    f"precision={claim.get('precision') or ''}" + ("; disputed" if g.at[gid, "disputed"] else ""),
                }
            )
    frame = pd.DataFrame(rows, columns=list(ACLED_COLUMNS))
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    return frame.sort_values(["event_date", "location", "event_id_cnty"], kind="stable").reset_index(drop=True)


def acled_csv(ds: Dataset, tl: Timeline) -> str:
    """:func:`acled_frame` as CSV text; ``fatalities`` is blank (the record does not count them)."""
    return csv_text(acled_frame(ds, tl))
