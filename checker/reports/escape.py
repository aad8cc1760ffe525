"""The one place text from data is made safe for what a person or a CI runner reads.

Record values (names, ``FailureReason``, OIDC URLs), snapshot ``errors[]`` entries, policy rule
ids and titles, file names, Terraform addresses and waiver fields are free text an attacker may
influence. Written raw, an ANSI escape rewrites the terminal, a bidi override makes a name read
differently from what it is ("Trojan Source"), a line break followed by ``::error::`` or
``::stop-commands::`` spoofs or hides GitHub workflow commands, a leading ``=`` runs a
spreadsheet formula, and Markdown or HTML markup renders. Every writer and every stderr line
goes through a function here, chosen for its format:

- :func:`terminal_line` (table cells, stderr lines, JUnit text, CSV cells) and
  :func:`terminal_safe`: no escape sequences, control, zero-width or bidi characters, no line
  breaks; a value can never start a line with ``::``;
- :func:`csv_cell`: a terminal line that no spreadsheet evaluates;
- :func:`markdown_inline`: inert Markdown on one line;
- :func:`html_text`: text for jinja's autoescaping (line breaks kept);
- :func:`xml_text` / :func:`xml_attr`: JUnit XML (one line, characters XML 1.0 cannot carry
  made visible);
- :func:`workflow_data` / :func:`workflow_property`: GitHub workflow command parts, as
  ``@actions/core`` escapes them;
- :func:`json_text`: encoded JSON (SARIF, ASFF, the JSON report) without raw C1, DEL or
  line-separator characters: the same values, written as ``\\uXXXX``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from checker.text import ELLIPSIS, shorten


class _Lazy:
    """A regular expression compiled on first use: many runs (``wfcheck --version``, a clean
    scan) need few of them, and compiling them all costs milliseconds at every start."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.compiled.sub(repl, text)

    def split(self, text: str) -> list[str]:
        return self.compiled.split(text)


_ANSI = _Lazy(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = _Lazy(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)
_BREAKS = _Lazy(r"\r\n|[\t\n\r]")
_COMMAND_START = _Lazy(r"^(\s*):(?=:)")


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """Strip ANSI escapes and control/bidi characters; tabs and newlines become spaces.

    Escape sequences go first, whole, so none leaves its parameters behind as text; then every
    C0/C1 control, zero-width and bidirectional-override character, and the Unicode
    line/paragraph separators. With ``keep_newlines`` line feeds stay (HTML text).
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _ANSI.sub("", text)
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        return "\n".join(_CONTROL.sub("", line) for line in text.split("\n"))
    return _CONTROL.sub("", _BREAKS.sub(" ", text))


def terminal_line(text: str) -> str:
    """One line for a terminal, a log or a CI runner: :func:`terminal_safe`, and a value that
    would start a line with ``::`` (a workflow command) gets a backslash in front."""
    safe = terminal_safe(text)
    if "::" in safe[:64]:
        safe = _COMMAND_START.sub(r"\1\\:", safe)
    return safe


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters two, combining marks none."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for non-ASCII text: most runs never need it

    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in ``…`` when cut."""
    if width <= 0:
        return ""
    if len(text) <= width and display_width(text) <= width:
        return text
    if text.isascii():
        return shorten(text, width)
    import unicodedata

    used = 0
    for index, char in enumerate(text):
        step = 0 if unicodedata.combining(char) else display_width(char)
        if used + step > width - 1:
            return text[:index] + ELLIPSIS
        used += step
    return text


# --- CSV ----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text and never evaluates: one terminal line, and a
    quote (``'``) in front of a leading ``=``, ``+``, ``-`` or ``@`` (OWASP's advice)."""
    cell = terminal_line(text)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# --- Markdown -----------------------------------------------------------------------------------

# Characters with a Markdown meaning inside a table cell: emphasis, code, links and images,
# headings, strikethrough, math, mentions, table pipes, and the escape character itself; and
# the three characters that start HTML or an entity.
_MD_SPECIAL = _Lazy(r"[\\`*_{}\[\]()#!|~@$<>&]")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_AUTOLINK = _Lazy(r"://|www\.", re.IGNORECASE)


def markdown_inline(text: str | None, limit: int = 0) -> str:
    """``text`` as inert Markdown on one line (safe in a table cell or a list item), cut to
    ``limit`` characters with an ellipsis when ``limit`` is set."""
    if not text:
        return "-"
    flat = terminal_line(text)
    if limit and len(flat) > limit:
        flat = shorten(flat, limit)
    flat = _MD_SPECIAL.sub(lambda m: _MD_ENTITIES.get(m[0]) or "\\" + m[0], flat)
    # GitHub turns bare URLs into links; a backslash inside the scheme or "www." stops that.
    return _AUTOLINK.sub(lambda m: ":\\/\\/" if m[0] == "://" else m[0][:3] + "\\.", flat)


# --- HTML ---------------------------------------------------------------------------------------


def html_text(value: str | None, *, multiline: bool = False) -> str:
    """Record text without escapes, control or bidi characters, for jinja to autoescape."""
    if not value:
        return "-"
    return terminal_safe(value, keep_newlines=multiline)


# --- XML (JUnit) --------------------------------------------------------------------------------

_NOT_XML = _Lazy("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Element text: one terminal line, XML-escaped."""
    return (
        _xml_visible(terminal_line(text))
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def xml_attr(text: str) -> str:
    """An attribute value (without its quotes): one terminal line, XML-escaped."""
    return xml_text(text).replace('"', "&quot;")


def _xml_visible(text: str) -> str:
    if text.isascii():
        return text  # a terminal line holds no ASCII character XML 1.0 cannot carry
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- GitHub workflow commands -------------------------------------------------------------------


_LINE_BREAK = _Lazy(r"(\r|\n)")


def workflow_escape(text: str) -> str:
    """``escapeData`` of @actions/core exactly: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_data(text: str) -> str:
    """A workflow command's message (after ``::``): escape sequences and control characters
    dropped, CR and LF kept but encoded (the annotation keeps its lines; the log line does not
    end), as ``escapeData`` of @actions/core does."""
    clean = "".join(
        part if part in ("\r", "\n") else terminal_safe(part) for part in _LINE_BREAK.split(text)
    )
    return workflow_escape(clean)


def workflow_property(text: str) -> str:
    """``escapeProperty`` of @actions/core (a ``key=value`` before ``::``), after cleaning."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# --- JSON ---------------------------------------------------------------------------------------

_JSON_RAW = _Lazy("[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(encoded: str) -> str:
    """Encoded JSON (``ensure_ascii=False``) with DEL, C1, line separators and bidi controls
    written as ``\\uXXXX``: the same values for a parser, nothing raw for a terminal or log
    (the encoder already escapes C0 controls)."""
    if encoded.isascii() and "\x7f" not in encoded:
        return encoded
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
