import pytest
from django.test import RequestFactory

from dudao.core.clientip import client_ip


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, None, "10.0.0.1"),
        (0, "1.2.3.4", "10.0.0.1"),  # no proxy: the header is the client's own word
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # anything the client prepended is ignored
        (2, "6.6.6.6, 1.2.3.4, 172.16.0.2", "1.2.3.4"),
        (2, "1.2.3.4", "10.0.0.1"),  # shorter than the proxy chain: not through every proxy
        (1, None, "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nth_address_from_the_right(settings, proxies, forwarded, expected):
    settings.DUDAO_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected
