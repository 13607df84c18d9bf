"""Password rules beyond Django's own (OWASP ASVS 5.0 V6.2: length, no composition rules, no common words)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

# Words a password guesser tries first against a school: its own name and trade.
CONTEXT_WORDS = ("custos", "school", "academy", "trust", "teacher", "pupil", "student", "password")


class ContextWordsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        folded = password.lower().replace("0", "o").replace("1", "i").replace("@", "a").replace("$", "s")
        stripped = "".join(ch for ch in folded if ch.isalpha())
        for word in CONTEXT_WORDS:
            if stripped in {word, word + "s"} or (word in stripped and len(stripped) <= len(word) + 3):
                raise ValidationError(
                    f"This password is too easy to guess: it is mostly the word “{word}”.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return "Your password can’t be mostly a word like “school” or “password”."


class MaximumLengthValidator:
    """Long passphrases are welcome; only absurd lengths (a denial of service on hashing) are refused."""

    max_length = 128

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long; spaces are fine."
