"""Plain advice for the personal webspace check, by clause (section 6). The clause text itself is policy data."""

ADVICE: dict[str, str] = {
    "6.1": "Remove your job or the school's name from your profile: keep work and personal life apart.",
    "6.2": "Do not be in contact with pupils through personal accounts, unless they are family (declare them).",
    "6.4": "If you are in contact with a pupil's family member, declare it so the AHT Pastoral knows.",
    "6.8": "Take out anything you know through work: pupils, families, colleagues or school business.",
    "6.9": "Remove images of pupils, their families, school uniform, logos or sensitive school premises.",
    "6.10": "Use a personal email address for personal accounts, never your school address.",
    "6.12": "Remove school or Trust logos and brands from your personal pages.",
    "6.15": "Set your privacy to the strictest level and remove your home address, phone number and other details.",
    "5.4": "Do not discuss personal information about pupils, staff or other professionals.",
    "5.5": "Remove anything that attacks, insults or abuses pupils, families, colleagues or the Trust.",
}
GENERAL = (
    "Keep your privacy settings strict, use a separate email address for social networking, and do not accept "
    "friend requests from pupils (6.6, 6.15)."
)


def advice_for(clauses: list[str]) -> list[str]:
    return [f"{c}: {ADVICE[c]}" for c in clauses if c in ADVICE]
