"""Tenant resource limits (spec/hono.md §6.1; HTTP 429 §2.4, MQTT CONNACK §3.2 and error 429 §3.8): the data volume
of a period, rounded up to the tenant's minimum-message-size, checked by both adapters on every upload and by the
MQTT adapter on CONNECT (1 byte); the connection duration checked on CONNECT; the usage kept across restarts
(<data-dir>/limits/usage.json). Devices are requests and paho-mqtt; stored records are read with confluent-kafka.

The limits are set through the registry API; nothing sleeps a fixed time."""
import json
import re
import time

import pytest
import requests

import mqtt_support as mqtt
from hub import DEADLINE, wait_for
from http_support import assert_accepted, assert_error, http_url, records_up_to_marker, telemetry_topic
from registry_support import registry

TEXT = {"Content-Type": "text/plain"}
QOS1 = {"Content-Type": "text/plain", "QoS-Level": "1"}


def data_volume(max_bytes, mode=None, since="2020-01-01T00:00:00Z"):
    limit = {"effective-since": since, "max-bytes": max_bytes}
    if mode is not None:
        limit["period"] = mode
    return {"data-volume": limit}


def metered(hub, tenant, limits, minimum_message_size=None):
    """A tenant with `resource-limits` = limits and device d1 (auth-id d1, password pw); returns the username."""
    reg = registry(hub)
    body = {"resource-limits": limits}
    if minimum_message_size is not None:
        body["minimum-message-size"] = minimum_message_size
    mqtt.add_tenant(reg, tenant, body)
    return mqtt.add_device(reg, tenant, "d1", "d1", "pw")


def upload(hub, user, body, headers=TEXT, path="/telemetry"):
    return requests.post(http_url(hub, path), data=body, auth=(user, "pw"), headers=headers, timeout=DEADLINE)


def attempts(hub, tenant, outcome):
    """hono_connections_attempts_total of the MQTT adapter for tenant and outcome (0 when absent)."""
    status, _, text = hub.get("/metrics")
    assert status == 200
    total = 0.0
    for line in text.splitlines():
        if line.startswith("hono_connections_attempts_total{") and f'tenant="{tenant}"' in line \
                and f'outcome="{outcome}"' in line and 'component_name="hono-mqtt"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


# ================================================================================== HTTP (§2.4: 429)


def test_http_upload_over_the_data_volume_is_429_and_not_stored(demo):
    user = metered(demo, "metered", data_volume(10, {"mode": "days", "no-of-days": 30}))
    assert_accepted(upload(demo, user, b"12345", QOS1))
    assert_error(upload(demo, user, b"x" * 6), 429)
    assert_error(upload(demo, user, b"x" * 6, path="/event"), 429)
    # What was refused does not count: the remaining 5 bytes still go through, then nothing does.
    assert_accepted(upload(demo, user, b"67890", QOS1))
    assert_error(upload(demo, user, b"1"), 429)
    stored = records_up_to_marker(demo, telemetry_topic("metered"), b"67890", "d1")
    assert [r.value for r in stored] == [b"12345", b"67890"]


def test_http_data_volume_is_per_tenant(demo):
    user = metered(demo, "metered", data_volume(3))
    other = metered(demo, "unmetered", {})
    assert_error(upload(demo, user, b"four"), 429)
    assert_accepted(upload(demo, other, b"four" * 100, QOS1))
    # The demo tenant's own limit (1 GB per 7 days) is far away.
    assert_accepted(requests.post(http_url(demo, "/telemetry"), data=b"four", auth=mqtt.SENSOR, headers=QOS1,
                                  timeout=DEADLINE))


def test_http_minimum_message_size_rounds_the_counted_size_up(demo):
    # spec/hono.md §6.1: with minimum-message-size 4096 a 1-byte message counts 4096 bytes.
    user = metered(demo, "rounded", data_volume(8192), minimum_message_size=4096)
    assert_accepted(upload(demo, user, b"a", QOS1))
    assert_accepted(upload(demo, user, b"b", QOS1))
    assert_error(upload(demo, user, b"c"), 429)


def test_limit_not_yet_effective_does_not_apply(demo):
    user = metered(demo, "later", data_volume(1, since="2999-01-01T00:00:00Z"))
    assert_accepted(upload(demo, user, b"far more than one byte", QOS1))


def test_a_raised_limit_applies_at_once(demo):
    user = metered(demo, "raised", data_volume(4))
    assert_accepted(upload(demo, user, b"1234", QOS1))
    assert_error(upload(demo, user, b"5"), 429)
    r = registry(demo).put("/v1/tenants/raised", json={"resource-limits": data_volume(8)})
    assert r.status_code == 204, r.text
    # The registry's change notification drops the cached tenant; wait for the adapter to see the new limit.
    wait_for(lambda: upload(demo, user, b"5", QOS1).status_code == 202, "the raised limit to apply")


# ================================================================================== MQTT (§3.2, §3.8)


def test_mqtt_publish_over_the_data_volume_is_error_429(demo):
    user = metered(demo, "metered", data_volume(10))
    with mqtt.connect(demo, user, "pw") as d:
        d.publish_acked("telemetry", b"12345")
        assert d.subscribe("e///#") == [0]
        mid = d.publish("telemetry", b"x" * 6, qos=1)
        topic, payload, qos, _ = d.wait_message(lambda t: t.endswith("/429"), "the 429 error message")
        assert topic == f"e///telemetry/{mid}/429"
        body = json.loads(payload)
        assert body["code"] == 429 and body["correlation-id"] == str(mid), body
        # Not terminal (§3.7): with an error subscription the default on-error acknowledges and stays connected.
        d.wait_puback(mid, "the refused message")
        mid = d.publish("event", b"x" * 6, qos=1)
        d.wait_message(lambda t: t == f"e///event/{mid}/429", "the 429 error of the event")
        d.publish_acked("telemetry", b"67890")
    stored = mqtt.records_up_to_marker(demo, mqtt.telemetry_topic("metered"), b"67890", "d1")
    assert [r.value for r in stored] == [b"12345", b"67890"]


def test_mqtt_publish_over_the_data_volume_closes_without_error_subscription(demo):
    user = metered(demo, "metered", data_volume(3))
    with mqtt.connect(demo, user, "pw") as d:
        d.publish("telemetry", b"four", qos=1)
        d.wait_closed()


def test_mqtt_connect_with_the_data_volume_used_up_is_0x05(demo):
    user = metered(demo, "metered", data_volume(5))
    with mqtt.connect(demo, user, "pw") as d:
        d.publish_acked("telemetry", b"12345")
    assert mqtt.connack_of(demo, user, "pw") == mqtt.NOT_AUTHORIZED
    assert attempts(demo, "metered", "data-volume-exceeded") == 1


def test_mqtt_connect_with_the_connection_duration_used_up_is_0x05(demo):
    user = metered(demo, "timed", {"connection-duration": {"effective-since": "2020-01-01T00:00:00Z",
                                                           "max-minutes": 0}})
    assert mqtt.connack_of(demo, user, "pw") == mqtt.NOT_AUTHORIZED
    assert attempts(demo, "timed", "connection-duration-exceeded") == 1
    other = metered(demo, "timed-generously", {"connection-duration": {"effective-since": "2020-01-01T00:00:00Z",
                                                                       "max-minutes": 60}})
    assert mqtt.connack_of(demo, other, "pw") == mqtt.ACCEPTED


def test_connection_duration_is_counted_when_devices_disconnect(hub_factory):
    h = hub_factory(args=["--demo"]).start()
    user = metered(h, "timed", {"connection-duration": {"effective-since": "2020-01-01T00:00:00Z",
                                                        "max-minutes": 60}})
    d = mqtt.connect(h, user, "pw")
    # A connection of at least one second: wait until the clock moved on (condition, not a fixed sleep).
    start = int(time.time())
    wait_for(lambda: int(time.time()) >= start + 2, "two seconds of connection")
    d.close()
    usage = h.data_dir / "limits" / "usage.json"

    def counted():
        if not usage.exists():
            return None
        entries = json.loads(usage.read_text())["usage"]
        return next((e for e in entries if e["tenant"] == "timed" and e["resource"] == "connection-duration"), None)

    entry = wait_for(counted, "the connection's seconds in usage.json")
    assert entry["amount"] >= 1, entry


# ================================================================================== usage survives restarts


def test_usage_survives_a_restart(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    user = metered(first, "metered", data_volume(10))
    assert_accepted(upload(first, user, b"12345678", QOS1))
    first.stop()
    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    assert_error(upload(second, user, b"123"), 429)
    assert_accepted(upload(second, user, b"12", QOS1))


def test_usage_is_saved_while_running_and_survives_kill_9(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    user = metered(first, "metered", data_volume(10))
    assert_accepted(upload(first, user, b"12345678", QOS1))
    usage = first.data_dir / "limits" / "usage.json"
    wait_for(lambda: usage.exists() and '"metered"' in usage.read_text(), "usage.json with the tenant's usage")
    first.kill()
    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    assert_error(upload(second, user, b"123"), 429)


def test_corrupt_usage_file_stops_start_up_with_a_clear_message(hub_factory, tmp_path):
    data = tmp_path / "corrupt"
    (data / "limits").mkdir(parents=True)
    (data / "limits" / "usage.json").write_text('{"version": 1, "usage": [')
    h = hub_factory(data_dir=data).start(wait_ready=False)
    assert h.wait_exit() == 1
    assert re.search(r"limits: .*usage\.json.*remove the file", h.log()), h.log()
