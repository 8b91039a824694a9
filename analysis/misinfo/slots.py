"""Dates, weekdays, times and amounts in a text: the slots a claim and a statement are compared on.

Regular expressions over the normalised text (NFKC: digits are ASCII), each run only when a
character it needs is there, so a post without a number costs one search.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Slot:
    """A date, time or amount found in the text."""

    kind: str  # "date" | "weekday" | "time" | "amount" | "within" (「30日以内」, in days)
    value: tuple  # date: (month|None, first_day, last_day); weekday: (n,); time: (minutes,); amount: (value, unit)
    start: int
    end: int
    clause: int
    negated: bool = False  # 「16日じゃなくて17日」
    # date/time: "from" | "until"; amount: "delta" (「100円アップ」) | "rate" (「5割値上げ」) | "per"
    # (「1世帯あたり」)
    role: str = ""

    def label(self) -> str:
        if self.kind == "date":
            month, lo, hi = self.value
            day = str(lo) if lo == hi else f"{lo}〜{hi}"
            return f"{month}月{day}日" if month else f"{day}日"
        if self.kind == "time":
            return f"{self.value[0] // 60}:{self.value[0] % 60:02d}"
        if self.kind == "weekday":
            return "月火水木金土日"[self.value[0]] + "曜"
        if self.kind == "within":
            return f"{self.value[0]}日以内"
        value, unit = self.value
        return f"{value:g}{unit}"


_DATE = re.compile(
    r"(?:(\d{1,2})月|(?<![\d/.])(\d{1,2})/(?=\d{1,2}(?![\d/])))(\d{1,2})?(日|上旬|中旬|下旬|末)?"
)
_MONTH = re.compile(r"(?<![\d/.])(\d{1,2})月(?![\d上中下末号議期分])")  # not 「12月号」「3月議会」
_YEAR_END = re.compile(r"年内いっぱい|年内まで|年末まで")
# not 「1日2便」 (per day) nor 「1日開催」「1日だけ」 (for one day)
_DAY = re.compile(
    r"(?<![\d月/.:])(\d{1,2})日(?!間|以内|\d+[便回本件人食])(?<!(?<!\d)1日(?=開催|だけ|のみ|限り|中|じゅう))"
)
_WEEKDAY = re.compile(
    r"(?:([月火水木金土日])曜|[(（]([月火水木金土日])(?:曜日?)?[)）]|([月火水木金土日])・(?=[月火水木金土日]曜))"
)
_TIME = re.compile(r"(午前|午後|朝|夜|夕方|昼)?(\d{1,2})(?:時(?!間)(半|\d{1,2}分)?|:(\d{2})(?!\d))")
_DIGIT = re.compile(r"\d")
_PERIODS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31), "末": (25, 31)}
_NEG_AFTER = re.compile(r"^(?:じゃなく|ではなく|じゃな|でな|ではな)")


def _dates(text: str) -> list[tuple[tuple, int, int]]:
    out: list[tuple[tuple, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        month = int(m.group(1) or m.group(2))
        day, unit = m.group(3), m.group(4)
        if not 1 <= month <= 12 or (m.group(2) and not day):
            continue
        if day and (unit == "日" or m.group(2)):
            lo = hi = int(day)
        elif unit in _PERIODS and not day:
            lo, hi = _PERIODS[unit]
        elif not day and not unit:
            continue  # 「10月から」: a month alone is too vague to contradict
        else:
            continue
        out.append(((month, lo, hi), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _MONTH.finditer(text):  # 「来年3月まで」: the whole month
        month = int(m.group(1))
        if 1 <= month <= 12 and not any(a <= m.start() < b for a, b in taken):
            out.append(((month, 1, 31), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    explicit = sorted((s, v[0], v[1]) for v, s, _ in out)  # (offset, month, first day)
    for m in _YEAR_END.finditer(text):
        out.append(((12, 31, 31), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _DAY.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        day = int(m.group(1))
        if not 1 <= day <= 31:
            continue
        i = bisect.bisect_right(explicit, (m.start(), 99, 99)) - 1
        month = explicit[i][1] if i >= 0 else None
        if month and day < explicit[i][2] and re.search("から|〜|~|-", text[explicit[i][0] : m.start()]):
            month = month % 12 + 1  # 「12月29日から3日まで」: into the next month
        out.append(((month, day, day), m.start(), m.end()))
        explicit.insert(i + 1, (m.start(), month, day))
    return out


_PAST_YEAR = re.compile(r"(?:1[89]\d\d|昭和\d{1,2}|平成\d{1,2}|大正\d{1,2})年$")


def _not_now(text: str, start: int, end: int) -> bool:
    """A birthday or a date of a past era (「昭和15年3月2日生まれ」): never a claim about an event."""
    if text[end : end + 2] in ("生ま", "生れ"):
        return True
    return _PAST_YEAR.search(text[max(0, start - 6) : start]) is not None


def _times(text: str) -> list[tuple[tuple, int, int]]:
    out = []
    for m in _TIME.finditer(text):
        part, hour = m.group(1), int(m.group(2))
        if hour > 24 or text[max(0, m.start() - 1) : m.start()] == "/":
            continue
        minute = (
            30
            if m.group(3) == "半"
            else int((m.group(3) or "0").rstrip("分") or 0)
            if m.group(3)
            else int(m.group(4) or 0)
        )
        if part in ("午後", "夜", "夕方") and hour < 12:
            hour += 12
        out.append(((hour * 60 + minute,), m.start(), m.end()))
    return out


@lru_cache(maxsize=4)
def _amount_re(units_: tuple[str, ...]) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in units_)
    num = r"\d+(?:\.\d+)?"
    return re.compile(
        rf"(?<![\d第.,/])((?:{num}億)?(?:{num}万)?(?:{num}千)?(?:\d+(?:,\d{{3}})*(?:\.\d+)?)?)({units})"
    )


_SCALED = re.compile(r"(\d+(?:\.\d+)?)([億万千])")
_SCALE = {"億": 100_000_000, "万": 10_000, "千": 1_000}


def _number(written: str) -> float:
    """「1万3千」 → 13000, 「2,000」 → 2000."""
    value = 0.0
    rest = written
    for m in _SCALED.finditer(written):
        value += float(m.group(1)) * _SCALE[m.group(2)]
        rest = written[m.end() :]
    return value + (float(rest.replace(",", "")) if rest else 0.0)


def _amounts(text: str, units: tuple[str, ...]) -> list[tuple[tuple, int, int]]:
    out = []
    for m in _amount_re(units).finditer(text):
        if not m.group(1):
            continue
        out.append(((_number(m.group(1)), m.group(2)), m.start(), m.end()))
    return out


@lru_cache(maxsize=4)
def _hint_re(units_: tuple[str, ...]) -> re.Pattern[str]:
    units = "|".join(re.escape(u) for u in units_)
    return re.compile(rf"\d\s*(?:[月日時/:]|[万千億]?(?:{units}))|年内|年末まで|正午")


def has_slot(text: str, units: tuple[str, ...]) -> bool:
    """A date, a time or an amount in one of `units`: what slots are made of."""
    return _hint_re(units).search(text) is not None


# what a date or time is: the start or the end of a period, a deadline (「5月いっぱい」「6月30日
# （火）まで」「期限は6月30日」「10月16日（金）必着」)
_PAREN_DAY = r"\s*(?:[(（][月火水木金土日](?:曜日?)?[)）])?\s*"
_UNTIL_AFTER = re.compile(
    _PAREN_DAY
    + r"(?:(?:午前|午後)?\d{1,2}(?:時|:\d{2})(?:\d{1,2}分|半)?)?\s*"
    + r"(?:まで|いっぱい|一杯|必着|で終了|で終わ|で締め?切|が期限|が締め?切|が納期)"
)
_UNTIL_BEFORE = re.compile(r"(?:期限|締め?切り?|納期限?|期日)(?:は|が|:)?\s*$")
_FROM_AFTER = re.compile(
    _PAREN_DAY + r"(?:(?:午前|午後)?\d{1,2}(?:時|:\d{2})(?:\d{1,2}分|半)?)?\s*(?:から|より|以降|〜|~)"
)
# what an amount is: the size of a rise (「100円アップ」「100円の値上げ」), or a rate of rise
_DELTA_AFTER = re.compile(r"(?:の|を)?(?:アップ|UP|up|値上げ|値上が|増額|増し|増|上が|上げ|高く|プラス|加算)")
_RISE_AFTER = re.compile(
    r"(?:も|の|に|、|程度|ほど|くらい|ぐらい|近く|以上)*(?:アップ|UP|up|値上げ|値上が|増額|増し|増|上が|上げ|高く|改定|引き?上げ|になる|になった|に)"
)
_RATE_UNITS = ("%", "割", "倍")
_ALL_DAY = re.compile(r"(?:1日|一日)中|終日|丸一日")
_WITHIN = re.compile(r"(\d+)(日|週間|か月|ヶ月|カ月|年)以内")
_WITHIN_DAYS = {"日": 1, "週間": 7, "か月": 30, "ヶ月": 30, "カ月": 30, "年": 365}
_DOUBLE = re.compile(r"(?<![\d.０-９])倍(?=に|の値上|以上に|近く)")


def _role(kind: str, value: tuple, text: str, start: int, end: int) -> str:
    if kind in ("date", "time"):
        after = text[end : end + 24]
        if _UNTIL_AFTER.match(after) or _UNTIL_BEFORE.search(text[max(0, start - 8) : start]):
            return "until"
        return "from" if _FROM_AFTER.match(after) else ""
    if kind == "amount":
        after = text[end : end + 12]
        if after.startswith(("あたり", "当たり", "につき", "ごと", "毎")):
            return "per"  # 「1世帯あたり3万円」: a unit of count, not a count
        if value[1] in _RATE_UNITS:
            return "rate" if _RISE_AFTER.match(after) else ""
        if _DELTA_AFTER.match(after) or text[max(0, start - 3) : start].endswith(("プラス", "+")):
            return "delta"
    return ""


def find(text: str, units: tuple[str, ...]) -> list[tuple[str, tuple, int, int, bool, str]]:
    """(kind, value, start, end, negated, role) of every slot, in order of position."""
    found: list[tuple[str, tuple, int, int]] = []
    digits = _DIGIT.search(text) is not None
    if (digits and ("月" in text or "日" in text or "/" in text)) or "年内" in text or "年末" in text:
        found += [("date", *d) for d in _dates(text)]
    if digits and ("時" in text or ":" in text):
        found += [("time", *t) for t in _times(text)]
    if "正午" in text:
        found += [("time", (12 * 60,), m.start(), m.end()) for m in re.finditer("正午", text)]
    if digits:
        found += [("amount", *a) for a in _amounts(text, units)]
    if "日中" in text or "終日" in text or "丸一日" in text:  # 「1日中交通規制」: all day
        found += [("amount", (24.0, "時間"), m.start(), m.end()) for m in _ALL_DAY.finditer(text)]
    if "以内" in text and digits:  # 「30日以内に申請」: a limit
        for m in _WITHIN.finditer(text):
            days = int(m.group(1)) * _WITHIN_DAYS[m.group(2)]
            found.append(("within", (days,), m.start(), m.end()))
    if "倍" in text:  # 「倍になる」: twice as much
        found += [("amount", (2.0, "倍"), m.start(), m.end()) for m in _DOUBLE.finditer(text)]
    if "曜" in text or "(" in text:
        for m in _WEEKDAY.finditer(text):
            wd = m.group(1) or m.group(2) or m.group(3)
            found.append(("weekday", ("月火水木金土日".index(wd),), m.start(), m.end()))
    if "生" in text or "和" in text or "成" in text or "19" in text:
        found = [f for f in found if f[0] != "date" or not _not_now(text, f[2], f[3])]
    found.sort(key=lambda f: f[2])
    return [
        (k, v, s, e, bool(_NEG_AFTER.match(text[e : e + 6])), _role(k, v, text, s, e)) for k, v, s, e in found
    ]
