"""Static files from the Chinese web-font package, limited to what the pages use.

The package (@fontsource/noto-sans-sc, from the npm lockfile) holds nine
weights in about a hundred unicode-range slices each, as woff2 and woff. The
pages load `<weight>.css` for the weights in DUDAO_WEB_FONT_WEIGHTS; this
finder offers those stylesheets and the slices they name, under
`vendor/noto-sans-sc/`, so collectstatic copies a fifth of the package.
"""

import re

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/noto-sans-sc"


def _wanted(name: str) -> bool:
    weights = "|".join(str(w) for w in settings.DUDAO_WEB_FONT_WEIGHTS)
    return bool(
        re.fullmatch(rf"({weights})\.css", name)
        or re.fullmatch(rf"files/noto-sans-sc-[a-z0-9-]+-({weights})-normal\.woff2?", name)
    )


class WebFontFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = settings.DUDAO_WEB_FONT_DIR
        self.storage = FileSystemStorage(location=self.root)
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        found = []
        if path.startswith(PREFIX + "/"):
            name = path[len(PREFIX) + 1 :]
            if _wanted(name) and self.storage.exists(name):
                found.append(self.storage.path(name))
        if find_all:
            return found
        return found[0] if found else []

    def list(self, ignore_patterns):
        if not self.root.is_dir():
            return
        for weight in settings.DUDAO_WEB_FONT_WEIGHTS:
            if self.storage.exists(f"{weight}.css"):
                yield f"{weight}.css", self.storage
        _dirs, files = self.storage.listdir("files")
        for name in sorted(files):
            if _wanted(f"files/{name}"):
                yield f"files/{name}", self.storage
