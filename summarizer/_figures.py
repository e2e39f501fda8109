"""Figures found in the article by rule, not by the model: money, percentages, areas, dates, counts.

Each is normalized to a value, a unit and its English form ("1,6 tỷ USD" -> 1.6e9 USD, "$1.6 billion"),
so that the numbers in a brief come from the source, never from the model's memory.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ._text import Language

FigureKind = Literal["money", "date", "percent", "area", "count"]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# A number not glued to a digit or separator on its left; in Vietnamese "10.171" is ten thousand,
# "1,6" is 1.6, and "1.5" (one or two digits after the dot) is read as a decimal too.
_VI_NUMBER = r"(?<![\d.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+[.,]\d{1,2}(?!\d)|\d+)"
_EN_NUMBER = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_VI_SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9, "nghìn tỷ": 1e12, "nghìn tỉ": 1e12}
# Scale words end at a word's end: "18 ngành" is eighteen sectors, not 18 thousand; "tỉnh" is no "tỉ".
_VI_SCALE = r"(?:nghìn\s+tỷ|nghìn\s+tỉ|nghìn|ngàn|triệu|tỷ|tỉ)(?!\w)"
_VI_SMALL_SCALE = r"(?:nghìn|ngàn|triệu)(?!\w)"
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_VI_QUALIFIERS = {
    "khoảng": "about", "gần": "nearly", "hơn": "more than", "trên": "more than",
    "tới": "up to", "đến": "up to", "dưới": "less than", "xấp xỉ": "about",
}  # fmt: skip
# The pattern is verbose, where a plain space would be ignored: "xấp xỉ" is two words.
_VI_QUALIFIER = "|".join(word.replace(" ", r"\s+") for word in _VI_QUALIFIERS)
# "đầu năm 2017" is early 2017, "cuối tháng 10/2023" late October 2023.
_VI_PERIOD_QUALIFIERS = {"đầu": "early", "giữa": "mid-", "cuối": "late"}
# Spaces as \s+: the English pattern is verbose, where a plain space matches nothing.
_EN_QUALIFIER = r"about|around|nearly|almost|more\s+than|over|up\s+to|less\s+than|under"
_YEAR = r"(?:19|20)\d\d(?!\d)"
# Other currencies a Vietnamese amount is written in: its code, and the English word for it.
_VI_OTHER_CURRENCIES = {
    r"nhân\s+dân\s+tệ": ("CNY", "yuan"), "NDT": ("CNY", "yuan"), "CNY": ("CNY", "yuan"),
    r"yên\s+Nhật": ("JPY", "yen"), "yên": ("JPY", "yen"), "won": ("KRW", "won"), "euro": ("EUR", "euros"),
    "EUR": ("EUR", "euros"),
}  # fmt: skip
# Currencies an English amount may be written in besides the two the articles use: read, "519.73 billion
# yuan" passed the fact lock as the plain number 519.73 billion, which an amount in dong backed.
_EN_OTHER_CURRENCIES = {
    "yuan": "CNY", "renminbi": "CNY", "CNY": "CNY", "RMB": "CNY", "yen": "JPY", "JPY": "JPY", "KRW": "KRW",
    "euros": "EUR", "euro": "EUR", "EUR": "EUR", "baht": "THB", "ringgit": "MYR",
}  # fmt: skip

# A day and month without "ngày" are a date only after "trước" (before) or "sau" (after), as in "trước
# 30/7": "1/3 số dự án" is a third of the projects, "Nghị định 30/2017" a decree's number. A percentage
# range ("9-11%") is one figure, its bottom never a year ("năm 2025 - 30%"), nor across lines (a list).
_VI_PATTERN = re.compile(
    rf"""
    (?P<first_months>(?P<fm_n>\d{{1,2}})\s+tháng\s+(?:(?:đầu\s+)?năm\s+(?P<fm_y>\d{{4}})
        | đầu\s+năm(?:\s+(?P<fm_now>nay))?(?![^\S\n]*\d)))
    | (?P<month_year>(?:(?P<my_q>đầu|giữa|cuối)\s+)?tháng\s+(?P<my_m>\d{{1,2}})
        (?:/|\s+năm\s+|-(?={_YEAR}))(?P<my_y>\d{{4}}))
    | (?P<full_date>(?P<fd_d>\d{{1,2}})/(?P<fd_m>\d{{1,2}})/(?P<fd_y>\d{{4}}))
    | (?P<day_month>ngày\s+(?P<dm_d>\d{{1,2}})/(?P<dm_m>\d{{1,2}})(?![\d/]))
    | (?P<bare_day_month>(?:(?<=\btrước\s)|(?<=\bsau\s))(?P<bd_d>\d{{1,2}})/(?P<bd_m>\d{{1,2}})(?![\d/])(?!\s+số(?!\w)))
    | (?P<spoken_date>ngày\s+(?P<sd_d>\d{{1,2}})\s+tháng\s+(?P<sd_m>\d{{1,2}})(?:\s+năm\s+(?P<sd_y>\d{{4}}))?)
    | (?P<bare_month>(?:(?P<bm_q>đầu|giữa|cuối)\s+)?tháng\s+(?P<bm_m>\d{{1,2}})(?![\d/-]|[.,]\d))
    | (?P<dash_date>(?P<dd_t>sáng|trưa|chiều|tối|đêm|ngày)\s+(?P<dd_d>\d{{1,2}})-(?P<dd_m>\d{{1,2}})
        (?:-(?P<dd_y>\d{{4}}))?(?![\d-]))
    | (?P<time_date>(?P<td_t>sáng|trưa|chiều|tối|đêm)\s+(?P<td_d>\d{{1,2}})/(?P<td_m>\d{{1,2}})
        (?:/(?P<td_y>\d{{4}}))?(?![\d/]))
    | (?P<money>(?:(?P<mo_q>{_VI_QUALIFIER})\s+)?(?P<mo_n>{_VI_NUMBER})\s*
        (?P<mo_s>{_VI_SCALE})?
        (?:\s+(?P<mo_n2>\d{{1,3}})\s+(?P<mo_s2>{_VI_SCALE}))?\s*
        (?P<mo_c>USD|đô\s+la\s+Mỹ|đô\s+la|đồng|VNĐ|VND|{"|".join(_VI_OTHER_CURRENCIES)})(?!\w))
    | (?P<percent_range>(?:(?P<pr_q>{_VI_QUALIFIER})\s+)?(?!{_YEAR})(?P<pr_lo>{_VI_NUMBER})[^\S\n]*%?
        [^\S\n]*[-–][^\S\n]*(?P<pr_hi>{_VI_NUMBER})\s*%)
    | (?P<percent>(?:(?P<pc_q>{_VI_QUALIFIER})\s+)?(?P<pc_n>{_VI_NUMBER})\s*(?:%|(?P<pc_pp>điểm\s+phần\s+trăm)))
    | (?P<area>(?:(?P<ar_q>{_VI_QUALIFIER})\s+)?(?P<ar_n>{_VI_NUMBER})\s*
        (?P<ar_u>ha|héc-ta|hectares?|hecta|héc\s+ta|km2|km²)(?!\w))
    | (?P<year>(?:(?P<yr_q>đầu|giữa|cuối)\s+)?năm\s+(?P<yr_y>\d{{4}}))
    | (?P<count>(?:(?P<ct_q>{_VI_QUALIFIER})\s+)?(?<![/-])(?P<ct_n>{_VI_NUMBER})
        (?:\s+(?P<ct_s>{_VI_SCALE}))?(?:\s+(?P<ct_n2>\d{{1,3}})\s+(?P<ct_s2>{_VI_SMALL_SCALE}))?(?![\d/%-]))
    """,
    re.VERBOSE | re.IGNORECASE,
)

_EN_MONTH_COUNTS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
}  # fmt: skip
_EN_FIRST_PERIOD = (
    rf"first\s+(?:(?P<n>\d{{1,2}}|{'|'.join(_EN_MONTH_COUNTS)})\s+months"
    r"|(?P<half>half)|(?P<q>(?:two|three)\s+)?quarters?)"
)
"""A period from the start of a year, as English writes it: "first 9 months", "first half", "first quarter"."""
_FIRST_MONTHS = re.compile(rf"\b{_EN_FIRST_PERIOD}\b", re.IGNORECASE)


def period_months(figure: SourceFigure) -> int | None:
    """How many months from the start of its year a period names ("the first 9 months of 2020": 9;
    "the first half of 2020": 6; "the first quarter": 3); None for a date that is no such period."""
    found = _FIRST_MONTHS.search(figure.english) if figure.kind == "date" else None
    if found is None:
        return None
    if found["n"]:
        return int(found["n"]) if found["n"].isdigit() else _EN_MONTH_COUNTS[found["n"].lower()]
    if found["half"]:
        return 6
    return {"two": 6, "three": 9}[found["q"].split()[0].lower()] if found["q"] else 3


_EN_PATTERN = re.compile(
    rf"""
    (?P<first_months>the\s+{_EN_FIRST_PERIOD}\s+of\s+(?P<fm_y>\d{{4}}))
    | (?P<day_month_year>(?<![\d.,])(?P<dmy_d>\d{{1,2}})\s+(?P<dmy_m>{"|".join(MONTHS)}),?\s+(?P<dmy_y>\d{{4}}))
    | (?P<day_month>(?<![\d.,])(?P<dmo_d>\d{{1,2}})\s+(?P<dmo_m>{"|".join(MONTHS)})(?!\w|,?\s+\d))
    | (?P<month_day>(?P<mdo_m>{"|".join(MONTHS)})\s+(?P<mdo_d>\d{{1,2}})(?!\d|\s*,?\s*\d{{4}}|,\d))
    | (?P<month_year>(?P<my_m>{"|".join(MONTHS)})(?:\s+(?P<my_d>\d{{1,2}}),?)?\s+(?P<my_y>\d{{4}}))
    | (?P<money>(?:(?P<mo_q>{_EN_QUALIFIER})\s+)?(?:(?:US)?\$\s?(?P<mo_n>{_EN_NUMBER})
        (?:\s*(?P<mo_s>thousand|million|billion|trillion))?
        | (?P<mo_n2>{_EN_NUMBER})(?:\s*(?P<mo_s2>thousand|million|billion|trillion))?
          \s*(?:US\s+)?(?:dollars?|USD)(?!\w)))
    | (?P<dong>(?:(?P<vd_q>{_EN_QUALIFIER})\s+)?(?:VND\s?(?P<vd_n>{_EN_NUMBER})
        (?:\s*(?P<vd_s>thousand|million|billion|trillion))?
        | (?P<vd_n2>{_EN_NUMBER})(?:\s*(?P<vd_s2>thousand|million|billion|trillion))?\s*(?:VND|dong|đồng)(?!\w)))
    | (?P<other_money>(?:(?P<om_q>{_EN_QUALIFIER})\s+)?(?P<om_n>{_EN_NUMBER})
        (?:\s*(?P<om_s>thousand|million|billion|trillion))?\s*(?P<om_c>{"|".join(_EN_OTHER_CURRENCIES)})(?!\w))
    | (?P<percent_range>(?:(?P<pr_q>{_EN_QUALIFIER})\s+)?
        (?:between\s+(?!{_YEAR})(?P<pb_lo>{_EN_NUMBER})(?:[^\S\n]*(?:%|percent))?\s+and\s+(?P<pb_hi>{_EN_NUMBER})
        | (?!{_YEAR})(?P<pr_lo>{_EN_NUMBER})[^\S\n]*%?[^\S\n]*[-–][^\S\n]*(?P<pr_hi>{_EN_NUMBER})
        | (?<!\bfrom\s)(?!{_YEAR})(?P<pt_lo>{_EN_NUMBER})[^\S\n]+to[^\S\n]+(?P<pt_hi>{_EN_NUMBER}))
        [^\S\n]*(?:%|percent))
    | (?P<percent>(?:(?P<pc_q>{_EN_QUALIFIER})\s+)?(?P<pc_n>{_EN_NUMBER})\s*
        (?:%|percent)(?P<pc_pp>(?:age)?[^\S\n]+points?(?!\w))?)
    | (?P<area>(?:(?P<ar_q>{_EN_QUALIFIER})\s+)?(?P<ar_n>{_EN_NUMBER})\s*
        (?P<ar_u>hectares?|ha|square\s+kilometers|km2)(?!\w))
    | (?P<year>(?<![\d,.])(?P<yr_y>(?:19|20)\d{{2}})(?!\d|[,.]\d))
    | (?P<count>(?<![/$])(?P<ct_n>{_EN_NUMBER})(?:\s+(?P<ct_s>thousand|million|billion|trillion))?(?![\d/%]))
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class SourceFigure:
    """A figure as the article writes it, with its normalized value and English form."""

    source: str
    english: str
    kind: FigureKind
    value: float
    unit: str
    high: float | None = None
    """The top of a range ("9-11%": value 9, high 11); None for a single figure."""


def _vi_number(text: str) -> float:
    if re.fullmatch(r"\d+\.\d{1,2}", text):
        return float(text)
    return float(text.replace(".", "").replace(",", "."))


def _en_number(text: str) -> float:
    return float(text.replace(",", ""))


def _english_number(value: float, *, scaled: bool = True) -> str:
    """1600000000 -> '1.6 billion', 1234500000000 -> '1,234.5 billion', 12345678 -> '12,345,678'.

    A scale word is used only where it loses no digit of the source (three decimals at most), and
    never when not `scaled`: English writes "1,000,000%", and reads "1 million%" as 1%.
    """
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)) if scaled else ():
        amount = value / scale
        if amount >= 1 and math.isclose(round(amount, 3), amount, rel_tol=1e-12):
            return f"{amount:,.3f}".rstrip("0").rstrip(".") + f" {word}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _qualified(qualifier: str | None, text: str, table: dict[str, str] | None = None) -> str:
    if not qualifier:
        return text
    spoken = re.sub(r"\s+", " ", qualifier.lower())
    english = table.get(spoken, qualifier) if table else spoken
    return f"{english} {text}"


def _month(number: int) -> str | None:
    return MONTHS[number - 1] if 1 <= number <= 12 else None


def _month_number(name: str) -> int:
    return [month.lower() for month in MONTHS].index(name.lower()) + 1


def date_value(year: int | None, month: int | None = None, day: int | None = None) -> tuple[float, str]:
    """A date's value and unit: its digits as far as the source gives them, year first, and which
    parts those are ("year" 2023, "month" 202305, "date" 20230515, "day" 515: a day of a month in a
    year the source does not name). Two dates agree when the parts one names are the other's."""
    if year is None:
        return float((month or 0) * 100 + (day or 0)), "day"
    if month is None:
        return float(year), "year"
    if day is None:
        return float(year * 100 + month), "month"
    return float(year * 10000 + month * 100 + day), "date"


def date_parts(figure: SourceFigure) -> tuple[int | None, int | None, int | None]:
    """The year, month and day a date figure names (None for a part it leaves out)."""
    value = int(figure.value)
    if figure.unit == "year":
        return value, None, None
    if figure.unit == "month":
        return value // 100, value % 100, None
    if figure.unit == "date":
        return value // 10000, value // 100 % 100, value % 100
    return None, value // 100 or None, value % 100 or None


def _vi_date(text: str, day: int, month: int, year: str | None, time_of_day: str = "") -> SourceFigure | None:
    name = _month(month)
    if name is None or not 1 <= day <= 31:
        return None
    english = f"{day} {name}" + (f" {year}" if year else "")
    when = _VI_TIMES_OF_DAY.get(time_of_day.lower())
    value, unit = date_value(int(year) if year else None, month, day)
    return SourceFigure(text, f"the {when} of {english}" if when else english, "date", value, unit)


_VI_TIMES_OF_DAY = {"sáng": "morning", "trưa": "noon", "chiều": "afternoon", "tối": "evening", "đêm": "night"}


def _vi_date_figure(m: re.Match[str], text: str) -> SourceFigure | None:
    g = m.group
    if g("first_months"):
        if g("fm_y"):
            return SourceFigure(text, f"the first {g('fm_n')} months of {g('fm_y')}", "date", float(g("fm_y")), "year")
        # No year is named, and the English must not add one: a period that names no part of a date.
        year = "this year" if g("fm_now") else "the year"
        return SourceFigure(text, f"the first {g('fm_n')} months of {year}", "date", *date_value(None))
    if g("bare_month"):
        month = _month(int(g("bm_m")))
        if month is None:
            return None
        return SourceFigure(text, _period(g("bm_q"), month), "date", *date_value(None, int(g("bm_m"))))
    if g("spoken_date"):
        return _vi_date(text, int(g("sd_d")), int(g("sd_m")), g("sd_y"))
    if g("dash_date"):
        return _vi_date(text, int(g("dd_d")), int(g("dd_m")), g("dd_y"), g("dd_t"))
    if g("time_date"):
        return _vi_date(text, int(g("td_d")), int(g("td_m")), g("td_y"), g("td_t"))
    if g("month_year"):
        month = _month(int(g("my_m")))
        if month is None:
            return None
        english = _period(g("my_q"), f"{month} {g('my_y')}")
        return SourceFigure(text, english, "date", *date_value(int(g("my_y")), int(g("my_m"))))
    if g("full_date"):
        return _vi_date(text, int(g("fd_d")), int(g("fd_m")), g("fd_y"))
    if g("bare_day_month"):
        return _vi_date(text, int(g("bd_d")), int(g("bd_m")), None)
    return _vi_date(text, int(g("dm_d")), int(g("dm_m")), None)


def _period(qualifier: str | None, english: str) -> str:
    """'October 2023' with 'cuối' -> 'late October 2023'; with 'giữa', '2017' -> 'mid-2017'."""
    early_or_late = _VI_PERIOD_QUALIFIERS.get((qualifier or "").lower())
    if early_or_late is None:
        return english
    return f"{early_or_late}{'' if early_or_late.endswith('-') else ' '}{english}"


_VI_DATE_GROUPS = (
    "first_months", "spoken_date", "dash_date", "time_date", "month_year", "full_date", "day_month", "bare_day_month",
    "bare_month",
)  # fmt: skip


def _vi_figure(m: re.Match[str]) -> SourceFigure | None:
    text = m.group(0).strip()
    g = m.group
    if any(g(name) for name in _VI_DATE_GROUPS):
        return _vi_date_figure(m, text)
    if g("money"):
        # "1 tỷ 850 triệu USD" is one amount: $1.85 billion.
        value = _vi_number(g("mo_n")) * _VI_SCALES.get(re.sub(r"\s+", " ", (g("mo_s") or "").lower()), 1)
        if g("mo_n2"):
            value += int(g("mo_n2")) * _VI_SCALES[g("mo_s2").lower()]
        currency = g("mo_c").upper()
        other = next((code for word, code in _VI_OTHER_CURRENCIES.items() if re.fullmatch(word, g("mo_c"), re.I)), None)
        if other is not None:
            code, name = other
            return SourceFigure(
                text, _qualified(g("mo_q"), f"{_english_number(value)} {name}", _VI_QUALIFIERS), "money", value, code
            )
        if currency.startswith(("USD", "ĐÔ")):
            return SourceFigure(
                text, _qualified(g("mo_q"), f"${_english_number(value)}", _VI_QUALIFIERS), "money", value, "USD"
            )
        return SourceFigure(
            text, _qualified(g("mo_q"), f"VND{_english_number(value)}", _VI_QUALIFIERS), "money", value, "VND"
        )
    if g("percent_range") or g("percent"):
        return _vi_percent_figure(m, text)
    if g("area"):
        value = _vi_number(g("ar_n"))
        unit = "km2" if g("ar_u").lower().startswith("km") else "ha"
        english = f"{_english_number(value)} {'square kilometers' if unit == 'km2' else 'hectares'}"
        return SourceFigure(text, _qualified(g("ar_q"), english, _VI_QUALIFIERS), "area", value, unit)
    if g("year"):
        return SourceFigure(text, _period(g("yr_q"), g("yr_y")), "date", float(g("yr_y")), "year")
    if not g("ct_s") and re.fullmatch(r"(?:19|20)\d\d", g("ct_n")):
        # A year standing alone, not 2,015 things; "đến 2020" is until 2020, not up to 2,020 things.
        if not g("ct_q"):
            return SourceFigure(text, text, "date", float(text), "year")
        if g("ct_q").lower() in ("đến", "tới"):
            return SourceFigure(g("ct_n"), g("ct_n"), "date", float(g("ct_n")), "year")
    value = _vi_number(g("ct_n")) * _VI_SCALES.get(re.sub(r"\s+", " ", (g("ct_s") or "").lower()), 1)
    if g("ct_n2"):
        value += int(g("ct_n2")) * _VI_SCALES[g("ct_s2").lower()]
    return SourceFigure(text, _qualified(g("ct_q"), _english_number(value), _VI_QUALIFIERS), "count", value, "")


def _vi_percent_figure(m: re.Match[str], text: str) -> SourceFigure | None:
    g = m.group
    if not g("percent_range"):
        value = _vi_number(g("pc_n"))
        if g("pc_pp"):
            points = f"{_english_number(value, scaled=False)} percentage point{'' if value == 1 else 's'}"
            return SourceFigure(
                text, _qualified(g("pc_q"), points, _VI_QUALIFIERS), "percent", value, PERCENTAGE_POINTS
            )
        english = _qualified(g("pc_q"), f"{_english_number(value, scaled=False)}%", _VI_QUALIFIERS)
        return SourceFigure(text, english, "percent", value, "%")
    low, high = _vi_number(g("pr_lo")), _vi_number(g("pr_hi"))
    if low >= high:
        return None  # no range: see extract_figures
    span = f"{_english_number(low, scaled=False)}-{_english_number(high, scaled=False)}%"
    english = _qualified(g("pr_q"), span, _VI_QUALIFIERS)
    return SourceFigure(text, english, "percent", low, "%", high)


def _en_figure(m: re.Match[str]) -> SourceFigure | None:
    text = m.group(0).strip()
    g = m.group
    if g("first_months"):
        return SourceFigure(text, text, "date", float(g("fm_y")), "year")
    if g("day_month_year"):
        return SourceFigure(
            text, text, "date", *date_value(int(g("dmy_y")), _month_number(g("dmy_m")), int(g("dmy_d")))
        )
    if g("day_month"):
        return SourceFigure(text, text, "date", *date_value(None, _month_number(g("dmo_m")), int(g("dmo_d"))))
    if g("month_day"):
        return SourceFigure(text, text, "date", *date_value(None, _month_number(g("mdo_m")), int(g("mdo_d"))))
    if g("month_year"):
        day = int(g("my_d")) if g("my_d") else None
        return SourceFigure(text, text, "date", *date_value(int(g("my_y")), _month_number(g("my_m")), day))
    if g("money"):
        # "10 billion dollars" is money as "$10 billion" is: read as a plain number, it passed the fact
        # lock for VND10 billion (fidelity article 01).
        number, scale = (g("mo_n"), g("mo_s")) if g("mo_n") else (g("mo_n2"), g("mo_s2"))
        value = _en_number(number) * _EN_SCALES.get((scale or "").lower(), 1)
        return SourceFigure(text, text, "money", value, "USD")
    if g("dong"):
        number, scale = (g("vd_n"), g("vd_s")) if g("vd_n") else (g("vd_n2"), g("vd_s2"))
        value = _en_number(number) * _EN_SCALES.get((scale or "").lower(), 1)
        return SourceFigure(text, text, "money", value, "VND")
    if g("other_money"):
        value = _en_number(g("om_n")) * _EN_SCALES.get((g("om_s") or "").lower(), 1)
        currency = next(code for word, code in _EN_OTHER_CURRENCIES.items() if word.lower() == g("om_c").lower())
        return SourceFigure(text, text, "money", value, currency)
    if g("percent_range"):
        ends = next(ends for ends in ("pb", "pr", "pt") if g(f"{ends}_lo"))
        low, high = _en_number(g(f"{ends}_lo")), _en_number(g(f"{ends}_hi"))
        return SourceFigure(text, text, "percent", low, "%", high) if low < high else None  # see extract_figures
    if g("percent"):
        return SourceFigure(text, text, "percent", _en_number(g("pc_n")), PERCENTAGE_POINTS if g("pc_pp") else "%")
    if g("area"):
        unit = "ha" if g("ar_u").lower().startswith("h") else "km2"
        return SourceFigure(text, text, "area", _en_number(g("ar_n")), unit)
    if g("year"):
        return SourceFigure(text, text, "date", float(g("yr_y")), "year")
    value = _en_number(g("ct_n")) * _EN_SCALES.get((g("ct_s") or "").lower(), 1)
    return SourceFigure(text, text, "count", value, "")


def extract_figures(text: str, language: Language) -> list[SourceFigure]:
    """Every figure in `text`, in order of appearance, repeats removed."""
    pattern, convert = (_VI_PATTERN, _vi_figure) if language == "vi" else (_EN_PATTERN, _en_figure)
    found: dict[str, SourceFigure] = {}
    for match in pattern.finditer(text):
        figure = convert(match)
        figures = [figure] if figure is not None else []
        if figure is None and match.group("percent_range"):
            # "15 - 10%" is no range: each side as it reads alone.
            groups = match.groupdict()
            top = next(match.start(name) for name in ("pb_hi", "pr_hi", "pt_hi") if groups.get(name))
            figures = [
                *extract_figures(text[match.start() : top], language),
                *extract_figures(text[top : match.end()], language),
            ]
        for each in figures:
            found.setdefault(each.source, each)
    return list(found.values())


_DIGITS = re.compile(r"\d[\d.,]*\d|\d")


def _digit_runs(text: str) -> set[str]:
    return {re.sub(r"[.,]", "", run) for run in _DIGITS.findall(text)}


@functools.lru_cache(maxsize=256)
def _figures_of(text: str, language: Language) -> tuple[SourceFigure, ...]:
    # A paragraph's figures are checked one by one against the same translation: read it once.
    return tuple(extract_figures(text, language))


def figure_kept(figure: SourceFigure, text: str, language: Language = "en") -> bool:
    """True when `text` (in `language`) states `figure`: an amount, share or area with the same value
    ("1,6 tỷ USD" is kept by "$1.6 billion", not by "$1.6 million"); a date or plain number by its
    digits, whatever their grouping ("tháng 5/2023" needs "2023")."""
    # Translations often keep the source's digit grouping ("10,171 ha" in Vietnamese, where the
    # comma is a decimal point): the number may be read either way; its scale word may not.
    other: Language = "en" if language == "vi" else "vi"
    as_other = [stated for stated in _figures_of(text, other) if stated.kind == figure.kind]
    if any(supports(figure, stated) for stated in [*_figures_of(text, language), *as_other]):
        return True
    if figure.kind in KEY_KINDS:
        return False
    return _digit_runs(figure.english) <= _digit_runs(text)


PERCENTAGE_POINTS = "pp"
"""The unit of a difference of two percentages ("tăng 2 điểm phần trăm", "up 2 percentage points"),
which is not a percent: "giảm gần 16%" written as "down nearly 16 percentage points" changes it."""
KEY_KINDS = frozenset({"money", "percent", "area"})
"""Figures a brief's prose should mention: the amounts, shares and areas a story is about."""
MIN_CHECKED_COUNT = 10
"""Plain numbers below this are not checked: "two projects" and "phase 1" are too often words in
one language and digits in the other to tell a change from a paraphrase."""


def supports(source: SourceFigure, stated: SourceFigure) -> bool:
    """True when `source` backs `stated`: the same kind, value (both ends, for a range) and unit (a
    plain number may stand for any figure of that value: "3 trillion dong" reads as a number in English)."""
    if source.kind == "date" and stated.kind == "date":
        # A period is backed only by the same period: "the first quarter of 2020" for "9 tháng đầu năm
        # 2020" (fidelity article 06) names the year right and the months wrong.
        months = period_months(stated)
        if months is not None and months != period_months(source):
            return False
        # The parts the stated date names must be the source's: "May 2023" for "15/5/2023", never
        # "16 May 2023", nor a year the source does not give.
        return all(
            mine is None or mine == theirs for mine, theirs in zip(date_parts(stated), date_parts(source), strict=True)
        )
    if not math.isclose(source.value, stated.value, rel_tol=1e-9):
        return False
    # A range is backed only by the same range: "11%" for "9-11%" drops its bottom, and says more than
    # the source does.
    if (source.high is None) != (stated.high is None):
        return False
    if source.high is not None and stated.high is not None and not math.isclose(source.high, stated.high):
        return False
    if stated.kind == "count":
        return True
    return source.kind == stated.kind and (source.unit == stated.unit or not source.unit or not stated.unit)


_VI_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def in_english_form(text: str, sources: Sequence[SourceFigure]) -> str:
    """`text` (English) with each figure it writes the source's way put in its English form: "12.700
    hectares" (twelve thousand seven hundred, grouped as Vietnamese does, which English reads as 12.7)
    becomes "12,700 hectares", "1,6 tỷ USD" becomes "$1.6 billion". Only a figure that, read the
    source's way, is one of `sources` and, read the English way, is none of them is rewritten.
    So is an amount with an English scale and the source's grouping ("307.150 billion đồng", fidelity
    article 04: VND307.15 trillion), when that reading is a source amount in the currency written."""
    text = _GROUPED_SCALE.sub(lambda match: _grouped_amount(match, sources), text)
    for written in extract_figures(text, "vi"):
        if written.kind == "date" or (written.kind == "count" and written.value < MIN_CHECKED_COUNT):
            continue
        # A plain number is rewritten only when it is grouped as the source groups thousands.
        grouped = written.kind != "count" or _VI_THOUSANDS.fullmatch(written.source)
        meant = next((source for source in sources if supports(source, written)), None) if grouped else None
        if meant is None or meant.english in text:
            continue
        if any(supports(source, read) for read in extract_figures(written.source, "en") for source in sources):
            continue
        text = text.replace(written.source, meant.english)
    return text


_VI_SCALE_OF = {"thousand": "nghìn", "million": "triệu", "billion": "tỷ", "trillion": "nghìn tỷ"}
_VI_CURRENCY_OF = {"đồng": "đồng", "dong": "đồng", "vnd": "đồng", "$": "USD", "dollars": "USD", "usd": "USD"}
# The English's qualifier is part of the match, so the source's ("more than VND4.074 trillion") is
# not written after it a second time.
_GROUPED_SCALE = re.compile(
    rf"(?:(?:{_EN_QUALIFIER})\s+)?(?:(?P<before>VND|\$)\s?)?(?P<number>{_VI_THOUSANDS.pattern})"
    rf"\s+(?P<scale>{'|'.join(_VI_SCALE_OF)})(?:\s+(?:US\s+)?(?P<after>đồng|dong|VND|dollars|USD))?(?!\w)",
    re.IGNORECASE,
)


def _grouped_amount(match: re.Match[str], sources: Sequence[SourceFigure]) -> str:
    """The English form of the source amount that `match` (grouped the source's way, scaled the
    English way) writes, or the match as it is when no one source amount in its currency is it."""
    currencies = {_VI_CURRENCY_OF[word.lower()] for word in (match.group("before"), match.group("after")) if word}
    if len(currencies) != 1:  # no currency, or two: not an amount of the source's to read
        return match.group(0)
    scale = _VI_SCALE_OF[match.group("scale").lower()]
    read = extract_figures(f"{match.group('number')} {scale} {currencies.pop()}", "vi")
    meant = {source.english for source in sources for one in read if one.kind == "money" and supports(source, one)}
    return meant.pop() if len(meant) == 1 else match.group(0)


@dataclass(frozen=True)
class CurrencyRepair:
    """An amount of money the English wrote in a currency its source amount is not in, put right."""

    written: str
    """As the English wrote it: "$10 Trillion"."""
    source: SourceFigure
    """The article's amount it stands for: VND10 trillion."""


def in_source_currency(text: str, sources: Sequence[SourceFigure]) -> tuple[str, list[CurrencyRepair]]:
    """`text` (English) with each amount of money written in another currency than the article's
    put back in the article's ("$10 Trillion" and "10 billion dollars" for VND10 trillion and VND10
    billion: fidelity article 01), and what was so rewritten. Only an amount no source figure backs
    as written, whose number and scale are exactly those of one source amount in another currency
    (of one only), is rewritten: a converted amount changes its number, a mislabelled one does not.
    The English's own qualifier ("more than") is kept."""
    repairs = []
    for written in extract_figures(text, "en"):
        if written.kind != "money" or written.high is not None or any(supports(s, written) for s in sources):
            continue
        meant = {
            source.english: source
            for source in sources
            if source.kind == "money"
            and source.high is None
            and source.unit != written.unit
            and math.isclose(source.value, written.value, rel_tol=1e-9)
        }
        if len(meant) != 1 or written.source not in text:
            continue
        [source] = meant.values()
        qualifier = _QUALIFIER_FIRST.match(written.source)
        amount = _QUALIFIER_FIRST.sub("", source.english, count=1)
        text = text.replace(written.source, (qualifier.group(0) if qualifier else "") + amount)
        repairs.append(CurrencyRepair(written.source, source))
    return text, repairs


_QUALIFIER_FIRST = re.compile(rf"^(?:{_EN_QUALIFIER})\s+", re.IGNORECASE)


def checked_figures(text: str, language: Language = "en") -> list[SourceFigure]:
    """The figures of `text` that the fact lock holds to the source (small plain numbers, and periods
    that name no year, month or day, aside)."""
    return [
        f
        for f in extract_figures(text, language)
        if not (f.kind == "count" and f.value < MIN_CHECKED_COUNT)
        # "6 tháng đầu năm" is as often "the first half of the year" as "the first 6 months": its digit
        # is no test of the English, and a year the English adds is caught as a date the source lacks.
        and not (f.kind == "date" and date_parts(f) == (None, None, None))
    ]


def unsupported_figures(text: str, sources: Sequence[SourceFigure], language: Language = "en") -> list[SourceFigure]:
    """The figures `text` states that no source figure backs: changed or invented."""
    return [stated for stated in checked_figures(text, language) if not any(supports(s, stated) for s in sources)]


BRIEF_KEY_FIGURES = 6
"""The key figures a brief is held to: as many as its summary and key points can hold."""
ARTICLE_PARTS = 3
"""The parts (by position) whose key figures a brief is held to in turn, so its end counts as its start."""


def brief_key_figures(sources: Sequence[SourceFigure], text: str, limit: int = BRIEF_KEY_FIGURES) -> list[SourceFigure]:
    """The key figures of `sources` that a brief of `text` must state: at most `limit`, taken in turn
    from each third of `text` (by where each is first written), in the article's order. An article
    with more key figures than a brief can hold is covered from beginning to end, not only at its
    beginning, where the first six of a figure-dense lead would all be."""
    key = [figure for figure in sources if figure.kind in KEY_KINDS]
    if len(key) <= limit:
        return key
    place = {id(figure): max(text.find(figure.source), 0) for figure in key}
    parts: list[list[SourceFigure]] = [[] for _ in range(ARTICLE_PARTS)]
    for figure in key:
        parts[min(place[id(figure)] * ARTICLE_PARTS // max(len(text), 1), ARTICLE_PARTS - 1)].append(figure)
    chosen: list[SourceFigure] = []
    for turn in range(limit):
        chosen += [part[turn] for part in parts if turn < len(part)]
    kept = {id(figure) for figure in chosen[:limit]}
    return [figure for figure in key if id(figure) in kept]


def missing_key_figures(text: str, sources: Sequence[SourceFigure], language: Language = "en") -> list[SourceFigure]:
    """The key source figures (money, percentages, areas) that `text` does not state."""
    stated = extract_figures(text, language)
    return [s for s in sources if s.kind in KEY_KINDS and not any(supports(s, f) for f in stated)]
