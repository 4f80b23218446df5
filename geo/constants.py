"""Named constants shared by the data, time and map code."""

from __future__ import annotations

import datetime as dt

#: ``events.csv`` ``controller`` beside the sides of ``map.toml``: a claim that no one side holds it.
CONTESTED = "contested"
#: State of a district with no row on or before a day.
UNKNOWN = "unknown"
PRECISIONS: tuple[str, ...] = ("day", "approximate", "inferred")
#: Source key of the editors' own inference: a row no document states cites it (precision ``inferred``).
EDITOR_SOURCE = "editor"
#: What a claim is, as the source weighs it (``events.csv`` ``claim_kind``; blank = ``district``):
#: a report about this district, or a statement about the whole city or remaining area that names no
#: district (applied to each district it covers); ``-announced`` when the claim says it is under way or
#: imminent rather than done.
CLAIM_KINDS: tuple[str, ...] = ("district", "citywide", "district-announced", "citywide-announced")
DEFAULT_CLAIM_KIND = "district"
#: Basis of a decided state: what its deciding rows rest on.
BASES: tuple[str, ...] = ("sourced", "inferred")

#: Dates an event may carry at all (a typo'd year falls outside).
EVENT_DATE_MIN = dt.date(1900, 1, 1)
EVENT_DATE_MAX = dt.date(2100, 12, 31)
COORD_DECIMALS = 6

MAP_FILE = "map.toml"
DISTRICTS_FILE = "districts.geojson"
EVENTS_FILE = "events.csv"
SOURCES_FILE = "sources.csv"
ROUTES_FILE = "routes.geojson"
CHECKPOINTS_FILE = "checkpoints.geojson"
EVACUATION_FILE = "evacuation.csv"
#: Optional: named places the map labels (a citadel, city gates), points with id, name, name_ar, source.
LANDMARKS_FILE = "landmarks.geojson"

EVENT_COLUMNS: tuple[str, ...] = (
    "event_id",
    "date",
    "district",
    "controller",
    "share",
    "source",
    "precision",
    "note",
)
#: Optional event columns: the spelling the source used, and who made the claim when the source
#: reports someone else's (e.g. Wikipedia quoting the Russian Ministry of Defence).
#: ``claim_kind`` (see CLAIM_KINDS) and ``cites``: further source keys (``;``-separated) that relay the
#: same statement, so one statement is one claim however many sources carry it.
EVENT_OPTIONAL_COLUMNS: tuple[str, ...] = ("place", "claimant", "claim_kind", "cites")
SOURCE_COLUMNS: tuple[str, ...] = ("key", "title", "publisher", "date", "url", "stance")
DISTRICT_REQUIRED: tuple[str, ...] = ("id", "name")
DISTRICT_RECOMMENDED: tuple[str, ...] = ("name_ar", "aliases", "geometry_source")

#: The languages of every text the project writes (map, captions, exports).
LANGS: tuple[str, ...] = ("en", "ar")
#: Month names for written dates, in each of :data:`LANGS`.
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    # Levantine month names, as used in Syria.
    "ar": (
        "كانون الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين الأول",
        "تشرين الثاني",
        "كانون الأول",
    ),
}
