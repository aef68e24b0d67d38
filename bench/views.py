"""The floor: the least work "show a page of 50 people" costs on this stack.

One indexed query (the people of the root jurisdiction, current staff, in
name order: an index range scan of person_j0) and a plain Django template; no
login, no scope, no navigation. bench/scale.py compares every list with it."""

from django.shortcuts import render

from dudao.directory.models import Jurisdiction, Person

_root = []


def floor(request):
    if not _root:  # once per process, so a request runs one query
        _root.append(Jurisdiction.objects.get(depth=0).pk)
    people = (
        Person.objects.filter(scope_j0=_root[0], employed=True)
        .order_by("name", "id")
        .only("id", "name", "frontline_since", "employed")[:50]
    )
    return render(request, "bench/floor.html", {"people": people})
