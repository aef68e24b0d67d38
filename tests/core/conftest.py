import pytest


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings, tmp_path):
    """Background jobs run synchronously inside the request that starts them
    (a thread would not see the test's uncommitted rows), and write their files
    under a temporary MEDIA_ROOT."""
    settings.DUDAO_JOBS_RUN_INLINE = True
    settings.CELERY_BROKER_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
