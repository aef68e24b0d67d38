"""What the directory announces to the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction after an organisation moved to another
# jurisdiction (kwargs: organization). Apps that store the organisation's
# jurisdiction chain on their own rows (dudao.core.scoping) update them.
organization_moved = Signal()

# Sent inside the transaction after a person's name changed (kwargs: person).
# Apps that keep the name on their own rows, to sort long lists by it from an
# index, update them.
person_renamed = Signal()

# Sent inside the transaction after jurisdictions changed place in the tree (a
# reference data reload re-parented them, or added a province above a city;
# kwargs: jurisdiction_ids, every jurisdiction whose chain changed). The
# organisations and people under them are already moved; apps that store a
# chain on their own rows copy it again from the organisation or jurisdiction
# the row hangs off.
jurisdictions_moved = Signal()

# Sent inside the transaction after the stored employer, employed flag or
# chain of these people changed (kwargs: person_ids), however it happened:
# employment, an organisation moved, the tree changed. Apps that copy a
# person's chain onto their own rows update them.
people_rescoped = Signal()

# Sent inside the transaction that adds a disciplinary record (services.add_disciplinary_record)
# with `actor` and `record`: the pools flag the person's entries for their keepers' review.
disciplinary_record_added = Signal()
