"""Finance's figures (五(一): finance budgets and evaluates the funds): for a
year, statements and payments, government supplements against each budget
line, and the cost per confirmed supervision hour by district and pool level.
Read from the statements the user sees, voided ones left out, in a few
GROUP BY queries whatever the number of rows."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from dudao.pools.models import Entry

from ..models import Statement
from .statements import statements_for

ZERO = Decimal("0.00")
S = Statement.Status
K = Statement.Kind


def _cost(amount, hours):
    return (amount / hours).quantize(Decimal("0.01")) if hours else None


def summary(user, year: int | None) -> dict:
    """The figures of `year`, or of every year when it is None (HR&SS's "all years")."""
    rows = statements_for(user).exclude(status=S.VOIDED).order_by()
    if year is not None:
        rows = rows.filter(month__year=year)
    by_status = {
        (r["kind"], r["status"]): r
        for r in rows.values("kind", "status").annotate(n=Count("id"), total=Sum("total"), hours=Sum("hours"))
    }
    totals = []
    for kind, kind_label in K.choices:
        row = {"kind": kind, "label": kind_label, "count": 0, "owed": ZERO, "confirmed": ZERO, "paid": ZERO}
        for status in (S.COMPUTED, S.CONFIRMED, S.PAID):
            found = by_status.get((kind, status))
            if found:
                row["count"] += found["n"]
                row["owed"] += found["total"]
                if status != S.COMPUTED:
                    row["confirmed"] += found["total"]
                if status == S.PAID:
                    row["paid"] += found["total"]
        totals.append(row)

    budget = []
    for r in (
        rows.filter(kind=K.SUPPLEMENT)
        .values("payer_jurisdiction_id", "payer_jurisdiction__name", "status")
        .annotate(total=Sum("total"))
        .order_by("payer_jurisdiction__name", "payer_jurisdiction_id")
    ):
        if not budget or budget[-1]["id"] != r["payer_jurisdiction_id"]:
            budget.append(
                {"id": r["payer_jurisdiction_id"], "name": r["payer_jurisdiction__name"], "owed": ZERO, "paid": ZERO}
            )
        budget[-1]["owed"] += r["total"]
        if r["status"] == S.PAID:
            budget[-1]["paid"] += r["total"]
    for line in budget:
        line["outstanding"] = line["owed"] - line["paid"]

    def grouped(field, label_field=None):
        found = defaultdict(lambda: {"statement": ZERO, "supplement": ZERO, "hours": ZERO})
        names = {}
        values = [field] + ([label_field] if label_field else [])
        for r in rows.values(*values, "kind").annotate(total=Sum("total"), hours=Sum("hours")):
            key = r[field]
            names[key] = r[label_field] if label_field else key
            found[key][r["kind"]] += r["total"]
            if r["kind"] == K.STATEMENT:
                found[key]["hours"] += r["hours"]
        out = []
        for key, f in found.items():
            cost = f["statement"] + f["supplement"]
            out.append(
                {
                    "key": key,
                    "name": names[key],
                    "hours": f["hours"],
                    "statement": f["statement"],
                    "supplement": f["supplement"],
                    "cost": cost,
                    "per_hour": _cost(cost, f["hours"]),
                }
            )
        return out

    districts = sorted(
        grouped("organization__jurisdiction_id", "organization__jurisdiction__name"), key=lambda r: r["name"]
    )
    agencies = sorted(grouped("organization_id", "organization__name"), key=lambda r: (r["name"], r["key"]))
    labels = dict(Entry.Level.choices)
    order = [Entry.Level.AGENCY, Entry.Level.DISTRICT, Entry.Level.CITY]
    levels = sorted(grouped("pool_level"), key=lambda r: order.index(r["key"]) if r["key"] in order else 9)
    for r in levels:
        r["name"] = str(labels.get(r["key"], r["key"]))
    hours = sum((r["hours"] for r in districts), ZERO)
    cost = sum((r["cost"] for r in districts), ZERO)
    return {
        "year": year,
        "totals": totals,
        "budget_lines": budget,
        "districts": districts,
        "agencies": agencies,
        "levels": levels,
        "hours": hours,
        "cost": cost,
        "per_hour": _cost(cost, hours),
    }
