"""pypdf's own messages, kept from quoting the file they read.

pypdf reports damaged input both through the ``pypdf`` logger (``invalid pdf header: b'root:'``)
and in its exception texts (``Invalid Elementary Object starting with b'...'``); both quote bytes
of the file. A file that is not a PDF may be anything (``/etc/passwd`` named as an attachment), so
no finding repeats those bytes: the logger is silenced while indbuilder reads PDFs, and exception
texts are reduced to what is wrong (:func:`describe_pdf_error`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

# b'...' / b"..." (Python's repr of bytes), and anything after "starting with"/"found" that quotes input
_BYTES = re.compile(r"""b(['"])(?:\\.|(?!\1).)*\1""")
_QUOTED_INPUT = re.compile(r"""(starting with|found|got|header:?)\s+(['"]).*?\2""", re.IGNORECASE)
_MAX_MESSAGE = 120


_NULL = logging.NullHandler()


@contextmanager
def quiet_pypdf() -> Iterator[None]:
    """While the block runs, pypdf's log messages (which quote the bytes they choke on) go nowhere."""
    log = logging.getLogger("pypdf")
    silence_pypdf()
    before, log.propagate = log.propagate, False
    try:
        yield
    finally:
        log.propagate = before


def silence_pypdf() -> None:
    """Keep pypdf's log messages off the terminal for the rest of the process (Python prints the
    warnings of a logger without handlers to stderr); the CLI reports problems as findings."""
    log = logging.getLogger("pypdf")
    if _NULL not in log.handlers:
        log.addHandler(_NULL)


def describe_pdf_error(exc: BaseException) -> str:
    """What a pypdf exception says is wrong, without the bytes of the file it may quote."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = _BYTES.sub("<bytes>", text)
    text = _QUOTED_INPUT.sub(lambda m: f"{m.group(1)} <bytes>", text)
    if not text or not text.isprintable():
        text = type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"
