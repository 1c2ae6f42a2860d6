"""The small part of CBOR (RFC 8949) a pass token needs, encoded deterministically and
decoded strictly.

Why not a general CBOR library: general decoders are lenient where a verifier must not be
(cbor2 accepts trailing bytes and lets a duplicate map key overwrite the first). This one
accepts exactly the data model the token uses: unsigned and negative integers, byte strings,
UTF-8 text, arrays, maps with integer or text keys, and tag 18 (COSE_Sign1) at the top.

The encoder follows RFC 8949 §4.2.1 "core deterministic encoding": shortest heads, definite
lengths, map keys sorted by the bytes of their encoding. The decoder accepts only that
encoding, so every accepted input has exactly one byte form (``encode(decode(b)) == b``);
there is no second spelling of a token to slip past a duplicate check or a signature.
It also rejects indefinite lengths, floats and simple values (true, false, null included),
other tags or a tag below the top, duplicate keys, nesting deeper than ``MAX_DEPTH``
containers and trailing bytes. A declared length is compared with the bytes that remain
before anything is read or allocated, so a header claiming 2**63 bytes fails at once.
Every failure raises ``CborError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeAlias

__all__ = [
    "COSE_SIGN1_TAG",
    "MAX_DEPTH",
    "CborError",
    "CborKey",
    "CborValue",
    "Tag",
    "decode",
    "encode",
]

COSE_SIGN1_TAG: Final = 18
MAX_DEPTH: Final = 8  # containers (arrays, maps, tags) nested inside one another

_UNSIGNED: Final = 0
_NEGATIVE: Final = 1
_BYTES: Final = 2
_TEXT: Final = 3
_ARRAY: Final = 4
_MAP: Final = 5
_TAG: Final = 6
_SIMPLE: Final = 7  # floats, simple values and the indefinite-length "break"

_UINT64_LIMIT: Final = 1 << 64
# The low five bits of an initial byte: below 24 the value itself; 24..27 announce a
# 1, 2, 4 or 8-byte argument; 28..30 are reserved; 31 is indefinite length (or break).
_DIRECT_LIMIT: Final = 24
_LAST_SIZED: Final = 27
_INDEFINITE: Final = 31


class CborError(ValueError):
    """The data is not CBOR this module accepts, or a value it cannot encode."""


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged data item (``number``, ``value``); the decoder yields only tag 18 at the top."""

    number: int
    value: CborValue


CborKey: TypeAlias = int | str
CborValue: TypeAlias = "int | bytes | str | list[CborValue] | dict[CborKey, CborValue] | Tag"


# --- encoding ---------------------------------------------------------------------------------


def encode(value: CborValue, *, max_depth: int = MAX_DEPTH) -> bytes:
    """The deterministic CBOR encoding of ``value``.

    Raises ``CborError`` for values the decoder would refuse (bool, float, None, keys other
    than int or text, duplicate keys, integers beyond 64 bits, nesting deeper than
    ``max_depth``), so nothing is issued that a verifier will reject.
    """
    out = bytearray()
    _encode_into(out, value, 0, max_depth)
    return bytes(out)


def _head(major: int, argument: int) -> bytes:
    if argument < 0 or argument >= _UINT64_LIMIT:
        raise CborError("integer or length does not fit in 64 bits")
    if argument < _DIRECT_LIMIT:
        return bytes([(major << 5) | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([(major << 5) | info]) + argument.to_bytes(size, "big")
    raise AssertionError("unreachable: the argument was checked to fit in 64 bits")


def _encode_into(out: bytearray, value: object, depth: int, max_depth: int) -> None:
    # bool is an int subclass: without this check True would silently become 1.
    if isinstance(value, bool):
        raise CborError("booleans are not part of the token data model")
    if isinstance(value, int):
        if value >= 0:
            out += _head(_UNSIGNED, value)
        else:
            out += _head(_NEGATIVE, -1 - value)
        return
    if isinstance(value, bytes):
        out += _head(_BYTES, len(value))
        out += value
        return
    if isinstance(value, str):
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate is not text
            raise CborError("text is not valid Unicode") from error
        out += _head(_TEXT, len(raw))
        out += raw
        return
    if depth >= max_depth:
        raise CborError(f"nesting deeper than {max_depth} containers")
    if isinstance(value, list | tuple):
        out += _head(_ARRAY, len(value))
        for item in value:
            _encode_into(out, item, depth + 1, max_depth)
        return
    if isinstance(value, dict):
        _encode_map(out, value, depth, max_depth)
        return
    if isinstance(value, Tag):
        out += _head(_TAG, value.number)
        _encode_into(out, value.value, depth + 1, max_depth)
        return
    raise CborError(f"cannot encode {type(value).__name__}")


def _encode_map(out: bytearray, value: dict[object, object], depth: int, max_depth: int) -> None:
    entries: list[tuple[bytes, object]] = []
    for key, item in value.items():
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise CborError("map keys must be integers or text")
        entries.append((encode(key), item))
    # RFC 8949 §4.2.1: sort by the bytewise order of the encoded keys.
    entries.sort(key=lambda entry: entry[0])
    out += _head(_MAP, len(entries))
    for encoded_key, item in entries:
        out += encoded_key
        _encode_into(out, item, depth + 1, max_depth)


# --- decoding ---------------------------------------------------------------------------------


def decode(
    data: bytes,
    *,
    max_depth: int = MAX_DEPTH,
    top_level_tags: frozenset[int] = frozenset({COSE_SIGN1_TAG}),
) -> CborValue:
    """The single data item in ``data``, decoded strictly (see the module docstring).

    ``top_level_tags`` lists the tags allowed on the outermost item (tag 18 by default;
    pass an empty set for data that must be untagged). Raises ``CborError``.
    """
    reader = _Reader(bytes(data), max_depth, top_level_tags)
    value = reader.item(0)
    if reader.position != len(reader.data):
        raise CborError(f"{len(reader.data) - reader.position} trailing bytes after the item")
    return value


class _Reader:
    """A cursor over the input; each method consumes what it returns."""

    __slots__ = ("data", "max_depth", "position", "top_level_tags")

    def __init__(self, data: bytes, max_depth: int, top_level_tags: frozenset[int]) -> None:
        self.data = data
        self.max_depth = max_depth
        self.top_level_tags = top_level_tags
        self.position = 0

    def remaining(self) -> int:
        return len(self.data) - self.position

    def take(self, count: int) -> bytes:
        # Compare before slicing: a declared length is attacker-controlled.
        if count > self.remaining():
            raise CborError(
                f"item at offset {self.position} claims {count} bytes, "
                f"only {self.remaining()} remain"
            )
        start = self.position
        self.position += count
        return self.data[start : self.position]

    def head(self) -> tuple[int, int]:
        offset = self.position
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == _SIMPLE:
            raise CborError(f"float, simple value or break at offset {offset}")
        if info < _DIRECT_LIMIT:
            return major, info
        if info == _INDEFINITE:
            raise CborError(f"indefinite length at offset {offset}")
        if info > _LAST_SIZED:
            raise CborError(f"reserved additional information {info} at offset {offset}")
        size = 1 << (info - _DIRECT_LIMIT)
        argument = int.from_bytes(self.take(size), "big")
        # Preferred serialization: a value that fits a shorter head must use it.
        smallest = _DIRECT_LIMIT if size == 1 else 1 << (4 * size)
        if argument < smallest:
            raise CborError(f"non-shortest head at offset {offset}")
        return major, argument

    def item(self, depth: int) -> CborValue:  # noqa: PLR0911 - one return per major type
        offset = self.position
        major, argument = self.head()
        if major == _UNSIGNED:
            return argument
        if major == _NEGATIVE:
            return -1 - argument
        if major == _BYTES:
            return self.take(argument)
        if major == _TEXT:
            try:
                return self.take(argument).decode("utf-8")
            except UnicodeDecodeError as error:
                raise CborError(f"text at offset {offset} is not valid UTF-8") from error
        if depth >= self.max_depth:
            raise CborError(f"nesting deeper than {self.max_depth} containers at offset {offset}")
        if major == _ARRAY:
            return self.array(argument, depth)
        if major == _MAP:
            return self.map(argument, depth)
        # Only major type 6 is left: tags.
        if depth != 0 or argument not in self.top_level_tags:
            raise CborError(f"tag {argument} not allowed at offset {offset}")
        return Tag(argument, self.item(depth + 1))

    def array(self, count: int, depth: int) -> list[CborValue]:
        # Every item takes at least one byte: a larger count cannot be honest.
        if count > self.remaining():
            raise CborError(f"array of {count} items in {self.remaining()} bytes")
        return [self.item(depth + 1) for _ in range(count)]

    def map(self, count: int, depth: int) -> dict[CborKey, CborValue]:
        if 2 * count > self.remaining():
            raise CborError(f"map of {count} pairs in {self.remaining()} bytes")
        result: dict[CborKey, CborValue] = {}
        previous = b""
        for _ in range(count):
            start = self.position
            key = self.item(depth + 1)
            if not isinstance(key, int | str):
                raise CborError(f"map key at offset {start} is not an integer or text")
            # Checked before ordering so the error names the real fault.
            if key in result:
                raise CborError(f"duplicate map key at offset {start}")
            encoded_key = self.data[start : self.position]
            if encoded_key <= previous:
                raise CborError(f"map key at offset {start} is out of deterministic order")
            previous = encoded_key
            result[key] = self.item(depth + 1)
        return result
