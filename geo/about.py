"""The "About this map" text, generated from the record so that its figures stay true.

:func:`about` returns plain-text sections (``id``, ``heading``, ``paragraphs``) for the page to
insert as text, in English or Arabic. The method is described in our own words; every count, date,
source and the data version come from the data set.
"""

from __future__ import annotations

import re

import pandas as pd

from geo.constants import METRIC_CRS
from geo.describe_words import check_lang, counted, join_names, long_date
from geo.load import Dataset
from geo.states import EDITOR_SOURCE, claim_keys, state_intervals
from geo.timeline import Timeline, build_timeline

#: Words a note quotes as the basis of an estimated share: ``share 0.25 estimated from "parts"``.
SHARE_WORDS = re.compile(r'from "([^"]+)"')
#: Words quoted per language before the rest are counted.
MAX_WORDS = 6

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "state_h": "How a day's state is decided",
        "state_1": "Each row of the record is one claim: a source says that a side held a district, or a part of "
        "it, on a date. A district's state on a day comes from its latest rows dated on or before that "
        "day. When they agree, the district is shown as held by that side. When a row gives a share, the "
        "district is split: the side that moved in holds that share and the rest stays with the side "
        "that held it before. When sources, or the parties a source quotes, disagree that day, the "
        "district is disputed. A district with no row yet is unknown.",
        "state_2": "The record runs from {start} to {end}: {events} about {districts} from {sources}.",
        "inf_h": "What is inferred, and why",
        "inf_1": "The editors' inferences, not statements of a source, make up {inferred} of the {events}. The "
        "note of each says what it was inferred from, and the map draws it paler.",
        "inf_2": "Inferred start states, a district's state on {start} from where the front line ran and from "
        "later reports of the district's capture: {start_rows}. Inferred during the offensive, most often a "
        "source's report about a wider area applied to a district it does not name: {later}.",
        "share_h": "Shares read from words",
        "share_1": "Claims that give a part of a district rather than the whole: {shares}. Sources rarely give "
        "numbers, so a share is mostly read from words, and each row's note quotes them. A share is an "
        "estimate; the map draws a split district with stripes sized by it.",
        "share_words": "The words most often behind a share are {words}.",
        "share_none": "No claim in the record gives a part of a district.",
        "disp_h": "How disagreements are shown",
        "disp_1": "When sources disagree about a district on a day, it is drawn as disputed and every claim is "
        "listed with its source; claims are never merged or averaged. When a source reports another "
        "party's claim, such as an official's or an envoy's, that party is named beside the source.",
        "disp_2": "Sources disagree about {districts} on {days} of the record, from {first} to {last}.",
        "disp_none": "No two sources disagree anywhere in the record.",
        "area_h": "Why areas are ranges",
        "area_1": "Areas are measured on the district outlines in a metric projection ({crs}). A split district's "
        "area is shared out by its share. A side's area is a range: the low figure counts only the ground the "
        "sources name, the high figure adds the districts only the editors place.",
        "area_2": "A district the sources disagree about is counted for the side its strongest claims give: a "
        "source's own report on the district outweighs a statement about the whole city, which outweighs a "
        "party the source quotes, and an announcement counts least. Its whole area is also given apart as "
        "disputed ground, with who claims what, so it is never silently dropped.",
        "src_h": "Sources",
        "src_1": "Each source's stance is given in our words so that readers can weigh its claims.",
        "src_row": "{title}. {publisher}{date}. Stance: {stance}. Claims citing it: {claims}. Key: {key}.{url}",
        "no_stance": "not stated",
        "ver_h": "Data version",
        "ver_1": "Data version {digest}: a digest of the content of every data file, so any edit changes it.",
        "ver_2": "The latest change of control in the record is dated {latest}.",
        "ver_none": "The record has no change of control yet.",
    },
    "ar": {
        "state_h": "كيف تُحدَّد حالة الحي في يوم ما",
        "state_1": "كل سطر في السجل رواية واحدة: مصدر يقول إن طرفاً كان يسيطر على حي، أو على جزء منه، في تاريخ ما. "
        "تُحدَّد حالة الحي في يوم ما من أحدث سطوره المؤرخة في ذلك اليوم أو قبله. فإذا اتفقت، يظهر الحي في "
        "يد ذلك الطرف. وإذا ذكر سطر حصة، يكون الحي مقسوماً: للطرف الذي دخله تلك الحصة، ويبقى الباقي مع "
        "الطرف الذي كان يسيطر عليه من قبل. وإذا اختلفت المصادر، أو الجهات التي ينقل عنها مصدر، في ذلك "
        "اليوم، يكون الحي متنازعاً في الروايات. والحي الذي لا سطر له بعد حالته غير معروفة.",
        "state_2": "يمتد السجل من {start} إلى {end}: {events} عن {districts} من {sources}.",
        "inf_h": "ما هو مستنتج، ولماذا",
        "inf_1": "{inferred} من أصل {events}: استنتاجات للمحررين، لا أقوال مصدر. تذكر ملاحظة كل منها ممّ "
        "استُنتجت، وترسمها الخريطة بلون أفتح.",
        "inf_2": "{start_rows} منها تعطي حالة الحي في البداية، {start}، بحسب موقع خط الجبهة وتقارير لاحقة عن "
        "السيطرة على الحي. أما الباقية وعددها {later} فمؤرخة خلال الهجوم، وأغلبها تطبيق تقرير مصدر "
        "عن منطقة أوسع على حي لا يسميه.",
        "share_h": "حصص مقروءة من الكلمات",
        "share_1": "{shares}: تذكر جزءاً من الحي لا الحي كله. نادراً ما تعطي المصادر أرقاماً، لذا تُقرأ "
        "الحصة غالباً من الكلمات، وتقتبسها ملاحظة كل سطر. الحصة تقدير، وترسم الخريطة الحي المقسوم بخطوط "
        "بعرض يناسبها.",
        "share_words": "أكثر الكلمات التي بُنيت عليها حصة: {words}.",
        "share_none": "لا رواية في السجل تذكر جزءاً من حي.",
        "disp_h": "كيف يظهر اختلاف المصادر",
        "disp_1": "إذا اختلفت المصادر بشأن حي في يوم ما، يُرسم متنازعاً في الروايات وتُذكر كل رواية مع مصدرها؛ "
        "لا تُدمج الروايات ولا يؤخذ متوسطها. وإذا نقل مصدر رواية جهة أخرى، كمسؤول أو مبعوث، تُذكر "
        "تلك الجهة إلى جانب المصدر.",
        "disp_2": "تختلف المصادر بشأن {districts} في {days} من السجل، من {first} إلى {last}.",
        "disp_none": "لا يختلف مصدران في أي موضع من السجل.",
        "area_h": "لماذا المساحات نطاقات",
        "area_1": "تُقاس المساحات على حدود الأحياء في إسقاط متري ({crs}). وتوزَّع مساحة الحي المقسوم بحسب "
        "الحصة. مساحة كل طرف نطاق: الرقم الأدنى يحسب الأرض التي تسميها المصادر فقط، والأعلى يضيف الأحياء "
        "التي يضعها المحررون وحدهم.",
        "area_2": "يُحسب الحي الذي تختلف المصادر بشأنه للطرف الذي تعطيه أقوى الروايات عنه: تقرير المصدر نفسه عن "
        "الحي أقوى من قول عن المدينة كلها، وهذا أقوى من رواية جهة ينقل عنها المصدر، والإعلان عن عملية أضعفها. "
        "وتُذكر مساحته كاملة أيضاً أرضاً متنازعاً عليها مع من يقول ماذا، فلا تسقط من الحساب.",
        "src_h": "المصادر",
        "src_1": "موقف كل مصدر مذكور بكلماتنا ليزن القارئ رواياته.",
        "src_row": "{title}. {publisher}{date}. الموقف: {stance}. عدد الروايات المسندة إليه: {claims}. "
        "المفتاح: {key}.{url}",
        "no_stance": "غير مذكور",
        "ver_h": "نسخة البيانات",
        "ver_1": "نسخة البيانات {digest}: بصمة لمحتوى كل ملفات البيانات، فأي تعديل يغيرها.",
        "ver_2": "آخر تغير في السيطرة في السجل مؤرخ في {latest}.",
        "ver_none": "لا تغير في السيطرة في السجل بعد.",
    },
}


def latest_change(ds: Dataset, tl: Timeline) -> pd.Timestamp | None:
    """Date of the latest state (word, share or holder) that differs from the district's previous one."""
    iv = state_intervals(ds, tl)
    if iv.empty:
        return None
    prev = iv.groupby("district", sort=False)[["state", "share", "holder"]].shift(1)
    same = pd.concat(
        [
            (iv[c].astype(object) == prev[c].astype(object)) | (iv[c].isna() & prev[c].isna())
            for c in ("state", "share", "holder")
        ],
        axis=1,
    ).all(axis=1)
    changed = iv.loc[~same & iv["district"].eq(iv["district"].shift(1)), "valid_from"]
    return None if changed.empty else pd.Timestamp(changed.max())


def share_words(events: pd.DataFrame) -> list[str]:
    """The words notes quote as the basis of a share, most frequent first."""
    notes = events.loc[events["share"].notna(), "note"].fillna("")
    words = notes.str.findall(SHARE_WORDS).explode().dropna()
    return list(words.value_counts(sort=True).index) if len(words) else []


def _disputes(tl: Timeline) -> tuple[int, int, pd.Timestamp | None, pd.Timestamp | None]:
    """Districts and days with a disputed state, and the first and last such day."""
    disputed = tl.groups["disputed"].to_numpy(dtype=bool)
    gids = tl.grid
    mask = (gids >= 0) & disputed[gids.clip(min=0)]
    if not mask.any():
        return 0, 0, None, None
    days = tl.days[mask.any(axis=1)]
    return int(mask.any(axis=0).sum()), len(days), days[0], days[-1]


def _sources(ds: Dataset, t: dict[str, str]) -> list[str]:
    cols = [c for c in ("event_id", "source", "cites") if c in ds.events]
    counts = pd.Series([k for c in ds.events[cols].to_dict("records") for k in claim_keys(c)]).value_counts()
    rows = []
    for r in ds.sources.to_dict("records"):
        rows.append(
            t["src_row"].format(
                title=r["title"].rstrip("."),
                publisher=r.get("publisher") or "",
                date=f", {r['date']}" if r.get("date") else "",
                stance=r.get("stance") or t["no_stance"],
                claims=int(counts.get(r["key"], 0)),
                key=r["key"],
                url=f" {r['url']}" if r.get("url") else "",
            )
        )
    return rows


def about(ds: Dataset, lang: str = "en", *, tl: Timeline | None = None) -> list[dict]:
    """The "About this map" text as sections: ``[{"id", "heading", "paragraphs": [str, ...]}, ...]``.

    Section ids: state, inferred, shares, disputes, areas, sources, version. Plain text only.
    """
    check_lang(lang)
    t = TEXT[lang]
    tl = tl if tl is not None else build_timeline(ds.districts["id"], ds.events)
    ev = ds.events
    start, end = tl.days[0], tl.days[-1]
    inferred = ev["precision"].eq("inferred") | ev["source"].eq(EDITOR_SOURCE)
    start_rows = int((inferred & ev["date"].le(start)).sum())
    n_shares = int(ev["share"].notna().sum())
    words = [f'"{w}"' for w in share_words(ev)[:MAX_WORDS]]
    n_dist, n_days, first, last = _disputes(tl)
    share_text = (
        [t["share_1"].format(shares=n_shares if lang == "en" else counted(n_shares, "claim", lang))]
        if n_shares
        else [t["share_none"]]
    )
    if n_shares and words:
        share_text.append(t["share_words"].format(words=join_names(words, lang)))
    latest = latest_change(ds, tl)

    def d(x) -> str:
        return long_date(x, lang)

    sections = [
        (
            "state",
            t["state_h"],
            [
                t["state_1"],
                t["state_2"].format(
                    start=d(start),
                    end=d(end),
                    events=counted(len(ev), "claim", lang),
                    districts=counted(len(ds.districts), "district", lang),
                    sources=counted(len(ds.sources), "source", lang),
                ),
            ],
        ),
        (
            "inferred",
            t["inf_h"],
            [
                t["inf_1"].format(inferred=int(inferred.sum()), events=counted(len(ev), "claim", lang)),
                t["inf_2"].format(start_rows=start_rows, start=d(start), later=int(inferred.sum()) - start_rows),
            ],
        ),
        (
            "shares",
            t["share_h"],
            share_text,
        ),
        (
            "disputes",
            t["disp_h"],
            [
                t["disp_1"],
                t["disp_2"].format(
                    districts=counted(n_dist, "district", lang),
                    days=counted(n_days, "day", lang),
                    first=d(first),
                    last=d(last),
                )
                if n_days
                else t["disp_none"],
            ],
        ),
        ("areas", t["area_h"], [t["area_1"].format(crs=METRIC_CRS), t["area_2"]]),
        ("sources", t["src_h"], [t["src_1"], *_sources(ds, t)]),
        (
            "version",
            t["ver_h"],
            [
                t["ver_1"].format(digest=ds.digest),
                t["ver_2"].format(latest=d(latest)) if latest is not None else t["ver_none"],
            ],
        ),
    ]
    return [{"id": i, "heading": h, "paragraphs": list(p)} for i, h, p in sections]
