"""The settings dialog, built from the declarations of :mod:`smtdesk.settings`.

One tab per section (the layout is remembered from the window, not edited here), one
editor per field within its bounds, the field's description as its label and tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smtdesk.settings import SECTIONS, FieldSpec, Settings, SettingsError, section_from_dict

EDITED = tuple(name for name in SECTIONS if name != "layout")
ERROR_STYLE = "color: #ef5350;"


def _editor(spec: FieldSpec) -> QWidget:
    if spec.kind is bool:
        return QCheckBox(spec.doc)
    if spec.kind is int:
        box = QSpinBox()
        box.setRange(int(spec.lo), int(spec.hi))
    elif spec.kind is float:
        box = QDoubleSpinBox()
        box.setDecimals(spec.decimals)
        box.setRange(spec.lo, spec.hi)
        box.setSingleStep(10.0 ** -min(spec.decimals, 2) if spec.hi - spec.lo <= 10 else 1.0)
    elif spec.kind is str:
        box = QComboBox()
        box.addItems(list(spec.choices))
        return box
    else:
        edit = QLineEdit()
        edit.setPlaceholderText("numbers separated by commas")
        return edit
    if spec.special:
        box.setSpecialValueText(spec.special)
    box.setKeyboardTracking(False)
    return box


def _set(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QCheckBox):
        editor.setChecked(value)
    elif isinstance(editor, QComboBox):
        editor.setCurrentText(value)
    elif isinstance(editor, QLineEdit):
        editor.setText(", ".join(str(v) for v in value))
    else:
        editor.setValue(value)


def _get(editor: QWidget) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QLineEdit):
        parts = [p.strip() for p in editor.text().replace(";", ",").split(",") if p.strip()]
        try:
            return tuple(int(p) for p in parts)
        except ValueError:
            return tuple(parts)  # refused with the field's own message
    editor.interpretText()  # a number typed but not yet committed counts
    return editor.value()


class SettingsDialog(QDialog):
    """Edits a copy of ``settings``; after OK, :meth:`settings` is the new value."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settings_dialog")
        self._settings = settings
        self.editors: dict[str, dict[str, tuple[FieldSpec, QWidget]]] = {}
        self.tabs = QTabWidget()
        for name in EDITED:
            self.tabs.addTab(self._page(name), SECTIONS[name].TITLE)
        self.error = QLabel()
        self.error.setObjectName("settings_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.Ok | QDialogButtonBox.Cancel | QDialogButtonBox.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._show(settings)
        self.resize(620, 560)

    def _page(self, name: str) -> QWidget:
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)
        self.editors[name] = {}
        for spec in SECTIONS[name].specs():
            editor = _editor(spec)
            editor.setObjectName(f"{name}.{spec.name}")
            editor.setToolTip(spec.doc)
            if isinstance(editor, QCheckBox):
                form.addRow(editor)
            else:
                label = QLabel(spec.doc)
                label.setToolTip(spec.doc)
                label.setBuddy(editor)
                form.addRow(label, editor)
            self.editors[name][spec.name] = (spec, editor)
        scroll = QScrollArea()
        scroll.setWidget(form_widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        return scroll

    def editor(self, section: str, name: str) -> QWidget:
        return self.editors[section][name][1]

    def _show(self, settings: Settings) -> None:
        for name, fields in self.editors.items():
            section = getattr(settings, name)
            for field_name, (_, editor) in fields.items():
                _set(editor, getattr(section, field_name))

    def restore_defaults(self) -> None:
        """Every edited field back to its default (the remembered layout stays)."""
        self._show(Settings())
        self.error.hide()

    def edited(self) -> Settings:
        """The settings the editors show; :class:`SettingsError` when some break a rule."""
        sections, problems = {}, []
        for name, fields in self.editors.items():
            values = {field_name: _get(editor) for field_name, (_, editor) in fields.items()}
            try:
                sections[name] = section_from_dict(SECTIONS[name], values)
            except SettingsError as exc:
                problems.extend(exc.problems)
        if problems:
            raise SettingsError(problems)
        return Settings(**sections, layout=self._settings.layout)

    def settings(self) -> Settings:
        return self._settings

    def accept(self) -> None:
        try:
            self._settings = self.edited()
        except SettingsError as exc:
            self.error.setText("\n".join(exc.problems))
            self.error.show()
            return
        super().accept()
