"""The settings dialog: bounded numbers, errors in red under their fields with nothing saved,
a valid change saved and audited, the token never shown, this station's checkpoint and camera,
keyboard use, and what it looks like in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot

import ui.i18n
from core.services import Services
from core.settings import DEFAULTS, SETTING_SPECS, SettingKind
from tests.conftest import demo_user
from ui.main_window import MainWindow
from ui.pages.settings import SettingsDialog, SettingSpinBox
from ui.pages.station import StationPage, station_camera
from ui.station_identity import STATION_ID_SETTING, new_station_id, this_station_id

TOKEN = "tok-51c0ffee-not-for-the-log"
SHOT = Path("/tmp/looppass-settings-dialog.png")


@pytest.fixture(autouse=True)
def ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This PC's QSettings in a temporary file, never the user's real ones."""
    path = tmp_path / "s.ini"
    monkeypatch.setattr(
        ui.i18n, "settings", lambda: QSettings(str(path), QSettings.Format.IniFormat)
    )
    return path


def _dialog(qtbot: QtBot, services: Services, username: str = "admin") -> SettingsDialog:
    dialog = SettingsDialog(services, demo_user(services, username))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _spin(dialog: SettingsDialog, key: str) -> SettingSpinBox:
    widget = dialog.inputs[key]
    assert isinstance(widget, SettingSpinBox)
    return widget


def _type(qtbot: QtBot, spin: QSpinBox, text: str) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)


def _audit_changes(services: Services) -> list[dict[str, object]]:
    return [e.details for e in services.store.audit.entries() if e.action == "setting.change"]


def test_numbers_have_the_catalogue_bounds_and_units(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    for spec in SETTING_SPECS:
        if spec.kind is not SettingKind.INTEGER:
            continue
        spin = _spin(dialog, spec.key)
        assert (spin.minimum(), spin.maximum()) == (spec.minimum, spec.maximum)
        assert spin.value() == getattr(DEFAULTS, spec.field)
        assert str(spec.minimum) in spin.toolTip() and str(spec.maximum) in spin.toolTip()
    assert _spin(dialog, "pass.validity_hours").suffix() == " 小时"
    assert _spin(dialog, "scan.duplicate_window").suffix() == " 秒"
    assert _spin(dialog, "leg.isolation_to_gate").suffix() == " 分钟"


def test_out_of_range_number_is_shown_in_red_and_nothing_saved(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    audit_before = demo.store.audit.count()  # after the admin's login entry
    hours = _spin(dialog, "pass.validity_hours")
    _type(qtbot, hours, "1000")
    assert hours.typed_text() == "1000"  # kept as typed, not put back to 72
    qtbot.keyClick(hours, Qt.Key.Key_Return)  # Enter saves
    assert dialog.isVisible()
    assert dialog.error_text("pass.validity_hours") == "请输入 1 到 720 之间的整数。"
    assert hours.typed_text() == "1000"
    assert demo.store.settings.all() == {}
    assert demo.store.audit.count() == audit_before
    # Typing again clears the error; a good value then saves.
    _type(qtbot, hours, "48")
    assert dialog.error_text("pass.validity_hours") == ""
    qtbot.keyClick(hours, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert demo.settings.current().validity_hours == 48


def test_garbage_cannot_be_typed_into_a_number(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    window = _spin(dialog, "scan.duplicate_window")
    _type(qtbot, window, "abc-.e ")
    assert window.typed_text() == ""
    dialog.save()
    assert "1 到 300" in dialog.error_text("scan.duplicate_window")
    assert demo.store.settings.all() == {}


def test_every_bad_field_is_marked_and_focus_goes_to_the_first(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    _type(qtbot, _spin(dialog, "scan.clock_tolerance"), "601")
    _type(qtbot, _spin(dialog, "leg.gate_to_enterprise"), "3")  # below 5: kept when leaving
    url = dialog.inputs["sms.gateway_url"]
    assert isinstance(url, QLineEdit)
    url.setFocus()
    qtbot.keyClicks(url, "ftp://sms.example.com")
    kind = dialog.inputs[dialog.camera_key]
    assert isinstance(kind, QComboBox)
    kind.setCurrentIndex(kind.findData("other"))
    dialog.camera_other.setText("lane.mp4")  # not a full path
    dialog.save()
    shown = {key for key in dialog.inputs if dialog.error_text(key)}
    assert shown == {
        "scan.clock_tolerance",
        "leg.gate_to_enterprise",
        "sms.gateway_url",
        dialog.camera_key,
    }
    assert "http://" in dialog.error_text("sms.gateway_url")
    assert "摄像头编号" in dialog.error_text(dialog.camera_key)
    assert dialog.focusWidget() is _spin(dialog, "leg.gate_to_enterprise")
    assert demo.store.settings.all() == {}
    assert _audit_changes(demo) == []


def test_a_valid_change_is_saved_audited_and_confirmed(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    _type(qtbot, _spin(dialog, "scan.duplicate_window"), "30")
    _type(qtbot, _spin(dialog, "leg.enterprise_to_isolation"), "90")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    assert saved.args == ["设置已保存（2 项更改）。"]
    assert dialog.result() == QDialog.DialogCode.Accepted
    current = demo.settings.current()
    assert (current.duplicate_window_seconds, current.leg_enterprise_to_isolation) == (30, 90)
    assert _audit_changes(demo) == [  # in the form's order
        {"key": "leg.enterprise_to_isolation", "old": "120", "new": "90"},
        {"key": "scan.duplicate_window", "old": "10", "new": "30"},
    ]


def test_saving_unchanged_says_so_and_writes_nothing(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    assert saved.args == ["设置没有更改。"]
    assert demo.store.settings.all() == {}


def test_escape_cancels(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    dialog = _dialog(qtbot, demo)
    spin = _spin(dialog, "backup.keep")
    _type(qtbot, spin, "30")
    qtbot.keyClick(spin, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert demo.store.settings.all() == {}


def test_tab_goes_through_the_fields_in_order(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    expected = [
        "pass.validity_hours",
        "leg.gate_to_enterprise",
        "leg.enterprise_to_gate",
        "leg.enterprise_to_isolation",
    ]
    dialog.activateWindow()
    assert dialog.focusWidget() is _spin(dialog, expected[0])
    for key in expected[1:]:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.focusWidget() is _spin(dialog, key)


def test_the_token_is_never_shown_and_only_replaced_or_removed(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    token = dialog.inputs["sms.gateway_token"]
    assert isinstance(token, QLineEdit)
    assert token.echoMode() is QLineEdit.EchoMode.Password
    assert token.placeholderText() == "未设置"
    assert dialog.clear_token.isHidden()
    token.setText(TOKEN)
    dialog.save()
    assert demo.settings.current().sms_gateway_token == TOKEN

    again = _dialog(qtbot, demo)
    field = again.inputs["sms.gateway_token"]
    assert isinstance(field, QLineEdit)
    assert field.text() == ""  # never filled in with the stored token
    assert "已设置" in field.placeholderText()
    assert not again.clear_token.isHidden()
    again.save()  # left empty: kept
    assert demo.settings.current().sms_gateway_token == TOKEN

    third = _dialog(qtbot, demo)
    box = third.findChild(QCheckBox, "clearToken")
    assert box is not None
    box.setChecked(True)
    third.save()
    assert demo.settings.current().sms_gateway_token == ""
    raw = demo.store.conn.execute("SELECT group_concat(details, '|') FROM audit_log").fetchone()
    assert TOKEN not in raw[0]


def test_this_station_checkpoint_and_camera(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    station_id = this_station_id(create=False)
    assert station_id is not None and dialog.station_id == station_id
    label = dialog.findChild(QLabel, "stationId")
    assert label is not None and label.text() == station_id
    points = dialog.inputs[dialog.checkpoint_key]
    kind = dialog.inputs[dialog.camera_key]
    assert isinstance(points, QComboBox) and isinstance(kind, QComboBox)
    points.setCurrentIndex(points.findData("G02"))
    kind.setCurrentIndex(kind.findData("3"))
    dialog.save()
    stored = demo.store.settings.all()
    assert stored == {
        f"station.{station_id}.checkpoint": "G02",
        f"station.{station_id}.camera": "3",
    }
    # The station page reads both: a supervisor starts at G02, the camera is device 3.
    station = StationPage(demo, demo_user(demo, "supervisor"))
    qtbot.addWidget(station)
    assert station.point.code == "G02"
    assert station_camera(demo) == 3
    # Reopened, the dialog shows what is stored.
    again = _dialog(qtbot, demo)
    points = again.inputs[again.checkpoint_key]
    kind = again.inputs[again.camera_key]
    assert isinstance(points, QComboBox) and isinstance(kind, QComboBox)
    assert (points.currentData(), kind.currentData()) == ("G02", "3")


def test_a_stream_url_as_the_station_camera(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    kind = dialog.inputs[dialog.camera_key]
    assert isinstance(kind, QComboBox)
    assert not dialog.camera_other.isEnabled()
    kind.setCurrentIndex(kind.findData("other"))
    assert dialog.camera_other.isEnabled()
    dialog.camera_other.setText("rtsp://192.168.1.20:554/stream1")
    dialog.save()
    assert station_camera(demo) == "rtsp://192.168.1.20:554/stream1"


def test_the_camera_falls_back_to_this_pcs_choice(ini: Path, demo: Services) -> None:
    assert station_camera(demo) == 0
    QSettings(str(ini), QSettings.Format.IniFormat).setValue("station/camera", "5")
    assert station_camera(demo) == 5


def test_the_station_id_is_made_once_and_kept(ini: Path) -> None:
    assert this_station_id(create=False) is None
    made = this_station_id()
    assert made is not None and this_station_id() == made
    assert QSettings(str(ini), QSettings.Format.IniFormat).value(STATION_ID_SETTING) == made
    assert new_station_id("车道 PC #1.local").startswith("PC-1-local-")
    assert new_station_id("").startswith("station-")


def test_only_an_administrator_gets_the_settings_menu(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    from PySide6.QtGui import QAction

    for username, has in (("admin", True), ("supervisor", False), ("clerk", False)):
        window = MainWindow(demo, demo_user(demo, username), "x.db")
        qtbot.addWidget(window)
        assert (window.findChild(QAction, "openSettings") is not None) is has
    admin = MainWindow(demo, demo_user(demo, "admin"), "x.db")
    qtbot.addWidget(admin)
    admin.open_settings()
    dialog = admin.settings_dialog
    assert dialog is not None and dialog.isVisible()
    _type(qtbot, _spin(dialog, "retention.days"), "365")
    dialog.save()
    assert admin.statusBar().currentMessage() == "设置已保存（1 项更改）。"
    assert demo.settings.current().retention_days == 365


def test_rendered_in_chinese_nothing_is_cut_off(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    dialog = _dialog(qtbot, demo)
    assert dialog.windowTitle() == "设置"
    _type(qtbot, _spin(dialog, "pass.validity_hours"), "1000")
    url = dialog.inputs["sms.gateway_url"]
    assert isinstance(url, QLineEdit)
    url.setText("ftp://x")
    dialog.save()
    QApplication.processEvents()
    assert dialog.grab().save(str(SHOT))
    for label in dialog.findChildren(QLabel):
        if label.isHidden() or not label.text():
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, label.text()
        else:
            assert label.width() >= label.fontMetrics().horizontalAdvance(label.text()), (
                label.text()
            )
    for spin in dialog.findChildren(SettingSpinBox):
        text = spin.lineEdit().text()
        assert spin.lineEdit().width() >= spin.fontMetrics().horizontalAdvance(text), text
