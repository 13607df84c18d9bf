"""Turning proxy-log lines into the few facts kept (clauses 6.11, 6.13, 8.1), in plain Python (no Django).

Kept, per person, per local day, per category: the number of requests inside that person's contracted hours and
the first and last time of one. Kept individually: encyclopaedia edit requests (6.11), at any hour. Everything
else a line says (other sites, pages, addresses, requests outside contracted hours, pupils' and visitors'
traffic) is counted in the run's summary and dropped.

``Aggregator.feed_squid`` is the hot loop: it inlines ``parsing.parse_squid_line`` and friends, and is tested to
agree with them (``feed_hits``) line for line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo

from custos.monitoring.parsing import Hit, category_for, encyclopaedia_edit, host_of

ENCYCLOPAEDIA = "encyclopaedia"
MALFORMED_EXAMPLES = 5
_CACHE_LIMIT = 200_000  # hosts and user names remembered; a hostile log with millions of them stays bounded

# Contracted hours: for each weekday (Monday = 0), a tuple of (start, end) in seconds after local midnight.
WeekHours = tuple[tuple[tuple[int, int], ...], ...]
NO_HOURS: WeekHours = ((),) * 7


@dataclass(frozen=True, slots=True)
class Edit:
    user_id: int
    ts: float
    host: str
    article: str  # "" when the proxy log did not show it
    line: int  # line number in the source (1-based), so the same edit is never stored twice


@dataclass
class Directory:
    """Who is who, and what is what, as the aggregator needs it (built by the Django adapter)."""

    categories: dict[bytes, str]  # domain → category code, e.g. b"facebook.com": "social"
    users: dict[bytes, int]  # normalised proxy user name → user id (staff members only)
    hours: dict[int, WeekHours]  # user id → contracted hours (the school default already applied)
    leases: dict[bytes, list[tuple[float, float, int]]] = field(default_factory=dict)  # address → (from, to, user)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    earliest_day: int = 0  # proleptic ordinal; older days are past retention and dropped


def normalise_user(raw: bytes) -> bytes:
    """``OAKFIELD%5CAlice`` and ``OAKFIELD\\alice`` → ``alice``; ``Alice@School.org`` → ``alice@school.org``."""
    name = unquote_to_bytes(raw).strip().lower() if b"%" in raw else raw.strip().lower()
    return name.rpartition(b"\\")[2]


class LocalClock:
    """Epoch seconds → (local day ordinal, weekday, seconds after local midnight), cached per UTC hour.

    Offsets change only on whole UTC hours in the zones schools are in, so one conversion per hour of log suffices.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._hour = -1
        self._base: tuple[int, int, int] = (0, 0, 0)
        self._cache: dict[int, tuple[int, int, int]] = {}

    def local(self, ts: float) -> tuple[int, int, int]:
        secs = int(ts)
        hour = secs // 3600
        if hour != self._hour:
            base = self._cache.get(hour)
            if base is None:
                moment = dt.datetime.fromtimestamp(hour * 3600, tz=self.tz)
                base = (moment.toordinal(), moment.weekday(), moment.hour * 3600 + moment.minute * 60)
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[hour] = base
            self._hour, self._base = hour, base
        day, weekday, start = self._base
        return day, weekday, start + secs - hour * 3600


@dataclass
class Counts:
    lines: int = 0
    used: int = 0
    malformed: int = 0
    uncategorised: int = 0
    unknown_person: int = 0
    outside_hours: int = 0
    past_retention: int = 0
    malformed_examples: list[tuple[int, str]] = field(default_factory=list)


class Aggregator:
    def __init__(self, directory: Directory, *, first_line: int = 1) -> None:
        self.d = directory
        self.clock = LocalClock(directory.tz)
        # (user id, day ordinal, category) → [requests, first second of day, last second of day]
        self.usage: dict[tuple[int, int, str], list[int]] = {}
        self.edits: list[Edit] = []
        self.counts = Counts()
        self._next_line = first_line
        self._host_category: dict[bytes, str | None] = {}
        self._user_ids: dict[bytes, int | None] = {}

    # -- the hot path ------------------------------------------------------------------------------------------

    def feed_squid(self, lines: list[bytes]) -> None:
        counts = self.counts
        host_category = self._host_category
        user_ids = self._user_ids
        usage = self.usage
        hours_of = self.d.hours
        local = self.clock.local
        earliest = self.d.earliest_day
        line_no = self._next_line - 1
        uncategorised = unknown = outside = old = used = 0
        for line in lines:
            line_no += 1
            fields = line.split()
            if len(fields) != 10:
                self._malformed(line_no, line)
                continue
            url = fields[6]
            if url[:4] == b"http":
                authority = url.split(b"/", 3)[2] if url[4:7] == b"://" or url[5:8] == b"://" else url
            else:
                authority = url
            category = host_category.get(authority, "")
            if category == "":
                category = self._categorise(authority)
            if category is None:
                uncategorised += 1  # most lines: dropped before any further parsing
                continue
            if fields[3][-4:] == b"/407":
                unknown += 1  # the proxy refused the credentials: a name logged with it is a claim, not a person
                continue
            user = user_ids.get(fields[7], 0)
            if user == 0:
                user = self._identify(fields[7])
            if user is None and fields[7] != b"-":
                unknown += 1  # pupils, visitors, unknown names: dropped before their time is even read
                continue
            try:
                ts = float(fields[0])
            except ValueError:
                ts = -1.0
            if user is None:
                user = self._leased(fields[2], ts)
                if user is None:
                    unknown += 1
                    continue
            if not 0 < ts < 1e11 or b"/" not in fields[3]:
                self._malformed(line_no, line)
                continue
            day, weekday, second = local(ts)
            if day < earliest:
                old += 1
                continue
            used_here = False
            if category == ENCYCLOPAEDIA and fields[5] in (b"POST", b"PUT"):
                used_here = self._maybe_edit(user, ts, authority, fields[5], url, line_no)
            for start, end in (hours_of.get(user) or NO_HOURS)[weekday]:
                if start <= second < end:
                    key = (user, day, category)
                    row = usage.get(key)
                    if row is None:
                        usage[key] = [1, second, second]
                    else:
                        row[0] += 1
                        if second < row[1]:
                            row[1] = second
                        elif second > row[2]:
                            row[2] = second
                    used += 1
                    break
            else:
                if used_here:
                    used += 1
                else:
                    outside += 1
        self._next_line = line_no + 1
        counts.lines += len(lines)
        counts.uncategorised += uncategorised
        counts.unknown_person += unknown
        counts.outside_hours += outside
        counts.past_retention += old
        counts.used += used

    # -- the same rules, one parsed Hit at a time (CSV exports, and the reference for the hot path) ----------

    def feed_hits(self, hits: Iterable[tuple[bytes, Hit | None]]) -> None:
        counts = self.counts
        for raw, hit in hits:
            line_no = self._next_line
            self._next_line += 1
            counts.lines += 1
            if hit is None:
                self._malformed(line_no, raw)
                continue
            authority = _authority(hit.url)
            category = self._categorise(authority)
            if category is None:
                counts.uncategorised += 1
                continue
            if hit.code.endswith(b"/407"):
                counts.unknown_person += 1
                continue
            user = self._identify(hit.user)
            if user is None and hit.user == b"-":
                user = self._leased(hit.client, hit.ts)
            if user is None:
                counts.unknown_person += 1
                continue
            if not 0 < hit.ts < 1e11 or (hit.code and b"/" not in hit.code):
                self._malformed(line_no, raw)
                continue
            day, weekday, second = self.clock.local(hit.ts)
            if day < self.d.earliest_day:
                counts.past_retention += 1
                continue
            edited = category == ENCYCLOPAEDIA and self._maybe_edit(
                user, hit.ts, authority, hit.method, hit.url, line_no
            )
            inside = any(start <= second < end for start, end in (self.d.hours.get(user) or NO_HOURS)[weekday])
            if inside:
                row = self.usage.setdefault((user, day, category), [0, second, second])
                row[0] += 1
                row[1] = min(row[1], second)
                row[2] = max(row[2], second)
            if inside or edited:
                counts.used += 1
            else:
                counts.outside_hours += 1

    # -- the slow paths, taken once per new host or user, or for the rare lines that matter --------------------

    def _categorise(self, authority: bytes) -> str | None:
        host = host_of(authority)
        category = category_for(host, self.d.categories) if host is not None else None
        if len(self._host_category) > _CACHE_LIMIT:
            self._host_category.clear()
        self._host_category[authority] = category
        return category

    def _identify(self, raw: bytes) -> int | None:
        user = None if raw == b"-" else self.d.users.get(normalise_user(raw))
        if len(self._user_ids) > _CACHE_LIMIT:
            self._user_ids.clear()
        self._user_ids[raw] = user
        return user

    def _leased(self, client: bytes, ts: float) -> int | None:
        for start, end, user in self.d.leases.get(client, ()):
            if start <= ts < end:
                return user
        return None

    def _maybe_edit(self, user: int, ts: float, authority: bytes, method: bytes, url: bytes, line_no: int) -> bool:
        article = encyclopaedia_edit(method, url)
        if article is None:
            return False
        host = (host_of(authority) or b"").decode("ascii")
        self.edits.append(Edit(user_id=user, ts=ts, host=host, article=article, line=line_no))
        return True

    def _malformed(self, line_no: int, line: bytes) -> None:
        self.counts.malformed += 1
        if len(self.counts.malformed_examples) < MALFORMED_EXAMPLES:
            text = line[:120].decode("utf-8", "backslashreplace")
            shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
            self.counts.malformed_examples.append((line_no, shown + ("…" if len(line) > 120 else "")))

    def skipped_oversized(self, count: int) -> None:
        """Lines the reader dropped for being too long count as malformed too."""
        self.counts.malformed += count
        self.counts.lines += count


def _authority(url: bytes) -> bytes:
    if url[:4] == b"http" and (url[4:7] == b"://" or url[5:8] == b"://"):
        return url.split(b"/", 3)[2]
    return url
