"""Market structure (domain §4): swings, fair value gaps, liquidity pools, sweeps, shifts."""
