"""Base45 (RFC 9285): the text layer of a pass token, chosen because QR alphanumeric mode
stores its 45 characters at 5.5 bits each.

Decoding is strict. RFC 9285 leaves a decoder free to be lenient; we are not, because the
same text must always stand for the same bytes: a character outside the alphabet (including
lower case), a dangling single character, a triplet above 65535 (``"GGW"``) or a pair above
255 raises ``Base45Error``. With those rules encoding and decoding are exact inverses.
"""

from __future__ import annotations

from typing import Final

__all__ = ["ALPHABET", "Base45Error", "decode", "encode"]

ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_VALUE: Final[dict[str, int]] = {char: index for index, char in enumerate(ALPHABET)}
_BASE: Final = 45
_SQUARE: Final = _BASE * _BASE
_MAX_TRIPLET: Final = 0xFFFF  # three characters encode two bytes
_MAX_PAIR: Final = 0xFF  # two characters encode the final odd byte


class Base45Error(ValueError):
    """The text is not valid Base45 (bad character, dangling character or out-of-range group)."""


def encode(data: bytes) -> str:
    """Base45 text for ``data``: three characters per two bytes, two for a final odd byte."""
    out: list[str] = []
    whole = len(data) - len(data) % 2
    for index in range(0, whole, 2):
        value = (data[index] << 8) | data[index + 1]
        high, rest = divmod(value, _SQUARE)
        middle, low = divmod(rest, _BASE)
        out.append(ALPHABET[low] + ALPHABET[middle] + ALPHABET[high])
    if whole != len(data):
        middle, low = divmod(data[-1], _BASE)
        out.append(ALPHABET[low] + ALPHABET[middle])
    return "".join(out)


def decode(text: str) -> bytes:
    """The bytes ``text`` encodes; raises ``Base45Error`` on anything RFC 9285 does not allow."""
    if len(text) % 3 == 1:
        # Position, not content, in the message: the text may be a scanned pass.
        raise Base45Error(f"dangling character at the end ({len(text)} characters)")
    try:
        values = [_VALUE[char] for char in text]
    except KeyError:
        position = next(index for index, char in enumerate(text) if char not in _VALUE)
        raise Base45Error(f"character outside the Base45 alphabet at position {position}") from None
    out = bytearray()
    whole = len(values) - len(values) % 3
    groups = zip(values[0:whole:3], values[1:whole:3], values[2:whole:3], strict=True)
    for index, (low, middle, high) in enumerate(groups):
        value = low + middle * _BASE + high * _SQUARE
        if value > _MAX_TRIPLET:
            raise Base45Error(f"triplet at position {3 * index} exceeds 65535")
        out += value.to_bytes(2, "big")
    if whole != len(values):
        value = values[whole] + values[whole + 1] * _BASE
        if value > _MAX_PAIR:
            raise Base45Error(f"pair at position {whole} exceeds 255")
        out.append(value)
    return bytes(out)
