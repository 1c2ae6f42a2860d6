"""The audit chain's fast encoding is the reference encoding, byte for byte.

Verification writes each row's canonical JSON with JSON's own string encoder instead of
``json.dumps`` (four times fewer steps a row: the figure that makes a million entries verify in
seconds). These tests hold the fast path to the definition — ``json.dumps([...],
ensure_ascii=False, separators=(",", ":"))`` in UTF-8 — for the strings that need escaping
(quotes, backslashes, every control character), for text that must not be escaped (Chinese,
emoji, U+2028), for values a tampered row may hold instead of strings and integers, and
through ``verify_log``'s inline loop, which must agree with ``raw_hash`` row for row.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import core.audit
from core.audit import (
    DOMAIN_TAG,
    GENESIS_HASH,
    RawEntry,
    canonical_body,
    raw_hash,
    reference_body,
    verify_log,
)

TRICKY = (
    "",
    "plain ascii",
    '"quoted"',
    "back\\slash \\\\ \\u0041 \\n",
    '{"checkpoint":"G01","reason":"OK"}',
    '{"note":"he said \\"stop\\"\\n"}',
    "".join(chr(c) for c in range(32)),
    "tab\there\nnew line\rreturn\bback\fform",
    "\x7f delete and \x80\x9f C1 controls",
    "平湖北卡口 浙F12345 司机走错厂区，已引导",
    "🚚📦 emoji and 👨‍👩‍👧 joined",
    "line\u2028separator\u2029paragraph",
    "e\u0301 combining, \ufeff BOM, \u200b zero width",
    "\U0010ffff last code point",
    "</script><!-- -->",
)


def _row(*values: Any) -> RawEntry:
    seq, at, actor, action, entity, entity_id, details = values
    return RawEntry(seq, at, actor, action, entity, entity_id, details, GENESIS_HASH, "")


def _reference_hash(prev_hash: str, row: RawEntry) -> str:
    """The chain's hash as written down in core/audit.py's docstring, independently."""
    body = json.dumps(list(row[:7]), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(DOMAIN_TAG + bytes.fromhex(prev_hash) + body.encode()).hexdigest()


@pytest.mark.parametrize("text", TRICKY)
def test_fast_body_equals_the_reference_for_tricky_strings(text: str) -> None:
    for position in range(2, 7):
        values: list[Any] = [7, 1_795_680_000_000, "system", "scan", "scan_event", "42", "{}"]
        values[position] = text
        row = _row(*values)
        assert canonical_body(row) == reference_body(row)
        assert raw_hash(GENESIS_HASH, row) == _reference_hash(GENESIS_HASH, row)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.lists(st.text(), min_size=5, max_size=5),
)
def test_fast_body_equals_the_reference_for_any_text(seq: int, at: int, texts: list[str]) -> None:
    row = _row(seq, at, *texts)
    assert canonical_body(row) == reference_body(row)


@pytest.mark.parametrize(
    "odd",
    [None, 1.5, -0.0, 1e300, float("inf"), float("-inf"), float("nan"), True, False, 2**70, b"x"],
)
def test_values_that_are_not_strings_or_integers_take_the_reference_path(odd: object) -> None:
    """A tampered row can hold NULL, a REAL or anything else where text or an integer
    belongs: the body is then whatever json.dumps makes of it, or the same error."""
    for position in range(7):
        values: list[Any] = [7, 1_795_680_000_000, "system", "scan", "scan_event", "42", "{}"]
        values[position] = odd
        row = _row(*values)
        try:
            expected: bytes | type[Exception] = reference_body(row)
        except (TypeError, ValueError) as error:
            expected = type(error)
        if isinstance(expected, bytes):
            assert canonical_body(row) == expected
        else:
            with pytest.raises(expected):
                canonical_body(row)


def test_int_subclasses_are_written_as_json_writes_them() -> None:
    class Seq(int):
        def __repr__(self) -> str:
            return "not json"

        __str__ = __repr__

    row = _row(Seq(7), True, "a", "b", "c", "d", "{}")
    assert canonical_body(row) == reference_body(row) == b'[7,true,"a","b","c","d","{}"]'


def test_lone_surrogates_fail_the_same_way() -> None:
    """SQLite text is UTF-8, so a row read back never holds one; a caller passing one gets
    the reference path's error."""
    row = _row(1, 2, "a\ud800b", "b", "c", "d", "{}")
    with pytest.raises(UnicodeEncodeError):
        reference_body(row)
    with pytest.raises(UnicodeEncodeError):
        canonical_body(row)
    with pytest.raises(UnicodeEncodeError):
        verify_log([row._replace(hash="0" * 64)])


def _chain(values: list[tuple[Any, ...]]) -> list[RawEntry]:
    rows, prev = [], GENESIS_HASH
    for seq, value in enumerate(values, start=1):
        draft = RawEntry(seq, *value, prev, "")
        prev = _reference_hash(prev, draft)
        rows.append(draft._replace(hash=prev))
    return rows


def test_verify_log_inline_loop_agrees_with_the_reference_hash() -> None:
    values = [
        (1_795_680_000_000 + i, TRICKY[i % len(TRICKY)], "scan", "scan_event", str(i), text)
        for i, text in enumerate(TRICKY * 3)
    ]
    rows = _chain(values)
    report = verify_log(rows)
    assert (report.ok, report.entries, report.first_bad) == (True, len(rows), None)
    for index in (0, 7, len(rows) - 1):
        edited = list(rows)
        edited[index] = rows[index]._replace(details=rows[index].details + " ")
        broken = verify_log(edited)
        assert (broken.ok, broken.first_bad, broken.problem) == (
            False,
            index + 1,
            "HASH_MISMATCH",
        )
        assert broken.entries == index + 1


def test_rows_off_the_fast_path_are_checked_by_the_reference_path() -> None:
    """NULLs and REALs (a row written by something else than LoopPass) leave the inline loop
    for the careful one: the chain still verifies if its hashes were made that way."""
    rows = _chain(
        [
            (1_795_680_000_000, "system", "demo.populate", "database", "-", "{}"),
            (1.5, None, "scan", "scan_event", "2", "{}"),
            (1_795_680_000_002, "gate1", "scan", "scan_event", "3", '{"a":"\\""}'),
        ]
    )
    assert verify_log(rows).ok
    tampered = [rows[0], rows[1]._replace(actor="gate1"), rows[2]]
    assert verify_log(tampered).problem == "HASH_MISMATCH"


def test_progress_is_reported_on_the_same_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.audit, "PROGRESS_EVERY", 4)
    rows = _chain([(i, "a", "b", "c", str(i), "{}") for i in range(10)])
    seen: list[int] = []
    assert verify_log(rows, progress=seen.append).ok
    assert seen == [4, 8, 10]
