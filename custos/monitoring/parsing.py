"""Proxy-log parsing, in plain Python (no Django): reading logs in chunks, and the reference line parsers.

Squid's native ``access.log`` line (``logformat squid``, the default) is ten fields separated by runs of spaces:

    time.ms  elapsed  client  code/status  bytes  method  URL  user  hierarchy/peer  type

e.g. ``1700000000.123    150 10.0.0.5 TCP_TUNNEL/200 5678 CONNECT www.facebook.com:443 alice HIER_DIRECT/… -``.
The hot loop in ``aggregate.py`` inlines the same rules for speed; ``parse_squid_line`` is the readable
reference it is tested against.

The reader never consumes a last line without its newline: a log cut off mid-line is read up to its last
complete line, and the rest is read when the file is ingested again (see docs/monitoring.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, cast
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit
from zoneinfo import ZoneInfo

CHUNK_SIZE = 4 * 1024 * 1024
# A line longer than this is not a proxy log line (Squid truncates URLs at 8 KB); it is skipped and counted.
MAX_LINE = 64 * 1024
# How many bytes before the resume point must match for a file to count as the same log, grown.
FINGERPRINT_BYTES = 1024
ARTICLE_MAX = 255
HOST_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789.-")


class LogFormatError(ValueError):
    """The file cannot be ingested at all (as opposed to a malformed line, which is skipped and counted)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One request from a proxy log, reduced to what the aggregator may look at."""

    ts: float  # seconds since the epoch (UTC)
    client: bytes
    user: bytes  # b"-" when the proxy did not authenticate the request
    method: bytes
    url: bytes
    code: bytes = b""  # Squid's result code/status, e.g. b"TCP_DENIED/407"


# --- opening and reading -------------------------------------------------------------------------------------


def open_log(path: str) -> IO[bytes]:
    """Open ``path`` ("-" for standard input) for binary reading, transparently un-gzipping."""
    import sys

    raw: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - returned to caller
    return decompressed(raw)


def decompressed(raw: IO[bytes]) -> IO[bytes]:
    """``raw`` itself, or a gzip reader over it when it starts with gzip's magic bytes."""
    buffered: IO[bytes] = raw if hasattr(raw, "peek") else io.BufferedReader(cast(Any, raw))
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    return buffered


@dataclass
class ReadStats:
    consumed: int = 0  # absolute byte offset just after the last complete line handed out
    lines: int = 0  # complete lines handed out (from the resume point)
    oversized: int = 0  # lines longer than MAX_LINE, dropped whole
    pending: int = 0  # bytes of an incomplete last line, left for next time


class LogReader:
    """Hands out complete lines in batches from a binary stream, optionally resuming at a byte offset."""

    def __init__(self, stream: IO[bytes], chunk_size: int = CHUNK_SIZE) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        self.stats = ReadStats()
        self.head = b""  # the first complete lines of the stream: its identity
        self.fingerprint = b""  # the FINGERPRINT_BYTES before the resume point
        self.tail = b""  # the FINGERPRINT_BYTES before ``stats.consumed``, once batches() has run
        self._buf = b""
        self._pos = 0  # absolute offset of _buf[0]

    def open(self, head_lines: int = 1) -> None:
        """Read the first ``head_lines`` complete lines into ``head``; they stay available to ``batches``."""
        data = b""
        while data.count(b"\n") < head_lines and len(data) <= MAX_LINE * head_lines:
            more = self.stream.read(self.chunk_size)
            if not more:
                break
            data += more
        cut = 0
        for _ in range(head_lines):
            nl = data.find(b"\n", cut)
            if nl < 0 or nl - cut > MAX_LINE:
                cut = 0
                break
            cut = nl + 1
        self.head = data[:cut]
        self._buf = data

    def skip_to(self, offset: int) -> bool:
        """Resume at ``offset``, keeping the bytes before it as ``fingerprint``; False if the stream is shorter."""
        buf, pos = self._buf, self._pos
        while pos + len(buf) < offset:
            more = self.stream.read(self.chunk_size)
            if not more:
                return False
            buf += more
            drop = min(len(buf), max(0, offset - FINGERPRINT_BYTES - pos))
            buf, pos = buf[drop:], pos + drop
        self.fingerprint = buf[max(0, offset - FINGERPRINT_BYTES - pos) : offset - pos]
        self._buf, self._pos = buf[offset - pos :], offset
        return True

    def batches(self) -> Iterator[list[bytes]]:
        """Yield lists of complete lines (without their newlines); ``stats`` tracks offsets and leftovers."""
        stats = self.stats
        stats.consumed = self._pos
        data, self._buf = self._buf, b""
        tail = self.fingerprint
        dropped = 0  # bytes of an oversized line seen so far, while skipping it
        dropped_tail = b""
        while True:
            if dropped:
                nl = data.find(b"\n")
                if nl < 0:
                    dropped += len(data)
                    dropped_tail = (dropped_tail + data)[-FINGERPRINT_BYTES:]
                    data = b""
                else:
                    stats.consumed += dropped + nl + 1
                    stats.oversized += 1
                    stats.lines += 1
                    tail = (dropped_tail + data[: nl + 1])[-FINGERPRINT_BYTES:]
                    dropped, dropped_tail, data = 0, b"", data[nl + 1 :]
            if not dropped:
                cut = data.rfind(b"\n")
                if cut >= 0:
                    stats.consumed += cut + 1
                    tail = (tail + data[max(0, cut + 1 - FINGERPRINT_BYTES) : cut + 1])[-FINGERPRINT_BYTES:]
                    self.tail = tail
                    lines = data.split(b"\n")
                    data = lines.pop()  # the incomplete rest, without copying the chunk first
                    stats.lines += len(lines)
                    yield lines
                if len(data) > MAX_LINE:
                    dropped, dropped_tail, data = len(data), data[-FINGERPRINT_BYTES:], b""
            more = self.stream.read(self.chunk_size)
            if not more:
                break
            data = data + more if data else more
        self.tail = tail
        stats.pending = len(data) + dropped


def identity_of(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest()


def fingerprint_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the reference parsers ----------------------------------------------------------------------------------


def parse_squid_line(line: bytes) -> Hit | None:
    """One native Squid line, or None when it does not have the ten fields.

    An unreadable time comes back as -1.0: the aggregator counts the line as malformed only if it would keep
    something from it (it drops most lines, to unlisted sites, before looking at their time)."""
    fields = line.split()
    if len(fields) != 10:
        return None
    try:
        ts = float(fields[0])
    except ValueError:
        ts = -1.0
    return Hit(ts=ts, client=fields[2], user=fields[7], method=fields[5], url=fields[6], code=fields[3])


def authority_of(url: bytes) -> bytes:
    """``host[:port]`` of an absolute URL, or the URL itself for CONNECT's ``host:port``."""
    if url.startswith((b"http://", b"https://", b"ftp://")):
        rest = url.split(b"//", 1)[1]
        end = len(rest)
        for sep in (b"/", b"?", b"#"):
            at = rest.find(sep)
            if 0 <= at < end:
                end = at
        authority = rest[:end]
        return authority.rpartition(b"@")[2]
    return url


def host_of(authority: bytes) -> bytes | None:
    """The lower-cased host name without port, or None when it is not a plain DNS name."""
    host = authority.lower()
    if host.startswith(b"["):
        return None  # an IPv6 literal: no domain to categorise
    host = host.partition(b":")[0].rstrip(b".")
    if not host or not HOST_CHARS.issuperset(host):
        return None
    return host


def category_for(host: bytes, categories: dict[bytes, str]) -> str | None:
    """The category of ``host`` or of the nearest listed parent domain (``en.m.wikipedia.org`` → wikipedia.org)."""
    name = host
    while True:
        found = categories.get(name)
        if found is not None:
            return found
        dot = name.find(b".")
        if dot < 0:
            return None
        name = name[dot + 1 :]


# An edit request to a MediaWiki encyclopaedia (6.11): the edit form's submit, the action API's edit and the REST
# API's page writes. Squid strips query strings by default (strip_query_terms), so a POST to index.php with no
# query at all still counts, with the article unknown; a POST that shows any other action (a log-in, say) does not.
EDIT_ACTIONS = frozenset({"submit", "edit", "visualeditoredit"})


def encyclopaedia_edit(method: bytes, url: bytes) -> str | None:
    """The article title when ``method url`` is an encyclopaedia edit, else None. Empty title means unknown."""
    if method not in (b"POST", b"PUT"):
        return None
    try:
        text = url.decode("utf-8", "replace")
        parts = urlsplit(text if "://" in text else "http://" + text)
    except ValueError:
        return None
    path = parts.path
    query = parse_qs(parts.query, keep_blank_values=True)
    action = (query.get("action") or [""])[0].lower()
    title = (query.get("title") or query.get("page") or [""])[0]
    if path.endswith("/index.php"):
        if action in EDIT_ACTIONS or (not parts.query and method == b"POST"):
            return _article(title)
        return None
    if path.endswith("/api.php"):
        return _article(title) if action in EDIT_ACTIONS else None
    marker = "/rest.php/v1/page/"
    if marker in path:
        return _article(unquote_to_bytes(path.split(marker, 1)[1].split("/", 1)[0]).decode("utf-8", "replace"))
    return None


def _article(title: str) -> str:
    cleaned = "".join(ch for ch in title.replace("_", " ") if ch.isprintable())
    return cleaned.strip()[:ARTICLE_MAX]


# --- CSV exports --------------------------------------------------------------------------------------------

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "datetime", "date_time", "date"),
    "user": ("user", "username", "user_name", "login"),
    "client": ("client", "client_ip", "source_ip", "src_ip", "ip", "address"),
    "method": ("method", "http_method", "request_method"),
    "url": ("url", "uri", "request_url"),
}
CSV_REQUIRED = ("time", "url")


def csv_columns(header: bytes) -> dict[str, int]:
    """Map our names to column positions from a CSV header line; LogFormatError names what is missing."""
    row = next(csv.reader([header.decode("utf-8-sig", "replace").strip()]), [])
    names = [name.strip().lower() for name in row]
    found: dict[str, int] = {}
    for ours, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[ours] = names.index(alias)
                break
    missing = [name for name in CSV_REQUIRED if name not in found]
    if missing:
        raise LogFormatError(
            f"The CSV header has no {' or '.join(missing)} column. Expected columns named like: "
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in CSV_COLUMNS.items())
            + f". Found: {', '.join(names) or 'nothing'}."
        )
    if "user" not in found and "client" not in found:
        raise LogFormatError("The CSV needs a user column or a client address column to know who made a request.")
    return found


def parse_csv_line(line: bytes, columns: dict[str, int], tz: ZoneInfo) -> Hit | None:
    """One CSV data line; times without an offset are read in ``tz`` (the school's time zone)."""
    try:
        row = next(csv.reader(io.StringIO(line.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if len(row) <= max(columns.values()):
        return None
    ts = parse_time(row[columns["time"]].strip(), tz)
    if ts is None:
        return None
    url = row[columns["url"]].strip().encode()
    if not url:
        return None
    user = row[columns["user"]].strip().encode() if "user" in columns else b"-"
    client = row[columns["client"]].strip().encode() if "client" in columns else b"-"
    method = row[columns["method"]].strip().upper().encode() if "method" in columns else b"GET"
    if method == b"CONNECT" and b"://" not in url:
        pass  # host:port, as Squid logs it
    elif b"://" not in url:
        url = b"http://" + url
    return Hit(ts=ts, client=client or b"-", user=user or b"-", method=method, url=url)


def parse_time(text: str, tz: ZoneInfo) -> float | None:
    """Epoch seconds, or ISO 8601 (with or without offset: without, it is local time in ``tz``)."""
    try:
        return float(text) if 0 < float(text) < 1e11 else None
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.timestamp()
