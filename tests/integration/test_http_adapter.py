"""The HTTP adapter of `tributary serve` (spec/hono.md §2.1-2.4, §2.6, §2.7; records §1.3; empty notifications
§1.4; demo data §4.5; reference/hono-kafka-getting-started.md) with real clients: the curl binary and `requests` as
devices, a raw socket client for pipelining and malformed requests, confluent-kafka as the application reading
hono.telemetry.<tenant> / hono.event.<tenant>.

Commands in responses (§2.5) and /command/res: test_http_commands.py. Here, an upload with `hono-ttd` is answered
by an application command as soon as its record (with the `ttd` header) is in the log, so that it does not wait
for the whole ttd.

Every expectation is the spec's. Each test starts its own hub (free ports, own data directory); nothing sleeps a
fixed time to wait for it."""
import base64
import json
import threading

import pytest
import requests

from commands_support import Background, send_command
from hub import DEADLINE, wait_for
from http_support import (DEMO_TENANT, DEVICE_CERT_SUBJECT, EMPTY_NOTIFICATION, ERROR_CONTENT_TYPE, GATEWAY, SENSOR,
                          Raw, add_device, add_tenant, assert_accepted, assert_error, assert_hono_record,
                          assert_unauthorized, basic, curl, der_b64, event_topic, http_url, https_url, make_pki,
                          now_ms, raw_request, records_up_to_marker, sensor_headers, telemetry_topic, wait_record,
                          wait_records)
from registry_support import registry


@pytest.fixture
def demo(hub_factory):
    """A hub with the demo data (§4.5): DEFAULT_TENANT (max-ttl 20), 4711/sensor1, gw-1/gw, 4712 via gw-1,
    HTTP_TENANT."""
    return hub_factory(args=["--demo"]).start()


@pytest.fixture
def reg(demo):
    return registry(demo)


@pytest.fixture
def open_hub(hub_factory):
    """The demo hub with http.authentication-required=false: unauthenticated PUT /<endpoint>/<tenant>/<device>."""
    return hub_factory(args=["--demo", "--http.authentication-required=false"]).start()


def upload(hub, path, body=b"", auth=SENSOR, headers=None, method="POST", **kwargs):
    """One request of a device with `requests` (no content type unless given in headers)."""
    return requests.request(method, http_url(hub, path), data=body, auth=auth, headers=headers or {},
                            timeout=DEADLINE, **kwargs)


def upload_answered_by_command(hub, path, body, headers, topic, device="4711"):
    """An upload with hono-ttd: once its record is in `topic`, an application sends the device a one-way command,
    which comes back in the response (200). Returns (response, record)."""
    pending = Background(lambda: upload(hub, path, body, headers=headers))
    (record,) = wait_records(hub, topic, where=lambda r: r.value == body and "ttd" in r.headers)
    send_command(hub, device, "ping", b"pong", content_type="text/plain")
    r = pending.result()
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["hono-command"] == "ping" and r.content == b"pong"
    return r, record


# ================================================================================== getting started (reference guide)


def test_getting_started_telemetry_and_event_with_curl(demo):
    """reference/hono-kafka-getting-started.md: register a tenant, a device and a password through the registry
    API, then "Publishing Telemetry Data / Events to the HTTP Adapter" with the guide's curl commands."""
    registry_ip_port = demo.addresses["registry"]
    http_adapter_ip_port = demo.addresses["http"]

    created = curl("-X", "POST", "-H", "content-type: application/json", f"http://{registry_ip_port}/v1/tenants",
                   "--data-binary", '{\n  "ext": {\n    "messaging-type": "kafka"\n  }\n}')
    assert created.status == 201, created.body
    my_tenant = json.loads(created.body)["id"]
    created = curl("-X", "POST", f"http://{registry_ip_port}/v1/devices/{my_tenant}")
    assert created.status == 201, created.body
    my_device = json.loads(created.body)["id"]
    my_pwd = "my-pwd"
    put = curl("-X", "PUT", "-H", "content-type: application/json", "--data-binary",
               '[{\n  "type": "hashed-password",\n  "auth-id": "' + my_device + '",\n  "secrets": [{\n'
               '      "pwd-plain": "' + my_pwd + '"\n  }]\n}]',
               f"http://{registry_ip_port}/v1/credentials/{my_tenant}/{my_device}")
    assert put.status == 204, put.body

    before = now_ms()
    telemetry = curl("-u", f"{my_device}@{my_tenant}:{my_pwd}", "-H", "Content-Type: application/json",
                     "--data-binary", '{"temp": 5}', f"http://{http_adapter_ip_port}/telemetry")
    assert telemetry.status == 202, telemetry.body
    assert telemetry.headers.get("content-length") == "0"
    assert telemetry.body == ""
    event = curl("-u", f"{my_device}@{my_tenant}:{my_pwd}", "-H", "Content-Type: application/json",
                 "--data-binary", '{"alarm": "fire"}', f"http://{http_adapter_ip_port}/event")
    assert event.status == 202, event.body
    assert event.headers.get("content-length") == "0"

    (t,) = wait_records(demo, telemetry_topic(my_tenant))
    assert_hono_record(t, topic=telemetry_topic(my_tenant), device=my_device, payload=b'{"temp": 5}',
                       before_ms=before,
                       headers={"content-type": "application/json", "device_id": my_device, "qos": "0",
                                "orig_adapter": "hono-http", "orig_address": "/telemetry"})
    (e,) = wait_records(demo, event_topic(my_tenant))
    # The new tenant has no max-ttl and the device no ttl default: no ttl header.
    assert_hono_record(e, topic=event_topic(my_tenant), device=my_device, payload=b'{"alarm": "fire"}',
                       before_ms=before,
                       headers={"content-type": "application/json", "device_id": my_device, "qos": "1",
                                "orig_adapter": "hono-http", "orig_address": "/event"})


# ================================================================================== 401 (§2.1, §2.4)


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_wrong_password_is_401(demo, endpoint):
    assert_unauthorized(upload(demo, endpoint, b"x", auth=("sensor1@DEFAULT_TENANT", "wrong"),
                               headers={"Content-Type": "text/plain"}))


def test_unknown_tenant_in_the_username_is_401(demo):
    assert_unauthorized(upload(demo, "/telemetry", b"x", auth=("sensor1@NO_SUCH_TENANT", "hono-secret"),
                               headers={"Content-Type": "text/plain"}))


def test_unknown_auth_id_is_401(demo):
    assert_unauthorized(upload(demo, "/telemetry", b"x", auth=("nobody@DEFAULT_TENANT", "hono-secret"),
                               headers={"Content-Type": "text/plain"}))


def test_username_without_tenant_is_401(demo):
    assert_unauthorized(upload(demo, "/telemetry", b"x", auth=("sensor1", "hono-secret"),
                               headers={"Content-Type": "text/plain"}))


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_no_credentials_is_401(demo, endpoint):
    assert_unauthorized(upload(demo, endpoint, b"x", auth=None, headers={"Content-Type": "text/plain"}))


def test_unauthenticated_put_is_401_when_authentication_is_required(demo):
    assert_unauthorized(upload(demo, "/telemetry/DEFAULT_TENANT/4711", b"x", auth=None, method="PUT",
                               headers={"Content-Type": "text/plain"}))


@pytest.mark.parametrize("authorization", [
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"sensor1@DEFAULT_TENANT").decode(),  # no colon, no password
    "Bearer not-a-jwt",
    "Digest username=sensor1",
], ids=["bad-base64", "no-password", "bearer-garbage", "digest"])
def test_malformed_authorization_is_401(demo, authorization):
    assert_unauthorized(upload(demo, "/telemetry", b"x", auth=None,
                               headers={"Content-Type": "text/plain", "Authorization": authorization}))


def test_disabled_credentials_are_401(reg, demo):
    reg.create_device(DEMO_TENANT, "cred-off", {})
    reg.put_credentials(DEMO_TENANT, "cred-off", [{"type": "hashed-password", "auth-id": "cred-off", "enabled": False,
                                                   "secrets": [{"pwd-plain": "pw"}]}])
    assert_unauthorized(upload(demo, "/telemetry", b"x", auth=("cred-off@DEFAULT_TENANT", "pw"),
                               headers={"Content-Type": "text/plain"}))


def test_a_refused_upload_stores_nothing(demo):
    upload(demo, "/telemetry", b"refused", auth=("sensor1@DEFAULT_TENANT", "wrong"),
           headers={"Content-Type": "text/plain"})
    assert_accepted(upload(demo, "/telemetry", b"marker-401", headers={"Content-Type": "text/plain", "QoS-Level": "1"}))
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-401", "4711")
    assert [r.value for r in stored] == [b"marker-401"]


# ================================================================================== 403 / 404 (§2.4, §4.2, §4.3)


@pytest.mark.parametrize("adapters", [
    [{"type": "hono-http", "enabled": False}],
    [{"type": "hono-http"}],  # enabled defaults to false for a listed adapter
    [{"type": "hono-mqtt", "enabled": True}],  # hono-http not listed: disabled
], ids=["disabled", "listed-without-enabled", "not-listed"])
def test_adapter_disabled_for_the_tenant_is_403(reg, demo, adapters):
    add_tenant(reg, "no-http", {"adapters": adapters})
    user = add_device(reg, "no-http", "d1", "d1", "pw")
    assert_error(upload(demo, "/telemetry", b"x", auth=(user, "pw"), headers={"Content-Type": "text/plain"}), 403,
                 message="adapter is disabled")


def test_demo_http_tenant_has_the_http_adapter_enabled(reg, demo):
    user = add_device(reg, "HTTP_TENANT", "http-device", "http-auth", "pw")
    assert_accepted(upload(demo, "/telemetry", b"http tenant", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain"}))
    r = wait_record(demo, telemetry_topic("HTTP_TENANT"), b"http tenant")
    assert r.key == "http-device" and r.headers["device_id"] == "http-device"


def test_tenant_disabled_is_403(reg, demo):
    add_tenant(reg, "off", {"enabled": False})
    user = add_device(reg, "off", "d1", "d1", "pw")
    assert_error(upload(demo, "/telemetry", b"x", auth=(user, "pw"), headers={"Content-Type": "text/plain"}), 403,
                 message="tenant is disabled or not registered")


def test_device_disabled_is_404(reg, demo):
    user = add_device(reg, DEMO_TENANT, "dev-off", "dev-off", "pw", {"enabled": False})
    assert_error(upload(demo, "/telemetry", b"x", auth=(user, "pw"), headers={"Content-Type": "text/plain"}), 404,
                 message="device is disabled or not registered")


def test_gateway_for_a_disabled_device_is_404(reg, demo):
    reg.create_device(DEMO_TENANT, "dev-off", {"enabled": False, "via": ["gw-1"]})
    assert_error(upload(demo, "/telemetry//dev-off", b"x", auth=GATEWAY, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404, message="device is disabled or not registered")


def test_gateway_for_an_unknown_device_is_404(demo):
    assert_error(upload(demo, "/telemetry//no-such-device", b"x", auth=GATEWAY, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404, message="device is disabled or not registered")


def test_gateway_not_in_the_via_of_the_device_is_403(demo):
    assert_error(upload(demo, "/telemetry//4711", b"x", auth=GATEWAY, method="PUT",
                        headers={"Content-Type": "text/plain"}), 403)


def test_device_is_not_a_gateway_for_another_device(demo):
    assert_error(upload(demo, "/telemetry//4712", b"x", auth=SENSOR, method="PUT",
                        headers={"Content-Type": "text/plain"}), 403)


def test_disabled_gateway_is_403(reg, demo):
    add_device(reg, DEMO_TENANT, "gw-off", "gw-off", "pw", {"enabled": False})
    reg.create_device(DEMO_TENANT, "behind-off", {"via": ["gw-off"]})
    assert_error(upload(demo, "/telemetry//behind-off", b"x", auth=("gw-off@DEFAULT_TENANT", "pw"), method="PUT",
                        headers={"Content-Type": "text/plain"}), 403)


@pytest.mark.parametrize("endpoint", ["telemetry", "event"])
def test_gateway_put_to_another_tenant_is_403(demo, endpoint):
    assert_error(upload(demo, f"/{endpoint}/HTTP_TENANT/4712", b"x", auth=GATEWAY, method="PUT",
                        headers={"Content-Type": "text/plain"}), 403,
                 contains="not authorized to upload data for device from other tenant")


# ================================================================================== 400 (§2.3, §1.4)


def test_event_with_qos_level_0_is_400(demo):
    assert_error(upload(demo, "/event", b"x", headers={"Content-Type": "text/plain", "QoS-Level": "0"}), 400)


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
@pytest.mark.parametrize("value", ["2", "-1", "abc"])
def test_unsupported_qos_level_is_400(demo, endpoint, value):
    body = assert_error(upload(demo, endpoint, b"x", headers={"Content-Type": "text/plain", "QoS-Level": value}), 400)
    if endpoint == "/telemetry":
        assert "unsupported QoS-Level header value" in body["error"], body


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_empty_body_without_content_type_is_400(demo, endpoint):
    r = upload(demo, endpoint, b"")
    assert r.request.headers.get("content-length") == "0" and "content-type" not in r.request.headers
    assert_error(r, 400)


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_empty_notification_content_type_with_a_body_is_400(demo, endpoint):
    assert_error(upload(demo, endpoint, b"not empty", headers={"Content-Type": EMPTY_NOTIFICATION}), 400,
                 contains="does not match payload")


def test_a_400_stores_nothing(demo):
    upload(demo, "/telemetry", b"bad qos", headers={"Content-Type": "text/plain", "QoS-Level": "2"})
    upload(demo, "/telemetry", b"not empty", headers={"Content-Type": EMPTY_NOTIFICATION})
    assert_accepted(upload(demo, "/telemetry", b"marker-400", headers={"Content-Type": "text/plain", "QoS-Level": "1"}))
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-400", "4711")
    assert [r.value for r in stored] == [b"marker-400"]


def test_empty_content_type_header_is_no_content_type(demo):
    """`Content-Type:` with an empty value gives no content type: an empty body is refused (400), a body gets the
    device's default content type (never an empty content-type header on the record)."""
    auth = ("Authorization", basic(*SENSOR))
    with Raw(demo) as c:
        c.send(raw_request("POST", "/telemetry", [auth, ("Content-Type", ""), ("Content-Length", "0")]))
        status, headers, body = c.read_response()
        assert status == 400, body
        assert headers.get("content-type") == ERROR_CONTENT_TYPE
    with Raw(demo) as c:
        c.send(raw_request("POST", "/telemetry", [auth, ("Content-Type", ""), ("Content-Length", "13")],
                           b"empty ct body"))
        assert c.read_response()[0] == 202
    assert wait_record(demo, telemetry_topic(), b"empty ct body").headers["content-type"] == "application/vnd.bumlux"


# ================================================================================== empty notifications (§1.4)


def test_empty_notification_event_is_202_with_an_empty_record(demo):
    before = now_ms()
    _, r = upload_answered_by_command(demo, "/event", b"", {"Content-Type": EMPTY_NOTIFICATION, "hono-ttd": "30"},
                                      event_topic())
    assert r.value == b""  # null or empty
    assert_hono_record(r, topic=event_topic(), device="4711", payload=b"", before_ms=before,
                       headers=sensor_headers("/event", 1, ttl="20000", ttd="30",
                                              **{"content-type": EMPTY_NOTIFICATION}))


def test_empty_notification_telemetry_is_202(demo):
    assert_accepted(upload(demo, "/telemetry", b"", headers={"Content-Type": EMPTY_NOTIFICATION}))
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.headers.get("content-type") == EMPTY_NOTIFICATION)
    assert r.value == b"" and r.key == "4711"


def test_empty_body_with_another_content_type_is_forwarded(demo):
    before = now_ms()
    assert_accepted(upload(demo, "/event", b"", headers={"Content-Type": "text/x-empty-test"}))
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.headers.get("content-type") == "text/x-empty-test")
    assert_hono_record(r, topic=event_topic(), device="4711", payload=b"", before_ms=before,
                       headers=sensor_headers("/event", 1, ttl="20000", **{"content-type": "text/x-empty-test"}))


# ================================================================================== 413 (§2.3)


def test_body_of_2048_bytes_is_accepted(demo):
    body = b"a" * 2048
    assert_accepted(upload(demo, "/telemetry", body, headers={"Content-Type": "text/plain"}))
    assert wait_record(demo, telemetry_topic(), body).key == "4711"


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_body_over_2048_bytes_is_413(demo, endpoint):
    assert_error(upload(demo, endpoint, b"a" * 2049, headers={"Content-Type": "text/plain"}), 413)


def test_chunked_body_over_2048_bytes_is_413(demo):
    def chunks():
        for _ in range(5):
            yield b"b" * 1000

    r = upload(demo, "/telemetry", chunks(), headers={"Content-Type": "text/plain"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert_error(r, 413)


def test_configured_max_payload_bytes(hub_factory):
    h = hub_factory(args=["--demo", "--http.max-payload-bytes=100"]).start()
    assert_error(upload(h, "/telemetry", b"c" * 101, headers={"Content-Type": "text/plain"}), 413)
    assert_accepted(upload(h, "/telemetry", b"c" * 100, headers={"Content-Type": "text/plain"}))
    assert wait_record(h, telemetry_topic(), b"c" * 100).key == "4711"


# ================================================================================== 429 (§2.4, §6.1)


def test_data_volume_limit_exceeded_is_429(reg, demo):
    add_tenant(reg, "metered", {"resource-limits": {"data-volume": {
        "effective-since": "2020-01-01T00:00:00Z", "max-bytes": 10, "period": {"mode": "days", "no-of-days": 30}}}})
    user = add_device(reg, "metered", "d1", "d1", "pw")
    assert_accepted(upload(demo, "/telemetry", b"12345", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain", "QoS-Level": "1"}))
    assert_error(upload(demo, "/telemetry", b"x" * 20, auth=(user, "pw"), headers={"Content-Type": "text/plain"}), 429)
    assert_error(upload(demo, "/event", b"x" * 20, auth=(user, "pw"), headers={"Content-Type": "text/plain"}), 429)


# ================================================================================== 404 (§2.2)


@pytest.mark.parametrize("path", ["/telemetry/DEFAULT_TENANT", "/telemetry/DEFAULT_TENANT/", "/event/DEFAULT_TENANT"])
def test_put_without_device_is_404(demo, path):
    assert_error(upload(demo, path, b"x", auth=GATEWAY, method="PUT", headers={"Content-Type": "text/plain"}), 404,
                 contains="request URI must contain device ID")


@pytest.mark.parametrize("method,path", [("POST", "/foo"), ("POST", "/telemetryx"), ("GET", "/"), ("POST", "/command"),
                                         ("PUT", "/foo/DEFAULT_TENANT/4711")])
def test_unknown_path_is_404(demo, method, path):
    r = upload(demo, path, b"x", method=method, headers={"Content-Type": "text/plain"})
    assert r.status_code == 404, (r.status_code, r.text)


# ================================================================================== record headers (§1.3, §2.6)


def test_telemetry_record_headers(demo):
    before = now_ms()
    assert_accepted(upload(demo, "/telemetry", b'{"temp": 1}', headers={"Content-Type": "application/json"}))
    r = wait_record(demo, telemetry_topic(), b'{"temp": 1}')
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b'{"temp": 1}', before_ms=before,
                       headers=sensor_headers("/telemetry", 0, **{"content-type": "application/json"}))


def test_telemetry_qos_level_1(demo):
    before = now_ms()
    assert_accepted(upload(demo, "/telemetry", b"qos1", headers={"Content-Type": "text/plain", "QoS-Level": "1"}))
    r = wait_record(demo, telemetry_topic(), b"qos1")
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b"qos1", before_ms=before,
                       headers=sensor_headers("/telemetry", 1, **{"content-type": "text/plain"}))


def test_telemetry_qos_level_0_header(demo):
    assert_accepted(upload(demo, "/telemetry", b"qos0", headers={"Content-Type": "text/plain", "qos-level": "0"}))
    assert wait_record(demo, telemetry_topic(), b"qos0").headers["qos"] == "0"


@pytest.mark.parametrize("qos_header", [None, "1"])
def test_event_record_has_qos_1_and_the_tenant_max_ttl(demo, qos_header):
    before = now_ms()
    headers = {"Content-Type": "text/plain"}
    if qos_header:
        headers["QoS-Level"] = qos_header
    payload = f"event qos {qos_header}".encode()
    assert_accepted(upload(demo, "/event", payload, headers=headers))
    r = wait_record(demo, event_topic(), payload)
    assert_hono_record(r, topic=event_topic(), device="4711", payload=payload, before_ms=before,
                       headers=sensor_headers("/event", 1, ttl="20000", **{"content-type": "text/plain"}))


def test_device_default_content_type_when_the_request_has_none(demo):
    before = now_ms()
    r = upload(demo, "/telemetry", b"no type")
    assert "content-type" not in r.request.headers
    assert_accepted(r)
    rec = wait_record(demo, telemetry_topic(), b"no type")
    assert_hono_record(rec, topic=telemetry_topic(), device="4711", payload=b"no type", before_ms=before,
                       headers=sensor_headers("/telemetry", 0))


def test_octet_stream_without_content_type_or_default(reg, demo):
    add_tenant(reg, "plain")
    user = add_device(reg, "plain", "p1", "p1", "pw")
    before = now_ms()
    assert_accepted(upload(demo, "/telemetry", b"raw bytes", auth=(user, "pw")))
    assert_accepted(upload(demo, "/event", b"raw event", auth=(user, "pw")))
    (t,) = wait_records(demo, telemetry_topic("plain"))
    assert_hono_record(t, topic=telemetry_topic("plain"), device="p1", payload=b"raw bytes", before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "p1", "qos": "0",
                                "orig_adapter": "hono-http", "orig_address": "/telemetry"})
    (e,) = wait_records(demo, event_topic("plain"))
    # No max-ttl and no ttl default: no ttl header.
    assert_hono_record(e, topic=event_topic("plain"), device="p1", payload=b"raw event", before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "p1", "qos": "1",
                                "orig_adapter": "hono-http", "orig_address": "/event"})


def test_content_type_with_parameters_is_forwarded_as_is(demo):
    assert_accepted(upload(demo, "/telemetry", b"params", headers={"Content-Type": "text/plain; charset=ISO-8859-1"}))
    assert wait_record(demo, telemetry_topic(), b"params").headers["content-type"] == "text/plain; charset=ISO-8859-1"


def test_event_hono_ttl_without_a_max_ttl(reg, demo):
    add_tenant(reg, "plain")
    user = add_device(reg, "plain", "p1", "p1", "pw")
    assert_accepted(upload(demo, "/event", b"ttl 100", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain", "hono-ttl": "100"}))
    assert wait_record(demo, event_topic("plain"), b"ttl 100").headers["ttl"] == "100000"


def test_orig_address_is_the_request_uri_with_its_query(demo):
    path = "/telemetry?foo=bar&x=%2Fy"
    assert_accepted(upload(demo, path, b"with query", headers={"Content-Type": "text/plain"}))
    assert wait_record(demo, telemetry_topic(), b"with query").headers["orig_address"] == path


@pytest.mark.parametrize("header,query,ttl", [
    ("10", None, "10000"),
    (None, "10", "10000"),
    ("30", None, "20000"),  # capped by the tenant's max-ttl 20
    ("abc", None, "20000"),  # not an integer: ignored
], ids=["header", "query", "capped-by-max-ttl", "not-an-integer"])
def test_event_hono_ttl(demo, header, query, ttl):
    before = now_ms()
    path = "/event" + (f"?hono-ttl={query}" if query else "")
    headers = {"Content-Type": "text/plain"}
    if header:
        headers["hono-ttl"] = header
    payload = f"ttl {header} {query}".encode()
    assert_accepted(upload(demo, path, payload, headers=headers))
    r = wait_record(demo, event_topic(), payload)
    assert_hono_record(r, topic=event_topic(), device="4711", payload=payload, before_ms=before,
                       headers=sensor_headers(path, 1, ttl=ttl, **{"content-type": "text/plain"}))


def test_telemetry_ignores_hono_ttl_and_the_event_max_ttl(demo):
    # hono-ttl is read for events only; max-ttl limits events; the telemetry limits and defaults are unset.
    assert_accepted(upload(demo, "/telemetry?hono-ttl=10", b"no ttl q", headers={"Content-Type": "text/plain"}))
    assert_accepted(upload(demo, "/telemetry", b"no ttl h", headers={"Content-Type": "text/plain", "hono-ttl": "10",
                                                                     "QoS-Level": "1"}))
    for payload in (b"no ttl q", b"no ttl h"):
        assert "ttl" not in wait_record(demo, telemetry_topic(), payload).headers


def test_device_default_ttl(reg, demo):
    """A device `ttl` default (seconds) is the ttl (ms) of its events and telemetry; hono-ttl beats it on events."""
    user = add_device(reg, DEMO_TENANT, "ttl-dev", "ttl-dev", "pw", {"defaults": {"ttl": 15}})
    assert_accepted(upload(demo, "/event", b"default ttl", auth=(user, "pw"), headers={"Content-Type": "text/plain"}))
    assert_accepted(upload(demo, "/event", b"own ttl", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain", "hono-ttl": "5"}))
    assert_accepted(upload(demo, "/telemetry", b"telemetry ttl", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain"}))
    assert wait_record(demo, event_topic(), b"default ttl").headers["ttl"] == "15000"
    assert wait_record(demo, event_topic(), b"own ttl").headers["ttl"] == "5000"
    telemetry = wait_record(demo, telemetry_topic(), b"telemetry ttl")
    assert telemetry.headers["ttl"] == "15000"
    assert "ttl-telemetry-qos0" not in telemetry.headers


def test_tenant_and_device_defaults_and_telemetry_ttl_defaults(reg, demo):
    """§1.3: tenant defaults < device defaults < the request; ttl-telemetry-qos0/1 (s) are used up as the telemetry
    ttl (ms), capped by max-ttl-telemetry-qos0/1; non-string defaults are JSON."""
    add_tenant(reg, "defaults", {
        "defaults": {"content-type": "text/tenant", "origin": "tenant", "tenant-only": True,
                     "ttl-telemetry-qos0": 5, "ttl-telemetry-qos1": 7},
        "resource-limits": {"max-ttl-telemetry-qos1": 6}})
    user = add_device(reg, "defaults", "d1", "d1", "pw", {"defaults": {"origin": "device", "level": 3}})
    before = now_ms()
    assert_accepted(upload(demo, "/telemetry", b"qos0 defaults", auth=(user, "pw")))
    assert_accepted(upload(demo, "/telemetry", b"qos1 defaults", auth=(user, "pw"),
                           headers={"Content-Type": "text/own", "QoS-Level": "1"}))
    common = {"device_id": "d1", "orig_adapter": "hono-http", "orig_address": "/telemetry", "origin": "device",
              "tenant-only": "true", "level": "3"}
    (q0,) = wait_records(demo, telemetry_topic("defaults"), where=lambda r: r.value == b"qos0 defaults")
    assert_hono_record(q0, topic=telemetry_topic("defaults"), device="d1", payload=b"qos0 defaults", before_ms=before,
                       headers={**common, "content-type": "text/tenant", "qos": "0", "ttl": "5000"})
    (q1,) = wait_records(demo, telemetry_topic("defaults"), where=lambda r: r.value == b"qos1 defaults")
    assert_hono_record(q1, topic=telemetry_topic("defaults"), device="d1", payload=b"qos1 defaults", before_ms=before,
                       headers={**common, "content-type": "text/own", "qos": "1", "ttl": "6000"})


@pytest.mark.parametrize("header,query,ttd", [
    ("10", None, "10"),
    (None, "10", "10"),
    ("100", None, "60"),  # capped by the default max-ttd 60
    ("-1", None, None),  # <= 0: no ttd
    ("0", None, None),
    ("abc", None, None),  # not an integer: ignored
    ("1.5", None, None),
    (None, "abc", None),
], ids=["header", "query", "capped-at-60", "minus-1", "zero", "not-a-number", "fraction", "query-not-a-number"])
def test_telemetry_hono_ttd(demo, header, query, ttd):
    before = now_ms()
    path = "/telemetry" + (f"?hono-ttd={query}" if query else "")
    headers = {"Content-Type": "text/plain"}
    if header:
        headers["hono-ttd"] = header
    payload = f"ttd {header} {query}".encode()
    if ttd:
        upload_answered_by_command(demo, path, payload, headers, telemetry_topic())
    else:
        assert_accepted(upload(demo, path, payload, headers=headers))
    r = wait_record(demo, telemetry_topic(), payload)
    extra = {"ttd": ttd} if ttd else {}
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=payload, before_ms=before,
                       headers=sensor_headers(path, 0, **extra, **{"content-type": "text/plain"}))


def test_event_hono_ttd(demo):
    _, r = upload_answered_by_command(demo, "/event", b"event ttd", {"Content-Type": "text/plain", "hono-ttd": "15"},
                                      event_topic())
    assert r.headers["ttd"] == "15" and r.headers["ttl"] == "20000" and r.headers["qos"] == "1"


def test_hono_ttd_capped_by_the_tenant_max_ttd(reg, demo):
    add_tenant(reg, "ttd", {"adapters": [{"type": "hono-http", "enabled": True, "ext": {"max-ttd": 20}},
                                         {"type": "hono-mqtt", "enabled": True, "ext": {"max-ttd": 5}}]})
    user = add_device(reg, "ttd", "d1", "d1", "pw")
    assert_accepted(upload(demo, "/telemetry", b"ttd 30", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain", "hono-ttd": "30"}))
    assert_accepted(upload(demo, "/telemetry", b"ttd 10", auth=(user, "pw"),
                           headers={"Content-Type": "text/plain", "hono-ttd": "10"}))
    assert wait_record(demo, telemetry_topic("ttd"), b"ttd 30").headers["ttd"] == "20"
    assert wait_record(demo, telemetry_topic("ttd"), b"ttd 10").headers["ttd"] == "10"


def test_hono_ttd_capped_at_80_percent_of_the_idle_timeout(hub_factory):
    h = hub_factory(args=["--demo", "--http.idle-timeout-ms=30000"]).start()
    assert_accepted(upload(h, "/telemetry", b"ttd 50", headers={"Content-Type": "text/plain", "hono-ttd": "50"}))
    assert wait_record(h, telemetry_topic(), b"ttd 50").headers["ttd"] == "24"


# ================================================================================== gateways (§2.2)


@pytest.mark.parametrize("path", ["/telemetry//4712", "/telemetry/DEFAULT_TENANT/4712"])
def test_gateway_uploads_telemetry_for_a_device_in_its_via(demo, path):
    before = now_ms()
    assert_accepted(upload(demo, path, path.encode(), auth=GATEWAY, method="PUT",
                           headers={"Content-Type": "text/plain"}))
    r = wait_record(demo, telemetry_topic(), path.encode())
    assert_hono_record(r, topic=telemetry_topic(), device="4712", payload=path.encode(), before_ms=before,
                       headers={"content-type": "text/plain", "device_id": "4712", "qos": "0",
                                "orig_adapter": "hono-http", "orig_address": path})


@pytest.mark.parametrize("path", ["/event//4712", "/event/DEFAULT_TENANT/4712"])
def test_gateway_uploads_events_for_a_device_in_its_via(demo, path):
    before = now_ms()
    assert_accepted(upload(demo, path, path.encode(), auth=GATEWAY, method="PUT"))
    r = wait_record(demo, event_topic(), path.encode())
    assert_hono_record(r, topic=event_topic(), device="4712", payload=path.encode(), before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "4712", "qos": "1",
                                "orig_adapter": "hono-http", "orig_address": path, "ttl": "20000"})


@pytest.mark.parametrize("path", ["/telemetry//4711", "/telemetry/DEFAULT_TENANT/4711"])
def test_authenticated_device_puts_for_itself(demo, path):
    assert_accepted(upload(demo, path, path.encode() + b" self", method="PUT", headers={"Content-Type": "text/plain"}))
    r = wait_record(demo, telemetry_topic(), path.encode() + b" self")
    assert r.key == "4711" and r.headers["device_id"] == "4711" and r.headers["orig_address"] == path


def test_gateway_posts_for_itself(demo):
    assert_accepted(upload(demo, "/telemetry", b"gateway itself", auth=GATEWAY, headers={"Content-Type": "text/plain"}))
    r = wait_record(demo, telemetry_topic(), b"gateway itself")
    assert r.key == "gw-1" and r.headers["device_id"] == "gw-1"


def test_gateway_via_groups(reg, demo):
    add_device(reg, DEMO_TENANT, "gw-2", "gw2", "pw", {"memberOf": ["group-a"]})
    reg.create_device(DEMO_TENANT, "grouped", {"viaGroups": ["group-a"]})
    assert_accepted(upload(demo, "/telemetry//grouped", b"via group", auth=("gw2@DEFAULT_TENANT", "pw"), method="PUT",
                           headers={"Content-Type": "text/plain"}))
    r = wait_record(demo, telemetry_topic(), b"via group")
    assert r.key == "grouped" and r.headers["device_id"] == "grouped"


# ================================================================================== unauthenticated (§2.1, §2.2)


@pytest.mark.parametrize("endpoint,topic,qos", [("telemetry", telemetry_topic(), "0"), ("event", event_topic(), "1")])
def test_unauthenticated_put(open_hub, endpoint, topic, qos):
    before = now_ms()
    path = f"/{endpoint}/DEFAULT_TENANT/4711"
    assert_accepted(upload(open_hub, path, b"unauthenticated " + endpoint.encode(), auth=None, method="PUT",
                           headers={"Content-Type": "text/plain"}))
    r = wait_record(open_hub, topic, b"unauthenticated " + endpoint.encode())
    extra = {"ttl": "20000"} if endpoint == "event" else {}
    assert_hono_record(r, topic=topic, device="4711", payload=b"unauthenticated " + endpoint.encode(), before_ms=before,
                       headers=sensor_headers(path, int(qos), **extra, **{"content-type": "text/plain"}))


@pytest.mark.parametrize("endpoint", ["/telemetry", "/event"])
def test_unauthenticated_post_is_401_even_when_authentication_is_not_required(open_hub, endpoint):
    assert_unauthorized(upload(open_hub, endpoint, b"x", auth=None, headers={"Content-Type": "text/plain"}))


def test_unauthenticated_put_without_tenant_is_404(open_hub):
    assert_error(upload(open_hub, "/telemetry//4711", b"x", auth=None, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404)


def test_unauthenticated_put_for_an_unknown_tenant_is_404(open_hub):
    assert_error(upload(open_hub, "/telemetry/NO_SUCH_TENANT/4711", b"x", auth=None, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404, message="tenant is disabled or not registered")


def test_unauthenticated_put_for_a_disabled_device_is_404(open_hub):
    registry(open_hub).create_device(DEMO_TENANT, "dev-off", {"enabled": False})
    assert_error(upload(open_hub, "/telemetry/DEFAULT_TENANT/dev-off", b"x", auth=None, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404, message="device is disabled or not registered")


def test_unauthenticated_put_for_a_disabled_tenant_is_403(open_hub):
    reg = registry(open_hub)
    add_tenant(reg, "off", {"enabled": False})
    reg.create_device("off", "d1", {})
    assert_error(upload(open_hub, "/telemetry/off/d1", b"x", auth=None, method="PUT",
                        headers={"Content-Type": "text/plain"}), 403, message="tenant is disabled or not registered")


def test_unauthenticated_put_for_an_unknown_device_is_404(open_hub):
    assert_error(upload(open_hub, "/telemetry/DEFAULT_TENANT/no-such-device", b"x", auth=None, method="PUT",
                        headers={"Content-Type": "text/plain"}), 404, message="device is disabled or not registered")


def test_authenticated_gateway_still_works_when_authentication_is_not_required(open_hub):
    assert_accepted(upload(open_hub, "/telemetry//4712", b"gw open", auth=GATEWAY, method="PUT",
                           headers={"Content-Type": "text/plain"}))
    assert wait_record(open_hub, telemetry_topic(), b"gw open").key == "4712"


# ================================================================================== CORS (§2.7)


def preflight(hub, path, method="POST", request_headers="authorization, content-type"):
    r = requests.options(http_url(hub, path), timeout=DEADLINE,
                         headers={"Origin": "http://app.example", "Access-Control-Request-Method": method,
                                  "Access-Control-Request-Headers": request_headers})
    assert r.status_code in (200, 204), (r.status_code, r.text)
    return r


def tokens(value):
    return {t.strip().lower() for t in (value or "").split(",") if t.strip()}


def test_cors_preflight_for_telemetry(demo):
    r = preflight(demo, "/telemetry", request_headers="qos-level, hono-ttd, authorization, content-type")
    assert r.headers.get("access-control-allow-origin") == "*"
    assert {"post", "put"} <= tokens(r.headers.get("access-control-allow-methods"))
    allowed = tokens(r.headers.get("access-control-allow-headers"))
    assert {"qos-level", "hono-ttd", "authorization", "content-type"} <= allowed
    assert {"hono-command", "hono-cmd-req-id"} <= tokens(r.headers.get("access-control-expose-headers"))


def test_cors_preflight_for_event_has_no_qos_level(demo):
    r = preflight(demo, "/event", request_headers="hono-ttd, authorization, content-type")
    assert r.headers.get("access-control-allow-origin") == "*"
    assert {"post", "put"} <= tokens(r.headers.get("access-control-allow-methods"))
    allowed = tokens(r.headers.get("access-control-allow-headers"))
    assert {"hono-ttd", "authorization", "content-type"} <= allowed
    assert "qos-level" not in allowed
    assert {"hono-command", "hono-cmd-req-id"} <= tokens(r.headers.get("access-control-expose-headers"))


@pytest.mark.parametrize("path", ["/telemetry/DEFAULT_TENANT/4711", "/event//4712"])
def test_cors_preflight_for_put_uris(demo, path):
    r = preflight(demo, path, method="PUT")
    assert r.headers.get("access-control-allow-origin") == "*"
    assert "put" in tokens(r.headers.get("access-control-allow-methods"))


def test_cors_preflight_for_command_responses(demo):
    r = preflight(demo, "/command/res/x", request_headers="hono-cmd-status, authorization, content-type")
    assert r.headers.get("access-control-allow-origin") == "*"
    assert {"hono-cmd-status", "authorization", "content-type"} <= tokens(r.headers.get("access-control-allow-headers"))


def test_cors_allow_origin_on_normal_responses(demo):
    origin = {"Origin": "http://app.example"}
    accepted = upload(demo, "/telemetry", b"cors", headers={"Content-Type": "text/plain", **origin})
    assert_accepted(accepted)
    assert accepted.headers.get("access-control-allow-origin") == "*"
    refused = upload(demo, "/telemetry", b"cors", auth=None, headers={"Content-Type": "text/plain", **origin})
    assert_unauthorized(refused)
    assert refused.headers.get("access-control-allow-origin") == "*"
    bad = upload(demo, "/event", b"cors", headers={"Content-Type": "text/plain", "QoS-Level": "0", **origin})
    assert_error(bad, 400)
    assert bad.headers.get("access-control-allow-origin") == "*"


def test_configured_cors_allowed_origin(hub_factory):
    h = hub_factory(args=["--demo", "--http.cors-allowed-origin=https://app.example"]).start()
    assert preflight(h, "/telemetry").headers.get("access-control-allow-origin") == "https://app.example"
    r = upload(h, "/telemetry", b"origin", headers={"Content-Type": "text/plain", "Origin": "https://app.example"})
    assert_accepted(r)
    assert r.headers.get("access-control-allow-origin") == "https://app.example"


# ================================================================================== HTTPS (§2.1)


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki")


@pytest.fixture
def tls_hub(hub_factory, pki):
    return hub_factory(args=["--demo", f"--tls.cert-file={pki / 'server.pem'}",
                             f"--tls.key-file={pki / 'server.key'}"]).start()


def register_cert_tenant(hub, pki):
    reg = registry(hub)
    add_tenant(reg, "certs", {"trusted-ca": [{"cert": der_b64(pki, "tenant-ca")}]})
    reg.create_device("certs", "dev1", {})
    reg.put_credentials("certs", "dev1", [{"type": "x509-cert", "auth-id": DEVICE_CERT_SUBJECT, "secrets": [{}]}])


def test_https_client_certificate(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    before = now_ms()
    r = requests.post(https_url(tls_hub, "/telemetry"), data=b"from-cert", headers={"Content-Type": "text/plain"},
                      cert=(str(pki / "device.pem"), str(pki / "device.key")), verify=str(pki / "server-ca.pem"),
                      timeout=DEADLINE)
    assert_accepted(r)
    (rec,) = wait_records(tls_hub, telemetry_topic("certs"))
    assert_hono_record(rec, topic=telemetry_topic("certs"), device="dev1", payload=b"from-cert", before_ms=before,
                       headers={"content-type": "text/plain", "device_id": "dev1", "qos": "0",
                                "orig_adapter": "hono-http", "orig_address": "/telemetry"})


def test_https_client_certificate_event_with_curl(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    answer = curl("--cacert", str(pki / "server-ca.pem"), "--cert", str(pki / "device.pem"), "--key",
                  str(pki / "device.key"), "-H", "Content-Type: application/json", "--data-binary", '{"alarm": "tls"}',
                  https_url(tls_hub, "/event"))
    assert answer.status == 202, answer.body
    (rec,) = wait_records(tls_hub, event_topic("certs"))
    assert rec.key == "dev1" and rec.value == b'{"alarm": "tls"}' and rec.headers["qos"] == "1"


def test_https_client_certificate_is_tried_before_basic(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    r = requests.post(https_url(tls_hub, "/telemetry"), data=b"cert first", headers={"Content-Type": "text/plain"},
                      auth=("sensor1@DEFAULT_TENANT", "wrong"),
                      cert=(str(pki / "device.pem"), str(pki / "device.key")), verify=str(pki / "server-ca.pem"),
                      timeout=DEADLINE)
    assert_accepted(r)
    assert wait_record(tls_hub, telemetry_topic("certs"), b"cert first").key == "dev1"


def test_https_untrusted_client_certificate_is_401(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    r = requests.post(https_url(tls_hub, "/telemetry"), data=b"stranger", headers={"Content-Type": "text/plain"},
                      cert=(str(pki / "stranger.pem"), str(pki / "stranger.key")), verify=str(pki / "server-ca.pem"),
                      timeout=DEADLINE)
    assert_unauthorized(r)


def test_https_basic_authentication(tls_hub, pki):
    before = now_ms()
    r = requests.post(https_url(tls_hub, "/telemetry"), data=b"basic over tls", auth=SENSOR,
                      headers={"Content-Type": "text/plain"}, verify=str(pki / "server-ca.pem"), timeout=DEADLINE)
    assert_accepted(r)
    rec = wait_record(tls_hub, telemetry_topic(), b"basic over tls")
    assert_hono_record(rec, topic=telemetry_topic(), device="4711", payload=b"basic over tls", before_ms=before,
                       headers=sensor_headers("/telemetry", 0, **{"content-type": "text/plain"}))


def test_https_basic_authentication_with_curl(tls_hub, pki):
    user, password = SENSOR
    answer = curl("--cacert", str(pki / "server-ca.pem"), "-u", f"{user}:{password}", "-H",
                  "Content-Type: application/json", "--data-binary", '{"temp": 7}', https_url(tls_hub, "/telemetry"))
    assert answer.status == 202, answer.body
    assert wait_record(tls_hub, telemetry_topic(), b'{"temp": 7}').key == "4711"


def test_https_wrong_password_is_401(tls_hub, pki):
    r = requests.post(https_url(tls_hub, "/telemetry"), data=b"x", auth=("sensor1@DEFAULT_TENANT", "wrong"),
                      headers={"Content-Type": "text/plain"}, verify=str(pki / "server-ca.pem"), timeout=DEADLINE)
    assert_unauthorized(r)


def test_no_https_listener_without_a_certificate(demo):
    assert "http" in demo.addresses
    assert "http-tls" not in demo.addresses


# ================================================================================== keep-alive and pipelining


def test_keep_alive_100_requests_on_one_connection(demo):
    url = http_url(demo, "/telemetry")
    with requests.Session() as s:
        s.auth = SENSOR
        for i in range(100):
            r = s.post(url, data=f"ka-{i:03d}".encode(), headers={"Content-Type": "text/plain"}, timeout=DEADLINE)
            assert_accepted(r)
            assert r.headers.get("connection", "").lower() != "close"
        pool = s.get_adapter(url).poolmanager.connection_from_url(url)
        assert pool.num_requests == 100
        assert pool.num_connections == 1, f"{pool.num_connections} TCP connections for 100 requests"
    records = wait_records(demo, telemetry_topic(), 100, where=lambda r: r.value.startswith(b"ka-"))
    assert [r.value for r in records] == [f"ka-{i:03d}".encode() for i in range(100)]


def test_100_pipelined_requests_are_answered_in_order(demo):
    auth = ("Authorization", basic(*SENSOR))
    requests_ = []
    expected = []
    for i in range(100):
        if i % 10 == 9:  # every tenth one is refused by the adapter and must still be answered in its place
            requests_.append(raw_request("POST", "/telemetry", [auth, ("Content-Type", "text/plain"),
                                                               ("QoS-Level", "2"), ("Content-Length", "3")], b"bad"))
            expected.append(400)
        else:
            body = f"pipe-{i:03d}".encode()
            requests_.append(raw_request("POST", "/telemetry", [auth, ("Content-Type", "text/plain"),
                                                               ("Content-Length", str(len(body)))], body))
            expected.append(202)
    with Raw(demo) as c:
        c.send(b"".join(requests_))
        statuses = [c.read_response()[0] for _ in range(100)]
    assert statuses == expected
    accepted = [f"pipe-{i:03d}".encode() for i in range(100) if i % 10 != 9]
    records = wait_records(demo, telemetry_topic(), len(accepted), where=lambda r: r.value.startswith(b"pipe-"))
    assert [r.value for r in records] == accepted


# ================================================================================== malformed and slow requests


def test_bad_chunked_encoding_is_400_and_closes(demo):
    with Raw(demo) as c:
        c.send(raw_request("POST", "/telemetry", [("Authorization", basic(*SENSOR)), ("Content-Type", "text/plain"),
                                                  ("Transfer-Encoding", "chunked")], b"zz\r\nhello\r\n0\r\n\r\n"))
        status, _, _ = c.read_response()
        assert status == 400
        assert c.closed_by_peer()
    assert_accepted(upload(demo, "/telemetry", b"after chunked", headers={"Content-Type": "text/plain"}))


def test_good_chunked_body_is_accepted(demo):
    with Raw(demo) as c:
        c.send(raw_request("POST", "/telemetry", [("Authorization", basic(*SENSOR)), ("Content-Type", "text/plain"),
                                                  ("Transfer-Encoding", "chunked")],
                           b"5\r\nhello\r\n6\r\n chunk\r\n0\r\n\r\n"))
        status, headers, body = c.read_response()
    assert status == 202 and body == b""
    assert wait_record(demo, telemetry_topic(), b"hello chunk").key == "4711"


def test_header_larger_than_the_limit_is_431(demo):
    with Raw(demo) as c:
        c.send(raw_request("POST", "/telemetry", [("Authorization", basic(*SENSOR)), ("Content-Type", "text/plain"),
                                                  ("X-Big", "x" * 16384), ("Content-Length", "1")], b"x"))
        status, _, _ = c.read_response()
        assert status == 431
        assert c.closed_by_peer()
    assert_accepted(upload(demo, "/telemetry", b"after 431", headers={"Content-Type": "text/plain"}))


@pytest.mark.parametrize("part", ["header", "body"])
def test_slowloris_does_not_stall_other_clients_and_is_closed(hub_factory, part):
    """A client that sends half a request (header, or header and part of the body) and then one byte per second:
    other devices are answered while it trickles, and the server closes the trickling connection after
    http.idle-timeout-ms (here 5 s) with 408 or without an answer."""
    h = hub_factory(args=["--demo", "--http.idle-timeout-ms=5000"]).start()
    stop = threading.Event()
    outcome = {}

    def trickle():
        with Raw(h) as c:
            try:
                start = (b"POST /telemetry HTTP/1.1\r\nHost: localhost\r\nAuthorization: " +
                         basic(*SENSOR).encode() + b"\r\n")
                c.send(start + (b"X-Slow: " if part == "header" else
                                b"Content-Type: text/plain\r\nContent-Length: 1000\r\n\r\nslow"))
                c.sock.settimeout(1.0)
                sent = 0
                while not stop.is_set() and sent < DEADLINE:
                    try:
                        chunk = c.sock.recv(65536)
                        if not chunk:
                            outcome["closed"] = True
                            break
                        c.buffer += chunk
                        continue
                    except TimeoutError:
                        pass
                    except ConnectionResetError:
                        outcome["closed"] = True
                        break
                    try:
                        c.send(b"a")  # one byte a second: the socket timeout above paces it
                        sent += 1
                    except (BrokenPipeError, ConnectionResetError):
                        outcome["closed"] = True
                        break
                outcome["sent"] = sent
            finally:
                outcome["received"] = c.buffer
                outcome["done"] = True

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    try:
        for i in range(20):
            assert_accepted(upload(h, "/telemetry", f"while trickling {i}".encode(),
                                   headers={"Content-Type": "text/plain"}))
        wait_for(lambda: outcome.get("done"), "the trickling connection to end", deadline=DEADLINE + 10)
    finally:
        stop.set()
        t.join(DEADLINE)
    assert outcome.get("closed"), f"the server did not close the trickling connection ({outcome})"
    received = outcome["received"]
    assert received == b"" or received.startswith(b"HTTP/1.1 408 "), received


def test_expect_100_continue_with_curl_on_1500_bytes(demo, tmp_path):
    """curl 7.88 only adds `Expect: 100-continue` by itself for bodies of 1 MiB and more: it is forced here, and -v
    shows that it was sent and that the adapter answered 100 Continue before the 202."""
    body = tmp_path / "body.bin"
    body.write_bytes(b"e" * 1500)
    user, password = SENSOR
    answer = curl("-v", "-u", f"{user}:{password}", "-H", "Expect: 100-continue", "-H",
                  "Content-Type: application/octet-stream", "--data-binary", f"@{body}", http_url(demo, "/telemetry"))
    assert "> Expect: 100-continue" in answer.verbose, answer.verbose
    assert answer.interim == [100], answer.verbose
    assert answer.status == 202, answer.body
    assert wait_record(demo, telemetry_topic(), b"e" * 1500).key == "4711"


def test_curl_without_expect_on_1500_bytes(demo, tmp_path):
    body = tmp_path / "body.bin"
    body.write_bytes(b"g" * 1500)
    user, password = SENSOR
    answer = curl("-u", f"{user}:{password}", "-H", "Content-Type: application/octet-stream",
                  "--data-binary", f"@{body}", http_url(demo, "/telemetry"))
    assert answer.status == 202, answer.body
    assert wait_record(demo, telemetry_topic(), b"g" * 1500).key == "4711"


def test_expect_100_continue_forced(demo):
    user, password = SENSOR
    answer = curl("-v", "-u", f"{user}:{password}", "-H", "Expect: 100-continue", "-H", "Content-Type: text/plain",
                  "--data-binary", "small with expect", http_url(demo, "/event"))
    assert answer.interim == [100], answer.verbose
    assert answer.status == 202, answer.body
    assert wait_record(demo, event_topic(), b"small with expect").headers["qos"] == "1"


def test_expect_100_continue_with_a_body_over_the_limit_is_413(demo, tmp_path):
    body = tmp_path / "big.bin"
    body.write_bytes(b"f" * 3000)
    user, password = SENSOR
    answer = curl("-u", f"{user}:{password}", "-H", "Content-Type: application/octet-stream",
                  "--data-binary", f"@{body}", http_url(demo, "/telemetry"))
    assert answer.status == 413, answer.body
    assert answer.headers.get("content-type") == ERROR_CONTENT_TYPE, answer.headers
    assert json.loads(answer.body).get("error")


# ================================================================================== durability


def test_accepted_event_survives_kill_9(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    assert_accepted(upload(first, "/event", b"durable event", headers={"Content-Type": "text/plain"}))
    assert_accepted(upload(first, "/telemetry", b"durable qos1",
                           headers={"Content-Type": "text/plain", "QoS-Level": "1"}))
    first.kill()
    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    r = wait_record(second, event_topic(), b"durable event")
    assert r.key == "4711" and r.headers["qos"] == "1" and r.headers["orig_adapter"] == "hono-http"
    assert wait_record(second, telemetry_topic(), b"durable qos1").headers["qos"] == "1"
