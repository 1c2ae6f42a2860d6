"""Normalization and validation of identity data (SECURITY.md, "Identity data").

Identifiers (plates, resident ID numbers, mobile numbers, credit codes) are folded with NFKC,
stripped and upper-cased, then matched whole with ``re.fullmatch``; free text is NFC-composed
and screened for invisible or unsafe characters. Every rejection raises ``ValidationError`` with
a stable ``ValidationCode`` that the UI translates. Error details never quote the input: ID
numbers and phone numbers are personal data and details end up in logs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

__all__ = [
    "Plate",
    "PlateKind",
    "ValidationCode",
    "ValidationError",
    "mask_id_number",
    "mask_phone",
    "normalize_credit_code",
    "normalize_id_number",
    "normalize_person_name",
    "normalize_phone",
    "normalize_plate",
    "normalize_text",
    "parse_plate",
]


class ValidationCode(StrEnum):
    """Stable reason codes for rejected input; the UI maps each one to a translated message."""

    REQUIRED = "REQUIRED"  # empty, or nothing but whitespace/separators
    TOO_LONG = "TOO_LONG"  # more code points than the field allows
    BAD_FORMAT = "BAD_FORMAT"  # allowed characters in the wrong shape (length, layout, digits)
    BAD_CHECKSUM = "BAD_CHECKSUM"  # the check character does not match the rest
    BAD_DATE = "BAD_DATE"  # ID birth date is not a calendar date, or is before 1900
    FUTURE_DATE = "FUTURE_DATE"  # ID birth date is after today
    BAD_REGION = "BAD_REGION"  # ID number does not start with a province-level code
    BAD_PROVINCE = "BAD_PROVINCE"  # plate does not start with a listed province or 使
    BAD_CHARACTER = "BAD_CHARACTER"  # control/format/private/unassigned char, emoji, not allowed
    INNER_WHITESPACE = "INNER_WHITESPACE"  # whitespace inside an ID number or credit code
    FORBIDDEN_LETTER = "FORBIDDEN_LETTER"  # I or O in a plate's authority letter or serial
    UNRECOGNIZED_PLATE = "UNRECOGNIZED_PLATE"  # safe plate text in no known layout (strict mode)
    WEAK_PASSWORD = "WEAK_PASSWORD"  # a new password fails the password policy (core.passwords)


class ValidationError(ValueError):
    """Rejected input: ``code`` is stable and translatable, ``detail`` is short English for logs.

    ``detail`` never contains the rejected value itself, only positions and code points.
    """

    field: str
    code: ValidationCode
    detail: str

    def __init__(self, field: str, code: ValidationCode, detail: str = "") -> None:
        """Record which field failed, the reason code and an optional log-safe detail."""
        message = f"{field}: {code.value}" + (f" ({detail})" if detail else "")
        super().__init__(message)
        self.field = field
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[ValidationError], tuple[str, ValidationCode, str]]:
        """Pickle by the constructor arguments (the default replays ``args`` into ``__init__``)."""
        return (type(self), (self.field, self.code, self.detail))


class PlateKind(StrEnum):
    """Plate layouts from GA 36 that ``parse_plate`` recognizes, plus the manual-review bucket."""

    ORDINARY = "ORDINARY"
    NEW_ENERGY_SMALL = "NEW_ENERGY_SMALL"
    NEW_ENERGY_LARGE = "NEW_ENERGY_LARGE"
    TRAILER = "TRAILER"
    COACH = "COACH"
    POLICE = "POLICE"
    HK_MACAU = "HK_MACAU"
    EMBASSY = "EMBASSY"
    CONSULATE = "CONSULATE"
    UNRECOGNIZED = "UNRECOGNIZED"


@dataclass(frozen=True, slots=True)
class Plate:
    """A normalized plate (``浙F12345``: no separators, upper case) and its layout."""

    text: str
    kind: PlateKind

    @property
    def needs_review(self) -> bool:
        """True when the layout is unknown, so an operator must check the plate by eye."""
        return self.kind is PlateKind.UNRECOGNIZED


# --- shared limits and character screening ------------------------------------------------------

# Identifiers are at most 18 characters; anything far longer is rejected before normalization
# or regex work so that pasted junk costs nothing.
_MAX_IDENTIFIER_INPUT: Final = 64

# Controls, format characters (zero-width, bidi overrides), private-use and unassigned code
# points can make two values look identical or reorder text on screen; lone surrogates (Cs)
# cannot even be encoded as UTF-8 for SQLite or exports.
_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})

# Line/paragraph separators break single-line logs, CSV exports and table cells like a newline.
_UNSAFE_TEXT_CATEGORIES: Final = _UNSAFE_CATEGORIES | {"Zl", "Zp", "So"}

# Emoji building blocks outside category So: presentation selectors, the keycap mark and the
# skin-tone modifiers (Sk). Rejected so that no fragment of an emoji survives on its own.
_EMOJI_PARTS: Final = frozenset(
    {"\ufe0e", "\ufe0f", "\u20e3"} | {chr(cp) for cp in range(0x1F3FB, 0x1F400)}
)

# Symbols (So) that cold-chain and bulk cargo descriptions genuinely need: temperatures, the
# numero sign and the CJK squared units (kg, m², km ...), which NFC leaves as they are.
_ALLOWED_TEXT_SYMBOLS: Final = frozenset({"\u00b0", "\u2103", "\u2109", "\u2116"})
_CJK_UNITS_FIRST: Final = 0x3380
_CJK_UNITS_LAST: Final = 0x33FF

# NFC composes at most four code points into one (Greek omega with three marks), so raw text
# beyond this multiple of the limit cannot be a real entry; refusing it first bounds the work.
_MAX_NFC_COMPOSITION: Final = 4


def _describe(ch: str, position: int) -> str:
    """Log-safe description of one offending character (code point, never the text around it)."""
    return f"U+{ord(ch):04X} ({unicodedata.category(ch)}) at position {position}"


def _reject_unsafe(text: str, field: str, categories: frozenset[str]) -> None:
    """Raise BAD_CHARACTER for the first character whose category is in ``categories``."""
    for position, ch in enumerate(text):
        if unicodedata.category(ch) in categories:
            raise ValidationError(field, ValidationCode.BAD_CHARACTER, _describe(ch, position))


def _prepare_identifier(text: str, field: str) -> str:
    """Common first steps for identifiers: cap, screen, NFKC, strip, upper, require."""
    if len(text) > _MAX_IDENTIFIER_INPUT:
        raise ValidationError(
            field, ValidationCode.TOO_LONG, f"more than {_MAX_IDENTIFIER_INPUT} characters"
        )
    # Screen the raw text: NFKC and the stripping below must never get a chance to hide a
    # zero-width or bidi character that was actually typed or pasted.
    _reject_unsafe(text, field, _UNSAFE_CATEGORIES)
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    if not folded:
        raise ValidationError(field, ValidationCode.REQUIRED)
    return folded


def _reject_inner_whitespace(folded: str, field: str) -> None:
    """Identifiers printed as one block must not be silently re-joined from pieces."""
    for position, ch in enumerate(folded):
        if ch.isspace():
            raise ValidationError(
                field, ValidationCode.INNER_WHITESPACE, f"whitespace at position {position}"
            )


# --- plates -------------------------------------------------------------------------------------

_PLATE_PROVINCES: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_EMBASSY_PREFIX: Final = "使"

# Separators people type between the authority letter and the serial, whatever their IME
# produces (middle dot, bullet, full stop, katakana/hyphenation dots, dot operators), and spaces.
_PLATE_SEPARATORS: Final = frozenset(" \u00b7\u2022.\u30fb\u2027\u2219\u22c5")

_PLATE_MIN_LENGTH: Final = 6
_PLATE_MAX_LENGTH: Final = 10

_P = f"[{_PLATE_PROVINCES}]"
_L = "[A-HJ-NP-Z]"  # authority letter: never I or O
_S = "[A-HJ-NP-Z0-9]"  # serial character: never I or O

# Embassy plates are taken as 使 + 6 digits (3-digit mission code + 3-digit serial, 使014578);
# consulate plates as province + authority letter + 4 digits + 领 (沪A1234领). Other diplomatic
# layouts fall into the manual-review path.
_PLATE_PATTERNS: Final[tuple[tuple[PlateKind, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.ASCII))
    for kind, pattern in (
        (PlateKind.ORDINARY, f"{_P}{_L}{_S}{{5}}"),
        (PlateKind.NEW_ENERGY_SMALL, rf"{_P}{_L}[DABCEFGHJK]{_S}\d{{4}}"),
        (PlateKind.NEW_ENERGY_LARGE, rf"{_P}{_L}\d{{5}}[DF]"),
        (PlateKind.TRAILER, f"{_P}{_L}{_S}{{4}}挂"),
        (PlateKind.COACH, f"{_P}{_L}{_S}{{4}}学"),
        (PlateKind.POLICE, f"{_P}{_L}{_S}{{4}}警"),
        (PlateKind.HK_MACAU, f"粤Z{_S}{{4}}[港澳]"),
        (PlateKind.EMBASSY, rf"{_EMBASSY_PREFIX}\d{{6}}"),
        (PlateKind.CONSULATE, rf"{_P}{_L}\d{{4}}领"),
    )
)

# The manual-review path still only admits upper-case ASCII letters, digits and CJK ideographs.
_PLATE_SAFE_CHAR: Final = re.compile(r"[A-Z0-9\u4e00-\u9fff]", re.ASCII)


def parse_plate(text: str, *, field: str = "plate", allow_unrecognized: bool = False) -> Plate:
    """Normalize a licence plate and classify its GA 36 layout.

    NFKC, strip and upper-case, then drop separators (``浙F·12345``, `` 浙F 12345 ``) and match
    the known layouts. With ``allow_unrecognized`` a plate that matches none of them but is made
    of safe characters, starts with a province or 使, has 6-10 characters and no I/O comes back
    as ``PlateKind.UNRECOGNIZED`` for manual review; unsafe input always raises.

    Raises:
        ValidationError: REQUIRED, TOO_LONG, BAD_CHARACTER, BAD_PROVINCE, FORBIDDEN_LETTER,
            BAD_FORMAT, or UNRECOGNIZED_PLATE (only when ``allow_unrecognized`` is false).
    """
    folded = _prepare_identifier(text, field)
    compact = "".join(ch for ch in folded if ch not in _PLATE_SEPARATORS)
    if not compact:
        raise ValidationError(field, ValidationCode.REQUIRED, "only separators")
    for position, ch in enumerate(compact):
        if not _PLATE_SAFE_CHAR.fullmatch(ch):
            raise ValidationError(field, ValidationCode.BAD_CHARACTER, _describe(ch, position))
    if compact[0] not in _PLATE_PROVINCES and compact[0] != _EMBASSY_PREFIX:
        raise ValidationError(field, ValidationCode.BAD_PROVINCE, "unknown first character")
    # GA 36 never issues I or O (they read as 1 and 0), so one is a typo even in an unknown
    # layout: refuse it rather than queue it for review.
    for position, ch in enumerate(compact):
        if ch in "IO":
            raise ValidationError(
                field, ValidationCode.FORBIDDEN_LETTER, f"letter {ch} at position {position}"
            )
    if not _PLATE_MIN_LENGTH <= len(compact) <= _PLATE_MAX_LENGTH:
        raise ValidationError(
            field,
            ValidationCode.BAD_FORMAT,
            f"{len(compact)} characters, expected {_PLATE_MIN_LENGTH}-{_PLATE_MAX_LENGTH}",
        )
    for kind, pattern in _PLATE_PATTERNS:
        if pattern.fullmatch(compact):
            return Plate(compact, kind)
    if allow_unrecognized:
        return Plate(compact, PlateKind.UNRECOGNIZED)
    raise ValidationError(field, ValidationCode.UNRECOGNIZED_PLATE, "no known plate layout")


def normalize_plate(text: str, *, field: str = "plate") -> str:
    """Return the canonical plate text, accepting only known layouts (strict ``parse_plate``)."""
    return parse_plate(text, field=field).text


# --- resident ID numbers (GB 11643-1999) --------------------------------------------------------

_ID_RE: Final = re.compile(r"\d{17}[\dX]", re.ASCII)
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
_ID_PROVINCE_CODES: Final = frozenset(
    {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)}
    | {*range(61, 66), 71, *range(81, 84)}
)
_ID_MIN_BIRTH_YEAR: Final = 1900
_ID_MASK_MIN_LENGTH: Final = 15  # also covers legacy 15-digit numbers found in imported data
_ID_VISIBLE: Final = 4


def _id_check_char(body: str) -> str:
    """Check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(text: str, *, field: str = "id_number", today: date | None = None) -> str:
    """Validate an 18-character resident ID number and return it upper-cased.

    Accepts a lower-case ``x``, full-width digits and surrounding spaces. The birth date must be
    a real date from 1900 up to ``today`` (default: ``date.today()``, injectable for tests).
    First-generation 15-digit numbers expired in 2013 and are rejected as BAD_FORMAT.

    Raises:
        ValidationError: REQUIRED, TOO_LONG, BAD_CHARACTER, INNER_WHITESPACE, BAD_FORMAT,
            BAD_REGION, BAD_DATE, FUTURE_DATE or BAD_CHECKSUM.
    """
    folded = _prepare_identifier(text, field)
    _reject_inner_whitespace(folded, field)
    # re.ASCII keeps \d to 0-9: Arabic-Indic and other script digits survive NFKC unchanged.
    if not _ID_RE.fullmatch(folded):
        raise ValidationError(field, ValidationCode.BAD_FORMAT, "expected 17 digits + digit/X")
    if int(folded[:2]) not in _ID_PROVINCE_CODES:
        raise ValidationError(field, ValidationCode.BAD_REGION, "not a province-level code")
    year, month, day = int(folded[6:10]), int(folded[10:12]), int(folded[12:14])
    if year < _ID_MIN_BIRTH_YEAR:
        raise ValidationError(field, ValidationCode.BAD_DATE, "birth year before 1900")
    try:
        birth = date(year, month, day)
    except ValueError:
        raise ValidationError(field, ValidationCode.BAD_DATE, "not a calendar date") from None
    if birth > (today if today is not None else date.today()):
        raise ValidationError(field, ValidationCode.FUTURE_DATE, "birth date after today")
    if _id_check_char(folded[:17]) != folded[17]:
        raise ValidationError(field, ValidationCode.BAD_CHECKSUM, "check character mismatch")
    return folded


def mask_id_number(id_number: str) -> str:
    """Mask an ID number for display: first and last four kept (``3304**********1232``).

    Does not validate. A value too short to be an ID number is masked completely so that the
    mask never shows most of it.
    """
    if len(id_number) < _ID_MASK_MIN_LENGTH:
        return "*" * len(id_number)
    hidden = len(id_number) - 2 * _ID_VISIBLE
    return id_number[:_ID_VISIBLE] + "*" * hidden + id_number[-_ID_VISIBLE:]


# --- mobile phone numbers -----------------------------------------------------------------------

_PHONE_RE: Final = re.compile(r"1[3-9]\d{9}", re.ASCII)
_PHONE_LOCAL_RE: Final = re.compile(r"\d{11}", re.ASCII)
_PHONE_SEPARATORS: Final = str.maketrans("", "", " -()")
_PHONE_COUNTRY_PREFIXES: Final = ("+86", "0086", "86")
_PHONE_MASK_MIN_LENGTH: Final = 11
_PHONE_VISIBLE_HEAD: Final = 3
_PHONE_VISIBLE_TAIL: Final = 4


def normalize_phone(text: str, *, field: str = "phone") -> str:
    """Validate a mainland mobile number and return its 11 digits (``13800138000``).

    NFKC first (full-width digits and brackets), then spaces, ``-``, ``(`` and ``)`` are dropped
    and a leading ``+86``/``0086``/``86`` is removed when exactly 11 digits follow it.

    Raises:
        ValidationError: REQUIRED, TOO_LONG, BAD_CHARACTER or BAD_FORMAT.
    """
    compact = _prepare_identifier(text, field).translate(_PHONE_SEPARATORS)
    for prefix in _PHONE_COUNTRY_PREFIXES:
        # Only a country code when a whole local number follows; otherwise leave the digits
        # alone so the format check reports them as they are.
        if compact.startswith(prefix) and _PHONE_LOCAL_RE.fullmatch(compact[len(prefix) :]):
            compact = compact[len(prefix) :]
            break
    if not _PHONE_RE.fullmatch(compact):
        raise ValidationError(field, ValidationCode.BAD_FORMAT, "expected 1[3-9] + 9 digits")
    return compact


def mask_phone(phone: str) -> str:
    """Mask a mobile number for display (``138****8000``); shorter values are masked fully."""
    if len(phone) < _PHONE_MASK_MIN_LENGTH:
        return "*" * len(phone)
    hidden = len(phone) - _PHONE_VISIBLE_HEAD - _PHONE_VISIBLE_TAIL
    return phone[:_PHONE_VISIBLE_HEAD] + "*" * hidden + phone[-_PHONE_VISIBLE_TAIL:]


# --- unified social credit codes (GB 32100-2015) ------------------------------------------------

_CREDIT_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_RE: Final = re.compile(f"[{_CREDIT_ALPHABET}]{{18}}", re.ASCII)
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_MODULUS: Final = 31


def _credit_check_char(body: str) -> str:
    """Check character for the first 17 characters of a unified social credit code."""
    total = sum(
        _CREDIT_ALPHABET.index(ch) * weight
        for ch, weight in zip(body, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_ALPHABET[(_CREDIT_MODULUS - total % _CREDIT_MODULUS) % _CREDIT_MODULUS]


def normalize_credit_code(text: str, *, field: str = "credit_code") -> str:
    """Validate an 18-character unified social credit code and return it upper-cased.

    Raises:
        ValidationError: REQUIRED, TOO_LONG, BAD_CHARACTER, INNER_WHITESPACE, BAD_FORMAT
            (length, or a letter outside the code's alphabet such as I, O, S, V, Z) or
            BAD_CHECKSUM.
    """
    folded = _prepare_identifier(text, field)
    _reject_inner_whitespace(folded, field)
    if not _CREDIT_RE.fullmatch(folded):
        raise ValidationError(field, ValidationCode.BAD_FORMAT, "expected 18 code characters")
    if _credit_check_char(folded[:17]) != folded[17]:
        raise ValidationError(field, ValidationCode.BAD_CHECKSUM, "check character mismatch")
    return folded


# --- free text ----------------------------------------------------------------------------------

_PERSON_NAME_MAX_LENGTH: Final = 40


def _reject_unsafe_text(text: str, field: str) -> None:
    """BAD_CHARACTER for invisible, bidi, private, unassigned, line-breaking or emoji chars."""
    for position, ch in enumerate(text):
        if ch in _ALLOWED_TEXT_SYMBOLS or _CJK_UNITS_FIRST <= ord(ch) <= _CJK_UNITS_LAST:
            continue
        if ch in _EMOJI_PARTS or unicodedata.category(ch) in _UNSAFE_TEXT_CATEGORIES:
            raise ValidationError(field, ValidationCode.BAD_CHARACTER, _describe(ch, position))


def normalize_text(text: str, *, field: str, max_length: int, required: bool = True) -> str:
    """Normalize free text (names, cargo, addresses): NFC, strip, screen, cap in code points.

    CJK, ``·``, Latin, digits and ordinary punctuation pass unchanged; characters in Unicode
    categories Cc, Cf, Co, Cs, Cn, Zl, Zp and So (emoji, pictographs) are refused, except the
    temperature/unit symbols cargo needs. SQL or HTML metacharacters are ordinary text here:
    storage is parameterized and the UI does not render markup.

    Raises:
        ValidationError: BAD_CHARACTER, TOO_LONG, or REQUIRED (empty input with ``required``;
            otherwise empty or whitespace-only input returns ``''``).
        ValueError: ``max_length`` is not positive (a programming error, not bad input).
    """
    if max_length < 1:
        raise ValueError("max_length must be positive")
    if len(text) > max_length * _MAX_NFC_COMPOSITION:
        raise ValidationError(field, ValidationCode.TOO_LONG, f"more than {max_length} characters")
    # Screen the raw text: strip() would quietly drop a trailing newline or line separator,
    # and those are to be refused, not tidied away.
    _reject_unsafe_text(text, field)
    normalized = unicodedata.normalize("NFC", text).strip()
    if not normalized:
        if required:
            raise ValidationError(field, ValidationCode.REQUIRED)
        return ""
    if len(normalized) > max_length:
        raise ValidationError(field, ValidationCode.TOO_LONG, f"more than {max_length} characters")
    return normalized


def normalize_person_name(text: str, *, field: str = "name") -> str:
    """Normalize a person's name: ``normalize_text`` with 40 code points and no digits at all.

    Any Unicode number (0-9, full-width digits, circled or Roman numerals) is refused with
    BAD_CHARACTER; Chinese numerals such as 一 are letters and stay allowed.
    """
    name = normalize_text(text, field=field, max_length=_PERSON_NAME_MAX_LENGTH)
    for position, ch in enumerate(name):
        if unicodedata.category(ch).startswith("N"):
            raise ValidationError(
                field, ValidationCode.BAD_CHARACTER, f"digit at position {position}"
            )
    return name
