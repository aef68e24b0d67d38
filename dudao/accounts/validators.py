from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least `min_classes` of four kinds of character: lower-case letters,
    upper-case letters, digits, and everything else (symbols; Chinese
    characters count here). Length is MinimumLengthValidator's job."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        kinds = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
        ]
        return sum(kinds)

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.message(), code="password_too_simple", params={"min_classes": self.min_classes})

    def message(self):
        return _(
            "The password must contain at least %(min_classes)d of these four kinds of character: "
            "lower-case letters, upper-case letters, digits and symbols."
        )

    def get_help_text(self):
        return self.message() % {"min_classes": self.min_classes}
