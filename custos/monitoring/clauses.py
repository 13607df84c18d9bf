"""The clauses monitoring implements, in one place: rules, rows, errors and tests cite these ids."""

MONITORING = "8.1"  # the school monitors use of its internet
NO_PRIVACY = "8.2"  # users should have no expectation of privacy on the school's ICT
NOTICE = "8.1"  # staff are told what is kept (8.1, 8.2)
PERSONAL_USE = "6.13"  # no personal use of social media during contracted hours
HOURS = "6.13"  # contracted hours decide what counts
ENCYCLOPAEDIA_EDIT = "6.11"  # no editing of open access encyclopaedias in a personal capacity at work
SCOPE = "2.3"  # what counts as social media
