"""Demo data modelled on Pinghu: gates, enterprises, an isolation point, regions, a fleet, users.

Seeded, so every demo database is the same. Everything passes the same validation as typed
input (a test checks it), and every row is audited like any other change, in one transaction.
The demo accounts share one password, shown in the README: ``LoopPass-demo``.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from core.demo_history import add_history
from core.keys import KeyFolder
from core.models import ApplicationStatus, CheckpointKind, RiskLevel, Role, User
from core.passwords import PRODUCTION_PARAMS, ScryptParams, hash_password
from core.ports import Repositories, Store
from core.services.passes import PassService
from core.validation import PlateKind

DEMO_PASSWORD = "LoopPass-demo"
WHITELISTED = 8  # the first enterprises are on the supply-guarantee whitelist
DEMO_USERS = ("admin", "reviewer", "supervisor", "clerk", "gate1")
SEED = 2022

GATES = (
    ("G01", "平湖北卡口"),
    ("G02", "乍浦卡口"),
    ("G03", "新埭卡口"),
    ("G04", "独山港卡口"),
    ("G05", "广陈卡口"),
)
ISOLATION_POINTS = (("I01", "当湖司机隔离点"),)

ENTERPRISE_NAMES = (
    "平湖市东方精密机械有限公司",
    "嘉兴港区新材料科技有限公司",
    "平湖华亿光电有限公司",
    "浙江独山港物流有限公司",
    "平湖市乍浦化工有限公司",
    "平湖景兴纸业有限公司",
    "平湖市当湖食品有限公司",
    "浙江平湖电子元件有限公司",
    "平湖市新埭服装有限公司",
    "嘉兴平湖汽车零部件有限公司",
    "平湖市广陈农产品有限公司",
    "平湖钟埭五金制品有限公司",
    "浙江乍浦港口机械有限公司",
    "平湖市林埭家具有限公司",
    "平湖曹桥箱包有限公司",
    "平湖市经开区智能装备有限公司",
    "浙江平湖医疗器械有限公司",
    "平湖市光伏科技有限公司",
    "平湖市冷链仓储有限公司",
    "平湖市建材贸易有限公司",
    "平湖市塑料制品有限公司",
    "嘉兴平湖纺织印染有限公司",
)

# (GB/T 2260 code, name, risk level) — levels as a 2022 bulletin might have set them.
RISK_REGIONS = (
    ("330482", "浙江省嘉兴市平湖市", RiskLevel.LOW),
    ("330402", "浙江省嘉兴市南湖区", RiskLevel.LOW),
    ("330106", "浙江省杭州市西湖区", RiskLevel.LOW),
    ("330212", "浙江省宁波市鄞州区", RiskLevel.LOW),
    ("320583", "江苏省苏州市昆山市", RiskLevel.MEDIUM),
    ("320506", "江苏省苏州市吴中区", RiskLevel.LOW),
    ("310115", "上海市浦东新区", RiskLevel.HIGH),
    ("310117", "上海市松江区", RiskLevel.MEDIUM),
    ("310116", "上海市金山区", RiskLevel.HIGH),
    ("340104", "安徽省合肥市蜀山区", RiskLevel.LOW),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞波辉"
CARGO = ("电子元件", "汽车零部件", "纸浆", "化工原料", "冷链食品", "服装面料", "机械配件", "建材")
SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(body17: str) -> str:
    """``body17`` with its GB 32100 check character appended."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body17, CREDIT_WEIGHTS, strict=True))
    return body17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def id_number(body17: str) -> str:
    """``body17`` with its GB 11643 check character appended."""
    total = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


def _plate(rng: random.Random, used: set[str]) -> str:
    while True:
        province = rng.choice("浙浙浙浙沪苏皖")
        letter = {"浙": "F", "沪": "D", "苏": "E", "皖": "A"}[province]
        # Real serials are mostly digits with at most a letter or two in fixed places.
        digits = [str(rng.randrange(10)) for _ in range(5)]
        for position in rng.sample((0, 1, 4), k=rng.choice((0, 0, 1, 1, 2))):
            digits[position] = rng.choice(SERIAL_LETTERS)
        plate = province + letter + "".join(digits)
        if plate not in used:
            used.add(plate)
            return plate


def _driver_identity(rng: random.Random, index: int) -> tuple[str, str, str]:
    region = rng.choice(("330482", "330402", "320583", "310115", "340104", "330106"))
    birth = datetime(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35))
    body = f"{region}{birth:%Y%m%d}{index % 1000:03d}"
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return name, id_number(body), phone


def populate(
    store: Store,
    now: datetime,
    *,
    vehicles: int = 300,
    params: ScryptParams = PRODUCTION_PARAMS,
    keys: KeyFolder | None = None,
    history: bool = False,
) -> None:
    """Fill an empty database with the demo world, every row audited.

    The world is written in one transaction; then, when ``keys`` (the private-key folder) is
    given, the reviewer approves 25 applications — 20 from low-risk and 5 from risk regions —
    through the pass service, so the demo has issued, not yet scanned passes to scan. With
    ``history``, two days of traffic are added too (``core.demo_history``).
    """
    rng = random.Random(SEED)
    password_hash = hash_password(DEMO_PASSWORD, params)
    with store.transaction() as tx:
        gate_ids, isolation_id = _checkpoints(tx, now)
        enterprise_ids = _enterprises(tx, rng, now)
        region_ids = _regions(tx, now)
        users = _users(tx, password_hash, enterprise_ids, gate_ids[0], now)
        fleet = _fleet(tx, rng, enterprise_ids, vehicles, now)
        to_approve = _applications(tx, rng, users, fleet, region_ids, now)
        tx.audit.append(
            now,
            "system",
            "demo.populate",
            "database",
            "-",
            {"gates": len(gate_ids), "isolation": isolation_id},
        )
    if keys is not None:
        reviewer = users["reviewer"]
        passes = PassService(store, keys, clock=lambda: now)
        passes.ensure_signing_key()
        for application_id in to_approve:
            passes.approve(reviewer, application_id)
        if history:
            add_history(store, keys, now, fleet, region_ids, users, password_hash)


def _checkpoints(tx: Repositories, now: datetime) -> tuple[list[int], int]:
    gate_ids = []
    for code, name in GATES:
        point = tx.checkpoints.add(code, name, CheckpointKind.GATE, None)
        tx.audit.append(
            now, "system", "checkpoint.add", "checkpoint", str(point.id), {"code": code}
        )
        gate_ids.append(point.id)
    code, name = ISOLATION_POINTS[0]
    isolation = tx.checkpoints.add(code, name, CheckpointKind.ISOLATION, None)
    tx.audit.append(
        now, "system", "checkpoint.add", "checkpoint", str(isolation.id), {"code": code}
    )
    return gate_ids, isolation.id


def _enterprises(tx: Repositories, rng: random.Random, now: datetime) -> list[int]:
    ids = []
    for index, name in enumerate(ENTERPRISE_NAMES, start=1):
        code = credit_code(f"91330482MA2{index:03d}{rng.randrange(1000):03d}")
        contact_name, _, phone = _driver_identity(rng, index)
        enterprise = tx.enterprises.add(
            name, code, f"浙江省平湖市工业大道{index}号", contact_name, phone
        )
        point = tx.checkpoints.add(
            f"E{enterprise.id:04d}", name, CheckpointKind.ENTERPRISE, enterprise.id
        )
        tx.audit.append(now, "system", "enterprise.add", "enterprise", str(enterprise.id), {})
        tx.audit.append(
            now, "system", "checkpoint.add", "checkpoint", str(point.id), {"code": point.code}
        )
        if index <= WHITELISTED:
            tx.enterprises.update(replace(enterprise, whitelisted=True))
            tx.audit.append(
                now,
                "system",
                "enterprise.whitelist",
                "enterprise",
                str(enterprise.id),
                {"whitelisted": True},
            )
        ids.append(enterprise.id)
    return ids


def _regions(tx: Repositories, now: datetime) -> dict[RiskLevel, list[int]]:
    by_level: dict[RiskLevel, list[int]] = {level: [] for level in RiskLevel}
    for code, name, level in RISK_REGIONS:
        region = tx.risk_regions.add(code, name, level)
        tx.audit.append(
            now,
            "system",
            "risk_region.add",
            "risk_region",
            str(region.id),
            {"code": code, "level": level.value},
        )
        by_level[level].append(region.id)
    return by_level


def _users(
    tx: Repositories, password_hash: str, enterprise_ids: list[int], gate_id: int, now: datetime
) -> dict[str, User]:
    accounts = (
        ("admin", "系统管理员", Role.ADMIN, None, None),
        ("reviewer", "审核员 王审", Role.REVIEWER, None, None),
        ("supervisor", "监管员 李督", Role.SUPERVISOR, None, None),
        ("clerk", "报备员 陈企", Role.CLERK, enterprise_ids[0], None),
        ("gate1", "扫码员 张卡", Role.OPERATOR, None, gate_id),
    )
    users = {}
    for username, display, role, enterprise_id, checkpoint_id in accounts:
        user = tx.users.add(username, display, role, enterprise_id, checkpoint_id, password_hash)
        tx.audit.append(now, "system", "user.add", "user", str(user.id), {"role": role.value})
        users[username] = user
    return users


def _fleet(
    tx: Repositories, rng: random.Random, enterprise_ids: list[int], count: int, now: datetime
) -> list[tuple[int, int, int]]:
    """Register ``count`` vehicles and as many drivers; returns (enterprise, vehicle, driver)."""
    used: set[str] = set()
    fleet = []
    for index in range(count):
        # The clerk's own enterprise gets a bigger share, so its screens are not empty.
        enterprise_id = enterprise_ids[0] if index % 5 == 0 else rng.choice(enterprise_ids)
        created = now - timedelta(days=rng.randrange(1, 60), minutes=rng.randrange(1440))
        vehicle = tx.vehicles.add(
            enterprise_id,
            _plate(rng, used),
            PlateKind.ORDINARY.value,
            False,
            rng.choice(("重型厢式货车", "重型半挂牵引车", "冷藏车", "轻型厢式货车")),
            created,
        )
        name, id_no, phone = _driver_identity(rng, index)
        driver = tx.drivers.add(enterprise_id, name, id_no, phone, created)
        tx.audit.append(
            now, "system", "vehicle.add", "vehicle", str(vehicle.id), {"plate": vehicle.plate}
        )
        tx.audit.append(now, "system", "driver.add", "driver", str(driver.id), {})
        fleet.append((enterprise_id, vehicle.id, driver.id))
    return fleet


def _applications(
    tx: Repositories,
    rng: random.Random,
    users: dict[str, User],
    fleet: list[tuple[int, int, int]],
    regions: dict[RiskLevel, list[int]],
    now: datetime,
) -> list[int]:
    """Applications of the clerk's enterprise in every state; returns the ones to approve.

    Drafts, submitted, rejected and withdrawn ones are written here; 20 low-risk and 5
    risk-origin ones are left SUBMITTED for ``populate`` to approve into passes.
    """
    clerk, reviewer = users["clerk"], users["reviewer"]
    own = [entry for entry in fleet if entry[0] == clerk.enterprise_id]
    risky = (RiskLevel.MEDIUM, RiskLevel.HIGH)
    Step = tuple[ApplicationStatus, RiskLevel | None, bool]  # status, forced risk, approve
    plan: list[Step] = []
    plan += [(ApplicationStatus.DRAFT, None, False)] * 4
    plan += [(ApplicationStatus.SUBMITTED, None, False)] * 12
    plan += [(ApplicationStatus.REJECTED, None, False)] * 3
    plan += [(ApplicationStatus.WITHDRAWN, None, False)] * 2
    plan += [(ApplicationStatus.SUBMITTED, RiskLevel.LOW, True)] * 20
    plan += [(ApplicationStatus.SUBMITTED, rng.choice(risky), True) for _ in range(5)]
    to_approve = []
    for index, (status, fixed_level, approve) in enumerate(plan):
        enterprise_id, vehicle_id, driver_id = own[index % len(own)]
        level = fixed_level or (RiskLevel.LOW if index % 4 else rng.choice(risky))
        created = now - timedelta(hours=rng.randrange(2, 48))
        filed_as = ApplicationStatus.SUBMITTED if status is ApplicationStatus.REJECTED else status
        application = tx.applications.add(
            enterprise_id,
            vehicle_id,
            driver_id,
            None,
            rng.choice(regions[level]),
            rng.choice(CARGO),
            # Approved trips are due now: their passes are valid from approval for 72 h.
            now + timedelta(hours=1)
            if approve
            else created + timedelta(hours=rng.randrange(6, 30)),
            72,
            filed_as,
            clerk.id,
            created,
        )
        tx.audit.append(
            now,
            clerk.username,
            "application.add",
            "application",
            str(application.id),
            {"status": filed_as.value},
        )
        if approve:
            to_approve.append(application.id)
        if status is ApplicationStatus.REJECTED:
            tx.applications.decide(application.id, status, reviewer.id, now, "货物信息与报备不符")
            tx.audit.append(
                now,
                reviewer.username,
                "application.reject",
                "application",
                str(application.id),
                {},
            )
    return to_approve
