from custos.screening import Author, Category, Finding, ScreeningContext, Venue, screen

PUPIL = ScreeningContext(author=Author.PUPIL)
STAFF_POST = ScreeningContext(author=Author.STAFF, venue=Venue.SCHOOL_SITE)
EXTERNAL = ScreeningContext(author=Author.EXTERNAL)


def found(text: str, context: ScreeningContext = PUPIL, category: Category | None = None) -> list[Finding]:
    return [f for f in screen(text, context) if category is None or f.category is category]


def kinds(text: str, context: ScreeningContext = PUPIL) -> set[str]:
    return {f.kind for f in screen(text, context)}


def matched(text: str, finding: Finding) -> str:
    return text[finding.start : finding.end]
