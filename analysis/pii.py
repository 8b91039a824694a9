"""Residents' personal data and credentials in text: find them, and mask them for display.

Regexes run on NFKC-normalised text, never on tokens (Sudachi splits 0266-72-2101 into
five tokens and rewrites numerals). `find` reports each match with whose it seems to be
(`owner`, from the words around it: lexicons/leak_personal_data.txt); `mask` hides
whatever may be a person's data or a secret and keeps the rest readable. Deciding what
is a leak is the leak detector's job; this module only finds and hides.

Kinds: マイナンバー (check digit), phones (phonenumbers), e-mails, addresses (丁目/番地,
3-4-12 after a place, a lot number after a town and district: 茅野市豊平3391), birth dates,
licence/insurance/pension/bank-account numbers named as such (idnumber), private social
accounts pointed at (handle), passwords (after their key, or quoted a few words later),
login IDs next to a password, internal IP addresses and server names. Every pattern is
tried only where a cheap first look (a digit, an @, a key word) says it could match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberType
from stdnum.jp import in_ as my_number

from analysis import phrases
from analysis.textnorm import normalize_with_map, raw_span

LEXICON = "leak_personal_data.txt"
STAR = "*"
SECRET = "***"
_SEP = r"[ \-‐‑‒–—―−ー]"
_OCT = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_ERAS = ("明治", "大正", "昭和", "平成", "令和")
# Tried only where a run of digits starts (or at the era just before it): anchored, so cheap.
_NUMBER_AT = re.compile(
    rf"(?P<mn>[0-9]{{4}}(?P<mnsep>{_SEP}?)[0-9]{{4}}(?P=mnsep)[0-9]{{4}})(?![0-9])"
    rf"|(?P<ip>10(?:\.{_OCT}){{3}}|172\.(?:1[6-9]|2[0-9]|3[01])(?:\.{_OCT}){{2}}"
    rf"|192\.168(?:\.{_OCT}){{2}})(?![0-9]|\.[0-9])"
    r"|(?P<birth>(?:明治|大正|昭和|平成|令和)?[0-9]{1,4}[年./][0-9]{1,2}[月./][0-9]{1,2}日?(?:生まれ|うまれ|生)?)"
    r"|(?P<addr>[0-9]{1,3}丁目[0-9]{1,5}(?:(?:番地?|-|の)[0-9]{1,5}(?:号|-[0-9]{1,5})?|番地?)"
    r"|[0-9]{1,5}番地(?:の?[0-9]{1,5}(?:-[0-9]{1,5})?)?|[0-9]{1,5}番[0-9]{1,5}号)"
    r"|(?P<addr2>[0-9]{1,5}-[0-9]{1,5}(?:-[0-9]{1,5})?)(?![0-9\-]|[月日時分年歳位点回人円%度号])"
    r"|(?P<addr3>[0-9]{4,5})(?![0-9\-.,:/]|[月日時分年歳位点回人円%度号件万億千百個台枚本名席秒]|[A-Za-z])"
)
_AFTER_SHORT_RUN = set("丁番年./-")  # what may follow 1–3 digits in an address, a date or an IP
_KANA_KANJI = re.compile(r"[一-龥々ヶぁ-んァ-ヴー]")
_SECRETS = re.compile(
    r"(?i)(?P<pwkey>(?<![a-z])(?:password|passwd|passcode|pass|pw)(?![a-z])|パスワード|パスコード|暗証番号"
    r"|ダイヤル錠の番号|ダイヤルの番号|解錠番号|鍵の番号|ロックの番号)"
    r"(?P<pwsep>[ \t]*(?:は|が|:|=|→|/)?[ \t]*)(?P<pw>[A-Za-z0-9!#$%&*+@._\-/?]{4,40})"
    r"|(?P<idkey>ログインID|ユーザーID|ユーザID|(?<![a-z])(?:user(?:name)?|id)(?![a-z]))"
    r"(?P<idsep>[ \t]*[:=は][ \t]*)(?P<idv>[A-Za-z0-9._\-@]{3,40})"
    r"|(?P<unc>(?:\\\\|¥¥)[A-Za-z0-9._$\-]+(?:[\\¥][^\s\\¥、。]+)+)"
    r"|(?P<srvkey>サーバー?名|ホスト名|hostname|接続先)(?P<srvsep>[ \t]*(?:は|:|=|→)?[ \t]*)"
    r"(?P<srv>[A-Za-z][A-Za-z0-9\-]*[0-9][A-Za-z0-9.\-]*)"
    r"|(?P<host>\b[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:local|lan|internal|intra|corp|localdomain)\b)"
)
# Numbers that identify a person when named as such: a licence, an insurance card, a pension, a bank account.
_ID_NUMBER = re.compile(
    r"(?P<key>免許証番号|免許証の番号|免許番号|保険証番号|保険証の番号|被保険者番号|基礎年金番号|年金番号"
    r"|パスポート番号|旅券番号|受給者番号|住民票コード|口座番号|口座|(?<![一-龥])(?:普通|当座)(?=[ \t:]*[0-9]))"
    r"(?P<sep>[ \t]*(?:は|:|=)?[ \t]*)(?P<num>[0-9](?:[0-9]|[ \-](?=[0-9])){5,19})(?![0-9])"
    r"|(?P<key2>記号)(?P<sep2>[ \t:]*)(?P<num2>[0-9]{5}[ \t、,]*番号[ \t:]*[0-9]{6,8})(?![0-9])"  # ゆうちょ
)
# A password quoted a few words after its key (パスワード、更新のあとまた「…」に戻された).
_QUOTED_SECRET = re.compile(
    r"(?i)(?P<key>パスワード|パスコード|暗証番号|(?<![a-z])(?:password|passwd|pass|pw)(?![a-z])|パス(?=[はもがを]))"
    r"[^「『\"“\n。]{0,24}[「『\"“](?P<pw>[^」』\"”\s]{4,40})[」』\"”]"
)
# A private social-media account pointed at (インスタもやってる。@…, LINE ID: …): a way to reach a person.
_HANDLE = re.compile(
    r"(?i)(?P<sns>インスタ|instagram|裏垢|鍵垢|本垢|アカウント|ツイッター|twitter|facebook|フェイスブック|tiktok"
    r"|line ?id|ラインid)[^@\n]{0,14}?(?P<h>@[A-Za-z0-9_.]{3,30})"
)
_BANK_BRANCH = re.compile(
    r"[一-龥ァ-ヴー0-9]*(?:銀行|信金|信用金庫|信組|農協|JA|ゆうちょ|労金)\s*[一-龥ァ-ヴー]*(?:支店|店)?"
)
_SECRET_GATE = re.compile(
    r"[pP](?:[aA][sS]|[wW])|パス|暗証|番号|[iI][dD]|[uU]ser|\\\\|¥¥|サーバ|ホスト|[hH]ost|接続先"
    r"|\.(?:local|lan|internal|intra|corp)"
)
# cheap first look: a number shaped like one of _NUMBER_AT (most posts have none)
_NUMBERS_GATE = re.compile(r"[0-9](?:[0-9]{3}|\.[0-9]|丁目|番|-[0-9]|[年./][0-9])|生年月日")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# every match has a digit, an @, a backslash or one of these words: one cheap look first
_ANY = re.compile(r"[0-9@\\¥]|[pP](?:[aA][sS]|[wW])|パス|暗証|[iI][dD]|[uU]ser|サーバ|ホスト|[hH]ost|接続先")
_DIGIT_RUN = re.compile(r"[0-9]+")
_PHONE_GATE = re.compile(r"(?:\+81|0)[0-9][0-9\-() ‐−]{7,}[0-9]")
_PLACE_BEFORE = re.compile(r"[一-龥々ヶぁ-んァ-ヴー]{1,8}$")
# 茅野市豊平3391: a town, a district after it, then the lot number (not 茅野市役所2026, 市民会館1200)
_DISTRICT_BEFORE = re.compile(r"[市町村郡][^のにはがをでともへや][一-龥々ヶぁ-んァ-ヴー]{0,5}$")
_FACILITY_END = re.compile(r"[館園場所室駅店校院局署課係社ー]$|センター$|ホール$")
_ADDR_PLACE = re.compile(r"[市町村区郡]|丁目")
_PARTICLE = "はがをでともへや"
_WEAK_CODES = {"0000", "1111", "1234", "12345", "123456", "abcd", "qwerty", "password", "pass"}
_NOT_VALUES = {"wifi", "wi-fi", "ppap", "none", "null", "なし", "mail", "http", "https"}
_PUBLIC_PHONE_TYPES = {
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.UAN,
}


@dataclass(frozen=True)
class PiiMatch:
    """One piece of personal data or one secret, with the form in which it may be shown."""

    kind: (
        str  # mynumber | phone | email | address | birthdate | idnumber | handle | password | credential | …
    )
    start: int  # offsets into the normalised text
    end: int
    masked: str
    owner: str = "unknown"  # self | personal | public | unknown (who it seems to belong to)
    certain: bool = True  # mynumber: check digit and context; password: not a textbook example
    mobile: bool = False  # phone: a mobile number (070/080/090)


def _rx(*sections: str) -> re.Pattern[str]:
    return phrases.regex(LEXICON, *sections)


def _words(section: str) -> tuple[str, ...]:
    return phrases.sections(LEXICON).get(section, ())


def _window(text: str, start: int, end: int, before: int = 24, after: int = 14) -> str:
    return text[max(0, start - before) : start] + " " + text[end : end + after]


def owner_of(text: str, start: int, end: int) -> str:
    """Whose the data at [start, end) seems to be, from the words around it."""
    around = _window(text, start, end)
    business = _rx("business").search(around)
    if _rx("third-party").search(around) and not business:  # 元夫の住所, 隣の家: not one's own
        return "personal"
    if _rx("self").search(around):
        return "self"
    if business:  # a shop's number, even a mobile one, is published
        return "public"
    if _rx("personal").search(around):
        return "personal"
    if _rx("public").search(around):
        return "public"
    return "unknown"


def _digits_starred(s: str) -> str:
    return re.sub(r"[0-9]", STAR, s)


def _my_number(text: str, m: re.Match[str]) -> PiiMatch | None:
    digits = re.sub(r"[^0-9]", "", m.group("mn"))
    around = _window(text, m.start(), m.end(), before=30, after=12)
    named = bool(_rx("mynumber").search(around))
    grouped = bool(m.group("mnsep"))
    parcel = bool(_rx("parcel").search(around))
    valid = my_number.is_valid(digits)
    if not (valid or named):
        return None
    if parcel and not named:  # a tracking number that happens to pass the check
        return PiiMatch("mynumber", m.start(), m.end(), m.group("mn"), "public", certain=False)
    certain = valid and (named or grouped)
    owner = "self" if certain and _rx("self").search(around) else "personal"
    return PiiMatch("mynumber", m.start(), m.end(), _digits_starred(m.group("mn")), owner, certain)


def _address(text: str, start: int, end: int, hyphen_form: bool) -> PiiMatch | None:
    stop = start - 1 if start and text[start - 1] == " " else start  # 茅野市ちの 3108-1
    place = _PLACE_BEFORE.search(text, max(0, stop - 8), stop)
    if hyphen_form:
        if not place or text[stop - 1] in _PARTICLE or not _ADDR_PLACE.search(place.group()):
            return None
    begin = place.start() if place else start
    masked = text[begin:start] + _digits_starred(text[start:end])
    return PiiMatch("address", begin, end, masked, owner_of(text, start, end))


def _numbers(text: str) -> list[PiiMatch]:
    out: list[PiiMatch] = []
    done = 0
    for run in _DIGIT_RUN.finditer(text):
        p = run.start()
        if p < done or (run.end() - p < 4 and text[run.end() : run.end() + 1] not in _AFTER_SHORT_RUN):
            continue
        if text[max(0, p - 2) : p] in _ERAS:
            p -= 2
        m = _NUMBER_AT.match(text, p)
        if m:
            found = _number_match(text, m)
            if found:
                out.append(found)
                done = m.end()
    return out


def _number_match(text: str, m: re.Match[str]) -> PiiMatch | None:
    before = text[m.start() - 1] if m.start() else ""
    if m.group("mn"):
        return _my_number(text, m)
    if m.group("ip"):
        if before == ".":
            return None
        return PiiMatch("internal_ip", m.start(), m.end(), m.group("ip").split(".")[0] + ".*.*.*")
    if m.group("birth"):
        s = m.group("birth")
        dated = s.startswith(_ERAS) or re.match(r"(?:19|20)[0-9]{2}[年./]", s)
        if dated and (
            "生年月日" in text[max(0, m.start() - 10) : m.start()] or s.endswith(("生まれ", "うまれ", "生"))
        ):
            return PiiMatch("birthdate", m.start(), m.end(), _digits_starred(s), "personal")
        return None
    if m.group("addr3"):
        place = _PLACE_BEFORE.search(text, max(0, m.start() - 10), m.start())
        if not place or not _DISTRICT_BEFORE.search(place.group()) or _FACILITY_END.search(place.group()):
            return None
        if text[m.start() - 1] in _PARTICLE:  # 茅野市の人口は5000
            return None
        return _address(text, m.start(), m.end(), hyphen_form=False)
    if m.group("addr2"):
        if before == " " and m.start() >= 2:
            before = text[m.start() - 2]
        if not _KANA_KANJI.fullmatch(before) or m.group("addr2").startswith("0"):  # 0…: a phone number
            return None
    return _address(text, m.start(), m.end(), hyphen_form=bool(m.group("addr2")))


def _mask_phone(raw: str) -> str:
    """Keep the leading group (090, 0266, +81 90): it tells the kind of line, not the person."""
    head = re.match(r"[^0-9+]*\+?[0-9]{1,5}(?=[^0-9])", raw)
    if raw.lstrip("(（ ").startswith("+"):
        head = re.match(r"[^0-9+]*\+[0-9]+[^0-9]+[0-9]{1,4}(?=[^0-9])", raw) or head
    keep = head.end() if head else min(3, len(raw))
    return raw[:keep] + _digits_starred(raw[keep:])


def _phones(text: str, taken: list[PiiMatch]) -> list[PiiMatch]:
    if "0" not in text or not _PHONE_GATE.search(text):
        return []
    out = []
    for m in phonenumbers.PhoneNumberMatcher(text, "JP", leniency=Leniency.VALID):
        if any(t.start < m.end and m.start < t.end for t in taken):
            continue
        ntype = phonenumbers.number_type(m.number)
        owner = "public" if ntype in _PUBLIC_PHONE_TYPES else owner_of(text, m.start, m.end)
        mobile = ntype == PhoneNumberType.MOBILE
        raw, start = m.raw_string, m.start
        if raw.startswith("(") and ")" not in raw:  # "(080-…)" in brackets: the bracket is not the number
            raw, start = raw[1:], start + 1
        out.append(PiiMatch("phone", start, m.end, _mask_phone(raw), owner, mobile=mobile))
    return out


def _emails(text: str) -> list[PiiMatch]:
    if "@" not in text:
        return []
    out = []
    for m in _EMAIL.finditer(text):
        local, _, domain = m.group().lower().rpartition("@")
        owner = owner_of(text, m.start(), m.end())
        if owner == "unknown":
            if domain.endswith(_words("public-mail-domain")) or local in _words("role-mailbox"):
                owner = "public"
            elif domain in _words("free-mail"):
                owner = "personal"
        elif owner == "public" and domain in _words("free-mail") and local not in _words("role-mailbox"):
            owner = "unknown"
        out.append(PiiMatch("email", m.start(), m.end(), SECRET + m.group()[m.group().rfind("@") :], owner))
    return out


def _is_secret_value(value: str, key: str) -> tuple[bool, bool]:
    """(looks like a real secret, is not a textbook example such as 1234)."""
    low = value.lower().strip("._-/?")
    if len(low) < 4 or low in _NOT_VALUES:
        return False, False
    if "暗証" in key or "番号" in key:
        if not low.isdigit():
            return False, False
    elif not (any(c.isdigit() for c in low) or (value != value.lower() and value != value.upper())):
        if not any(c in "!#$%&*+@" for c in value):
            return False, False
    return True, low not in _WEAK_CODES


def _id_numbers(text: str) -> list[PiiMatch]:
    out = []
    for m in _ID_NUMBER.finditer(text):
        key, sep, num = (
            (m.group("key"), m.group("sep"), m.group("num"))
            if m.group("key")
            else m.group("key2", "sep2", "num2")
        )
        digits = re.sub(r"[^0-9]", "", num)
        if key in ("普通", "当座") and len(digits) != 7:  # a bank account number has 7 digits
            continue
        around = _BANK_BRANCH.sub(" ", _window(text, m.start(), m.end()))  # 茅野支店 is no shop
        owner = "self" if _rx("self").search(around) else "unknown"
        if owner == "unknown" and (_rx("business").search(around) or _rx("public").search(around)):
            owner = "public"
        masked = key + sep + _digits_starred(num)
        out.append(PiiMatch("idnumber", m.start(), m.end(), masked, owner))
    return out


def _handles(text: str) -> list[PiiMatch]:
    out = []
    for m in _HANDLE.finditer(text):
        around = _window(text, m.start("h"), m.end("h"))
        owner = "public" if _rx("account-public").search(around) else "unknown"
        out.append(PiiMatch("handle", m.start("h"), m.end("h"), "@" + SECRET, owner))
    return out


def _secrets(text: str) -> list[PiiMatch]:
    if not _SECRET_GATE.search(text):
        return []
    out: list[PiiMatch] = []
    ids: list[re.Match[str]] = []
    for m in _SECRETS.finditer(text):
        if m.group("pw"):
            ok, real = _is_secret_value(m.group("pw"), m.group("pwkey"))
            if ok:
                masked = m.group("pwkey") + m.group("pwsep") + SECRET
                out.append(PiiMatch("password", m.start(), m.end(), masked, "unknown", certain=real))
        elif m.group("idv"):
            ids.append(m)
        elif m.group("unc"):
            unc = m.group("unc")
            out.append(PiiMatch("server", m.start(), m.end(), unc[:2] + SECRET))
        elif m.group("srv"):
            out.append(PiiMatch("server", m.start(), m.end(), m.group("srvkey") + m.group("srvsep") + SECRET))
        elif m.group("host"):
            out.append(
                PiiMatch("server", m.start(), m.end(), SECRET + "." + m.group("host").rsplit(".", 1)[1])
            )
    for m in _QUOTED_SECRET.finditer(text):
        ok, real = _is_secret_value(m.group("pw"), m.group("key"))
        if ok and not any(p.start <= m.start("pw") < p.end for p in out):
            out.append(PiiMatch("password", m.start("pw"), m.end("pw"), SECRET, "unknown", certain=real))
    for m in ids:  # a login ID matters next to a password
        if any(abs(p.start - m.start()) < 40 for p in out if p.kind == "password"):
            out.append(
                PiiMatch("credential", m.start(), m.end(), m.group("idkey") + m.group("idsep") + SECRET)
            )
    return out


def find(text: str) -> list[PiiMatch]:
    """Personal data and secrets in NFKC-normalised text, in order, without overlaps."""
    if not text or not _ANY.search(text):
        return []
    found = _secrets(text) + _emails(text)
    if "@" in text:
        found += _handles(text)
    if _NUMBERS_GATE.search(text):
        found += _id_numbers(text) + _numbers(text)
    found += _phones(text, found)
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    out: list[PiiMatch] = []
    for p in found:
        if out and p.start < out[-1].end:
            continue
        out.append(p)
    return out


def mask(text: str) -> str:
    """Residents' personal data and secrets in any text hidden (090-****-****, ***@example.jp).

    Safe and cheap on every post: the rest of the text comes back exactly as given, and
    text with nothing to hide comes back unchanged. Published contacts (an office's or a
    shop's number) stay readable; anything that may be a person's is masked.
    """
    if not text:
        return text or ""
    norm, offsets = normalize_with_map(text)
    matches = [p for p in find(norm) if p.owner != "public"]
    if not matches:
        return text
    parts, last = [], 0
    for p in matches:
        start, end = raw_span(offsets, p.start, p.end, len(text))
        if start < last:
            continue
        parts += [text[last:start], p.masked]
        last = end
    parts.append(text[last:])
    return "".join(parts)
