"""Market data: sources (exchange, demo, CSV), the local store and the worker."""
