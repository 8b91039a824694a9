"""What the leak detector reads in a post: staff signs, confidentiality phrases, named people.

Each reader is a pure function of text (and Sudachi's parts of speech for names); the
words live in lexicons/leak_*.txt so the comms team can extend them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from analysis import phrases, pii
from analysis.gates import GatedRegex
from analysis.text import Doc
from analysis.textnorm import normalize
from analysis.types import Evidence

STAFF = "leak_staff.txt"
CONFIDENTIAL = "leak_confidential.txt"
SECURITY = "leak_security.txt"
PUBLIC = "leak_public.txt"
PERSONAL = "leak_personal_data.txt"
FILES = (STAFF, CONFIDENTIAL, SECURITY, PUBLIC, PERSONAL)

# the confidentiality sections the leak detector's soft signs (markings, drafts …) are read from
SOFT_SECTIONS = (
    "marking",
    "unannounced",
    "unannounced-weak",
    "unannounced-known",
    "aside",
    "aside-strong",
    "insider",
    "draft",
    "deliberation",
    "secret",
    "personnel",
    "internal",
)
# sections whose words can make a post a leak on their own or with a staff sign
CONTENT_SECTIONS = (
    (CONFIDENTIAL, SOFT_SECTIONS),
    (SECURITY, ("system",)),
    (PERSONAL, ("record", "sensitive", "dealing")),
)
_PERSON = ("名詞", "固有名詞", "人名")
PII_LABEL = {
    "birthdate": "birthdate",
    "mynumber": "mynumber",
    "phone": "phone",
    "address": "address",
    "idnumber": "idnumber",
    "handle": "handle",
}
_HONORIFIC = re.compile(r"\s*(?:さん|様|さま|氏|くん|君|ちゃん)")
_KATAKANA = re.compile(r"[ァ-ヴ]")
_TITLE_AFTER = re.compile(r"先生|課長|部長|係長|主任|主査|所長|院長|校長|園長|議員|社長|会長")  # 佐藤先生
# 石田って人。/ 鈴木って名前: a proper noun called a person (Sudachi may read 石田 as a place)
_CALLED = re.compile(
    r"(?:って|という|っていう)(?:(?:人|子|女|男)(?=[。、,.!?！？\s]|$)|奴|やつ|名前|職員|先生|家の)"
)


@dataclass(frozen=True)
class Staff:
    """How strongly the author seems to be city staff (0 = no sign)."""

    strength: float = 0.0
    source: str = ""  # "profile" | "text" | "profile+text"
    phrase: str = ""
    span: tuple[int, int] | None = None  # the phrase in the post text (text signs only)

    def describe(self) -> str:
        if not self.strength:
            return ""
        where = "プロフィール" if self.source.startswith("profile") else "本文"
        return f"{where}「{self.phrase}」"


@dataclass(frozen=True)
class Hit:
    section: str
    start: int  # offsets into the normalised text
    end: int
    text: str


def hits(text: str, file: str, section: str) -> list[Hit]:
    return [Hit(section, m.start(), m.end(), m.group()) for m in phrases.regex(file, section).finditer(text)]


def merged(*lists: list[Hit]) -> list[Hit]:
    """Hits from several sections in text order, a hit inside an earlier, longer one dropped."""
    out: list[Hit] = []
    for h in sorted((h for hs in lists for h in hs), key=lambda h: (h.start, -h.end)):
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


def has(text: str, file: str, *sections: str) -> bool:
    return phrases.regex(file, *sections).search(text) is not None


_HIRAGANA = re.compile(r"[ぁ-ゖー]+")  # a leading run of hiragana


@dataclass(frozen=True)
class Gate:
    """A cheap superset test for "could any content word be here?" (most posts: no).

    Words that start with hiragana enter by the rest (まで秘密 → 秘密), so the regex does not stop
    at every particle; when too little is left (ここだけの話, こっそり) the word is looked up as a
    plain substring.
    """

    regex: re.Pattern[str]
    kana_words: tuple[str, ...]

    def search(self, lowered: str) -> bool:
        return self.regex.search(lowered) is not None or any(w in lowered for w in self.kana_words)


def content_gate(extra: tuple[str, ...] = ()) -> Gate:
    words = {
        e.split(phrases.GAP, 1)[0]
        for f, secs in CONTENT_SECTIONS
        for s in secs
        for e in phrases.sections(f).get(s, ())
    }
    words |= {normalize(t) for t in extra if t.strip()}
    stems, kana = set(), set()
    for w in (w.lower() for w in words if w):
        lead = _HIRAGANA.match(w)
        rest = w[lead.end() :] if lead else w
        if len(rest) >= 2 or (rest and not lead):
            stems.add(rest)
        else:
            kana.add(w)
    # gated: the stems themselves are what every match needs, found in one automaton pass
    regex = GatedRegex(re.compile(phrases.pattern(sorted(stems)))) if stems else phrases.NEVER
    return Gate(regex, tuple(sorted(kana)))


_FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*(?:%|割|円|億|万|件|社|校|か所|箇所|ヶ所|人|倍)")


def concrete(text: str) -> bool:
    """The post says what: a decision or change (廃止, 値上げ …) or a figure (15%, 2億)."""
    return has(text, CONFIDENTIAL, "matter") or _FIGURE.search(text) is not None


def profile_staff(description: str, aliases: tuple[str, ...]) -> Staff:
    """Staff signs in the author's profile; naming the city makes a weak sign strong."""
    d = normalize(description or "")
    if not d:
        return Staff()
    former = re.search(r"元(?:茅野)?(?:市役所|市職員|職員|公務員|役所|役場)|退職|定年", d)
    official = "非公式" not in d and has(d, PUBLIC, "official")
    if former or official:
        return Staff()
    names_city = any(a and a in d for a in aliases)
    strong = phrases.regex(STAFF, "profile-strong").search(d)
    if strong:
        return Staff(min(1.0, 0.85 + (0.1 if names_city else 0.0)), "profile", strong.group())
    if has(d, STAFF, "profile-not-staff"):
        return Staff()
    unit = _city_unit(d, aliases)
    if unit:
        return Staff(0.85, "profile", unit)
    weak = phrases.regex(STAFF, "profile-weak").search(d)
    if weak:
        return Staff(0.55 + (0.2 if names_city else 0.0), "profile", weak.group())
    return Staff()


_PART = re.compile(r"[\s・/／|｜、。,，()（）「」【】\[\]#＃]+")


def _city_unit(d: str, aliases: tuple[str, ...]) -> str:
    """'茅野市 こども家庭課', '茅野消防署 救急隊', '茅野市立北部中 教員': the city's name, then within the
    next two parts of the profile a unit (…課, …センター) at a part's end or a role (保健師) in it."""
    units = phrases.sections(STAFF).get("profile-unit", ())
    if not units:
        return ""
    roles = phrases.regex(STAFF, "profile-unit")
    blocked = phrases.regex(STAFF, "profile-unit-not")
    for alias in (a for a in aliases if a and not a.isascii()):
        for m in re.finditer(re.escape(alias), d):
            parts = [p for p in _PART.split(d[m.end() : m.end() + 40]) if p][:3]
            if not parts or d[m.end() : m.end() + 1] in ("の", "に", "で", "が", "は", "を", "と"):
                continue
            if parts[0].endswith(units):  # 茅野市 市民課: a unit beats the 市民 inside its name
                return d[m.start() : d.find(parts[0], m.end()) + len(parts[0])]
            if blocked.search(alias + parts[0]):  # 茅野市民, 茅野在住, 茅野市観光協会
                continue
            for part in parts:
                if part is not parts[0] and blocked.search(part):
                    break
                if part.endswith(units) or (len(part) <= 8 and roles.search(part)):
                    return part
    return ""


def text_staff(text: str) -> Staff:
    """The author speaking as staff in the post itself (うちの課, 窓口に来た, 市職員です …)."""
    blocked = [(h.start, h.end) for h in hits(text, STAFF, "text-not-staff")]

    def free(h: Hit) -> bool:
        return not any(a < h.end and h.start < b for a, b in blocked)

    for section, strength in (("text-strong", 0.8), ("text-weak", 0.45)):
        for h in hits(text, STAFF, section):
            if free(h):
                return Staff(strength, "text", h.text, (h.start, h.end))
    return Staff()


def combine(profile: Staff, text: Staff) -> Staff:
    if profile.strength and text.strength:
        best = profile if profile.strength >= text.strength else text
        return Staff(min(1.0, best.strength + 0.1), "profile+text", profile.phrase, text.span or profile.span)
    return profile if profile.strength >= text.strength else text


def named_people(doc: Doc) -> list[tuple[int, int]]:
    """Spans (in doc.text) of named people or parties: a 人名 word (family + given name, or with
    an honorific), or any other word with さん/様 that is not a role (〇〇建設さん, not 職員さん)."""
    out: list[tuple[int, int]] = []
    pos, begins, ends, text = doc.pos, doc.begins, doc.ends, doc.text
    roles = phrases.sections(PERSONAL).get("role", ())
    for i, p in enumerate(pos):
        if out and begins[i] < out[-1][1]:
            continue
        title = _HONORIFIC.match(text, ends[i])  # not かりんちゃんバス: the name of a thing
        honoured = title is not None and not _KATAKANA.match(text, title.end())
        called = p[:2] == _PERSON[:2] and _CALLED.match(text, ends[i]) is not None
        if called and p[:3] != _PERSON:
            out.append((begins[i], ends[i]))
        elif p[:3] == _PERSON:
            nxt = pos[i + 1] if i + 1 < len(pos) else ()
            full = p[3:4] == ("姓",) and nxt[:3] == _PERSON
            if honoured or full or called or _TITLE_AFTER.match(text, ends[i]):
                out.append((begins[i], ends[i + 1] if full else ends[i]))
        elif honoured and p[0] == "名詞" and not text[begins[i] : ends[i]].endswith(roles):
            out.append((begins[i], ends[i]))
    return out


_OWN = ("うち", "私", "僕", "俺", "自分", "わたし")


def pointed_people(text: str) -> list[tuple[int, int]]:
    """People pointed at without a name (駅前の眼鏡屋の奥さん, PTA会長の…), not one's own (うちの社長)."""
    return [
        (h.start, h.end)
        for h in hits(text, PERSONAL, "identified")
        if not text[max(0, h.start - 3) : h.start].endswith(_OWN)
    ]


_CONTACTS = ("phone", "address", "email")


def listed_people(doc: Doc, found: list[pii.PiiMatch]) -> list[pii.PiiMatch]:
    """Contacts that each follow a person's name on their own line or item (伊藤 090-…、五味 0266-…):
    two or more of them make a roster of private people, even without さん or given names."""
    out: list[pii.PiiMatch] = []
    text, begins, pos = doc.text, doc.begins, doc.pos
    last = 0
    for p in found:
        if p.kind in _CONTACTS and p.owner not in ("public", "self"):
            lo = max(last, p.start - 16, text.rfind("\n", 0, p.start) + 1)
            i = bisect.bisect_left(begins, lo)
            while i < len(begins) and begins[i] < p.start:
                if pos[i][:3] == _PERSON:
                    out.append(p)
                    break
                i += 1
        last = p.end
    return out if len(out) >= 2 else []


def window(text: str, start: int, end: int, before: int = 24, after: int = 14) -> str:
    return text[max(0, start - before) : start] + " " + text[end : end + after]


def near(spans: list[tuple[int, int]], start: int, end: int, before: int = 30, after: int = 15) -> bool:
    return any(b > start - before and a < end + after for a, b in spans)


def masked_evidence(doc: Doc, p: pii.PiiMatch) -> Evidence:
    """Personal data as evidence: offsets into the raw text, only the masked form kept."""
    start, end = doc.raw_span(p.start, p.end)
    return Evidence(start, end, p.masked, PII_LABEL.get(p.kind, p.kind), masked=True)


def masked_name(doc: Doc, a: int, b: int) -> Evidence:
    start, end = doc.raw_span(a, b)
    name = doc.text[a:b]
    return Evidence(start, end, name[:1] + "＊" * (len(name) - 1), "name", masked=True)


def plain_evidence(doc: Doc, a: int, b: int, label: str) -> Evidence:
    start, end = doc.raw_span(a, b)
    return Evidence(start, end, doc.raw[start:end], label)
