"""Drawing tools on the price panes: the items that draw, the gestures that place and move
them, and the window's tool bar, Draw menu and undo steps."""
