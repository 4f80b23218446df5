"""The control changes as an ACLED-shaped table, to load beside ACLED or UCDP data.

One row per claim that puts a side into a district it did not hold (the district's previous
dominant side, as the timeline decides it). Rival claims about the same district and day are
separate rows, each with its own source key; the notes of each row name the sources that say
otherwise. Start states (a district's first rows) are not changes and are left out.

ACLED's territory sub-event types:

- ``Government regains territory``: the claim puts the government and allies in;
- ``Non-state actor overtakes territory``: the claim puts the opposition or SDF/YPG in;
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

from geo.load import Dataset
from geo.states import EDITOR_SOURCE, claim_keys, claim_records
from geo.timeline import Timeline
from geo.vocabulary import SIDES, label

GOVERNMENT_REGAINS = "Government regains territory"
NON_STATE_OVERTAKES = "Non-state actor overtakes territory"
NON_VIOLENT = "Non-violent transfer of territory"
#: A note saying the other side had gone under the evacuation: the hand-over was not fought.
NON_VIOLENT_NOTE = re.compile(
    r"evacuation (?:had |was )?(?:ended|over)|last (?:fighters|evacuees) had (?:left|gone)", re.IGNORECASE
)
#: ACLED actor and interaction codes: 1 state forces, 2 rebel groups (ACLED codes the SDF as one).
ACTORS = {side: (label(side), 1 if side == "government" else 2) for side in SIDES}
#: Our precision -> (time_precision, geo_precision); see the module docstring.
PRECISION_CODES = {"day": (1, 1), "approximate": (2, 2), "inferred": (2, 3)}
UNSTATED_PRECISION = (2, 2)
COUNTRY, ISO, REGION, ADMIN1, ADMIN2, ADMIN3 = "Syria", 760, "Middle East", "Aleppo", "Jebel Saman", "Jebel Saman"
CITY = "Aleppo"
ID_PREFIX = "ALEPPO2016-"

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


def sub_event_type(gains: str, note: str) -> str:
    """ACLED's territory sub-event type for a claim putting ``gains`` into a district."""
    if NON_VIOLENT_NOTE.search(note or ""):
        return NON_VIOLENT
    return GOVERNMENT_REGAINS if gains == "government" else NON_STATE_OVERTAKES


def _points(ds: Dataset) -> pd.DataFrame:
    pts = ds.districts.set_index("id").geometry.representative_point()
    return pd.DataFrame({"latitude": pts.y.round(4), "longitude": pts.x.round(4)})


#: The sides as they read inside a sentence.
IN_TEXT = {"government": "the government and allies", "opposition": "the opposition", "sdf": "SDF/YPG"}


def _part(share) -> str:
    return "" if share is None or pd.isna(share) else f"about {round(float(share) * 100)}% of "


def _says(claim: dict) -> str:
    who = "+".join(claim_keys(claim)) + (f" ({claim['claimant']})" if claim.get("claimant") else "")
    side = IN_TEXT.get(claim["controller"], claim["controller"])
    part = _part(claim["share"])
    return f"{who} puts {part + 'it' if part else 'it'} with {side}"


def _notes(claim: dict, titles: dict[str, str], others: list[dict], prev: str, name: str) -> str:
    by = " and ".join(titles.get(k, k) for k in claim_keys(claim))
    if claim.get("claimant"):
        by += f", reporting {claim['claimant']}"
    gains = IN_TEXT[claim["controller"]]
    word = "as inferred by the editors" if claim["source"] == EDITOR_SOURCE else f"according to {by}"
    text = f"{gains[0].upper()}{gains[1:]} took {_part(claim['share'])}{name} from {IN_TEXT[prev]}, {word}"
    text += f" [{'; '.join(claim_keys(claim))}]."
    if claim.get("note"):
        text += f" {claim['note'].rstrip('.')}."
    rival = [o for o in others if (o["controller"], _part(o["share"])) != (claim["controller"], _part(claim["share"]))]
    if rival:
        says = "; ".join(_says(o) for o in rival)
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
            sub = sub_event_type(claim["controller"], claim.get("note", ""))
            tp, gp = PRECISION_CODES.get(claim.get("precision"), UNSTATED_PRECISION)
            day = pd.Timestamp(claim["date"])
            name = str(names.get(district, district))
            rows.append(
                {
                    "event_id_cnty": ID_PREFIX + claim["event_id"],
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
                    "iso": ISO,
                    "region": REGION,
                    "country": COUNTRY,
                    "admin1": ADMIN1,
                    "admin2": ADMIN2,
                    "admin3": ADMIN3,
                    "location": f"{CITY} - {name}",
                    "latitude": points.at[district, "latitude"],
                    "longitude": points.at[district, "longitude"],
                    "geo_precision": gp,
                    "source": "; ".join(claim_keys(claim)),
                    "source_scale": "",
                    "notes": _notes(claim, titles, group, prev, name),
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
    return acled_frame(ds, tl).to_csv(index=False, lineterminator="\n")
