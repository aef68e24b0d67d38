"""Settings for bench/scale.py's server: the application's own settings with
DEBUG off, plus what only the benchmark has: an X-Query-Count header on every
response and the floor view (bench/urls.py). Never used outside the benchmark."""

import os

from dudao.settings import *  # noqa: F403
from dudao.settings import BASE_DIR, DATABASES, MIDDLEWARE, TEMPLATES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# Outermost, so the count includes the session, the user and the scope.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# Persistent database connections, as a production deployment sets them
# (DB_CONN_MAX_AGE); 0 would open a connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
