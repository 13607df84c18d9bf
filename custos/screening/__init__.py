"""Screening: finds what the Social Media Policy forbids in any text, each finding citing its clause.

Pure Python, no Django. ``screen(text, context)`` returns a list of ``Finding``; ``screen_many`` is the batch
form. See docs/screening.md.
"""

from custos.screening.context import Author, ScreeningContext, Venue
from custos.screening.engine import screen, screen_many
from custos.screening.findings import Category, Finding, Severity
from custos.screening.roster import Roster, RosterPupil, read_roster_csv
from custos.screening.wordlists import WordList, built_in_word_lists

__all__ = [
    "Author",
    "Category",
    "Finding",
    "Roster",
    "RosterPupil",
    "ScreeningContext",
    "Severity",
    "Venue",
    "WordList",
    "built_in_word_lists",
    "read_roster_csv",
    "screen",
    "screen_many",
]
