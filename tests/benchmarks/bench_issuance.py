"""Passes issued per second, end to end, and verifications per second through the service.

Run: .venv/bin/python -m tests.benchmarks.bench_issuance [--passes N]
Issuing = approve (conditional UPDATE, Ed25519 signature, pass row, SMS row, two audit rows,
one fsync'd transaction) + QR PNG + A6 PDF. Verifying = the 11 token checks with the trust
list and revocation looked up in the database. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.demo import id_number, populate
from core.importing import RawRow
from core.keys import KeyFolder
from core.pass_document import pass_pdf, qr_png
from core.services import Services
from db.store import open_store
from tests.conftest import FAST_HASH


def _rows(count: int, arrival: datetime) -> list[RawRow]:
    when = (arrival + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # China local time
    return [
        RawRow(
            index + 2,
            {
                "plate": f"浙F{70000 + index:05d}",
                "driver_name": "基准司机",
                "driver_id_number": id_number(
                    f"330482{19700101 + index % 28:08d}{index % 1000:03d}"
                ),
                "driver_phone": f"139{index:08d}",
                "origin_region_code": "330482",
                "cargo": "电子元件",
                "planned_arrival": when,
            },
        )
        for index in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=300)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        keys = KeyFolder(Path(folder) / "keys")
        services = Services.build(store, params=FAST_HASH, keys=keys)
        populate(store, now, vehicles=60, params=FAST_HASH, keys=keys)
        clerk = services.accounts.login("clerk", "LoopPass-demo")
        reviewer = services.accounts.login("reviewer", "LoopPass-demo")
        ids = services.importer.import_rows(clerk, _rows(args.passes, now + timedelta(hours=2)))

        start = time.perf_counter()
        issued = services.passes.approve_many(reviewer, ids).issued
        approve_s = time.perf_counter() - start
        start = time.perf_counter()
        for one in issued:
            qr_png(one.token)
        qr_s = time.perf_counter() - start
        start = time.perf_counter()
        for one in issued:
            pass_pdf(services.passes.sheet(reviewer, one.serial), "A6")
        pdf_s = time.perf_counter() - start
        n = len(issued)
        print(f"passes issued: {n}")
        print(f"approve + sign + store (one transaction each): {n / approve_s:8.1f} passes/s")
        print(f"QR PNG:                                        {n / qr_s:8.1f} passes/s")
        print(f"A6 PDF:                                        {n / pdf_s:8.1f} passes/s")
        print(
            f"end to end (approve + QR PNG + PDF):           "
            f"{n / (approve_s + qr_s + pdf_s):8.1f} passes/s"
        )

        tokens = [one.token for one in issued] * max(1, 2000 // max(n, 1))
        start = time.perf_counter()
        results = [services.passes.verify(token) for token in tokens]
        verify_s = time.perf_counter() - start
        assert all(result.ok for result in results)  # a sanity check of the run, not a timing
        print(
            f"verify (with trust list + revocation lookups): {len(tokens) / verify_s:8.1f} tokens/s"
        )
        store.close()


if __name__ == "__main__":
    main()
