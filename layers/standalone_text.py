"""Words shown on the standalone page, in English and Arabic (neutral wording in both)."""

from __future__ import annotations

import datetime as dt

from geo.constants import OFFENSIVE_END, OFFENSIVE_START
from layers.style import BOUNDARY_CREDIT, LABELS, LABELS_AR

LANGS = ("en", "ar")

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    # Levantine month names, as used in Syria.
    "ar": ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
           "تشرين الأول", "تشرين الثاني", "كانون الأول"),
}

UI: dict[str, dict[str, str]] = {
    "en": {
        "title": "Aleppo, 15 November – 22 December 2016: who held each district",
        "play": "Play", "pause": "Pause", "slider": "Day of the offensive",
        "sources": "Sources", "legend": "Legend",
        "split": "Split: stripes show each side's share",
        "disputed": "Disputed: sources disagree (dashed outline)",
        "front": "Front line", "front_approx": "Front line, approximate",
        "checkpoint": "Checkpoint or crossing", "checkpoint_approx": "Checkpoint, location approximate",
        "route_approx": "Route, alignment approximate (wide band)",
        "holds": "{side} holds about {pct}%; the rest: {rest}",
        "disputed_tip": "Disputed: sources disagree", "since": "Since {date}",
        "claims": "Claims", "approx_location": "Location approximate",
        "approx_alignment": "Alignment approximate", "operator": "Operator: {op}",
        "active": "Active {start} to {end}", "open": "…", "no_record": "No record on this date",
        "precision": "precision: {p}", "map_label": "Map of Aleppo districts by who held them",
        "claimant": "claim by {who}",
        "sources_note": "Full list with links below the map.",
        "proposed": "Route proposed", "in use": "Route in use", "closed": "Route closed",
        "route": "Route",
        "tiles": "Map data © OpenStreetMap contributors",
        "credit": BOUNDARY_CREDIT,
    },
    "ar": {
        "title": "حلب، 15 تشرين الثاني – 22 كانون الأول 2016: من كان يسيطر على كل حي",
        "play": "تشغيل", "pause": "إيقاف", "slider": "يوم الهجوم",
        "sources": "المصادر", "legend": "دليل الخريطة",
        "split": "مقسوم: الخطوط تبين حصة كل طرف",
        "disputed": "متنازع في الروايات: المصادر مختلفة (حدود متقطعة)",
        "front": "خط الجبهة", "front_approx": "خط الجبهة، تقريبي",
        "checkpoint": "حاجز أو معبر", "checkpoint_approx": "حاجز، موقعه تقريبي",
        "route_approx": "طريق، مساره تقريبي (شريط عريض)",
        "holds": "{side} يسيطر على نحو {pct}%؛ والباقي: {rest}",
        "disputed_tip": "متنازع في الروايات: المصادر مختلفة", "since": "منذ {date}",
        "claims": "الروايات", "approx_location": "الموقع تقريبي",
        "approx_alignment": "المسار تقريبي", "operator": "الجهة المشغلة: {op}",
        "active": "من {start} إلى {end}", "open": "…", "no_record": "لا سجل في هذا التاريخ",
        "precision": "الدقة: {p}", "map_label": "خريطة أحياء حلب بحسب الجهة المسيطرة",
        "claimant": "رواية {who}",
        "sources_note": "القائمة الكاملة مع الروابط أسفل الخريطة.",
        "proposed": "طريق مقترح", "in use": "طريق قيد الاستخدام", "closed": "طريق مغلق",
        "route": "طريق",
        "tiles": "بيانات الخريطة © مساهمو OpenStreetMap",
        "credit": "الحدود: مكتب الأمم المتحدة لتنسيق الشؤون الإنسانية (OCHA) / قسم الخرائط في الأمم المتحدة "
                  "(COD-AB، 2016-09-05)",
    },
}


def labels(lang: str) -> dict[str, str]:
    """Controller labels in ``lang``."""
    return dict(LABELS_AR if lang == "ar" else LABELS)


def day_label(day: dt.date, lang: str) -> str:
    """A day written out, e.g. ``13 December 2016`` / ``13 كانون الأول 2016``."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def default_title(lang: str, first: dt.date = OFFENSIVE_START, last: dt.date = OFFENSIVE_END) -> str:
    """The page title when none is given (names the record's real span)."""
    if (first, last) == (OFFENSIVE_START, OFFENSIVE_END):
        return UI[lang]["title"]
    head = "حلب" if lang == "ar" else "Aleppo"
    tail = UI[lang]["title"].split(":", 1)[1].strip()
    return f"{head}، {day_label(first, lang)} – {day_label(last, lang)}: {tail}" if lang == "ar" \
        else f"{head}, {day_label(first, lang)} – {day_label(last, lang)}: {tail}"
