"""Tests for core.cbor: RFC 8949 vectors, deterministic encoding and a strict decoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cbor import MAX_DEPTH, CborError, CborKey, CborValue, Tag, decode, encode

FUZZ = settings(max_examples=500, derandomize=True, deadline=None, database=None)
NO_TAGS: frozenset[int] = frozenset()


@pytest.mark.parametrize(
    ("value", "hex_encoding"),
    [
        # RFC 8949 Appendix A, the part of the data model the token uses.
        (0, "00"),
        (1, "01"),
        (10, "0a"),
        (23, "17"),
        (24, "1818"),
        (25, "1819"),
        (100, "1864"),
        (1000, "1903e8"),
        (1000000, "1a000f4240"),
        (1000000000000, "1b000000e8d4a51000"),
        (18446744073709551615, "1bffffffffffffffff"),
        (-18446744073709551616, "3bffffffffffffffff"),
        (-1, "20"),
        (-10, "29"),
        (-100, "3863"),
        (-1000, "3903e7"),
        (b"", "40"),
        (b"\x01\x02\x03\x04", "4401020304"),
        ("", "60"),
        ("a", "6161"),
        ("IETF", "6449455446"),
        ('"\\', "62225c"),
        ("\u00fc", "62c3bc"),
        ("\u6c34", "63e6b0b4"),
        ("\U00010151", "64f0908591"),
        ([], "80"),
        ([1, 2, 3], "83010203"),
        ([1, [2, 3], [4, 5]], "8301820203820405"),
        (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
        ({}, "a0"),
        ({1: 2, 3: 4}, "a201020304"),
        ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
        (["a", {"b": "c"}], "826161a161626163"),
        (
            {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"},
            "a56161614161626142616361436164614461656145",
        ),
        (Tag(18, [b"", {}, b"", b""]), "d28440a04040"),
    ],
)
def test_rfc_8949_vectors(value: CborValue, hex_encoding: str) -> None:
    assert encode(value).hex() == hex_encoding
    assert decode(bytes.fromhex(hex_encoding)) == value


def test_map_keys_sorted_by_encoded_bytes() -> None:
    # RFC 8949 §4.2.1's example order, restricted to integer and text keys.
    value: dict[CborKey, CborValue] = {"aa": 5, -1: 3, "z": 4, 100: 2, 10: 1}
    encoded = encode(value)
    assert encoded.hex() == "a50a011864022003617a0462616105"
    assert list(decode(encoded)) == [10, 100, -1, "z", "aa"]  # type: ignore[arg-type]


def test_tuples_encode_as_arrays() -> None:
    assert encode((1, 2)) == encode([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [True, False, None, 1.5, 2**64, -(2**64) - 1, {b"k": 1}, {(1,): 1}, {True: 1}, "\ud800", set()],
)
def test_encoder_refuses_what_the_decoder_would_refuse(value: object) -> None:
    with pytest.raises(CborError):
        encode(value)  # type: ignore[arg-type]


def test_encoder_refuses_nesting_deeper_than_the_limit() -> None:
    value: CborValue = 0
    for _ in range(MAX_DEPTH):
        value = [value]
    assert decode(encode(value)) == value
    with pytest.raises(CborError, match="nesting"):
        encode([value])


def test_error_is_a_value_error() -> None:
    assert issubclass(CborError, ValueError)


@pytest.mark.parametrize(
    ("hex_input", "why"),
    [
        ("", "empty input"),
        ("0000", "trailing bytes"),
        ("a0ff", "trailing break"),
        ("5f42010243030405ff", "indefinite byte string"),
        ("7f657374726561646d696e67ff", "indefinite text"),
        ("9f018202039f0405ffff", "indefinite array"),
        ("bf61610161629f0203ffff", "indefinite map"),
        ("ff", "lone break"),
        ("f93c00", "half float"),
        ("fa47c35000", "single float"),
        ("fb3ff199999999999a", "double float"),
        ("f4", "false"),
        ("f5", "true"),
        ("f6", "null"),
        ("f7", "undefined"),
        ("f0", "simple 16"),
        ("f8ff", "simple 255"),
        ("c074323031332d30332d32315432303a30343a30305a", "tag 0"),
        ("c11a514b67b0", "tag 1"),
        ("d818456449455446", "tag 24"),
        ("81d28440a04040", "tag 18 below the top"),
        ("a2010101", "map ends early"),
        ("a201010102", "duplicate key"),
        ("a2616101616102", "duplicate text key"),
        ("a202000100", "keys out of order"),
        ("a2616201616101", "text keys out of order"),
        ("a262616100617a0a", "longer text key first"),  # "z" sorts before "aa"
        ("a1410000", "byte-string key"),
        ("a18000", "array key"),
        ("1817", "non-shortest 1-byte int"),
        ("1900ff", "non-shortest 2-byte int"),
        ("1a0000ffff", "non-shortest 4-byte int"),
        ("1b00000000ffffffff", "non-shortest 8-byte int"),
        ("3817", "non-shortest negative"),
        ("5800", "non-shortest byte-string length"),
        ("980100", "non-shortest array length"),
        ("1c", "reserved 28"),
        ("1d", "reserved 29"),
        ("1e", "reserved 30"),
        ("19", "truncated argument"),
        ("1901", "truncated argument"),
        ("4401", "byte string shorter than declared"),
        ("62c328", "invalid UTF-8"),
        ("63eda080", "UTF-8 surrogate"),
        ("62c0af", "overlong UTF-8"),
        ("83", "array shorter than declared"),
    ],
)
def test_strict_decoder_rejects(hex_input: str, why: str) -> None:
    with pytest.raises(CborError):
        decode(bytes.fromhex(hex_input))


def test_duplicate_key_reported_as_duplicate() -> None:
    with pytest.raises(CborError, match="duplicate"):
        decode(bytes.fromhex("a3010102020103"))


@pytest.mark.parametrize(
    "header",
    [
        "5b7fffffffffffffff",  # byte string of 2**63 - 1
        "5bffffffffffffffff",  # byte string of 2**64 - 1
        "7b8000000000000000",  # text of 2**63
        "9b8000000000000000",  # array of 2**63 items
        "bb8000000000000000",  # map of 2**63 pairs
        "5a7fffffff",  # byte string of 2 GiB
        "9a7fffffff",  # array of 2**31 items
    ],
)
def test_huge_declared_lengths_fail_fast(header: str) -> None:
    # The length is compared with what remains before anything is read or allocated: a
    # MemoryError (or a long stall) here would mean the decoder trusted the header.
    with pytest.raises(CborError, match=r"remain|items in|pairs in"):
        decode(bytes.fromhex(header) + b"\x00" * 16)


def _nested_arrays(depth: int) -> bytes:
    return b"\x81" * depth + b"\x00"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    value = decode(_nested_arrays(MAX_DEPTH), top_level_tags=NO_TAGS)
    for _ in range(MAX_DEPTH):
        assert isinstance(value, list)
        value = value[0]
    assert value == 0
    assert decode(b"\xa1\x01" * MAX_DEPTH + b"\x00") is not None


@pytest.mark.parametrize(
    "data",
    [
        _nested_arrays(MAX_DEPTH + 1),
        b"\x81" * (MAX_DEPTH + 1) + b"\x80",  # the ninth container is empty
        b"\xa1\x01" * (MAX_DEPTH + 1) + b"\x00",  # maps
        b"\xd2" + _nested_arrays(MAX_DEPTH),  # the tag counts as a level
        b"\x81" * 10_000 + b"\x00",  # far deeper: no RecursionError
    ],
)
def test_nesting_beyond_the_limit_is_rejected(data: bytes) -> None:
    with pytest.raises(CborError, match="nesting"):
        decode(data)


def test_tag_18_only_where_allowed() -> None:
    sign1 = bytes.fromhex("d28440a04040")
    assert decode(sign1) == Tag(18, [b"", {}, b"", b""])
    with pytest.raises(CborError, match="tag 18"):
        decode(sign1, top_level_tags=NO_TAGS)
    with pytest.raises(CborError, match="tag 18"):
        decode(bytes.fromhex("d2d28440a04040"))  # a tag inside the tag


def test_decode_accepts_any_bytes_like_input() -> None:
    assert decode(bytearray(b"\x83\x01\x02\x03")) == [1, 2, 3]  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------------

_keys = st.one_of(st.integers(-(2**64), 2**64 - 1), st.text(max_size=8))
_scalars = st.one_of(
    st.integers(-(2**64), 2**64 - 1),
    st.binary(max_size=20),
    st.text(max_size=20),
)


def _values(depth: int) -> st.SearchStrategy[CborValue]:
    if depth == 0:
        return _scalars
    inner = _values(depth - 1)
    return st.one_of(
        _scalars,
        st.lists(inner, max_size=4),
        st.dictionaries(_keys, inner, max_size=4),
    )


@FUZZ
@given(_values(4))
def test_decode_inverts_encode(value: CborValue) -> None:
    encoded = encode(value)
    assert decode(encoded) == value
    assert decode(encode(Tag(18, value))) == Tag(18, value)


@FUZZ
@given(st.binary(max_size=64))
def test_every_accepted_input_is_the_canonical_encoding(data: bytes) -> None:
    # Random bytes either fail with CborError (nothing else escapes) or are canonical.
    try:
        value = decode(data)
    except CborError:
        return
    assert encode(value) == data


@FUZZ
@given(_values(3), st.data())
def test_mutated_encodings_decode_canonically_or_fail(
    value: CborValue, data: st.DataObject
) -> None:
    encoded = bytearray(encode(value))
    index = data.draw(st.integers(0, len(encoded) - 1))
    encoded[index] ^= data.draw(st.integers(1, 255))
    try:
        decoded = decode(bytes(encoded))
    except CborError:
        return
    assert encode(decoded) == bytes(encoded)
