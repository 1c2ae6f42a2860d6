"""Tests for core.base45 against RFC 9285 (its examples, limits and strictness)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.base45 import ALPHABET, Base45Error, decode, encode

FUZZ = settings(max_examples=500, derandomize=True, deadline=None, database=None)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # RFC 9285 §4.3 and §4.4 examples.
        (b"AB", "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
        (b"\x00", "00"),
        (b"\x00\x00", "000"),
        (b"\xff", "U5"),  # 255 = 30 + 5 * 45: the largest pair
        (b"\xff\xff", "FGW"),  # 65535 = 15 + 16 * 45 + 32 * 2025: the largest triplet
    ],
)
def test_rfc_examples_and_limits_round_trip(raw: bytes, text: str) -> None:
    assert encode(raw) == text
    assert decode(text) == raw


def test_alphabet_is_the_rfc_one() -> None:
    assert len(ALPHABET) == 45
    assert len(set(ALPHABET)) == 45
    assert ALPHABET == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@pytest.mark.parametrize(
    "text",
    [
        "GGW",  # 16 + 16 * 45 + 32 * 2025 = 65536, one past the largest triplet
        ":::",  # 91124
        "V5",  # 31 + 5 * 45 = 256, one past the largest pair
        "::",  # 2024
        "BB8GGW",  # a valid triplet followed by an invalid one
    ],
)
def test_out_of_range_groups_are_rejected(text: str) -> None:
    with pytest.raises(Base45Error):
        decode(text)


@pytest.mark.parametrize("text", ["A", "BB8A", "QED8WEX0AB"])
def test_dangling_single_character_is_rejected(text: str) -> None:
    with pytest.raises(Base45Error, match="dangling"):
        decode(text)


@pytest.mark.parametrize(
    "text",
    ["bb8", "BB8\n", "B\u00c98", "BB\u200b", "BB\x00", "BB#", "BB\uff18", "QED8WEX0=="],
)
def test_characters_outside_the_alphabet_are_rejected(text: str) -> None:
    with pytest.raises(Base45Error):
        decode(text)


def test_error_is_a_value_error_and_does_not_quote_the_input() -> None:
    with pytest.raises(ValueError, match="position 1") as caught:
        decode("Bb8")
    assert isinstance(caught.value, Base45Error)
    assert "Bb8" not in str(caught.value)


@FUZZ
@given(st.binary(max_size=300))
def test_encode_then_decode_is_identity(raw: bytes) -> None:
    text = encode(raw)
    assert set(text) <= set(ALPHABET)
    assert len(text) == len(raw) // 2 * 3 + len(raw) % 2 * 2
    assert decode(text) == raw


@FUZZ
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_every_accepted_text_has_exactly_one_spelling(text: str) -> None:
    # Strict decoding makes the codec a bijection: nothing else encodes to the same bytes.
    try:
        raw = decode(text)
    except Base45Error:
        return
    assert encode(raw) == text


@FUZZ
@given(st.text(max_size=60))
def test_decoding_arbitrary_text_only_raises_base45_error(text: str) -> None:
    with contextlib.suppress(Base45Error):
        decode(text)
