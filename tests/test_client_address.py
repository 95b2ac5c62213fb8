"""Behind the proxy, login throttling counts each client, not the proxy's one address."""

from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from familien.client_address import client_address

PROXY_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


def test_behind_the_proxy_the_last_forwarded_entry_is_the_client(settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = PROXY_ORDER
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    assert client_address(request) == "203.0.113.7"
    assert get_client_ip_address(request) == "203.0.113.7"


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert get_client_ip_address(request) == "198.51.100.4"


def test_behind_the_proxy_one_guesser_does_not_lock_out_another_client(client, settings, world):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = PROXY_ORDER
    settings.AXES_FAILURE_LIMIT = 3
    leader = world.users["leader"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(4):
        client.post(
            "/konto/log-ind/",
            {"username": leader.email, "password": "wrong guess"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **proxy,
        )
    locked = client.post(
        "/konto/log-ind/",
        {"username": leader.email, "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR="203.0.113.66",
        **proxy,
    )
    assert locked.status_code == 429
    other = client.post(
        "/konto/log-ind/",
        {"username": leader.email, "password": "correct horse battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        **proxy,
    )
    assert other.status_code == 302


def test_a_request_without_an_address_has_none(settings):
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None
