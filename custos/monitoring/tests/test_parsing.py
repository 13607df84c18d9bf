"""The pure core: reading, parsing and aggregating proxy logs (8.1, 6.11, 6.13) with no database."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custos.monitoring.aggregate import Aggregator, Directory, LocalClock, normalise_user
from custos.monitoring.parsing import (
    MAX_LINE,
    LogFormatError,
    LogReader,
    csv_columns,
    encyclopaedia_edit,
    open_log,
    parse_csv_line,
    parse_squid_line,
)

LONDON = ZoneInfo("Europe/London")
CATEGORIES = {
    b"facebook.com": "social",
    b"youtube.com": "video",
    b"wikipedia.org": "encyclopaedia",
    b"whatsapp.com": "messaging",
}
ALICE, BOB = 1, 2
WORKDAY = ((8 * 3600 + 30 * 60, 12 * 3600), (12 * 3600 + 45 * 60, 16 * 3600))  # 08:30–12:00, 12:45–16:00
WEEK = (WORKDAY,) * 5 + ((), ())


def at(day: dt.date, hh: int, mm: int, ss: int = 0) -> float:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LONDON).timestamp()


MONDAY = dt.date(2026, 3, 2)


def squid(ts: float, url: str, user: str = "alice", method: str = "GET", client: str = "10.0.0.5") -> bytes:
    code = "TCP_TUNNEL/200" if method == "CONNECT" else "TCP_MISS/200"
    return f"{ts:.3f}    123 {client} {code} 4567 {method} {url} {user} HIER_DIRECT/93.184.216.34 text/html".encode()


def directory(**extra: object) -> Directory:
    base: dict[str, object] = {
        "categories": CATEGORIES,
        "users": {b"alice": ALICE, b"bob@oakfield.example": BOB},
        "hours": {ALICE: WEEK, BOB: WEEK},
        "tz": LONDON,
    }
    base.update(extra)
    return Directory(**base)  # type: ignore[arg-type]


def run(lines: list[bytes], **extra: object) -> Aggregator:
    aggregator = Aggregator(directory(**extra))
    aggregator.feed_squid(lines)
    return aggregator


class TestSquidLines:
    def test_81_native_squid_line_gives_time_client_user_method_and_url(self) -> None:
        hit = parse_squid_line(
            b"1772445600.123      0 10.0.0.5 TCP_TUNNEL/200 5678 CONNECT www.facebook.com:443 alice "
            b"HIER_DIRECT/1.2.3.4 -"
        )
        assert hit is not None
        assert (hit.ts, hit.client, hit.user, hit.method, hit.url) == (
            1772445600.123,
            b"10.0.0.5",
            b"alice",
            b"CONNECT",
            b"www.facebook.com:443",
        )

    def test_81_lines_with_wrong_field_count_or_time_are_malformed(self) -> None:
        assert parse_squid_line(b"") is None
        assert parse_squid_line(b"garbage") is None
        lines = [
            b"notatime 1 a b/1 2 GET http://www.facebook.com/ alice H/1 t",
            b"1772445600.1 1 a b 2 GET http://www.facebook.com/ alice H/1 t",  # no code/status
            b"notatime 1 a b/1 2 GET http://unlisted.example/ alice H/1 t",  # dropped unread: not malformed
        ]
        result = run(lines)
        assert (result.counts.malformed, result.counts.uncategorised) == (2, 1)

    def test_213_subdomains_take_their_listed_parent_category(self) -> None:
        result = run(
            [
                squid(at(MONDAY, 9, 0), "http://EN.M.Wikipedia.org/wiki/Owl"),
                squid(at(MONDAY, 9, 1), "m.facebook.com:443", method="CONNECT"),
            ]
        )
        assert set(result.usage) == {
            (ALICE, MONDAY.toordinal(), "encyclopaedia"),
            (ALICE, MONDAY.toordinal(), "social"),
        }

    def test_81_unlisted_and_lookalike_domains_are_not_kept(self) -> None:
        result = run(
            [
                squid(at(MONDAY, 9, 0), "http://www.bbc.co.uk/news"),
                squid(at(MONDAY, 9, 0), "http://notfacebook.com/"),
                squid(at(MONDAY, 9, 0), "http://facebook.com.evil.example/"),
            ]
        )
        assert result.usage == {}
        assert result.counts.uncategorised == 3


class TestContractedHours:
    def test_613_counts_requests_only_inside_contracted_hours(self) -> None:
        lines = [
            squid(at(MONDAY, 8, 0), "www.facebook.com:443", method="CONNECT"),  # before work
            squid(at(MONDAY, 9, 15), "www.facebook.com:443", method="CONNECT"),
            squid(at(MONDAY, 12, 30), "www.facebook.com:443", method="CONNECT"),  # lunch break
            squid(at(MONDAY, 15, 59, 59), "www.facebook.com:443", method="CONNECT"),
            squid(at(MONDAY, 16, 0), "www.facebook.com:443", method="CONNECT"),  # end is exclusive
            squid(at(MONDAY + dt.timedelta(days=5), 10, 0), "www.facebook.com:443", method="CONNECT"),  # Saturday
        ]
        result = run(lines)
        assert result.usage == {(ALICE, MONDAY.toordinal(), "social"): [2, 9 * 3600 + 15 * 60, 16 * 3600 - 1]}
        assert (result.counts.used, result.counts.outside_hours) == (2, 4)

    def test_613_person_without_hours_has_nothing_kept(self) -> None:
        result = run([squid(at(MONDAY, 10, 0), "www.facebook.com:443", method="CONNECT")], hours={})
        assert result.usage == {}
        assert result.counts.outside_hours == 1

    def test_613_local_time_follows_british_summer_time(self) -> None:
        clock = LocalClock(LONDON)
        summer = dt.date(2026, 7, 6)
        assert clock.local(at(summer, 9, 30)) == (summer.toordinal(), 0, 9 * 3600 + 30 * 60)
        assert clock.local(at(MONDAY, 9, 30)) == (MONDAY.toordinal(), 0, 9 * 3600 + 30 * 60)

    def test_81_days_past_retention_are_dropped(self) -> None:
        result = run(
            [squid(at(MONDAY, 10, 0), "www.facebook.com:443", method="CONNECT")],
            earliest_day=MONDAY.toordinal() + 1,
        )
        assert result.usage == {}
        assert result.counts.past_retention == 1


class TestWho:
    def test_81_proxy_user_names_are_matched_without_domain_or_case(self) -> None:
        assert normalise_user(b"OAKFIELD%5CAlice") == b"alice"
        assert normalise_user(b"OAKFIELD\\alice") == b"alice"
        result = run([squid(at(MONDAY, 10, 0), "www.youtube.com:443", user="Bob%40Oakfield.example", method="CONNECT")])
        assert list(result.usage) == [(BOB, MONDAY.toordinal(), "video")]

    def test_81_unknown_people_such_as_pupils_are_not_kept(self) -> None:
        result = run([squid(at(MONDAY, 10, 0), "www.facebook.com:443", user="pupil42", method="CONNECT")])
        assert result.usage == {}
        assert result.counts.unknown_person == 1

    def test_81_requests_the_proxy_refused_credentials_for_are_never_attributed(self) -> None:
        denied = squid(at(MONDAY, 10, 0), "http://www.facebook.com/", user="alice").replace(
            b"TCP_MISS/200", b"TCP_DENIED/407"
        )
        anonymous = denied.replace(b" alice ", b" - ")
        leases = {b"10.0.0.5": [(0.0, 1e11, BOB)]}
        result = run([denied, anonymous], leases=leases)
        assert result.usage == {}
        assert result.counts.unknown_person == 2
        slow = Aggregator(directory(leases=leases))
        slow.feed_hits((line, parse_squid_line(line)) for line in [denied, anonymous])
        assert slow.counts == result.counts

    def test_81_unauthenticated_lines_use_the_address_table_for_its_time_range(self) -> None:
        leases = {b"10.0.0.9": [(at(MONDAY, 8, 0), at(MONDAY, 12, 0), BOB)]}
        lines = [
            squid(at(MONDAY, 9, 0), "www.facebook.com:443", user="-", client="10.0.0.9", method="CONNECT"),
            squid(at(MONDAY, 13, 0), "www.facebook.com:443", user="-", client="10.0.0.9", method="CONNECT"),
        ]
        result = run(lines, leases=leases)
        assert result.usage == {(BOB, MONDAY.toordinal(), "social"): [1, 9 * 3600, 9 * 3600]}
        assert result.counts.unknown_person == 1


class TestEncyclopaediaEdits:
    def test_611_post_to_index_php_with_action_submit_is_an_edit_with_its_article(self) -> None:
        url = "https://en.wikipedia.org/w/index.php?title=Oakfield_Academy&action=submit"
        result = run([squid(at(MONDAY, 19, 0), url, method="POST")])
        [edit] = result.edits
        assert (edit.user_id, edit.host, edit.article, edit.line) == (ALICE, "en.wikipedia.org", "Oakfield Academy", 1)
        assert result.counts.used == 1  # kept although outside contracted hours: 6.11 is "at work"

    def test_611_edit_api_and_rest_api_writes_are_edits(self) -> None:
        assert encyclopaedia_edit(b"POST", b"https://en.wikipedia.org/w/api.php?action=edit&title=Owl") == "Owl"
        assert encyclopaedia_edit(b"PUT", b"https://en.wikipedia.org/w/rest.php/v1/page/Barn_owl") == "Barn owl"
        assert encyclopaedia_edit(b"POST", b"http://en.wikipedia.org/w/index.php?") == ""  # query stripped by Squid

    def test_611_reading_logging_in_and_searching_are_not_edits(self) -> None:
        assert encyclopaedia_edit(b"GET", b"https://en.wikipedia.org/w/index.php?title=Owl&action=edit") is None
        assert (
            encyclopaedia_edit(
                b"POST", b"https://en.wikipedia.org/w/index.php?title=Special:UserLogin&action=submitlogin"
            )
            is None
        )
        assert encyclopaedia_edit(b"POST", b"https://en.wikipedia.org/w/api.php?action=query") is None
        result = run([squid(at(MONDAY, 19, 0), "en.wikipedia.org:443", method="CONNECT")])
        assert result.edits == []

    def test_611_hostile_article_titles_are_kept_as_plain_text_without_control_characters(self) -> None:
        url = b"https://en.wikipedia.org/w/index.php?title=%3Cscript%3Ealert(1)%3C/script%3E%1B%5B2J&action=submit"
        assert encyclopaedia_edit(b"POST", url) == "<script>alert(1)</script>[2J"


class TestMalformedAndHostileInput:
    def test_81_binary_and_injection_lines_are_counted_and_skipped(self) -> None:
        lines = [
            b"\x00\xff\xfe binary \x1b[2J junk",
            b"' OR 1=1; DROP TABLE monitoring_dailyuse; --",
            squid(at(MONDAY, 10, 0), "http://www.facebook.com/<script>alert(1)</script>?q=';--"),
            b"",
        ]
        result = run(lines)
        assert result.counts.malformed == 3
        assert result.counts.used == 1
        assert [number for number, _ in result.counts.malformed_examples] == [1, 2, 4]
        assert "\x1b" not in result.counts.malformed_examples[0][1]

    def test_81_one_megabyte_line_is_skipped_and_counted_without_crashing(self) -> None:
        huge = (
            b"1772445600.000 1 10.0.0.5 TCP_MISS/200 1 GET http://www.facebook.com/"
            + b"a" * 1_000_000
            + b" alice H/1 t"
        )
        good = squid(at(MONDAY, 10, 0), "www.facebook.com:443", method="CONNECT")
        reader = LogReader(io.BytesIO(good + b"\n" + huge + b"\n" + good + b"\n"), chunk_size=65536)
        aggregator = Aggregator(directory())
        for batch in reader.batches():
            aggregator.feed_squid(batch)
        aggregator.skipped_oversized(reader.stats.oversized)
        assert reader.stats.oversized == 1
        assert (aggregator.counts.lines, aggregator.counts.malformed, aggregator.counts.used) == (3, 1, 2)


class TestReader:
    def test_81_incomplete_last_line_is_left_for_the_next_run(self) -> None:
        reader = LogReader(io.BytesIO(b"one\ntwo\nthr"), chunk_size=3)
        assert [line for batch in reader.batches() for line in batch] == [b"one", b"two"]
        assert (reader.stats.consumed, reader.stats.pending, reader.tail) == (8, 3, b"one\ntwo\n")

    def test_81_resuming_skips_what_was_read_and_returns_the_bytes_before(self) -> None:
        reader = LogReader(io.BytesIO(b"one\ntwo\nthree\n"), chunk_size=2)
        reader.open()
        assert reader.head == b"one\n"
        assert reader.skip_to(8)
        assert reader.fingerprint == b"one\ntwo\n"
        assert [line for batch in reader.batches() for line in batch] == [b"three"]
        assert reader.stats.consumed == 14

    def test_81_resuming_beyond_the_end_reports_a_shorter_stream(self) -> None:
        reader = LogReader(io.BytesIO(b"one\n"))
        reader.open()
        assert not reader.skip_to(100)

    def test_81_gzip_logs_are_read_transparently(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        path = tmp_path / "access.log.1.gz"
        path.write_bytes(gzip.compress(b"one\ntwo\n"))
        with open_log(str(path)) as stream:
            assert stream.read() == b"one\ntwo\n"


class TestCsv:
    def test_81_csv_header_aliases_are_recognised(self) -> None:
        assert csv_columns(b"Timestamp,Username,Source_IP,Method,URL") == {
            "time": 0,
            "user": 1,
            "client": 2,
            "method": 3,
            "url": 4,
        }

    def test_81_csv_without_a_url_column_is_refused_with_the_names_expected(self) -> None:
        with pytest.raises(LogFormatError, match=r"no url column.*Found: time, who"):
            csv_columns(b"time,who")

    def test_81_csv_times_without_offset_are_local_and_bare_hosts_get_a_scheme(self) -> None:
        columns = csv_columns(b"time,user,url")
        hit = parse_csv_line(b"2026-03-02T09:00:00,alice,www.facebook.com/home", columns, LONDON)
        assert hit is not None
        assert (hit.ts, hit.url, hit.method) == (at(MONDAY, 9, 0), b"http://www.facebook.com/home", b"GET")
        assert parse_csv_line(b"yesterday,alice,x", columns, LONDON) is None
        assert parse_csv_line(b"\xff\xfe", columns, LONDON) is None


_line = st.one_of(
    st.builds(
        squid,
        st.floats(min_value=at(MONDAY, 0, 0), max_value=at(MONDAY, 0, 0) + 8 * 86400),
        st.sampled_from(
            [
                "www.facebook.com:443",
                "http://en.wikipedia.org/w/index.php?title=Owl&action=submit",
                "https://en.wikipedia.org/w/api.php?action=edit&title=Owl",
                "http://www.youtube.com/watch?v=1",
                "http://example.org/",
                "WEB.WhatsApp.com:443",
                "http://[::1]:8080/",
                "http://",
            ]
        ),
        st.sampled_from(["alice", "Bob@oakfield.example", "-", "pupil"]),
        st.sampled_from(["GET", "POST", "CONNECT", "PUT"]),
        st.sampled_from(["10.0.0.5", "10.0.0.9"]),
    ),
    st.binary(max_size=80),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=40))
def test_81_fast_path_agrees_with_the_reference_parser(lines: list[bytes]) -> None:
    lines = [line.replace(b"\n", b" ") for line in lines]
    leases = {b"10.0.0.9": [(at(MONDAY, 0, 0), at(MONDAY, 0, 0) + 3 * 86400, BOB)]}
    fast = Aggregator(directory(leases=leases))
    fast.feed_squid(lines)
    slow = Aggregator(directory(leases=leases))
    slow.feed_hits((line, parse_squid_line(line)) for line in lines)
    assert fast.usage == slow.usage
    assert fast.edits == slow.edits
    assert fast.counts == slow.counts


def test_81_max_line_is_far_above_what_squid_writes() -> None:
    assert MAX_LINE >= 64 * 1024


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.booleans(),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=0, max_value=400),
)
def test_81_reading_a_cut_log_then_the_whole_log_yields_every_line_once(
    lines: list[bytes], ends_with_newline: bool, chunk: int, cut: int
) -> None:
    whole = b"\n".join(lines) + (b"\n" if ends_with_newline and lines else b"")
    first = LogReader(io.BytesIO(whole[:cut]), chunk_size=chunk)
    seen = [line for batch in first.batches() for line in batch]
    second = LogReader(io.BytesIO(whole), chunk_size=chunk)
    second.open()
    assert second.skip_to(first.stats.consumed)
    assert second.fingerprint == first.tail
    seen += [line for batch in second.batches() for line in batch]
    complete = whole[: whole.rfind(b"\n") + 1]
    assert seen == (complete.split(b"\n")[:-1] if complete else [])
    assert second.stats.consumed == len(complete)
    assert second.stats.pending == len(whole) - len(complete)
