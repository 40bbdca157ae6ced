"""The app as a user starts it: `smtdesk --exchange demo` on a fresh data dir."""


def test_opens_on_the_demo_market_with_its_signals(app):
    win = app.open()
    assert "Demo (recorded data)" in win.worker.source.label
    assert win.sidebar.tree.topLevelItemCount() > 0
