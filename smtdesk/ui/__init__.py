"""Widgets and chart items: draw what core computed."""
