# Names vulture cannot see used: each is called or read by a framework, or by name.
# CI runs `vulture smtdesk .ci/vulture_allow.py`; anything else unused fails it.

# Qt calls its event hooks on the objects that override them
_.eventFilter  # crosshair, data-folder lock: QObject.eventFilter
_.paintEvent  # pane: QWidget.paintEvent
_.mouseDragEvent  # manual swing marker: pyqtgraph's drag hook

# pyqtgraph asks its items and axes for these
_.dataBounds  # GraphicsItem.dataBounds (auto-range of annotation and windowed items)
_.updateAutoSIPrefix  # AxisItem hook, overridden to keep prices unscaled
_.autoSIPrefixScale  # AxisItem state the override sets
_.labelUnitPrefix  # AxisItem state the override sets

# numba passes these to an intrinsic and its code generator
typingctx
signature

# ccxt and aiohttp read these options off the objects they are set on
_.enableLastJsonResponse
_.enableLastResponseHeaders
_.enableLastHttpResponse
_._response_class  # aiohttp.ClientSession: the response type of a capped read

# alert switches read by name: getattr(settings.alerts, family or state)
_.divergence
_.divergences
_.failure_swings
_.overheat
_.whales

# a field of the structure-shift record: the sweep each shift answers
_.sweep_bar

# numpy: arr.flags.writeable = False freezes the arrays core hands out
_.writeable

# a journal result the trader picks in the result box, which lists every Result member
_.SCRATCHED

# swing levels: pyqtgraph's click hook, and the undo stack's call to undo a swing edit
_.mouseClickEvent
_.undo

# the kernel cache's builder process runs it by name (python -c "... import main; main()")
main  # smtdesk.kernel_cache.main
