"""Who is writing, where, and what the trust has told the engine (roster, word lists, names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from custos.screening.roster import Roster
    from custos.screening.wordlists import WordList


class Author(StrEnum):
    PUPIL = "pupil"
    STAFF = "staff"
    EXTERNAL = "external"


class Venue(StrEnum):
    SCHOOL_SITE = "school_site"  # a school-hosted site (Appendix A)
    THIRD_PARTY_DRAFT = "third_party_draft"  # an official post drafted for a third-party site
    PERSONAL_WEBSPACE = "personal_webspace"  # a staff member checking their own personal webspace (section 6)


@dataclass(frozen=True)
class ScreeningContext:
    author: Author = Author.EXTERNAL
    venue: Venue = Venue.SCHOOL_SITE
    roster: Roster | None = None
    # When the author is a pupil on the roster, their own first name alone is not a finding.
    author_pupil_id: str | None = None
    word_lists: tuple[WordList, ...] = ()
    # The trust's and its schools' names, for 6.1 and 6.12 on personal webspace.
    organisation_names: tuple[str, ...] = ()
    brand_terms: tuple[str, ...] = ()
    # School email domains, for 6.10; any *.sch.uk address counts as a school address too.
    school_email_domains: tuple[str, ...] = ()
    # Partners, agencies and authors named in official posts -> whether permission is recorded (A.4.6).
    partners: Mapping[str, bool] = field(default_factory=dict)

    @property
    def is_official_staff_post(self) -> bool:
        return self.author is Author.STAFF and self.venue is not Venue.PERSONAL_WEBSPACE


DEFAULT_CONTEXT = ScreeningContext()
