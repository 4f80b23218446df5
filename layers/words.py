"""Every word the map shows, in English and Arabic (neutral wording in both).

The map runtime receives these in its payload and holds no text of its own. The generic state labels
come from :mod:`geo.vocabulary`, so the CLI, the app and the map say the same thing; the sides'
labels, the title, the place and the credit come from the data set's settings (``map.toml``).
"""

from __future__ import annotations

import datetime as dt

from geo.constants import MONTHS
from geo.settings import Settings

UI: dict[str, dict[str, str]] = {
    "en": {
        "title_tail": "who held each district",
        "play": "Play",
        "pause": "Pause",
        "prev": "Previous day",
        "next": "Next day",
        "speed": "Speed",
        "slider": "Day shown",
        "legend": "Legend",
        "keys": "Keys: , previous day · . next day · k play or pause · on the slider: arrows, Home/End, "
        "Page Up/Down a week",
        "front": "Front line",
        "front_approx": "Front line, approximate",
        "changed": "Changed hands that day (orange outline)",
        "inferred": "Inferred by the editors, no source states it (paler)",
        "checkpoint": "Checkpoint or crossing",
        "checkpoint_approx": "Checkpoint, location approximate",
        "route_approx": "Route, alignment approximate (wide band)",
        "holds": "{side} holds about {pct}%; the rest: {rest}",
        "since": "Since {date}",
        "claims": "Claims about this district on this day",
        "panel_hint": (
            "Click or tap a district to read every claim about it, with its source; a route or a "
            "checkpoint for its notes and sources."
        ),
        "close": "Close",
        "basis_sourced": "Stated by a source",
        "basis_inferred": "Inferred by the editors",
        "share": "{pct}% of the district",
        "whole": "the whole district",
        "dated": "dated {date}",
        "approximate": "date approximate",
        "inferred_row": "inferred",
        "claimant": "claim by {who}",
        "source": "Source: {src}",
        "no_record": "No record on this day",
        "operator": "Operator: {op}",
        "active": "Active {start} to {end}",
        "open": "…",
        "approx_location": "Location approximate",
        "approx_alignment": "Alignment approximate",
        "proposed": "Route proposed",
        "in use": "Route in use",
        "closed": "Route closed",
        "route": "Route",
        "map_label": "Map of {place} districts by who held them",
        "map_label_plain": "Map of the districts by who held them",
        "sources": "Sources",
        "tiles": "Map data © OpenStreetMap contributors",
        "speed_unit": "{n} day/s",
        "day_of": "day {n} of {total}",
        "changed_since": "Changed hands since {date} (orange outline)",
        "compare_title": "What changed between {d1} and {d2}",
        "compared_with": "compared with",
        "changes": "The changes and the claims behind them",
        "change_head": "District|From|To|Claim|Source",
        "no_changes": "No district changed hands between these days.",
        "about": "About this map",
        "table_caption": "Every district's state on the day shown",
        "table_head": "District|State|Since|Basis|Sources",
        "disputed_under": "Disputed between sources; their own reports give it to: {side}",
        "disputed_under_legend": "Disputed (hatched) — the sources' own reports: {side}",
        "north": "N",
        "north_label": "North is up",
        "locator": "Where the map lies (box) in the region",
        "locator_credit": "Inset: Natural Earth",
        "wheel_hint": "To zoom the map, hold Ctrl (⌘ on a Mac) while you scroll",
        "touch_hint": "Move the map with two fingers",
    },
    "ar": {
        "title_tail": "من كان يسيطر على كل حي",
        "play": "تشغيل",
        "pause": "إيقاف",
        "prev": "اليوم السابق",
        "next": "اليوم التالي",
        "speed": "السرعة",
        "slider": "اليوم المعروض",
        "legend": "دليل الخريطة",
        "keys": "المفاتيح: , اليوم السابق · . اليوم التالي · k تشغيل أو إيقاف · على المنزلق: الأسهم، "
        "Home/End، و Page Up/Down أسبوعاً",
        "front": "خط الجبهة",
        "front_approx": "خط الجبهة، تقريبي",
        "changed": "تغيرت السيطرة عليه في ذلك اليوم (حدود برتقالية)",
        "inferred": "استنتاج المحررين، لا يذكره مصدر (لون أفتح)",
        "checkpoint": "حاجز أو معبر",
        "checkpoint_approx": "حاجز، موقعه تقريبي",
        "route_approx": "طريق، مساره تقريبي (شريط عريض)",
        "holds": "{side} يسيطر على نحو {pct}%؛ والباقي: {rest}",
        "since": "منذ {date}",
        "claims": "الروايات عن هذا الحي في هذا اليوم",
        "panel_hint": "انقر على حي لقراءة كل رواية عنه مع مصدرها، أو على طريق أو نقطة تفتيش لقراءة ملاحظاتها ومصادرها.",
        "close": "إغلاق",
        "basis_sourced": "يذكره مصدر",
        "basis_inferred": "استنتاج المحررين",
        "share": "{pct}% من الحي",
        "whole": "الحي كله",
        "dated": "بتاريخ {date}",
        "approximate": "التاريخ تقريبي",
        "inferred_row": "استنتاج",
        "claimant": "رواية {who}",
        "source": "المصدر: {src}",
        "no_record": "لا سجل في هذا اليوم",
        "operator": "الجهة المشغلة: {op}",
        "active": "من {start} إلى {end}",
        "open": "…",
        "approx_location": "الموقع تقريبي",
        "approx_alignment": "المسار تقريبي",
        "proposed": "طريق مقترح",
        "in use": "طريق قيد الاستخدام",
        "closed": "طريق مغلق",
        "route": "طريق",
        "map_label": "خريطة أحياء {place} بحسب الجهة المسيطرة",
        "map_label_plain": "خريطة الأحياء بحسب الجهة المسيطرة",
        "sources": "المصادر",
        "tiles": "بيانات الخريطة © مساهمو OpenStreetMap",
        "speed_unit": "{n} يوم/ث",
        "day_of": "اليوم {n} من {total}",
        "changed_since": "تغيرت السيطرة عليه منذ {date} (حدود برتقالية)",
        "compare_title": "ما الذي تغير بين {d1} و{d2}",
        "compared_with": "مقارنةً بـ",
        "changes": "التغيرات والروايات التي تستند إليها",
        "change_head": "الحي|من|إلى|الرواية|المصدر",
        "no_changes": "لم تتغير السيطرة على أي حي بين هذين اليومين.",
        "about": "عن هذه الخريطة",
        "table_caption": "حالة كل حي في اليوم المعروض",
        "table_head": "الحي|الحالة|منذ|الأساس|المصادر",
        "disputed_under": "متنازع عليه بين المصادر؛ تقاريرها نفسها تنسبه إلى: {side}",
        "disputed_under_legend": "متنازع عليه (مظلل) — تقارير المصادر نفسها: {side}",
        "north": "ش",
        "north_label": "الشمال إلى الأعلى",
        "locator": "موقع الخريطة (المربع) في المنطقة",
        "locator_credit": "الخريطة المصغرة: Natural Earth",
        "wheel_hint": "لتكبير الخريطة أو تصغيرها، اضغط Ctrl (أو ⌘ على ماك) أثناء التمرير",
        "touch_hint": "حرّك الخريطة بإصبعين",
    },
}


def words(lang: str, settings: Settings) -> dict[str, str]:
    """Every word of the map in ``lang``: the UI words, the state labels and meanings, and from the
    settings the sides' labels, the title, the map's label and the credit line."""
    from geo.vocabulary import STATE_LABELS, STATE_MEANINGS  # here: the app's page title needs this module light

    out = dict(UI[lang])
    out |= {f"state_{k}": v for k, v in STATE_LABELS[lang].items()}
    out |= {f"state_{s.id}": s.label(lang) for s in settings.sides}
    out |= {f"means_{k}": v for k, v in STATE_MEANINGS[lang].items()}
    place = settings.text("place", lang)
    out["map_label"] = out["map_label"].format(place=place) if place else out["map_label_plain"]
    del out["map_label_plain"], out["title_tail"]
    out["credit"] = settings.text("credit", lang)
    if settings.first and settings.last:
        out["title"] = default_title(lang, settings.first, settings.last, settings)
    return out


def day_label(day: dt.date, lang: str) -> str:
    """A day written out, e.g. ``13 December 2016`` / ``13 كانون الأول 2016``."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def short_title(settings: Settings, lang: str = "en") -> str:
    """A short title for a browser tab or an embed: place and first year, then what the map shows."""
    head = " ".join(x for x in (settings.text("place", lang), str(settings.first.year) if settings.first else "") if x)
    tail = UI[lang]["title_tail"]
    return f"{head}: {tail}" if head else tail[:1].upper() + tail[1:]


def default_title(lang: str, first: dt.date, last: dt.date, settings: Settings) -> str:
    """The page title when none is given: the settings' title over their own span, else the place and
    the record's real span."""
    title = settings.title.get(lang)
    if title and (first, last) == (settings.first, settings.last):
        return title
    head = settings.text("place", lang)
    tail = UI[lang]["title_tail"]
    sep = "، " if lang == "ar" else ", "
    span = day_label(first, lang) if first == last else f"{day_label(first, lang)} – {day_label(last, lang)}"
    return f"{head}{sep}{span}: {tail}" if head else f"{span}: {tail}"
