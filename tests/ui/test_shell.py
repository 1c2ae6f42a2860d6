"""The main window, sign-in and the list model: what each role sees, in Chinese by default."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from core.models import Page, Vehicle
from core.ports import SearchQuery
from core.services import Services
from tests.conftest import NOW, demo_user
from ui.login import FirstAdminDialog, LoginDialog
from ui.main_window import MainWindow
from ui.table_model import Column, RecordTableModel

EXPECTED_SCREENS = {
    "admin": ["企业", "点位", "风险地区", "用户", "签发密钥", "审计日志"],
    "clerk": ["报备申请", "通行证", "车辆", "驾驶员", "点位", "风险地区", "短信发件箱"],
    "reviewer": ["审核队列", "通行证", "企业", "车辆", "驾驶员", "点位", "风险地区", "短信发件箱"],
    "supervisor": [
        "监管看板",
        "车辆追溯",
        "异常事件",
        "日报",
        "通行证",
        "扫码站",
        "企业",
        "车辆",
        "驾驶员",
        "点位",
        "风险地区",
        "短信发件箱",
        "审计日志",
    ],
    "gate1": ["扫码站", "点位"],
}


@pytest.mark.parametrize("username", sorted(EXPECTED_SCREENS))
def test_each_role_sees_only_its_screens(
    qtbot: QtBot, zh_app: QApplication, demo: Services, username: str
) -> None:
    window = MainWindow(demo, demo_user(demo, username), "/data/looppass.db")
    qtbot.addWidget(window)
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == EXPECTED_SCREENS[username]


def test_status_bar_names_user_role_and_database(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    window = MainWindow(demo, demo_user(demo, "clerk"), "/data/looppass.db")
    qtbot.addWidget(window)
    user_label = window.statusBar().findChild(QLabel, "statusUser")
    db_label = window.statusBar().findChild(QLabel, "statusDatabase")
    assert user_label.text() == "用户：报备员 陈企（企业报备员）"
    assert db_label.text() == "数据库：/data/looppass.db"


def test_wrong_password_keeps_the_dialog_open_with_a_message(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = LoginDialog(demo)
    qtbot.addWidget(dialog)
    dialog.username.setText("clerk")
    dialog.password.setText("not-the-password")
    dialog.buttons.accepted.emit()
    assert dialog.user is None
    assert dialog.general_error_text() == "用户名或密码错误。"
    assert dialog.password.text() == ""


def test_right_password_signs_in(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    dialog = LoginDialog(demo)
    qtbot.addWidget(dialog)
    dialog.username.setText("Clerk ")
    dialog.password.setText("LoopPass-demo")
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.accepted.emit()
    assert dialog.user is not None and dialog.user.username == "clerk"


def test_locked_account_says_until_when(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    dialog = LoginDialog(demo)
    qtbot.addWidget(dialog)
    dialog.username.setText("clerk")
    for _ in range(5):
        dialog.password.setText("wrong-password")
        dialog.buttons.accepted.emit()
    assert dialog.general_error_text().startswith("失败次数过多，请于 ")


def test_first_run_creates_the_administrator(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    assert not services.accounts.has_accounts()
    dialog = FirstAdminDialog(services)
    qtbot.addWidget(dialog)
    dialog.findChild(object, "field_password").setText("short")
    dialog.buttons.accepted.emit()
    assert "至少 10 个字符" in dialog.error_text("password")
    assert not services.accounts.has_accounts()
    dialog.findChild(object, "field_password").setText("a-long-passphrase")
    dialog.buttons.accepted.emit()
    assert services.accounts.login("admin", "a-long-passphrase").role.value == "admin"


def _vehicle(number: int) -> Vehicle:
    return Vehicle(number, 1, f"浙F{number:05d}", "ORDINARY", False, "", NOW)


def _fake_fetch(count: int):  # type: ignore[no-untyped-def]
    vehicles = [_vehicle(i) for i in range(1, count + 1)]
    queries: list[SearchQuery] = []

    def fetch(query: SearchQuery) -> Page[Vehicle]:
        queries.append(query)
        rows = [v for v in vehicles if query.text in v.plate]
        rows.sort(key=lambda v: v.plate, reverse=query.descending)
        return Page(tuple(rows[query.offset : query.offset + query.limit]), len(rows))

    return fetch, queries


def test_table_model_passes_qt_model_tester_and_pages_lazily(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    fetch, queries = _fake_fetch(450)
    model = RecordTableModel([Column("plate", lambda v: v.plate, "plate")], fetch)
    model.reload()
    assert model.rowCount() == 200 and model.total == 450
    qtmodeltester.check(model)
    while model.canFetchMore(model.index(-1, -1)):
        model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 450
    assert [q.offset for q in queries][-2:] == [200, 400]


def test_table_model_sorts_and_filters_through_the_query() -> None:
    fetch, queries = _fake_fetch(30)
    model = RecordTableModel([Column("plate", lambda v: v.plate, "plate")], fetch)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert queries[-1].sort == "plate" and queries[-1].descending
    assert model.index(0, 0).data() == "浙F00030"
    model.set_query(" 0001 ")
    assert queries[-1].text == "0001"
    assert model.total == 11  # 浙F00001 and 浙F00010 to 浙F00019
