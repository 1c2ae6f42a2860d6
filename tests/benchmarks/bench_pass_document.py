"""How fast passes can be printed: QR PNGs and one-page PDFs per second.

Run: .venv/bin/python -m tests.benchmarks.bench_pass_document [--runs N] [--batch N]
Each run makes a batch of distinct passes (different tokens, plates and enterprise names, so
no cache sees the same pass twice) and the median rate over the runs is printed. No asserts:
figures to quote.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from core.pass_document import PassSheet, layout_pass, pass_pdf, qr_png

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
NAMES = ("景兴纸业", "独山港物流", "乍浦化工", "当湖食品", "新仓冷链", "钟埭机械")


def _sheets(count: int, seed: int) -> list[PassSheet]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    sheets = []
    for index in range(count):
        name = f"平湖{rng.choice(NAMES)}有限公司第{seed * 1000 + index}分公司"
        sheets.append(
            PassSheet(
                token="PH1:" + "".join(rng.choice(BASE45) for _ in range(246)),
                serial=f"{rng.getrandbits(128):032x}",
                plate=f"浙F{rng.randrange(100_000):05d}",
                driver_masked="张三 3304**********1232",
                enterprise_name=name,
                route=["卡口（入）", f"企业：{name}", "卡口（出）"],
                risk_label="低风险",
                valid_from=start,
                valid_until=start + timedelta(hours=72),
                issued_at=start - timedelta(minutes=2),
            )
        )
    return sheets


def _median_rate(
    action: Callable[[PassSheet], object], batches: Sequence[list[PassSheet]]
) -> float:
    rates = []
    for batch in batches:
        begin = time.perf_counter()
        for sheet in batch:
            action(sheet)
        rates.append(len(batch) / (time.perf_counter() - begin))
    return statistics.median(rates)


def main() -> None:
    """Print the median rates for QR PNGs, page layouts and A6/A4 PDFs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()

    # Warm-up: font discovery and loading happen once per process, not per pass.
    pass_pdf(_sheets(1, 0)[0], "A6")

    seeds = iter(range(1, 1_000_000))

    def batches() -> list[list[PassSheet]]:
        # Fresh passes for every measurement, so no cache remembers a token or a name.
        return [_sheets(args.batch, next(seeds)) for _ in range(args.runs)]

    print(f"median of {args.runs} runs x {args.batch} distinct passes, one core")
    rate = _median_rate(lambda sheet: qr_png(sheet.token), batches())
    print(f"QR PNG (box 8, EC Q, 250-char token): {rate:8.1f} /s")
    rate = _median_rate(lambda sheet: layout_pass(sheet, "A6"), batches())
    print(f"A6 layout only:                       {rate:8.1f} /s")
    rate = _median_rate(lambda sheet: pass_pdf(sheet, "A6"), batches())
    print(f"A6 PDF at 300 dpi:                    {rate:8.1f} /s")
    rate = _median_rate(lambda sheet: pass_pdf(sheet, "A4"), batches())
    print(f"A4 PDF at 300 dpi:                    {rate:8.1f} /s")


if __name__ == "__main__":
    main()
