"""How list screens behave with 100,000 vehicles and 100,000 drivers.

Run: .venv/bin/python -m tests.benchmarks.bench_lists [--rows N]
Prints the median of several runs for each operation a clerk or reviewer triggers: opening
the list (first page + count), typing a search, sorting by another column, scrolling one
page further, and the whole model reset as the GUI does it. No asserts: figures to quote.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.demo import id_number
from core.models import Role
from core.ports import SearchQuery
from core.services import Services
from core.services.accounts import UserInput
from db.store import open_store
from tests.conftest import FAST_HASH


def _median_ms(action: Callable[[], object], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _fill(services: Services, rows: int) -> None:
    rng = random.Random(7)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    born = date(1950, 1, 1)
    with services.store.transaction() as tx:
        enterprise = tx.enterprises.add("基准企业", "91350100M000100Y43", "", "", "")
        for index in range(rows):
            created = now - timedelta(minutes=rng.randrange(500_000))
            plate = f"浙F{index:05d}" if index < 100_000 else f"沪D{index - 100_000:05d}"
            tx.vehicles.add(enterprise.id, plate, "ORDINARY", False, "重型厢式货车", created)
            birth = born + timedelta(days=index // 1000)
            body = f"330482{birth:%Y%m%d}{index % 1000:03d}"
            tx.drivers.add(
                enterprise.id, f"司机{index}", id_number(body), f"138{index:08d}", created
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        services = Services.build(store, params=FAST_HASH)
        start = time.perf_counter()
        _fill(services, args.rows)
        print(
            f"filled {args.rows:,} vehicles + {args.rows:,} drivers in "
            f"{time.perf_counter() - start:.1f} s"
        )
        admin = services.accounts.create_first_admin("boss", "Boss", "benchmark-password-1")
        reviewer = services.accounts.create_user(
            admin, UserInput("checker", "Checker", Role.REVIEWER, "benchmark-password-2")
        )
        fleet = services.fleet
        cases = {
            "open vehicle list (page 1 + count)": lambda: fleet.search_vehicles(
                reviewer, SearchQuery(sort="plate")
            ),
            "search plate '浙F123'": lambda: fleet.search_vehicles(
                reviewer, SearchQuery(text="浙F123", sort="plate")
            ),
            "search with no match": lambda: fleet.search_vehicles(
                reviewer, SearchQuery(text="粤Z", sort="plate")
            ),
            "sort by registration time, desc": lambda: fleet.search_vehicles(
                reviewer, SearchQuery(sort="created_at", descending=True)
            ),
            "scroll: page at offset 50,000": lambda: fleet.search_vehicles(
                reviewer, SearchQuery(sort="plate", offset=50_000)
            ),
            "driver search by name '司机99'": lambda: fleet.search_drivers(
                reviewer, SearchQuery(text="司机99", sort="name")
            ),
            "driver search by full mobile": lambda: fleet.search_drivers(
                reviewer, SearchQuery(text="13800012345")
            ),
        }
        for name, action in cases.items():
            print(f"{name:<40} {_median_ms(action):8.1f} ms")

        from PySide6.QtWidgets import QApplication

        from ui.pages.fleet import VehiclesPage

        app = QApplication.instance() or QApplication([])
        page = VehiclesPage(services, reviewer)
        print(
            f"{'GUI: type a search, model reset + resize':<40} "
            f"{_median_ms(lambda: page.model.set_query('浙F12')):8.1f} ms"
        )
        del app
        store.close()


if __name__ == "__main__":
    main()
