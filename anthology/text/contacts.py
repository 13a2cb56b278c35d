"""Personal data written as numbers and handles: resident ID numbers (date and check digit), bank
cards (issuer prefix and Luhn), mobile and landline numbers, e-mail addresses, labelled WeChat and
QQ IDs, licence plates. Patterns plus checks, no word segmentation: fast enough for a whole volume.
A number labelled as an ID (身份证号是) or a card (银行卡, 账号) counts even when its check fails.
"""

from __future__ import annotations

import re
from datetime import date

from anthology.text.flags import Flag

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}" + _NOT_ALNUM_AFTER
)
# A mobile number read out in Chinese numerals (一三九，三七一二，六六零八; 幺 for 一).
_SPOKEN = "[零〇一二三四五六七八九幺]"
_SPOKEN_MOBILE = re.compile(
    rf"(?<![零〇一二三四五六七八九十百千万幺])[一幺][三四五六七八九](?:[\s，,、-]?{_SPOKEN}){{9}}"
    r"(?![零〇一二三四五六七八九十百千万幺])"
)
# A number abroad: +82 10-4471-2836, 0044 7700 900123 (8 to 15 digits after the country code).
_FOREIGN = re.compile(
    r"(?<![0-9A-Za-z+])(?:\+|00)(?!86)[1-9]\d{0,2}(?:[\s-]?\d{2,5}){2,4}(?![0-9])"
)
_AREA = r"0(?:10|2\d|[3-9]\d{2})"
_LANDLINE = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?:(?:\+|00)86[\s-]?)?(?:[(（]"
    + _AREA
    + r"[)）]\s?|"
    + _AREA
    + r"[-－\s])[2-9]\d{2,3}[-\s]?\d{4}(?:[-转]\d{1,5})?"
    + _NOT_ALNUM_AFTER
)
# A local number written without area code counts when it is labelled as a telephone number.
_LABELLED_LANDLINE = re.compile(
    r"(?:电话|座机|固话|家里电话)(?:号码)?(?:是|为|：|:)?\s*([2-9]\d{2,3}[-\s]?\d{4})"
    + _NOT_ALNUM_AFTER
)
_ID_NUMBER = re.compile(
    _NOT_ALNUM_BEFORE + r"[1-9]\d{5}\s?(?:18|19|20)\d{2}\d{4}\s?\d{3}[\dXx]" + _NOT_ALNUM_AFTER
)
_BANK_CARD = re.compile(
    _NOT_ALNUM_BEFORE
    + r"(?:\d{13,19}|\d{4}(?:[\s-]\d{4}){2,3}(?:[\s-]\d{1,4})?|\d{6}[\s-]\d{7,13})"
    r"" + _NOT_ALNUM_AFTER
)
# Issuer prefixes: UnionPay 62/60/65, Visa 4, Mastercard 51-55/22-27, Amex and JCB 34-37, old
# domestic cards 9. Other 13-19 digit numbers (order numbers, mistyped IDs) are not flagged.
_CARD_PREFIX = re.compile(r"^(?:62|60|65|4|5[1-5]|2[2-7]|3[4-7]|9)")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9_.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_WECHAT = re.compile(
    r"(?:微信|weixin|WeChat|wechat|Wechat|VX|vx|威信)(?:号|ID|id|账号)?\s*(?:是|为|：|:)?\s*"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})" + _NOT_ALNUM_AFTER
)
# A handle the sentence gives as the WeChat ID a few words later (微信号改了，现在是hazibek_1987;
# 加我微信吧，zhangxm_0412): letters with digits or an underscore, no e-mail address.
_WECHAT_LATER = re.compile(
    r"(?:微信|weixin|WeChat|wechat|VX|vx)[^。！？\n]{1,12}?(?<![-_A-Za-z0-9.@])"
    r"([A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9@.])"
)
# The same for a QQ number, perhaps in groups: QQ，号码是 418 906 375.
_QQ_LATER = re.compile(
    r"(?:QQ|qq|扣扣)[^。！？\n0-9]{1,10}?(?<![0-9])([1-9]\d{2,3}(?:[\s-]?\d{3,4}){1,2})(?![0-9])"
)
_QQ = re.compile(
    r"(?:QQ|qq|Qq|扣扣|(?<=加)[Qq]|(?<=加我)[Qq])(?![A-Za-z])(?:号码|号|群)?"  # 加我Q嘛，918273645
    r"(?:(?<=[Qq])[嘛吧呗呀啊][，,]?)?\s*(?:是|为|：|:)?\s*([1-9]\d{4,11})" + _NOT_ALNUM_AFTER
)
_PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"[{_PROVINCE_ABBR}][A-HJ-NP-Z][·•\s-]?[A-HJ-NP-Z0-9]{{5,6}}" + _NOT_ALNUM_AFTER
)
# A number the sentence labels as an ID or a card reveals a person even when it was typed wrong or
# made up for the story: an ID number with a real region prefix and birth date but a failed check
# digit, a 16-19 digit number after 卡/银行卡/账号 that fails Luhn. Bare numbers keep the checks.
_ID_LABEL = re.compile(
    r"(?:身份证|身份证件|证件)(?:号码|号)?\s*(?:是|为|：|:)?\s*"
    r"([1-9]\d{5}(?:18|19|20)\d{9}[\dXx])" + _NOT_ALNUM_AFTER
)
_CARD_LABEL = re.compile(
    r"(?:卡|账号|帐号|账户)(?:号码|号)?\s*(?:是|为|：|:)?\s*(\d{16,19})" + _NOT_ALNUM_AFTER
)
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_valid(digits: str) -> bool:
    """An 18-character resident ID number: a real birth date and the MOD 11-2 check character."""
    digits = digits.upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", digits):
        return False
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    if born.year < 1880 or born > date.today():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17]


def id_number_plausible(digits: str) -> bool:
    """A region prefix and a real birth date, whatever the check character says."""
    digits = digits.upper()
    if digits[:2] not in _PROVINCE_CODES:
        return False
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return 1880 <= born.year and born <= date.today()


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def contact_flags(text: str) -> list[Flag]:
    found: list[Flag] = []

    def add(kind: str, match: re.Match[str], group: int = 0) -> None:
        found.append(Flag(kind, match.start(group), match.end(group), match.group(group)))

    for match in _ID_NUMBER.finditer(text):
        if id_number_valid(re.sub(r"\s", "", match.group())):
            add("id_number", match)
    for match in _ID_LABEL.finditer(text):
        if id_number_plausible(match.group(1)):
            add("id_number", match, 1)
    for match in _CARD_LABEL.finditer(text):
        digits = match.group(1)
        if len(set(digits)) > 2 and not (len(digits) == 18 and id_number_plausible(digits)):
            add("bank_card", match, 1)
    for match in _BANK_CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn_valid(digits):
            if len(digits) == 18 and id_number_valid(digits):
                continue
            if len(set(digits)) > 2:
                add("bank_card", match)
    for match in _MOBILE.finditer(text):
        add("phone", match)
    for match in _SPOKEN_MOBILE.finditer(text):
        add("phone", match)
    for match in _FOREIGN.finditer(text):
        if 8 <= len(_digits(match.group())) <= 15:
            add("phone", match)
    for match in _LANDLINE.finditer(text):
        add("landline", match)
    for match in _LABELLED_LANDLINE.finditer(text):
        add("landline", match, 1)
    for match in _EMAIL.finditer(text):
        add("email", match)
    for match in _WECHAT.finditer(text):
        add("wechat", match, 1)
    for match in _WECHAT_LATER.finditer(text):
        if re.search(r"[\d_]", match.group(1)):
            add("wechat", match, 1)
    for match in _QQ.finditer(text):
        add("qq", match, 1)
    for match in _QQ_LATER.finditer(text):
        if 5 <= len(_digits(match.group(1))) <= 12:
            add("qq", match, 1)
    for match in _PLATE.finditer(text):
        tail = match.group()[2:]
        if sum(c.isdigit() for c in tail) >= 2:
            add("plate", match)
    return found
