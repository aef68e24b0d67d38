"""Settings that come from the environment, read by a fresh interpreter so the
test sees what a deployment would."""

import json
import os
import subprocess
import sys

from django.conf import settings


def _settings_in(env: dict, expression: str):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({expression}, default=str))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DUDAO_CACHE_URL", "REDIS_URL"}}
    environment |= {"DJANGO_SETTINGS_MODULE": "dudao.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_cache_is_shared_redis_where_configured_and_local_memory_otherwise():
    assert _settings_in({}, "settings.CACHES['default']['BACKEND']").endswith("LocMemCache")
    for name in ("DUDAO_CACHE_URL", "REDIS_URL"):
        cache = _settings_in({name: "redis://127.0.0.1:6379/3"}, "settings.CACHES['default']")
        assert cache == {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
        }
