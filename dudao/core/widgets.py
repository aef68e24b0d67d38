"""Form widgets shared by every app."""

from django import forms


class SearchSelect(forms.Select):
    """A choice among more rows than a page can list (every organisation of a
    province, every person of a roster): the select carries only the chosen
    option, and the browser searches the rest as the user types
    (core/static/dudao/pickers.js, Tom Select from the npm lockfile) through a
    JSON endpoint that answers {"results": [{"id", "text"}]} from the user's
    scope. The field's queryset still validates what is submitted."""

    def __init__(self, search_url: str = "", attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-search-url"] = str(self.search_url)
        return context

    def optgroups(self, name, value, attrs=None):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = self.choices.field
        chosen = []
        for raw in value:
            try:
                chosen.append(int(raw))
            except (TypeError, ValueError):
                continue
        options = [("", getattr(field, "empty_label", None) or "")]
        options += [
            (field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset.filter(pk__in=chosen)
        ]
        everything = self.choices
        self.choices = options
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everything


class SearchSelectMultiple(forms.SelectMultiple):
    """SearchSelect for several choices (the participants of a training): the
    select carries only the chosen options; the browser searches the rest as
    the user types, and each choice is removed with its ×."""

    def __init__(self, search_url: str = "", attrs=None):
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-search-url"] = str(self.search_url)
        return context

    def optgroups(self, name, value, attrs=None):
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        field = self.choices.field
        chosen = []
        for raw in value:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                continue
            # A number no key can have is not looked up (the database may not hold it at all).
            if 0 < number < 2**63:
                chosen.append(number)
        options = [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset.filter(pk__in=chosen)]
        everything = self.choices
        self.choices = options
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everything


def search_results(queryset, label=str, limit: int = 20) -> dict:
    """The JSON a SearchSelect reads."""
    return {"results": [{"id": obj.pk, "text": label(obj)} for obj in queryset[:limit]]}
