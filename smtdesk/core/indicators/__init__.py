"""Technical indicators of domain §3, vectorised over a history."""

from smtdesk.core.indicators.rsi import rsi

__all__ = ["rsi"]
