"""Pure computation: candles, indicators, swings, structure and signals.

Nothing here imports Qt, plotting or exchange code; every function is causal.
"""
