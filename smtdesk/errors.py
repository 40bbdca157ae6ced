"""Every error smtdesk raises on purpose, in one tree.

Each one carries a message worded for the user (``str(exc)``): what went wrong and, where
there is one, what to do about it. Anything else that escapes is a bug and is reported as
such. Pure Python: every layer, the core included, may import it.

    SmtdeskError
    ├── SourceError              a market data source cannot serve what was asked
    │   ├── UnknownSymbol        the venue does not list the symbol
    │   ├── RateLimited          the venue refuses requests until a given time
    │   └── DemoDataError        the shipped demo files are missing or damaged
    ├── MalformedResponse        the venue answered, but not with what was asked (retried)
    │   └── EmptyPage            no candles where the venue's own clock says there are some
    ├── StorageError             a file could not be read or written for now (read-only,
    │                            disk full, locked): retried, never treated as damage
    ├── UserDataError            the user's own data file cannot be opened
    ├── DataDirError             the data folder cannot be used (exit code 2)
    │   └── DataDirBusy          another smtdesk holds it
    └── CsvImportError           a candle file was refused, every problem line-numbered
"""

from __future__ import annotations

from dataclasses import dataclass


class SmtdeskError(Exception):
    """A failure worth telling the user, worded for them."""


class SourceError(SmtdeskError):
    """A market data source cannot serve what was asked."""


class UnknownSymbol(SourceError):
    """The exchange does not list the symbol: retrying cannot help."""


class RateLimited(SourceError):
    """The exchange refuses requests until ``until`` (UTC seconds)."""

    def __init__(self, message: str, until: float) -> None:
        super().__init__(message)
        self.until = until


class DemoDataError(SourceError):
    """The demo files are missing or damaged."""


class MalformedResponse(SmtdeskError):
    """The exchange answered, but not with what the request asks for."""

    problem = "sent an unreadable answer"


class EmptyPage(MalformedResponse):
    """No candles where the exchange's own clock says there must be some."""

    problem = "sent an empty page of candles"


class StorageError(SmtdeskError):
    """A file cannot be read or written right now; the file itself is fine."""


class UserDataError(SmtdeskError):
    """The user data file cannot be used."""


class DataDirError(SmtdeskError):
    """The data folder cannot be used; the message says what to do."""


class DataDirBusy(DataDirError):
    """Another smtdesk (process ``pid``) holds the data folder."""

    def __init__(self, folder: object, pid: int) -> None:
        self.folder = folder
        self.pid = pid
        super().__init__(
            f"smtdesk is already running on the data folder {folder} (process {pid}). Two at "
            "once would split the alerts between them. Show the running smtdesk, or start this "
            "one on another folder."
        )


# How much of one problem list is shown; the rest is counted.
MAX_REPORTED = 20


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    problem: str

    def __str__(self) -> str:
        # line 0: the file as a whole (it cannot be read at all)
        return f"line {self.line}: {self.problem}" if self.line else f"file: {self.problem}"


class CsvImportError(SmtdeskError):
    """A candle file was refused and nothing of it was stored; ``problems`` lists each
    problem with the line of the file it is on."""

    def __init__(self, path: str, problems: list[CsvProblem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:MAX_REPORTED])
        more = len(problems) - MAX_REPORTED
        tail = f"\n... and {more} more problem(s)" if more > 0 else ""
        super().__init__(f"{path}: nothing was imported.\n{shown}{tail}")


# Text from outside (an exchange's error body, a file's bytes) is cut to this in messages.
MAX_OUTSIDE_CHARS = 300


def elide(text: object, limit: int = MAX_OUTSIDE_CHARS) -> str:
    """``str(text)`` on one line, cut to ``limit`` characters with the full length said."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit].rstrip()}… ({len(flat)} characters)"
