"""The Chinese web font: served from the npm package, only the weights the
pages use, split by unicode-range, loaded by every page after the system fonts
and allowed by the Content-Security-Policy."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

from dudao.core.staticfinders import WebFontFinder


def test_the_font_stylesheets_and_their_slices_are_found_only_for_the_weights_in_use():
    css = finders.find("vendor/noto-sans-sc/400.css")
    assert css and finders.find("vendor/noto-sans-sc/700.css")
    assert not finders.find("vendor/noto-sans-sc/100.css")
    text = Path(css).read_text(encoding="utf-8")
    slices = re.findall(r"url\(\./(files/[^)]+\.woff2)\)", text)
    # Split by unicode-range: many slices, each with its range, every one served.
    assert len(slices) > 50
    assert text.count("unicode-range:") == len(slices)
    assert all(finders.find(f"vendor/noto-sans-sc/{name}") for name in slices)
    assert not finders.find("vendor/noto-sans-sc/files/noto-sans-sc-4-300-normal.woff2")
    listed = [path for path, _storage in WebFontFinder().list([])]
    assert "400.css" in listed and not any("-900-" in p for p in listed)


def test_every_page_loads_the_font_after_the_system_fonts(client):
    response = client.get("/accounts/login/")
    content = response.content.decode()
    assert "/static/vendor/noto-sans-sc/400.css" in content
    assert content.index("noto-sans-sc/400.css") < content.index("dudao/site.css")
    assert "font-src 'self'" in response["Content-Security-Policy"]
    stack = Path(finders.find("dudao/site.css")).read_text(encoding="utf-8")
    family = re.search(r"--bs-font-sans-serif:([^;]+);", stack).group(1)
    assert family.index("system-ui") < family.index("Microsoft YaHei") < family.index('"Noto Sans SC"')


def test_the_language_choice_names_each_language_in_itself(client):
    content = client.get("/accounts/login/").content.decode()
    assert ">English</option>" in content
    assert ">简体中文</option>" in content
    assert "英语" not in content
