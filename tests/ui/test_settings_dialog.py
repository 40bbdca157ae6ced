"""The settings dialog is built from the model: every field, its bounds, its description."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
)

from smtdesk.settings import SECTIONS, Settings, replace_section
from smtdesk.ui.settings_dialog import SettingsDialog


def _dialog(qtbot, settings=None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_one_tab_per_section_but_the_layout(qtbot):
    dialog = _dialog(qtbot)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == [SECTIONS[n].TITLE for n in SECTIONS if n != "layout"]
    assert dialog.findChild(QCheckBox, "layout.stacked") is None


def test_every_field_has_an_editor_of_its_kind_with_bounds_and_description(qtbot):
    dialog = _dialog(qtbot)
    kinds = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox, str: QComboBox, tuple: QLineEdit}
    for name, section in SECTIONS.items():
        if name == "layout":
            continue
        for spec in section.specs():
            editor = dialog.findChild(kinds[spec.kind], f"{name}.{spec.name}")
            assert editor is not None, (name, spec.name)
            assert editor.toolTip() == spec.doc
            if spec.kind in (int, float):
                assert (editor.minimum(), editor.maximum()) == (spec.lo, spec.hi)
            if spec.kind is str:
                assert [editor.itemText(i) for i in range(editor.count())] == list(spec.choices)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Major swing strength (bars each side)" in labels
    assert dialog.findChild(QCheckBox, "alerts.forming").text() == "Alert when an SMT divergence is forming (sweep candle)"


def test_ok_without_changes_gives_the_same_settings(qtbot):
    s = replace_section(Settings(), "risk", account_size=2500.5)
    s = replace_section(s, "layout", stacked=True, panels=("macd",))
    dialog = _dialog(qtbot, s)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert dialog.result() == SettingsDialog.Accepted
    assert dialog.settings() == s


def test_edits_come_back_as_a_new_frozen_value_and_keep_the_layout(qtbot):
    s = replace_section(Settings(), "layout", stacked=True)
    dialog = _dialog(qtbot, s)
    dialog.editor("signals", "funding_high_pct").setValue(0.05)
    dialog.editor("indicators", "ma_periods").setText("7, 30, 99")
    dialog.editor("appearance", "theme").setCurrentText("light")
    dialog.editor("alerts", "crosses").setChecked(True)
    dialog.accept()
    new = dialog.settings()
    assert new.signals.funding_high_pct == 0.05
    assert new.indicators.ma_periods == (7, 30, 99)
    assert new.appearance.theme == "light" and new.alerts.crosses
    assert new.layout == s.layout
    assert s.signals.funding_high_pct == 0.03, "the value handed in is not changed"


def test_bad_entries_are_refused_with_every_message(qtbot):
    dialog = _dialog(qtbot)
    dialog.editor("indicators", "ma_periods").setText("5, ten")
    dialog.editor("indicators", "macd_fast").setValue(30)
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != SettingsDialog.Accepted
    text = dialog.error.text()
    assert "Moving average periods (SMA) must be whole numbers" in text
    assert dialog.settings() == Settings()
    dialog.editor("indicators", "ma_periods").setText("5, 10")
    dialog.accept()
    assert "MACD fast EMA must be shorter than the slow one" in dialog.error.text()


def test_a_spin_box_stops_at_its_bounds(qtbot):
    dialog = _dialog(qtbot)
    spin = dialog.editor("swings", "major_strength")
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "99")
    spin.interpretText()
    assert spin.value() <= 50


def test_restore_defaults_resets_the_editors(qtbot):
    s = replace_section(Settings(), "smt", mss_wait=40, htf_alignment=False)
    dialog = _dialog(qtbot, s)
    assert dialog.editor("smt", "mss_wait").value() == 40
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.RestoreDefaults), Qt.LeftButton)
    assert dialog.editor("smt", "mss_wait").value() == 20
    assert dialog.editor("smt", "htf_alignment").isChecked()
    assert dialog.editor("risk", "min_reward_risk").text() == "no minimum"
