"""smtdesk: two synchronized perpetual-futures charts and SMT divergence alerts."""

__version__ = "0.1.0"
