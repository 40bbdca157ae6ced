"""smtdesk: two synchronized perpetual-futures charts and SMT divergence alerts."""

import time

from smtdesk.kernel_cache import use_user_cache

__version__ = "0.1.0"

LAUNCHED = time.monotonic()
"""When smtdesk started, on the monotonic clock (the log's start-up timing counts from it)."""

# before anything imports numba, which reads it once
use_user_cache()
