"""The production web server: gunicorn, as `make serve` starts it, answers the
login page and serves static files through whitenoise. (`make serve` itself
also migrates and collects static files first; that was run by hand, see the
README's Production section.)"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_gunicorn_answers_the_login_page_and_serves_static_files(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    assert "gunicorn dudao.wsgi:application --workers $(WEB_CONCURRENCY) --bind $(HOST):$(PORT)" in makefile
    port = _free_port()
    env = {
        **os.environ,
        # The login page reads nothing from the database for an anonymous visitor.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DUDAO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    server = subprocess.Popen(
        [str(GUNICORN), "dudao.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _headers, body = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    detail = server.stderr.read().decode() if server.poll() is not None else "no answer within 60 s"
                    raise AssertionError(detail) from exc
                time.sleep(0.3)
        assert status == 200
        html = body.decode()
        assert 'name="password"' in html
        stylesheet = re.search(r'href="(/static/vendor/bootstrap/css/[^"]+)"', html).group(1)
        status, headers, css = _get(f"http://127.0.0.1:{port}{stylesheet}")
        assert status == 200 and headers["Content-Type"].startswith("text/css") and len(css) > 10000
    finally:
        server.terminate()
        server.wait(timeout=30)
