"""Tests for core.validation against SECURITY.md "Identity data" (every listed example)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from core.validation import (
    Plate,
    PlateKind,
    ValidationCode,
    ValidationError,
    mask_id_number,
    mask_phone,
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
    normalize_plate,
    normalize_text,
    parse_plate,
)

TODAY = date(2026, 11, 25)
C = ValidationCode

# Independent restatements of the two checksums, so the tests can build valid numbers.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_SERIAL = PLATE_LETTERS + "0123456789"
ID_PROVINCE_CODES = (
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    *range(81, 84),
)


def fullwidth(text: str) -> str:
    """The full-width form of printable ASCII, as a Chinese IME types it; others unchanged."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


def script_digits(text: str, zero: str) -> str:
    """Replace ASCII digits with the digits of another script, starting at ``zero``."""
    return text.translate({ord("0") + i: chr(ord(zero) + i) for i in range(10)})


def with_id_check(body: str) -> str:
    """Append the GB 11643 check character to 17 digits."""
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def with_credit_check(body: str) -> str:
    """Append the GB 32100 check character to 17 code characters."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def expect_error(call: Callable[[], object], code: ValidationCode, field: str) -> ValidationError:
    """Run ``call``, assert it raises ValidationError with ``code`` on ``field``."""
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.code is code
    assert info.value.field == field
    return info.value


# --- ValidationError ----------------------------------------------------------------------------


def test_validation_error_carries_field_code_detail() -> None:
    err = ValidationError("phone", C.BAD_FORMAT, "expected 11 digits")
    assert isinstance(err, ValueError)
    assert (err.field, err.code, err.detail) == ("phone", C.BAD_FORMAT, "expected 11 digits")
    assert str(err) == "phone: BAD_FORMAT (expected 11 digits)"
    assert str(ValidationError("name", C.REQUIRED)) == "name: REQUIRED"


def test_validation_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(ValidationError("plate", C.BAD_PROVINCE, "x")))
    assert (err.field, err.code, err.detail) == ("plate", C.BAD_PROVINCE, "x")


def test_codes_are_stable_strings() -> None:
    assert {code.value for code in C} >= {
        "REQUIRED",
        "TOO_LONG",
        "BAD_FORMAT",
        "BAD_CHECKSUM",
        "BAD_DATE",
        "FUTURE_DATE",
        "BAD_REGION",
        "BAD_PROVINCE",
        "BAD_CHARACTER",
        "INNER_WHITESPACE",
        "FORBIDDEN_LETTER",
        "UNRECOGNIZED_PLATE",
    }
    assert all(code.value == code.name for code in C)


def test_error_detail_never_quotes_personal_data() -> None:
    err = expect_error(
        lambda: normalize_id_number("110105194912310021", today=TODAY),
        C.BAD_CHECKSUM,
        "id_number",
    )
    assert "110105" not in str(err)
    err = expect_error(lambda: normalize_phone("12800138000"), C.BAD_FORMAT, "phone")
    assert "12800138000" not in str(err)


# --- plates -------------------------------------------------------------------------------------


def test_plate_is_frozen() -> None:
    plate = parse_plate("浙F12345")
    with pytest.raises(FrozenInstanceError):
        plate.text = "浙F54321"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "text", "kind"),
    [
        ("浙F12345", "浙F12345", PlateKind.ORDINARY),
        ("浙FD1234", "浙FD1234", PlateKind.ORDINARY),  # 7 chars: ordinary, not new-energy
        ("浙FD12345", "浙FD12345", PlateKind.NEW_ENERGY_SMALL),
        ("浙FA1B23", "浙FA1B23", PlateKind.ORDINARY),
        ("浙FAB1234", "浙FAB1234", PlateKind.NEW_ENERGY_SMALL),
        ("浙F12345D", "浙F12345D", PlateKind.NEW_ENERGY_LARGE),
        ("浙F12345F", "浙F12345F", PlateKind.NEW_ENERGY_LARGE),
        ("浙F1234挂", "浙F1234挂", PlateKind.TRAILER),
        ("浙F1234学", "浙F1234学", PlateKind.COACH),
        ("浙A1234警", "浙A1234警", PlateKind.POLICE),
        ("粤Z1234港", "粤Z1234港", PlateKind.HK_MACAU),
        ("粤ZA123澳", "粤ZA123澳", PlateKind.HK_MACAU),
        ("使014578", "使014578", PlateKind.EMBASSY),
        ("沪A1234领", "沪A1234领", PlateKind.CONSULATE),
        ("浙f12345", "浙F12345", PlateKind.ORDINARY),
        ("浙F\u00b712345", "浙F12345", PlateKind.ORDINARY),
        (" 浙F 12345 ", "浙F12345", PlateKind.ORDINARY),
        ("浙F\u202212345", "浙F12345", PlateKind.ORDINARY),
        ("浙F.12345", "浙F12345", PlateKind.ORDINARY),
        ("浙F\u30fb12345", "浙F12345", PlateKind.ORDINARY),
        ("浙" + fullwidth("F12345"), "浙F12345", PlateKind.ORDINARY),
        ("浙" + fullwidth("f\u00b712345"), "浙F12345", PlateKind.ORDINARY),
        ("\u3000京A 12345\u3000", "京A12345", PlateKind.ORDINARY),  # ideographic spaces
        ("使 014\u00b7578", "使014578", PlateKind.EMBASSY),
    ],
)
def test_plate_accepted(raw: str, text: str, kind: PlateKind) -> None:
    plate = parse_plate(raw)
    assert plate == Plate(text, kind)
    assert not plate.needs_review
    assert normalize_plate(raw) == text
    assert parse_plate(raw, allow_unrecognized=True) == plate


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("浙F1234I", C.FORBIDDEN_LETTER),
        ("浙F1234O", C.FORBIDDEN_LETTER),
        ("浙I12345", C.FORBIDDEN_LETTER),
        ("浙O12345", C.FORBIDDEN_LETTER),
        ("浙fo1234", C.FORBIDDEN_LETTER),  # lower-case o is upper-cased first
        ("浙F123456", C.UNRECOGNIZED_PLATE),
        ("粤B1234港", C.UNRECOGNIZED_PLATE),  # only 粤Z carries 港/澳
        ("浙F12345G", C.UNRECOGNIZED_PLATE),  # large new-energy ends in D or F only
        ("浙FZ12345", C.UNRECOGNIZED_PLATE),  # small new-energy third char from DABCEFGHJK
        ("浙F1234A5", C.UNRECOGNIZED_PLATE),  # ... and 4 digits at the end
        ("浙11234挂", C.UNRECOGNIZED_PLATE),  # authority must be a letter
        ("使01457", C.UNRECOGNIZED_PLATE),
        ("台A12345", C.BAD_PROVINCE),
        ("F12345", C.BAD_PROVINCE),
        ("A浙12345", C.BAD_PROVINCE),
        ("浙F12345\u200b", C.BAD_CHARACTER),  # zero-width space, refused before any stripping
        ("浙F\u200b12345", C.BAD_CHARACTER),
        ("\ufeff浙F12345", C.BAD_CHARACTER),  # BOM
        ("\u202e浙F12345", C.BAD_CHARACTER),  # RTL override
        ("浙F12345\n", C.BAD_CHARACTER),
        ("浙F\t12345", C.BAD_CHARACTER),
        ("浙F1234!", C.BAD_CHARACTER),
        ("浙F-12345", C.BAD_CHARACTER),
        ("浙F1234\u00e9", C.BAD_CHARACTER),
        ("浙F" + script_digits("12345", "\u0660"), C.BAD_CHARACTER),  # Arabic-Indic digits
        ("浙F1234😀", C.BAD_CHARACTER),
        ("浙F12", C.BAD_FORMAT),
        ("浙F12345678901", C.BAD_FORMAT),
        ("", C.REQUIRED),
        ("   ", C.REQUIRED),
        ("\u00b7 .", C.REQUIRED),
        ("浙" * 65, C.TOO_LONG),
    ],
)
def test_plate_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: parse_plate(raw), code, "plate")
    expect_error(lambda: normalize_plate(raw, field="truck_plate"), code, "truck_plate")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("浙F123456", "浙F123456"),
        ("粤B1234港", "粤B1234港"),
        ("浙F12345G", "浙F12345G"),
        ("京A1234超", "京A1234超"),
        ("使01457", "使01457"),
        ("浙f·1234567", "浙F1234567"),
    ],
)
def test_plate_unrecognized_goes_to_review(raw: str, text: str) -> None:
    plate = parse_plate(raw, allow_unrecognized=True)
    assert plate == Plate(text, PlateKind.UNRECOGNIZED)
    assert plate.needs_review


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("浙F12345\u200b", C.BAD_CHARACTER),
        ("\u202e浙F12345", C.BAD_CHARACTER),
        ("浙F1234!", C.BAD_CHARACTER),
        ("浙F1234I", C.FORBIDDEN_LETTER),
        ("浙I12345", C.FORBIDDEN_LETTER),
        ("台A12345", C.BAD_PROVINCE),
        ("浙F12", C.BAD_FORMAT),
        ("浙F12345678901", C.BAD_FORMAT),
        ("", C.REQUIRED),
        ("浙" * 65, C.TOO_LONG),
    ],
)
def test_plate_unsafe_still_rejected_when_review_allowed(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: parse_plate(raw, allow_unrecognized=True), code, "plate")


@pytest.mark.parametrize("province", PROVINCES)
def test_every_listed_province_is_accepted(province: str) -> None:
    assert parse_plate(f"{province}A12345") == Plate(f"{province}A12345", PlateKind.ORDINARY)


@given(
    province=st.sampled_from(PROVINCES),
    letter=st.sampled_from(PLATE_LETTERS),
    serial=st.text(alphabet=PLATE_SERIAL, min_size=5, max_size=5),
    separator=st.sampled_from(["", " ", "\u00b7", "\u2022", ".", " \u00b7 "]),
    lower=st.booleans(),
)
def test_ordinary_plate_round_trips(
    province: str, letter: str, serial: str, separator: str, lower: bool
) -> None:
    canonical = f"{province}{letter}{serial}"
    typed = f" {province}{letter}{separator}{serial} "
    assert parse_plate(typed.lower() if lower else typed) == Plate(canonical, PlateKind.ORDINARY)
    assert normalize_plate(canonical) == canonical


# --- resident ID numbers ------------------------------------------------------------------------

VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (VALID_ID, VALID_ID),
        ("11010519491231002x", VALID_ID),  # lower-case x
        (fullwidth(VALID_ID), VALID_ID),
        (fullwidth(VALID_ID.lower()), VALID_ID),
        ("  11010519491231002X  ", VALID_ID),
        ("\u300011010519491231002x\u3000", VALID_ID),
        (with_id_check("33042419800101123"), with_id_check("33042419800101123")),
        (with_id_check("11010520000229123"), with_id_check("11010520000229123")),  # leap day
        (with_id_check("11010519000101123"), with_id_check("11010519000101123")),  # 1900
        (with_id_check("11010520261125123"), with_id_check("11010520261125123")),  # born today
    ],
)
def test_id_number_accepted(raw: str, expected: str) -> None:
    assert normalize_id_number(raw, today=TODAY) == expected


def test_id_number_checksum_example_from_spec() -> None:
    assert sum(int(d) * w for d, w in zip(VALID_ID[:17], ID_WEIGHTS, strict=True)) == 167
    assert with_id_check(VALID_ID[:17]) == VALID_ID


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", C.BAD_CHECKSUM),
        ("11010519491231002Y", C.BAD_FORMAT),
        (with_id_check("11010519490230002"), C.BAD_DATE),  # Feb 30
        (with_id_check("11010519000229002"), C.BAD_DATE),  # 1900 was not a leap year
        (with_id_check("11010519491301002"), C.BAD_DATE),  # month 13
        (with_id_check("11010519491200002"), C.BAD_DATE),  # day 0
        (with_id_check("11010518991231002"), C.BAD_DATE),  # before 1900
        (with_id_check("11010520261126002"), C.FUTURE_DATE),  # tomorrow
        (with_id_check("11010530000101002"), C.FUTURE_DATE),
        ("110105 19491231002X", C.INNER_WHITESPACE),
        ("11010519491231002 X", C.INNER_WHITESPACE),
        ("1101051949\u00a01231002X", C.INNER_WHITESPACE),  # no-break space
        ("1101051949\u30001231002X", C.INNER_WHITESPACE),  # ideographic space
        (script_digits(VALID_ID, "\u0660"), C.BAD_FORMAT),  # Arabic-Indic digits
        (script_digits(VALID_ID, "\u06f0"), C.BAD_FORMAT),  # Extended Arabic-Indic digits
        (script_digits(VALID_ID, "\u0966"), C.BAD_FORMAT),  # Devanagari digits
        ("11010519491231002", C.BAD_FORMAT),  # 17 characters
        ("110105491231002", C.BAD_FORMAT),  # first-generation 15 digits
        ("11010519491231002XX", C.BAD_FORMAT),
        ("1101051949123100X2", C.BAD_FORMAT),  # X only as the check character
        ("11010519491231002\u200bX", C.BAD_CHARACTER),
        ("\u202e11010519491231002X", C.BAD_CHARACTER),
        ("11010519491231002X\n", C.BAD_CHARACTER),
        ("", C.REQUIRED),
        ("   ", C.REQUIRED),
        ("1" * 65, C.TOO_LONG),
    ],
)
def test_id_number_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: normalize_id_number(raw, today=TODAY), code, "id_number")
    expect_error(
        lambda: normalize_id_number(raw, field="driver_id", today=TODAY), code, "driver_id"
    )


@pytest.mark.parametrize("region", ID_PROVINCE_CODES)
def test_id_number_province_codes_accepted(region: int) -> None:
    number = with_id_check(f"{region}010519491231002")
    assert normalize_id_number(number, today=TODAY) == number


@pytest.mark.parametrize(
    "region", [0, 10, 16, 20, 24, 30, 38, 40, 47, 49, 55, 60, 66, 70, 72, 80, 84, 90, 99]
)
def test_id_number_bad_province_code(region: int) -> None:
    number = with_id_check(f"{region:02d}010519491231002")
    expect_error(lambda: normalize_id_number(number, today=TODAY), C.BAD_REGION, "id_number")


def test_id_number_defaults_to_real_today() -> None:
    assert normalize_id_number(VALID_ID) == VALID_ID
    born_next_year = with_id_check(f"110105{date.today().year + 1}0101002")
    expect_error(lambda: normalize_id_number(born_next_year), C.FUTURE_DATE, "id_number")


id_bodies = st.builds(
    lambda region, county, born, seq: f"{region}{county:04d}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(ID_PROVINCE_CODES),
    st.integers(0, 9999),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(body=id_bodies, lower=st.booleans())
@example(body=VALID_ID[:17], lower=True)
def test_generated_id_numbers_round_trip(body: str, lower: bool) -> None:
    number = with_id_check(body)
    typed = number.lower() if lower else number
    assert normalize_id_number(f" {typed} ", today=TODAY) == number


@given(body=id_bodies, position=st.integers(14, 17), data=st.data())
def test_any_single_change_in_sequence_or_check_is_caught(
    body: str, position: int, data: st.DataObject
) -> None:
    number = with_id_check(body)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    tampered = number[:position] + replacement + number[position + 1 :]
    expect_error(lambda: normalize_id_number(tampered, today=TODAY), C.BAD_CHECKSUM, "id_number")


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "008613800138000",
        "0086 138 0013 8000",
        "8613800138000",
        "86 13800138000",
        "138-0013-8000",
        "138 0013 8000",
        "(138) 0013-8000",
        "(+86) 138 0013 8000",
        "  13800138000  ",
        fullwidth("13800138000"),
        fullwidth("+86 (138) 0013-8000"),
    ],
)
def test_phone_accepted(raw: str) -> None:
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize("number", ["13000000000", "15912345678", "19999999999"])
def test_phone_prefixes_three_to_nine(number: str) -> None:
    assert normalize_phone(number) == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("12800138000", C.BAD_FORMAT),  # second digit must be 3-9
        ("23800138000", C.BAD_FORMAT),
        ("1380013800", C.BAD_FORMAT),  # 10 digits
        ("138001380000", C.BAD_FORMAT),  # 12 digits
        ("+86 1380013800", C.BAD_FORMAT),  # prefix kept: too few digits after it
        ("+1 202 555 0123", C.BAD_FORMAT),
        ("+8613800138000 ext 1", C.BAD_FORMAT),
        ("138.0013.8000", C.BAD_FORMAT),
        ("138 0013 800a", C.BAD_FORMAT),
        (script_digits("13800138000", "\u0660"), C.BAD_FORMAT),  # Arabic-Indic digits
        ("---", C.BAD_FORMAT),
        ("138\u200b00138000", C.BAD_CHARACTER),
        ("\u202e13800138000", C.BAD_CHARACTER),
        ("13800138000\x00", C.BAD_CHARACTER),
        ("", C.REQUIRED),
        ("  ", C.REQUIRED),
        ("1" * 65, C.TOO_LONG),
    ],
)
def test_phone_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: normalize_phone(raw), code, "phone")
    expect_error(lambda: normalize_phone(raw, field="contact"), code, "contact")


@given(
    number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86) "]),
    dash=st.sampled_from(["", " ", "-"]),
)
def test_generated_phones_round_trip(number: str, prefix: str, dash: str) -> None:
    typed = f"{prefix}{number[:3]}{dash}{number[3:7]}{dash}{number[7:]}"
    assert normalize_phone(typed) == number


# --- credit codes -------------------------------------------------------------------------------

VALID_CREDIT_CODE = "91350100M000100Y43"


@pytest.mark.parametrize(
    "raw",
    [
        VALID_CREDIT_CODE,
        "91350100m000100y43",
        "  91350100M000100Y43 ",
        fullwidth(VALID_CREDIT_CODE),
        fullwidth("91350100m000100y43"),
    ],
)
def test_credit_code_accepted(raw: str) -> None:
    assert normalize_credit_code(raw) == VALID_CREDIT_CODE


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("91350100M000100Y44", C.BAD_CHECKSUM),  # corrupted check character
        ("91350100M000200Y43", C.BAD_CHECKSUM),  # corrupted body
        ("91350100M000100Y4", C.BAD_FORMAT),
        ("91350100M000100Y433", C.BAD_FORMAT),
        ("91350100I000100Y43", C.BAD_FORMAT),  # I, O, S, V, Z are not in the alphabet
        ("91350100O000100Y43", C.BAD_FORMAT),
        ("91350100S000100Y43", C.BAD_FORMAT),
        ("91350100M000100Z43", C.BAD_FORMAT),
        ("91350100M000100Y4 3", C.INNER_WHITESPACE),
        ("91350100M000100Y4\u200b3", C.BAD_CHARACTER),
        ("", C.REQUIRED),
        ("9" * 65, C.TOO_LONG),
    ],
)
def test_credit_code_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: normalize_credit_code(raw), code, "credit_code")
    expect_error(lambda: normalize_credit_code(raw, field="uscc"), code, "uscc")


@given(
    body=st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17),
    position=st.integers(0, 17),
    data=st.data(),
)
def test_generated_credit_codes_round_trip_and_catch_one_change(
    body: str, position: int, data: st.DataObject
) -> None:
    code = with_credit_check(body)
    assert normalize_credit_code(code.lower()) == code
    replacement = data.draw(st.sampled_from(CREDIT_ALPHABET).filter(lambda c: c != code[position]))
    tampered = code[:position] + replacement + code[position + 1 :]
    expect_error(lambda: normalize_credit_code(tampered), C.BAD_CHECKSUM, "credit_code")


# --- masks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("330424198001011232", "3304**********1232"),
        (VALID_ID, "1101**********002X"),
        ("110105491231002", "1101*******1002"),  # legacy 15-digit number
        ("12345678", "********"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13800138000", "138****8000"), ("1380013", "*******"), ("", "")],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@given(st.text(max_size=40))
def test_masks_keep_length_and_hide_the_middle(value: str) -> None:
    for masked, head, tail in ((mask_id_number(value), 4, 4), (mask_phone(value), 3, 4)):
        assert len(masked) == len(value)
        if set(masked) != {"*"} and value:
            assert masked[head:-tail] == "*" * (len(value) - head - tail)


# --- free text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("阿依古丽\u00b7买买提", "阿依古丽\u00b7买买提"),
        ("张三", "张三"),
        ("  张三  ", "张三"),
        ("Zhang Wei", "Zhang Wei"),
        ("Mary-Jane O'Brien", "Mary-Jane O'Brien"),
        ("Jos\u0065\u0301", "Jos\u00e9"),  # decomposed é composed by NFC
        ("王一", "王一"),  # Chinese numerals are letters
        ("Robert'); DROP TABLE students;--", "Robert'); DROP TABLE students;--"),
        ("张" * 40, "张" * 40),
    ],
)
def test_person_name_accepted(raw: str, expected: str) -> None:
    assert normalize_person_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("张\u200b三", C.BAD_CHARACTER),  # zero-width space
        ("\u202e三张", C.BAD_CHARACTER),  # RTL override
        ("张\u200d三", C.BAD_CHARACTER),  # zero-width joiner
        ("张三😀", C.BAD_CHARACTER),
        ("张三\U0001f3fb", C.BAD_CHARACTER),  # lone skin-tone modifier (Sk, not So)
        ("张三1\ufe0f\u20e3", C.BAD_CHARACTER),  # keycap sequence
        ("张三\x00", C.BAD_CHARACTER),
        ("张三\x07", C.BAD_CHARACTER),
        ("张三\n", C.BAD_CHARACTER),  # refused, not stripped
        ("张\u2028三", C.BAD_CHARACTER),  # line separator
        ("张\ue000三", C.BAD_CHARACTER),  # private use
        ("张\u0378三", C.BAD_CHARACTER),  # unassigned
        ("张\ud800三", C.BAD_CHARACTER),  # lone surrogate
        ("张三3", C.BAD_CHARACTER),  # names contain no digits
        ("张三\uff13", C.BAD_CHARACTER),  # full-width digit
        ("Henry \u2167", C.BAD_CHARACTER),  # Roman numeral
        ("张" * 41, C.TOO_LONG),
        ("", C.REQUIRED),
        ("   ", C.REQUIRED),
    ],
)
def test_person_name_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: normalize_person_name(raw), code, "name")
    expect_error(lambda: normalize_person_name(raw, field="driver_name"), code, "driver_name")


@pytest.mark.parametrize(
    "cargo",
    [
        "'); DROP TABLE x;--",
        '" OR 1=1; --',
        "<script>alert(1)</script>",
        "冷链果蔬 -18\u2103, 500\u338f, No.3 \u2116 7",
        "钢卷 20 吨 (约 25m\u00b3)\uff1b单价 \u00a53,200/t",
        "100% cotton, 3\u00d74 pallets",
    ],
)
def test_cargo_text_accepted_verbatim(cargo: str) -> None:
    assert normalize_text(cargo, field="cargo", max_length=200) == cargo


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("冷链\U0001f9ca", C.BAD_CHARACTER),  # ice emoji
        ("\U0001f1e8\U0001f1f3 goods", C.BAD_CHARACTER),  # flag
        ("\u2764 fragile", C.BAD_CHARACTER),  # heavy heart (So)
        ("line one\r\nline two", C.BAD_CHARACTER),
        ("tab\tseparated", C.BAD_CHARACTER),
        ("a" * 11, C.TOO_LONG),
        ("a" * 10_000, C.TOO_LONG),
    ],
)
def test_cargo_text_rejected(raw: str, code: ValidationCode) -> None:
    expect_error(lambda: normalize_text(raw, field="cargo", max_length=10), code, "cargo")


def test_text_length_counts_code_points_after_nfc() -> None:
    decomposed = "e\u0301" * 10
    assert normalize_text(decomposed, field="note", max_length=10) == "\u00e9" * 10
    assert normalize_text("𠀀" * 3, field="note", max_length=3) == "𠀀" * 3  # astral CJK


def test_text_optional_returns_empty() -> None:
    assert normalize_text("", field="address", max_length=10, required=False) == ""
    assert normalize_text("  \u3000 ", field="address", max_length=10, required=False) == ""
    expect_error(lambda: normalize_text(" ", field="address", max_length=10), C.REQUIRED, "address")
    expect_error(
        lambda: normalize_text("\u200b", field="address", max_length=10, required=False),
        C.BAD_CHARACTER,
        "address",
    )


def test_text_rejects_nonpositive_limit_as_programming_error() -> None:
    with pytest.raises(ValueError, match="max_length") as info:
        normalize_text("x", field="note", max_length=0)
    assert not isinstance(info.value, ValidationError)


@given(st.text(max_size=60))
def test_normalized_text_is_idempotent(raw: str) -> None:
    try:
        once = normalize_text(raw, field="note", max_length=60, required=False)
    except ValidationError:
        return
    assert normalize_text(once, field="note", max_length=60, required=False) == once


# --- fuzz: only ValidationError ever escapes ----------------------------------------------------

NORMALIZERS: list[Callable[[str], object]] = [
    parse_plate,
    lambda s: parse_plate(s, allow_unrecognized=True),
    normalize_plate,
    lambda s: normalize_id_number(s, today=TODAY),
    normalize_id_number,
    normalize_phone,
    normalize_credit_code,
    lambda s: normalize_text(s, field="note", max_length=40),
    lambda s: normalize_text(s, field="note", max_length=40, required=False),
    normalize_person_name,
]

any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=80),  # includes lone surrogates
    st.text(alphabet="浙粤使台IOXx0123456789FDZ港挂·. -+()\u200b\uff10", max_size=20),
    st.from_regex(r"[ +]*(86|0086)?[0-9\-() ]{8,16}", fullmatch=True),
)


@given(any_text)
def test_random_text_raises_only_validation_error(raw: str) -> None:
    for normalize in NORMALIZERS:
        try:
            result = normalize(raw)
        except ValidationError as err:
            assert isinstance(err.code, ValidationCode)
            assert err.field
        else:
            assert isinstance(result, str | Plate)
