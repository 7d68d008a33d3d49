"""The MQTT adapter of `tributary serve` (spec/hono.md §3, records §1.3, empty payloads §1.4, connection events §1.5,
demo data §4.5; reference/hono-mqtt-adapter-user-guide.txt) with real clients: paho-mqtt, a raw socket client for
CONNACK codes, MQTT.js and mosquitto_pub; records are read back from the embedded broker with confluent-kafka.

Every expectation is the spec's. Each test starts its own hub (free ports, own data directory)."""
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from hub import DEADLINE, REPO, wait_for
from mqtt_support import (ACCEPTED, BAD_USERNAME_OR_PASSWORD, CONNECTION_EVENT, DEMO_TENANT, EMPTY_NOTIFICATION,
                          GATEWAY, IDENTIFIER_REJECTED, NOT_AUTHORIZED, SENSOR, SERVER_UNAVAILABLE,
                          UNACCEPTABLE_PROTOCOL, Raw, add_device, add_tenant, assert_hono_record, connack_of, connack_v5, connect,
                          connect_packet, event_topic, host_port, now_ms, records_up_to_marker, telemetry_topic,
                          wait_records)
from registry_support import registry

NODE_MODULES = REPO / "tests" / "node_modules"


@pytest.fixture
def demo(hub_factory):
    """A hub with the demo data (§4.5): DEFAULT_TENANT (max-ttl 20), 4711/sensor1, gw-1/gw, 4712 via gw-1, HTTP_TENANT."""
    return hub_factory(args=["--demo"]).start()


@pytest.fixture
def reg(demo):
    return registry(demo)


def sensor_headers(address, qos, **extra):
    """The headers of a record from device 4711 (defaults content-type application/vnd.bumlux, importance high)."""
    return {"content-type": "application/vnd.bumlux", "device_id": "4711", "qos": str(qos),
            "orig_adapter": "hono-mqtt", "orig_address": address, "importance": "high", **extra}


# ========================================================================================== CONNACK (§3.1, §3.2)


def test_connack_accepted_for_valid_credentials(demo):
    assert connack_of(demo, *SENSOR) == ACCEPTED
    assert connack_of(demo, *GATEWAY) == ACCEPTED


def test_connack_session_present_is_always_0(demo):
    with Raw(demo) as raw:
        # Raw.connect asserts session-present 0, here with clean session false and a client id.
        assert raw.connect(client_id="persistent", clean_session=False, username=SENSOR[0],
                           password=SENSOR[1]) == ACCEPTED


def test_connack_wrong_password_is_bad_username_or_password(demo):
    assert connack_of(demo, SENSOR[0], "wrong-secret") == BAD_USERNAME_OR_PASSWORD


def test_connack_unknown_auth_id_is_bad_username_or_password(demo):
    assert connack_of(demo, "nobody@DEFAULT_TENANT", "hono-secret") == BAD_USERNAME_OR_PASSWORD


def test_connack_unknown_tenant_is_bad_username_or_password(demo):
    assert connack_of(demo, "sensor1@NO_SUCH_TENANT", "hono-secret") == BAD_USERNAME_OR_PASSWORD


def test_connack_username_without_tenant_is_bad_username_or_password(demo):
    assert connack_of(demo, "sensor1", "hono-secret") == BAD_USERNAME_OR_PASSWORD


def test_connack_without_credentials_when_authentication_is_required(demo):
    assert connack_of(demo) == BAD_USERNAME_OR_PASSWORD
    with Raw(demo) as raw:
        assert raw.connect(client_id="anonymous") == BAD_USERNAME_OR_PASSWORD
        assert raw.packets_until_closed() == []


def test_connack_disabled_credentials_are_bad_username_or_password(reg, demo):
    reg.create_device(DEMO_TENANT, "cred-off", {})
    reg.put_credentials(DEMO_TENANT, "cred-off", [{"type": "hashed-password", "auth-id": "cred-off", "enabled": False,
                                                   "secrets": [{"pwd-plain": "pw"}]}])
    assert connack_of(demo, "cred-off@DEFAULT_TENANT", "pw") == BAD_USERNAME_OR_PASSWORD


def test_connack_tenant_disabled_is_not_authorized(reg, demo):
    add_tenant(reg, "off-tenant", {"enabled": False})
    user = add_device(reg, "off-tenant", "d1", "d1", "pw")
    assert connack_of(demo, user, "pw") == NOT_AUTHORIZED


@pytest.mark.parametrize("adapters", [
    [{"type": "hono-http", "enabled": True}],  # hono-mqtt not listed -> disabled
    [{"type": "hono-mqtt", "enabled": False}],
    [{"type": "hono-mqtt"}],  # enabled defaults to false
], ids=["not-listed", "enabled-false", "enabled-default"])
def test_connack_adapter_disabled_for_tenant_is_not_authorized(reg, demo, adapters):
    add_tenant(reg, "no-mqtt", {"adapters": adapters})
    user = add_device(reg, "no-mqtt", "d1", "d1", "pw")
    assert connack_of(demo, user, "pw") == NOT_AUTHORIZED


def test_connack_adapter_enabled_for_tenant_is_accepted(reg, demo):
    add_tenant(reg, "mqtt-on", {"adapters": [{"type": "hono-mqtt", "enabled": True}]})
    user = add_device(reg, "mqtt-on", "d1", "d1", "pw")
    assert connack_of(demo, user, "pw") == ACCEPTED


def test_connack_demo_http_tenant_has_mqtt_disabled(reg, demo):
    user = add_device(reg, "HTTP_TENANT", "http-device", "http-auth", "pw")
    assert connack_of(demo, user, "pw") == NOT_AUTHORIZED


def test_connack_device_disabled_is_not_authorized(reg, demo):
    user = add_device(reg, DEMO_TENANT, "disabled-device", "disabled-auth", "pw", {"enabled": False})
    assert connack_of(demo, user, "pw") == NOT_AUTHORIZED


def test_connack_tenant_connection_limit_reached_is_not_authorized(reg, demo):
    add_tenant(reg, "one-conn", {"resource-limits": {"max-connections": 1}})
    user = add_device(reg, "one-conn", "d1", "d1", "pw")
    first = connect(demo, user, "pw")
    try:
        assert connack_of(demo, user, "pw") == NOT_AUTHORIZED
        # Another tenant is not affected.
        assert connack_of(demo, *SENSOR) == ACCEPTED
    finally:
        first.close()
    # The slot is free again once the first connection is gone (the server notices the close asynchronously).
    wait_for(lambda: connack_of(demo, user, "pw") == ACCEPTED, "a connection after the first one closed")


def test_connack_tenant_connection_limit_0_refuses_every_device(reg, demo):
    add_tenant(reg, "zero-conn", {"resource-limits": {"max-connections": 0}})
    user = add_device(reg, "zero-conn", "d1", "d1", "pw")
    assert connack_of(demo, user, "pw") == NOT_AUTHORIZED


def test_connack_adapter_connection_limit_is_server_unavailable(hub_factory):
    h = hub_factory(args=["--demo", "--mqtt.max-connections=1"]).start()
    first = connect(h, *SENSOR)
    try:
        assert connack_of(h, *GATEWAY) == SERVER_UNAVAILABLE
        with Raw(h) as raw:
            assert raw.connect(username=GATEWAY[0], password=GATEWAY[1]) == SERVER_UNAVAILABLE
            assert raw.packets_until_closed() == []
    finally:
        first.close()
    wait_for(lambda: connack_of(h, *GATEWAY) == ACCEPTED, "a connection after the first one closed")


def test_connack_mqtt_3_1_protocol_level_3_is_unacceptable_protocol_version(demo):
    # What an MQTT 3.1 client sends ("MQIsdp", level 3): the adapter speaks 3.1.1 only (§3.1) and answers 0x01.
    with Raw(demo) as raw:
        assert raw.connect(protocol_name="MQIsdp", level=3, username=SENSOR[0],
                           password=SENSOR[1]) == UNACCEPTABLE_PROTOCOL
        assert raw.packets_until_closed() == []


def test_connack_protocol_name_mqtt_with_level_3_is_unacceptable_protocol_version(demo):
    with Raw(demo) as raw:
        assert raw.connect(level=3, username=SENSOR[0], password=SENSOR[1]) == UNACCEPTABLE_PROTOCOL
        assert raw.packets_until_closed() == []


def test_connack_unknown_protocol_level_is_unacceptable_protocol_version(demo):
    with Raw(demo) as raw:
        assert raw.connect(level=6, username=SENSOR[0], password=SENSOR[1]) == UNACCEPTABLE_PROTOCOL
        assert raw.packets_until_closed() == []


def test_connack_empty_client_id_without_clean_session_is_identifier_rejected(demo):
    with Raw(demo) as raw:
        assert raw.connect(client_id="", clean_session=False, username=SENSOR[0],
                           password=SENSOR[1]) == IDENTIFIER_REJECTED
        assert raw.packets_until_closed() == []


def test_connack_empty_client_id_with_clean_session_is_accepted(demo):
    with Raw(demo) as raw:
        assert raw.connect(client_id="", clean_session=True, username=SENSOR[0], password=SENSOR[1]) == ACCEPTED
        assert raw.packets_until_pingresp() == []


@pytest.mark.xfail(strict=True, reason="MQTT 5 is not implemented yet (ARCHITECTURE.md §8): a level-5 CONNECT gets the 3.1.1 CONNACK 0x01")
def test_mqtt5_connect_is_accepted(demo):
    assert connack_v5(demo, *SENSOR) == 0x00


@pytest.mark.xfail(strict=True, reason="MQTT 5 is not implemented yet (ARCHITECTURE.md §8): a level-5 CONNECT gets the 3.1.1 CONNACK 0x01")
def test_mqtt5_bad_password_is_0x86(demo):
    assert connack_v5(demo, SENSOR[0], "wrong") == 0x86  # BAD_USER_NAME_OR_PASSWORD


@pytest.mark.parametrize("first", [bytes([0xC0, 0x00]),  # PINGREQ
                                   bytes([0x30, 0x0B, 0x00, 0x09]) + b"telemetry"],  # PUBLISH QoS 0
                         ids=["pingreq", "publish"])
def test_first_packet_not_connect_closes_without_connack(demo, first):
    with Raw(demo) as raw:
        raw.send(first)
        assert raw.packets_until_closed() == []


def test_second_connect_closes_the_connection(demo):
    with Raw(demo) as raw:
        assert raw.connect(username=SENSOR[0], password=SENSOR[1]) == ACCEPTED
        raw.send(connect_packet(username=SENSOR[0], password=SENSOR[1]))
        assert raw.packets_until_closed() == []


# ================================================================================= connection events (§1.5)


def test_connection_events_connected_and_disconnected(hub_factory):
    h = hub_factory(args=["--demo", "--mqtt.connection-events=events"]).start()
    before = now_ms()
    d = connect(h, *SENSOR, client_id="ce-client-1")
    d.close()
    events = wait_records(h, event_topic(), 2, where=lambda r: r.headers.get("content-type") == CONNECTION_EVENT)
    assert [json.loads(r.value)["cause"] for r in events] == ["connected", "disconnected"]
    for r in events:
        body = json.loads(r.value)
        data = body.pop("data", {})
        assert isinstance(data, dict)
        assert body in ({"cause": "connected", "remote-id": "ce-client-1", "source": "hono-mqtt"},
                        {"cause": "disconnected", "remote-id": "ce-client-1", "source": "hono-mqtt"})
        assert r.key == "4711"
        assert r.headers["device_id"] == "4711"
        assert r.headers["content-type"] == CONNECTION_EVENT
        assert r.headers["qos"] == "1"
        assert r.headers["ttl"] == "20000"  # the tenant's max-ttl (20 s)
        assert r.headers["creation-time"].isdigit() and int(r.headers["creation-time"]) >= before - 1000


def test_connection_events_disconnected_when_the_server_closes(hub_factory):
    h = hub_factory(args=["--demo", "--mqtt.connection-events=events"]).start()
    gw = connect(h, *GATEWAY, client_id="ce-gateway")
    gw.publish("t//4711", b"not-in-via", qos=1)  # 403 without an error subscription: the adapter closes
    gw.wait_closed()
    gw.close()
    events = wait_records(h, event_topic(), 2, where=lambda r: r.headers.get("content-type") == CONNECTION_EVENT)
    assert [(r.key, json.loads(r.value)["cause"], json.loads(r.value)["remote-id"]) for r in events] == [
        ("gw-1", "connected", "ce-gateway"), ("gw-1", "disconnected", "ce-gateway")]


def test_connection_events_disconnected_when_the_keep_alive_of_a_quiet_device_expires(hub_factory):
    # A quiet device's session waits without a coroutine; the keep-alive deadline still ends it in full.
    h = hub_factory(args=["--demo", "--mqtt.connection-events=events"]).start()
    with Raw(h) as raw:
        assert raw.connect(client_id="ce-quiet", keepalive=1, username=SENSOR[0], password=SENSOR[1]) == ACCEPTED
        assert raw.packets_until_closed() == []
    events = wait_records(h, event_topic(), 2, where=lambda r: r.headers.get("content-type") == CONNECTION_EVENT)
    assert [(json.loads(r.value)["cause"], json.loads(r.value)["remote-id"]) for r in events] == [
        ("connected", "ce-quiet"), ("disconnected", "ce-quiet")]


def test_no_connection_event_for_a_refused_connect(hub_factory):
    h = hub_factory(args=["--demo", "--mqtt.connection-events=events"]).start()
    assert connack_of(h, SENSOR[0], "wrong") == BAD_USERNAME_OR_PASSWORD
    d = connect(h, *SENSOR, client_id="after-refused")
    d.close()
    events = wait_records(h, event_topic(), 2, where=lambda r: r.headers.get("content-type") == CONNECTION_EVENT)
    assert [json.loads(r.value)["remote-id"] for r in events] == ["after-refused", "after-refused"]


# ================================================================================= telemetry and events (§3.3, §1.3)


@pytest.mark.parametrize("endpoint", ["telemetry", "t"])
@pytest.mark.parametrize("qos", [0, 1])
def test_telemetry_record(demo, endpoint, qos):
    before = now_ms()
    with connect(demo, *SENSOR) as d:
        payload = f"telemetry {endpoint} qos {qos}".encode()
        mid = d.publish(endpoint, payload, qos=qos)
        if qos == 1:
            d.wait_puback(mid)
        (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == payload)
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=payload,
                       headers=sensor_headers(endpoint, qos), before_ms=before)


@pytest.mark.parametrize("endpoint", ["event", "e"])
def test_event_record_has_the_tenant_max_ttl(demo, endpoint):
    before = now_ms()
    with connect(demo, *SENSOR) as d:
        payload = f"event {endpoint}".encode()
        d.publish_acked(endpoint, payload)
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.value == payload)
    assert_hono_record(r, topic=event_topic(), device="4711", payload=payload,
                       headers=sensor_headers(endpoint, 1, ttl="20000"), before_ms=before)


@pytest.mark.parametrize("bag,ttl", [("hono-ttl=10", "10000"), ("hono-ttl=30", "20000"), ("hono-ttl=-5", "20000")],
                         ids=["below-max", "capped-by-max-ttl", "negative-ignored"])
def test_event_hono_ttl_from_the_property_bag(demo, bag, ttl):
    before = now_ms()
    address = f"event/?{bag}"
    with connect(demo, *SENSOR) as d:
        d.publish_acked(address, b"ttl " + bag.encode())
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.value == b"ttl " + bag.encode())
    assert_hono_record(r, topic=event_topic(), device="4711", payload=b"ttl " + bag.encode(),
                       headers=sensor_headers(address, 1, ttl=ttl), before_ms=before)


def test_telemetry_ignores_hono_ttl_and_tenant_max_ttl(demo):
    # max-ttl limits events; telemetry uses max-ttl-telemetry-qos0/1 (unset here) and hono-ttl is read for events only.
    before = now_ms()
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry/?hono-ttl=10", b"no ttl")
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"no ttl")
    assert "ttl" not in r.headers
    assert r.headers["orig_address"] == "telemetry/?hono-ttl=10"
    assert r.headers["content-type"] == "application/vnd.bumlux"
    assert int(r.headers["creation-time"]) >= before - 1000


def test_content_type_from_the_property_bag_is_url_decoded_and_beats_the_device_default(demo):
    before = now_ms()
    address = "telemetry/?content-type=application%2Fjson%3B%20charset%3Dutf-8"
    with connect(demo, *SENSOR) as d:
        d.publish_acked(address, b'{"temp": 5}')
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b'{"temp": 5}')
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b'{"temp": 5}', before_ms=before,
                       headers=sensor_headers(address, 1, **{"content-type": "application/json; charset=utf-8"}))


def test_property_bag_keys_are_case_insensitive(demo):
    address = "event/?Content-Type=text%2Fplain&HONO-TTL=5"
    with connect(demo, *SENSOR) as d:
        d.publish_acked(address, b"case")
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.value == b"case")
    assert r.headers["content-type"] == "text/plain"
    assert r.headers["ttl"] == "5000"
    assert r.headers["orig_address"] == address


def test_content_type_defaults_to_octet_stream(reg, demo):
    add_tenant(reg, "plain")
    user = add_device(reg, "plain", "p1", "p1", "pw")
    before = now_ms()
    with connect(demo, user, "pw") as d:
        d.publish_acked("telemetry", b"raw bytes")
        d.publish_acked("event", b"raw event")
    (t,) = wait_records(demo, telemetry_topic("plain"))
    assert_hono_record(t, topic=telemetry_topic("plain"), device="p1", payload=b"raw bytes", before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "p1", "qos": "1",
                                "orig_adapter": "hono-mqtt", "orig_address": "telemetry"})
    (e,) = wait_records(demo, event_topic("plain"))
    # No max-ttl and no ttl default: no ttl header.
    assert_hono_record(e, topic=event_topic("plain"), device="p1", payload=b"raw event", before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "p1", "qos": "1",
                                "orig_adapter": "hono-mqtt", "orig_address": "event"})


def test_retained_publish_sets_x_opt_retain(demo):
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry", b"retained", retain=True)
        d.publish_acked("e", b"retained event", retain=True)
        d.publish_acked("telemetry", b"not retained")
    (t,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"retained")
    assert t.headers["x-opt-retain"] == "true"
    (e,) = wait_records(demo, event_topic(), where=lambda r: r.value == b"retained event")
    assert e.headers["x-opt-retain"] == "true"
    (n,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"not retained")
    assert "x-opt-retain" not in n.headers


def test_tenant_and_device_defaults_and_telemetry_ttl_rules(reg, demo):
    add_tenant(reg, "defaults", {
        "defaults": {"content-type": "text/plain", "importance": "low", "level": 3,
                     "ttl-telemetry-qos0": 10, "ttl-telemetry-qos1": 20},
        "resource-limits": {"max-ttl-telemetry-qos1": 15}})
    user = add_device(reg, "defaults", "dev", "dev", "pw", {"defaults": {"importance": "high"}})
    before = now_ms()
    with connect(demo, user, "pw") as d:
        d.publish("telemetry", b"qos0", qos=0)
        d.publish_acked("telemetry", b"qos1")
    common = {"content-type": "text/plain", "importance": "high", "level": "3", "device_id": "dev",
              "orig_adapter": "hono-mqtt", "orig_address": "telemetry"}
    (q0,) = wait_records(demo, telemetry_topic("defaults"), where=lambda r: r.value == b"qos0")
    assert_hono_record(q0, topic=telemetry_topic("defaults"), device="dev", payload=b"qos0", before_ms=before,
                       headers={**common, "qos": "0", "ttl": "10000"})
    (q1,) = wait_records(demo, telemetry_topic("defaults"), where=lambda r: r.value == b"qos1")
    assert_hono_record(q1, topic=telemetry_topic("defaults"), device="dev", payload=b"qos1", before_ms=before,
                       headers={**common, "qos": "1", "ttl": "15000"})  # min(20, max-ttl-telemetry-qos1 15)


def test_device_default_ttl_for_events_and_telemetry(reg, demo):
    add_tenant(reg, "ttl-defaults")
    user = add_device(reg, "ttl-defaults", "dev", "dev", "pw", {"defaults": {"ttl": 30}})
    with connect(demo, user, "pw") as d:
        d.publish_acked("event", b"default ttl")
        d.publish_acked("event/?hono-ttl=10", b"message ttl")
        d.publish_acked("telemetry", b"telemetry ttl")
    (a,) = wait_records(demo, event_topic("ttl-defaults"), where=lambda r: r.value == b"default ttl")
    assert a.headers["ttl"] == "30000"
    (b,) = wait_records(demo, event_topic("ttl-defaults"), where=lambda r: r.value == b"message ttl")
    assert b.headers["ttl"] == "10000"
    (c,) = wait_records(demo, telemetry_topic("ttl-defaults"), where=lambda r: r.value == b"telemetry ttl")
    assert c.headers["ttl"] == "30000"


def test_records_of_one_device_keep_their_order(demo):
    with connect(demo, *SENSOR) as d:
        mids = [d.publish("telemetry", f"seq-{i}".encode(), qos=1) for i in range(50)]
        for mid in mids:
            d.wait_puback(mid)
    records = wait_records(demo, telemetry_topic(), 50, where=lambda r: r.value.startswith(b"seq-"))
    assert [r.value for r in records] == [f"seq-{i}".encode() for i in range(50)]
    assert [r.offset for r in records] == sorted(r.offset for r in records)


# ====================================================================================================== gateways


@pytest.mark.parametrize("address", ["t//4712", "telemetry//4712", "telemetry/DEFAULT_TENANT/4712",
                                     "t/DEFAULT_TENANT/4712"])
def test_gateway_publishes_telemetry_for_a_device_in_its_via(demo, address):
    before = now_ms()
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked(address, address.encode())
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == address.encode())
    assert_hono_record(r, topic=telemetry_topic(), device="4712", payload=address.encode(), before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "4712", "qos": "1",
                                "orig_adapter": "hono-mqtt", "orig_address": address})


@pytest.mark.parametrize("address", ["e//4712", "event/DEFAULT_TENANT/4712"])
def test_gateway_publishes_events_for_a_device_in_its_via(demo, address):
    before = now_ms()
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked(address, address.encode())
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.value == address.encode())
    assert_hono_record(r, topic=event_topic(), device="4712", payload=address.encode(), before_ms=before,
                       headers={"content-type": "application/octet-stream", "device_id": "4712", "qos": "1",
                                "orig_adapter": "hono-mqtt", "orig_address": address, "ttl": "20000"})


def test_gateway_publishes_for_itself(demo):
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked("telemetry", b"gateway itself")
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"gateway itself")
    assert r.key == "gw-1" and r.headers["device_id"] == "gw-1"


def test_gateway_for_a_device_not_in_its_via_is_closed_without_error_subscription(demo):
    with connect(demo, *GATEWAY) as gw:
        mid = gw.publish("t//4711", b"not in via", qos=1)
        gw.wait_closed()
        assert not gw.has_puback(mid)
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry", b"marker-via")
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-via", "4711")
    assert [r.value for r in stored] == [b"marker-via"]


def test_device_is_not_a_gateway_for_another_device(demo):
    with connect(demo, *SENSOR) as d:
        mid = d.publish("t//4712", b"sensor for 4712", qos=1)
        d.wait_closed()
        assert not d.has_puback(mid)
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked("t//4712", b"marker-4712")
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-4712", "4712")
    assert [r.value for r in stored] == [b"marker-4712"]


def test_gateway_via_groups(reg, demo):
    reg.create_device(DEMO_TENANT, "gw-2", {"memberOf": ["group-a"]})
    reg.put_credentials(DEMO_TENANT, "gw-2", [{"type": "hashed-password", "auth-id": "gw2",
                                               "secrets": [{"pwd-plain": "pw"}]}])
    reg.create_device(DEMO_TENANT, "grouped", {"viaGroups": ["group-a"]})
    with connect(demo, "gw2@DEFAULT_TENANT", "pw") as gw:
        gw.publish_acked("t//grouped", b"via group")
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"via group")
    assert r.key == "grouped" and r.headers["device_id"] == "grouped"


# ===================================================================================== unauthenticated devices


@pytest.fixture
def open_hub(hub_factory):
    return hub_factory(args=["--demo", "--mqtt.authentication-required=false"]).start()


def test_unauthenticated_connect_is_accepted_when_authentication_is_optional(open_hub):
    assert connack_of(open_hub) == ACCEPTED
    # Devices that do authenticate are still checked.
    assert connack_of(open_hub, *SENSOR) == ACCEPTED
    assert connack_of(open_hub, SENSOR[0], "wrong") == BAD_USERNAME_OR_PASSWORD


@pytest.mark.parametrize("address", ["telemetry/DEFAULT_TENANT/4711", "t/DEFAULT_TENANT/4711"])
def test_unauthenticated_telemetry(open_hub, address):
    before = now_ms()
    with connect(open_hub) as d:
        d.publish_acked(address, b"anonymous " + address.encode())
    (r,) = wait_records(open_hub, telemetry_topic(), where=lambda r: r.value == b"anonymous " + address.encode())
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b"anonymous " + address.encode(),
                       headers=sensor_headers(address, 1), before_ms=before)


def test_unauthenticated_event_with_ttl(open_hub):
    address = "event/DEFAULT_TENANT/4711/?hono-ttl=15"
    before = now_ms()
    with connect(open_hub) as d:
        d.publish_acked(address, b'{"alarm": 1}')
    (r,) = wait_records(open_hub, event_topic(), where=lambda r: r.value == b'{"alarm": 1}')
    assert_hono_record(r, topic=event_topic(), device="4711", payload=b'{"alarm": 1}',
                       headers=sensor_headers(address, 1, ttl="15000"), before_ms=before)


# ====================================================================================================== limits


def test_oversized_publish_closes_the_connection_and_stores_nothing(demo):
    with connect(demo, *SENSOR) as d:
        mid = d.publish("telemetry", b"x" * 3000, qos=1)
        d.wait_closed()
        assert not d.has_puback(mid)
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry", b"marker-size")
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-size", "4711")
    assert [r.value for r in stored] == [b"marker-size"]


def test_oversized_qos0_publish_closes_the_connection(demo):
    with connect(demo, *SENSOR) as d:
        d.publish("t", b"y" * 2100, qos=0)
        d.wait_closed()


def test_payload_below_the_limit_is_accepted(demo):
    payload = b"z" * 2000  # remaining length 2000 + 2 + 9 + 2 < 2048
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry", payload)
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == payload)
    assert r.key == "4711"


def test_payload_of_exactly_max_payload_bytes_is_accepted(demo):
    # §3.3/§3.11: the limit is on the payload ("Payload > 2048"); Hono's decoder allows the payload size plus 128
    # bytes for the variable header (topic name, packet id).
    payload = b"p" * 2048
    with connect(demo, *SENSOR) as d:
        d.publish_acked("telemetry", payload)
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == payload)
    assert r.key == "4711"


# ======================================================================================== empty payloads (§1.4)


def test_empty_telemetry_without_content_type_is_400(demo):
    with connect(demo, *GATEWAY) as gw:  # gw-1 has no default content type
        assert gw.subscribe("e///#") == [0]
        mid = gw.publish("telemetry", b"", qos=1)
        topic, payload, _, _ = gw.wait_message(lambda t: t.endswith("/400"), "the 400 error message")
        assert topic == f"e///telemetry/{mid}/400"
        assert json.loads(payload)["code"] == 400
        gw.wait_puback(mid)
        gw.publish_acked("telemetry", b"marker-empty")
    stored = records_up_to_marker(demo, telemetry_topic(), b"marker-empty", "gw-1")
    assert [r.value for r in stored] == [b"marker-empty"]


def test_empty_telemetry_without_content_type_closes_without_error_subscription(demo):
    with connect(demo, *GATEWAY) as gw:
        mid = gw.publish("telemetry", b"", qos=1)
        gw.wait_closed()
        assert not gw.has_puback(mid)


@pytest.mark.parametrize("endpoint,topic", [("telemetry", telemetry_topic()), ("event", event_topic())])
def test_empty_notification_is_stored(demo, endpoint, topic):
    address = f"{endpoint}/?content-type=application%2Fvnd.eclipse-hono-empty-notification"
    before = now_ms()
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked(address, b"")
    (r,) = wait_records(demo, topic, where=lambda r: r.key == "gw-1")
    extra = {"ttl": "20000"} if endpoint == "event" else {}
    assert_hono_record(r, topic=topic, device="gw-1", payload=b"", before_ms=before,
                       headers={"content-type": EMPTY_NOTIFICATION, "device_id": "gw-1", "qos": "1",
                                "orig_adapter": "hono-mqtt", "orig_address": address, **extra})


def test_empty_payload_with_another_content_type_is_stored(demo):
    with connect(demo, *GATEWAY) as gw:
        gw.publish_acked("telemetry/?content-type=text%2Fplain", b"")
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.key == "gw-1")
    assert r.value == b"" and r.headers["content-type"] == "text/plain"


def test_empty_notification_content_type_with_a_payload_is_400(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e///#") == [0]
        mid = gw.publish("event/?content-type=application%2Fvnd.eclipse-hono-empty-notification", b"not empty", qos=1)
        topic, payload, _, _ = gw.wait_message(lambda t: t.endswith("/400"), "the 400 error message")
        assert topic == f"e///event/{mid}/400"
        assert json.loads(payload)["code"] == 400
        gw.wait_puback(mid)
        gw.publish_acked("event", b"marker-notification")
    stored = records_up_to_marker(demo, event_topic(), b"marker-notification", "gw-1")
    assert [r.value for r in stored] == [b"marker-notification"]


# ================================================================================ registry changes close sessions


@pytest.fixture
def two_devices(reg, demo):
    add_tenant(reg, "changes")
    return add_device(reg, "changes", "a", "auth-a", "pw"), add_device(reg, "changes", "b", "auth-b", "pw")


def test_disabling_the_device_closes_its_connection(reg, demo, two_devices):
    user_a, user_b = two_devices
    a, b = connect(demo, user_a, "pw"), connect(demo, user_b, "pw")
    try:
        r = reg.put("/v1/devices/changes/a", json={"enabled": False})
        assert r.status_code == 204, r.text
        a.wait_closed("the connection of the disabled device to close")
        b.assert_open()  # only device a's connection is closed
    finally:
        a.close()
        b.close()
    assert connack_of(demo, user_a, "pw") == NOT_AUTHORIZED


def test_deleting_the_device_closes_its_connection(reg, demo, two_devices):
    user_a, user_b = two_devices
    a, b = connect(demo, user_a, "pw"), connect(demo, user_b, "pw")
    try:
        r = reg.delete("/v1/devices/changes/a")
        assert r.status_code == 204, r.text
        a.wait_closed("the connection of the deleted device to close")
        b.assert_open()
    finally:
        a.close()
        b.close()


def test_disabling_the_tenant_closes_its_connections(reg, demo, two_devices):
    user_a, user_b = two_devices
    a, b = connect(demo, user_a, "pw"), connect(demo, user_b, "pw")
    other = connect(demo, *SENSOR)
    try:
        r = reg.put("/v1/tenants/changes", json={"enabled": False})
        assert r.status_code == 204, r.text
        a.wait_closed("device a's connection to close")
        b.wait_closed("device b's connection to close")
        other.assert_open()
    finally:
        for d in (a, b, other):
            d.close()


def test_deleting_the_tenant_closes_its_connections(reg, demo, two_devices):
    user_a, _ = two_devices
    with connect(demo, user_a, "pw") as a:
        r = reg.delete("/v1/tenants/changes")
        assert r.status_code == 204, r.text
        a.wait_closed("the connection of the deleted tenant's device to close")


def test_disabling_the_adapter_for_the_tenant_closes_its_connections(reg, demo, two_devices):
    user_a, _ = two_devices
    with connect(demo, user_a, "pw") as a:
        r = reg.put("/v1/tenants/changes", json={"adapters": [{"type": "hono-mqtt", "enabled": False}]})
        assert r.status_code == 204, r.text
        a.wait_closed("the connection to close once hono-mqtt is disabled for the tenant")


def test_replacing_the_credentials_closes_the_connection_of_the_removed_auth_id(reg, demo, two_devices):
    user_a, user_b = two_devices
    a, b = connect(demo, user_a, "pw"), connect(demo, user_b, "pw")
    try:
        reg.put_credentials("changes", "a", [{"type": "hashed-password", "auth-id": "auth-a-new",
                                              "secrets": [{"pwd-plain": "pw2"}]}])
        a.wait_closed("the connection of the removed auth-id to close")
        b.assert_open()
    finally:
        a.close()
        b.close()
    assert connack_of(demo, user_a, "pw") == BAD_USERNAME_OR_PASSWORD
    assert connack_of(demo, "auth-a-new@changes", "pw2") == ACCEPTED


def test_updating_the_device_without_disabling_it_keeps_the_connection(reg, demo, two_devices):
    user_a, _ = two_devices
    with connect(demo, user_a, "pw") as a:
        r = reg.put("/v1/devices/changes/a", json={"enabled": True, "ext": {"note": "still on"}})
        assert r.status_code == 204, r.text
        a.assert_open()


# ================================================================================================== keep-alive


def test_keep_alive_timeout_closes_a_silent_connection(demo):
    with Raw(demo) as raw:
        assert raw.connect(keepalive=1, username=SENSOR[0], password=SENSOR[1]) == ACCEPTED
        assert raw.packets_until_closed() == []  # the server gives up after 1.5 x keep-alive


def test_pings_keep_the_connection_alive(demo):
    with Raw(demo) as raw:
        assert raw.connect(keepalive=60, username=SENSOR[0], password=SENSOR[1]) == ACCEPTED
        for _ in range(3):
            assert raw.packets_until_pingresp() == []


def test_connect_timeout_closes_a_connection_that_never_sends_connect(demo):
    with Raw(demo) as raw:
        assert raw.packets_until_closed() == []


# ================================================================================================== durability


def test_acknowledged_qos1_telemetry_survives_kill_9(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    with connect(first, *SENSOR) as d:
        for i in range(20):
            d.publish_acked("telemetry", f"durable-{i}".encode())
    first.stop(signal.SIGKILL, expect_code=-signal.SIGKILL)
    second = hub_factory(data_dir=first.data_dir).start()
    records = wait_records(second, telemetry_topic(), 20, where=lambda r: r.value.startswith(b"durable-"))
    assert [r.value for r in records] == [f"durable-{i}".encode() for i in range(20)]
    assert all(r.key == "4711" and r.headers["orig_adapter"] == "hono-mqtt" for r in records)


# ====================================================================================== other client implementations


def run_mqtt_js(*args):
    assert (NODE_MODULES / "mqtt").is_dir(), (
        f"MQTT.js is not installed in {NODE_MODULES}; scripts/setup installs it (npm ci in tests/)")
    env = dict(os.environ, NODE_PATH=str(NODE_MODULES))
    out = subprocess.run(["node", str(Path(__file__).parent / "js" / "mqtt_publish.js"), *args], capture_output=True,
                         text=True, env=env, timeout=DEADLINE * 2)
    lines = out.stdout.strip().splitlines()
    return out.returncode, (json.loads(lines[-1]) if lines else None), out.stderr


def test_mqtt_js_publishes_qos1_telemetry(demo):
    host, port = host_port(demo)
    before = now_ms()
    code, result, err = run_mqtt_js(f"mqtt://{host}:{port}", SENSOR[0], SENSOR[1], "telemetry", "from mqtt.js", "1")
    assert code == 0, (result, err)
    assert result["connack"] == 0 and result["puback"] is True, result
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"from mqtt.js")
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b"from mqtt.js",
                       headers=sensor_headers("telemetry", 1), before_ms=before)


def test_mqtt_js_event_with_property_bag(demo):
    host, port = host_port(demo)
    address = "event/?content-type=application%2Fjson&hono-ttl=5"
    code, result, err = run_mqtt_js(f"mqtt://{host}:{port}", SENSOR[0], SENSOR[1], address, '{"alarm":1}', "1")
    assert code == 0, (result, err)
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.value == b'{"alarm":1}')
    assert r.headers["content-type"] == "application/json" and r.headers["ttl"] == "5000"
    assert r.headers["orig_address"] == address


def test_mqtt_js_wrong_password_is_refused_with_code_4(demo):
    host, port = host_port(demo)
    code, result, err = run_mqtt_js(f"mqtt://{host}:{port}", SENSOR[0], "wrong", "telemetry", "x", "1")
    assert code == 2, (result, err)
    assert result["error_code"] == BAD_USERNAME_OR_PASSWORD, result


def mosquitto_pub(hub, *args):
    host, port = host_port(hub)
    return subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), *args], capture_output=True, text=True,
                          timeout=DEADLINE)


def test_mosquitto_pub_qos1_telemetry(demo):
    before = now_ms()
    out = mosquitto_pub(demo, "-u", SENSOR[0], "-P", SENSOR[1], "-t", "telemetry", "-q", "1", "-m", '{"temp": 5}')
    assert out.returncode == 0, out.stderr
    (r,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b'{"temp": 5}')
    assert_hono_record(r, topic=telemetry_topic(), device="4711", payload=b'{"temp": 5}',
                       headers=sensor_headers("telemetry", 1), before_ms=before)


def test_mosquitto_pub_gateway_event_from_the_user_guide(demo):
    out = mosquitto_pub(demo, "-u", GATEWAY[0], "-P", GATEWAY[1], "-t", "event/DEFAULT_TENANT/4712", "-q", "1",
                        "-m", '{"temp": 5}')
    assert out.returncode == 0, out.stderr
    (r,) = wait_records(demo, event_topic(), where=lambda r: r.key == "4712")
    assert r.value == b'{"temp": 5}' and r.headers["device_id"] == "4712" and r.headers["ttl"] == "20000"


def test_mosquitto_pub_wrong_password_fails(demo):
    out = mosquitto_pub(demo, "-u", SENSOR[0], "-P", "wrong", "-t", "telemetry", "-q", "1", "-m", "x")
    assert out.returncode != 0
    assert "bad user name or password" in out.stderr.lower(), out.stderr
