import io
import json

from custos.screening.cli import main, run
from custos.screening.context import ScreeningContext
from custos.screening.roster import Roster, RosterPupil


def run_lines(lines: list[bytes], context=None):
    out, err = io.StringIO(), io.StringIO()
    status = run(io.BytesIO(b"\n".join(lines) + b"\n"), out, err, context or ScreeningContext())
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_a52_cli_writes_one_line_per_input_in_order_with_findings():
    roster = Roster([RosterPupil("Jayden", "Smith")])
    status, results, err = run_lines(
        [
            b'{"id": "a", "text": "Jayden Smith is a loser", "author": "pupil"}',
            b'{"id": "b", "text": "Lovely concert tonight", "author": "staff"}',
        ],
        ScreeningContext(roster=roster),
    )
    assert (status, err) == (0, "")
    assert [r["id"] for r in results] == ["a", "b"]
    first = results[0]["findings"][0]
    assert set(first) >= {"category", "severity", "clauses", "start", "end", "reason"}
    assert (first["category"], first["start"], first["end"]) == ("pupil_identification", 0, 12)
    assert results[1]["findings"] == []


def test_55_cli_reports_bad_lines_on_stderr_and_carries_on():
    status, results, err = run_lines(
        [
            b"not json",
            b'{"id": 2}',
            b"\x00\x01binary",
            b'{"id": 4, "text": "' + b"a" * 5_000_000 + b'"}',
            b'{"id": 5, "text": "\xff\xfe"}',
            b'{"id": 6, "text": "fine", "author": "robot"}',
            b"[1, 2]",
            b'{"id": 8, "text": "shit"}',
        ]
    )
    assert status == 1
    assert [r["id"] for r in results] == [8]
    messages = err.splitlines()
    assert [m.split(":")[1].strip() for m in messages] == [
        "line 1",
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
    ]
    assert "not JSON" in messages[0]
    assert 'missing "text"' in messages[1]
    assert "binary" in messages[2]
    assert "limit" in messages[3]
    assert "UTF-8" in messages[4]


def test_a52_cli_reads_roster_csv_and_file(tmp_path, capsys):
    roster = tmp_path / "pupils.csv"
    roster.write_text("UPN,Legal Forename,Legal Surname,Preferred Forename,Preferred Surname,Year,DOB,School URN\n"
                      "A1,Amelia,Jones,Millie,,7,2013-01-02,100001\n")  # fmt: skip
    data = tmp_path / "in.jsonl"
    data.write_text('{"id": 1, "text": "millie jones got detention", "author": "pupil"}\n')
    assert main(["--roster", str(roster), str(data)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["findings"][0]["clauses"] == ["A.5.2", "5.4"]


def test_55_cli_missing_roster_file_is_a_clear_error(tmp_path, capsys):
    assert main(["--roster", str(tmp_path / "nope.csv"), str(tmp_path / "x")]) == 2
    assert "nope.csv" in capsys.readouterr().err
