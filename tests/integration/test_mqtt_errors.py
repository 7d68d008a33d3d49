"""Errors of the MQTT adapter (spec/hono.md §3.3 QoS and address rules, §3.6 error topic, §3.7 on-error x error
subscription; reference/hono-mqtt-adapter-user-guide.txt "Error Reporting via Error Topic" / "Error Handling"), seen
by real clients: SUBACK codes, the error messages (topic name and JSON payload), whether the PUBACK came, whether the
connection was closed, and that nothing was stored.

Where the spec leaves a detail open, the expectation follows Hono at the spec's commit (named in the test)."""
import json
import re

import pytest

from mqtt_support import (DEMO_TENANT, GATEWAY, SENSOR, SUBACK_FAILURE, Raw, connect, event_topic, publish_packet,
                          publish_topic_of, records_up_to_marker, subscribe_packet, telemetry_topic)
from registry_support import registry

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


@pytest.fixture
def open_hub(hub_factory):
    return hub_factory(args=["--demo", "--mqtt.authentication-required=false"]).start()


def error_message(device, status, what="the error message"):
    """Waits for an error message ending in /<status>; returns (topic, decoded payload, qos, retain)."""
    topic, payload, qos, retain = device.wait_message(lambda t: t.endswith(f"/{status}"), what)
    return topic, json.loads(payload), qos, retain


def assert_error_payload(body, code, correlation_id, message=None):
    assert set(body) == {"code", "message", "timestamp", "correlation-id"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"], body
    if message is not None:
        assert body["message"] == message
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    assert body["correlation-id"] == correlation_id


def assert_nothing_stored(hub, topic, key, marker_device, marker_address=None):
    """Publishes a marker (QoS 1) for `key` on a new connection and checks that it is the only record of `key`."""
    marker = f"marker-{key}".encode()
    with connect(hub, *marker_device) as d:
        d.publish_acked(marker_address or ("telemetry" if topic.startswith("hono.telemetry") else "event"), marker)
    stored = records_up_to_marker(hub, topic, marker, key)
    assert [r.value for r in stored] == [marker]


# ============================================================================================ SUBSCRIBE (§3.6)


@pytest.mark.parametrize("topic_filter", ["e///#", "error///#", "e/DEFAULT_TENANT//#", "e//4711/#",
                                          "error/DEFAULT_TENANT/4711/#"])
def test_error_subscription_with_qos_0_is_granted(demo, topic_filter):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe(topic_filter, qos=0) == [0]


@pytest.mark.parametrize("topic_filter", ["e///#", "error///#"])
def test_error_subscription_with_qos_1_is_refused(demo, topic_filter):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe(topic_filter, qos=1) == [SUBACK_FAILURE]


@pytest.mark.parametrize("topic_filter", [
    "e///", "e//#", "e////#", "e/+//#", "e///+", "x///#",
    "e/OTHER_TENANT//#",  # tenant must be the device's own
    "e//4712/#",  # 4711 is not a gateway for 4712
])
def test_invalid_error_filters_are_refused(demo, topic_filter):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe(topic_filter, qos=0) == [SUBACK_FAILURE]
        d.assert_open()


def test_one_subscribe_with_several_filters_gets_one_code_each(demo):
    # Command subscriptions themselves: test_mqtt_commands.py.
    with connect(demo, *SENSOR) as d:
        assert d.subscribe([("c///q/#", 1), ("e///#", 0), ("e///x", 0), ("c///q/#", 2)]) == [1, 0, SUBACK_FAILURE,
                                                                                              SUBACK_FAILURE]


@pytest.mark.parametrize("topic_filter,granted", [("e//+/#", 0), ("e/DEFAULT_TENANT/+/#", 0), ("e//4712/#", 0),
                                                  ("e//4711/#", SUBACK_FAILURE)])
def test_gateway_error_subscriptions(demo, topic_filter, granted):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe(topic_filter) == [granted]


@pytest.mark.parametrize("topic_filter,granted", [("e/DEFAULT_TENANT/4711/#", 0), ("error/DEFAULT_TENANT/4711/#", 0),
                                                  ("e///#", SUBACK_FAILURE), ("e//4711/#", SUBACK_FAILURE),
                                                  ("e/DEFAULT_TENANT//#", SUBACK_FAILURE),
                                                  ("e/DEFAULT_TENANT/+/#", SUBACK_FAILURE)])
def test_unauthenticated_error_subscriptions_need_tenant_and_device(open_hub, topic_filter, granted):
    with connect(open_hub) as d:
        assert d.subscribe(topic_filter) == [granted]


# ======================================================================================== QoS rules (§3.3)


@pytest.mark.parametrize("endpoint", ["event", "e"])
def test_event_with_qos_0_closes_without_error_subscription(demo, endpoint):
    with connect(demo, *SENSOR) as d:
        d.publish(endpoint, b"qos 0 event", qos=0)
        d.wait_closed()
    assert_nothing_stored(demo, event_topic(), "4711", SENSOR)


@pytest.mark.parametrize("endpoint", ["event", "e"])
def test_event_with_qos_0_is_reported_on_the_error_topic(demo, endpoint):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        d.publish(endpoint, b"qos 0 event", qos=0)
        topic, body, qos, retain = error_message(d, 400)
        assert topic == f"e///{endpoint}/-1/400"
        assert_error_payload(body, 400, "-1", "Only QoS 1 supported for event messages")
        assert (qos, retain) == (0, False)
        d.assert_open()
    assert_nothing_stored(demo, event_topic(), "4711", SENSOR)


def test_telemetry_with_qos_2_closes_without_error_subscription(demo):
    with Raw(demo) as raw:
        assert raw.connect(username=SENSOR[0], password=SENSOR[1]) == 0
        raw.send(publish_packet("telemetry", b"qos 2", qos=2, packet_id=7))
        assert raw.packets_until_closed() == []
    assert_nothing_stored(demo, telemetry_topic(), "4711", SENSOR)


def test_telemetry_with_qos_2_is_reported_on_the_error_topic(demo):
    with Raw(demo) as raw:
        assert raw.connect(username=SENSOR[0], password=SENSOR[1]) == 0
        raw.send(subscribe_packet(1, [("e///#", 0)]))
        kind, _, body = raw.read_packet()
        assert (kind, body) == (9, bytes([0, 1, 0]))  # SUBACK, packet id 1, QoS 0 granted
        raw.send(publish_packet("telemetry", b"qos 2", qos=2, packet_id=7))
        got = raw.packets_until_pingresp()  # the connection stays open
        errors = [publish_topic_of(p) for p in got if p[0] == 3]
        assert len(errors) == 1, got
        topic, payload = errors[0]
        # The correlation id is the packet id for QoS 1 only, else -1.
        assert topic == "e///telemetry/-1/400"
        assert_error_payload(json.loads(payload), 400, "-1", "QoS 2 not supported for telemetry messages")
        # A PUBACK belongs to QoS 1 only; a QoS 2 PUBLISH must never be answered with one.
        assert [p for p in got if p[0] == 4] == [], got
    assert_nothing_stored(demo, telemetry_topic(), "4711", SENSOR)


# ================================================================================ error topic and payload (§3.6)


def test_correlation_id_is_the_packet_id_for_qos_1(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e///#") == [0]
        mid = gw.publish("t//4711", b"not in via", qos=1)
        topic, body, _, _ = error_message(gw, 403)
        assert topic == f"e//4711/t/{mid}/403"
        assert_error_payload(body, 403, str(mid))


def test_correlation_id_is_minus_1_for_qos_0(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e///#") == [0]
        gw.publish("telemetry//4711", b"not in via", qos=0)
        topic, body, _, _ = error_message(gw, 403)
        assert topic == "e//4711/telemetry/-1/403"
        assert_error_payload(body, 403, "-1")
        gw.assert_open()


@pytest.mark.parametrize("qos", [0, 1])
def test_correlation_id_from_the_property_bag(demo, qos):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e///#") == [0]
        gw.publish("t//4711/?correlation-id=abc-123", b"not in via", qos=qos)
        topic, body, _, _ = error_message(gw, 403)
        assert topic == "e//4711/t/abc-123/403"
        assert_error_payload(body, 403, "abc-123")


def test_error_topic_keeps_the_filter_spelling_tenant_and_device(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("error/DEFAULT_TENANT/4711/#") == [0]
        d.publish("e", b"qos 0 event", qos=0)
        topic, body, _, _ = error_message(d, 400)
        assert topic == "error/DEFAULT_TENANT/4711/e/-1/400"
        assert_error_payload(body, 400, "-1", "Only QoS 1 supported for event messages")


def test_error_topic_with_tenant_only_in_the_filter(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e/DEFAULT_TENANT//#") == [0]
        d.publish("event", b"qos 0 event", qos=0)
        topic, _, _, _ = error_message(d, 400)
        assert topic == "e/DEFAULT_TENANT//event/-1/400"


@pytest.mark.parametrize("topic_filter,expected", [("e//+/#", "e//4711/t/{mid}/403"),
                                                   ("e///#", "e//4711/t/{mid}/403"),
                                                   ("e/DEFAULT_TENANT/+/#", "e/DEFAULT_TENANT/4711/t/{mid}/403")])
def test_gateway_error_topic_names_the_device_of_the_message(demo, topic_filter, expected):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe(topic_filter) == [0]
        mid = gw.publish("t//4711", b"not in via", qos=1)
        topic, body, _, _ = error_message(gw, 403)
        assert topic == expected.format(mid=mid)
        assert_error_payload(body, 403, str(mid))
        gw.wait_puback(mid)  # default on-error with an error subscription: like ignore
        gw.assert_open("t//4712")
    assert_nothing_stored(demo, telemetry_topic(), "4711", SENSOR)


def test_gateway_specific_device_subscription(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//4712/#") == [0]
        gw.publish("e//4712", b"qos 0 event for 4712", qos=0)
        topic, body, _, _ = error_message(gw, 400)
        assert topic == "e//4712/e/-1/400"
        assert_error_payload(body, 400, "-1", "Only QoS 1 supported for event messages")
        gw.assert_open("t//4712")


def test_gateway_subscription_for_one_device_does_not_cover_another(demo):
    # Hono looks the subscription up by (tenant, device of the message), then (tenant, gateway): a subscription for
    # 4712 is not one for 4711 or for the gateway, so the error is handled as without a subscription: close.
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//4712/#") == [0]
        mid = gw.publish("t//4711", b"not in via", qos=1)
        gw.wait_closed()
        assert not gw.has_puback(mid)
        assert gw.messages == []


def test_gateway_keeps_a_device_subscription_when_the_general_one_is_removed(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//4712/#") == [0]
        assert gw.subscribe("e//+/#") == [0]
        gw.unsubscribe("e//+/#")
        gw.publish("e//4712", b"qos 0 event for 4712", qos=0)
        topic, _, _, _ = error_message(gw, 400)
        assert topic == "e//4712/e/-1/400"
        gw.assert_open("t//4712")


def test_gateway_publishing_for_another_tenant_is_403(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//+/#") == [0]
        mid = gw.publish("t/OTHER_TENANT/4712", b"other tenant", qos=1)
        topic, body, _, _ = error_message(gw, 403)
        # The device of the message is the one in its topic (4712), not the gateway's.
        assert topic == f"e//4712/t/{mid}/403"
        assert_error_payload(body, 403, str(mid), "can only publish for device of same tenant")
        gw.wait_puback(mid)
        gw.assert_open("t//4712")


def test_gateway_publishing_for_another_tenant_closes_without_error_subscription(demo):
    with connect(demo, *GATEWAY) as gw:
        mid = gw.publish("telemetry/HTTP_TENANT/4712", b"other tenant", qos=1)
        gw.wait_closed()
        assert not gw.has_puback(mid)


@pytest.mark.parametrize("device", ["no-such-device", "disabled-device"])
def test_gateway_publishing_for_an_unknown_or_disabled_device_is_404(demo, device):
    reg = registry(demo)
    reg.create_device(DEMO_TENANT, "disabled-device", {"enabled": False, "via": ["gw-1"]})
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//+/#") == [0]
        mid = gw.publish(f"t//{device}", b"unknown", qos=1)
        topic, body, _, _ = error_message(gw, 404)
        assert topic == f"e//{device}/t/{mid}/404"
        assert_error_payload(body, 404, str(mid))
        # Not terminal: the device is not the authenticated gateway itself.
        gw.wait_puback(mid)
        gw.assert_open("t//4712")


def test_tenant_only_address_of_an_authenticated_device_is_400(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        mid = d.publish("telemetry/DEFAULT_TENANT", b"tenant only", qos=1)
        topic, body, _, _ = error_message(d, 400)
        assert topic == f"e///telemetry/{mid}/400"
        assert_error_payload(body, 400, str(mid), "message address must not contain tenant ID only")
        d.wait_puback(mid)


def test_unknown_endpoint_is_404(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        mid = d.publish("foo", b"unknown endpoint", qos=1)
        topic, body, _, _ = error_message(d, 404)
        assert topic == f"e///unknown/{mid}/404"
        assert_error_payload(body, 404, str(mid), "no such endpoint")
        d.wait_puback(mid)
        d.assert_open()


def test_unknown_endpoint_uses_the_correlation_id_of_the_property_bag(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        d.publish("foo/?correlation-id=xyz", b"unknown endpoint", qos=1)
        topic, body, _, _ = error_message(d, 404)
        assert topic == "e///unknown/xyz/404"
        assert_error_payload(body, 404, "xyz", "no such endpoint")


def test_unknown_endpoint_honours_on_error_ignore(demo):
    with connect(demo, *SENSOR) as d:
        mid = d.publish("foo/?on-error=ignore", b"unknown endpoint", qos=1)
        d.wait_puback(mid)
        d.assert_open()


def test_topic_starting_with_a_slash_is_400(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        mid = d.publish("/telemetry", b"leading slash", qos=1)
        topic, body, _, _ = error_message(d, 400)
        assert topic.startswith("e///") and topic.endswith(f"/{mid}/400"), topic
        assert_error_payload(body, 400, str(mid), "malformed topic name")
        d.wait_puback(mid)


def test_empty_payload_needs_a_content_type_in_the_message_itself(demo):
    # Hono checks the payload against the content type of the message (property bag), not the device's default
    # content type (isPayloadOfIndicatedType(payload, ctx.contentType())): 4711's default does not make it valid.
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#") == [0]
        mid = d.publish("telemetry", b"", qos=1)
        topic, body, _, _ = error_message(d, 400)
        assert topic == f"e///telemetry/{mid}/400"
        assert_error_payload(body, 400, str(mid))
        d.wait_puback(mid)
    assert_nothing_stored(demo, telemetry_topic(), "4711", SENSOR)


def test_unsubscribing_restores_closing_on_errors(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e///#") == [0]
        gw.unsubscribe("e///#")
        mid = gw.publish("t//4711", b"not in via", qos=1)
        gw.wait_closed()
        assert not gw.has_puback(mid)
        assert gw.messages == []


# ========================================================================= on-error x error subscription (§3.7)

# (on-error, error subscription) -> (error message, PUBACK, connection closed)
ON_ERROR_TABLE = [
    (None, False, False, False, True),
    ("default", False, False, False, True),
    ("disconnect", False, False, False, True),
    ("ignore", False, False, True, False),
    ("skip-ack", False, False, False, False),
    (None, True, True, True, False),
    ("default", True, True, True, False),
    ("disconnect", True, True, False, True),
    ("ignore", True, True, True, False),
    ("skip-ack", True, True, False, False),
]


@pytest.mark.parametrize("on_error,subscribed,error_sent,puback,closed", ON_ERROR_TABLE,
                         ids=[f"{m or 'unset'}-{'sub' if s else 'nosub'}" for m, s, *_ in ON_ERROR_TABLE])
def test_on_error_handling(demo, on_error, subscribed, error_sent, puback, closed):
    address = "t//4711" + (f"/?on-error={on_error}" if on_error else "")
    with connect(demo, *GATEWAY) as gw:
        if subscribed:
            assert gw.subscribe("e//+/#") == [0]
        mid = gw.publish(address, b"not in via", qos=1)
        if closed:
            gw.wait_closed()
        else:
            # PUBACKs go out in the order of the PUBLISHes: once the next one is acknowledged, the failed one's
            # PUBACK has come or will never come.
            follow_up = gw.publish("t//4712", b"follow-up", qos=1)
            gw.wait_puback(follow_up)
            assert not gw.closed.is_set()
        assert gw.has_puback(mid) == puback
        if error_sent:
            topic, body, _, _ = error_message(gw, 403)
            assert topic == f"e//4711/t/{mid}/403"
            assert_error_payload(body, 403, str(mid))
        else:
            assert gw.messages == []
    assert_nothing_stored(demo, telemetry_topic(), "4711", SENSOR)


def test_on_error_is_case_insensitive_in_the_key(demo):
    with connect(demo, *GATEWAY) as gw:
        mid = gw.publish("t//4711/?On-Error=ignore", b"not in via", qos=1)
        gw.wait_puback(mid)
        gw.assert_open("t//4712")


def test_qos_0_error_with_error_subscription_keeps_the_connection(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("e//+/#") == [0]
        for i in range(3):
            gw.publish("t//4711", f"not in via {i}".encode(), qos=0)
        gw.assert_open("t//4712")
        errors = [m for m in gw.messages if m[0].endswith("/403")]
        assert [m[0] for m in errors] == ["e//4711/t/-1/403"] * 3


# =================================================================================== unauthenticated devices


@pytest.mark.parametrize("address", ["telemetry", "telemetry/DEFAULT_TENANT", "telemetry//4711", "t"])
def test_unauthenticated_address_without_tenant_and_device_closes(open_hub, address):
    with connect(open_hub) as d:
        mid = d.publish(address, b"incomplete", qos=1)
        d.wait_closed()
        assert not d.has_puback(mid)
    assert_nothing_stored(open_hub, telemetry_topic(), "4711", SENSOR)


@pytest.mark.parametrize("address", ["telemetry", "telemetry/DEFAULT_TENANT", "telemetry//4711"])
def test_unauthenticated_incomplete_address_is_not_covered_by_a_device_error_subscription(open_hub, address):
    # Hono finds the error subscription of an unauthenticated device by the tenant and device of the message; a
    # message that does not name both has none, so the default (close) applies.
    with connect(open_hub) as d:
        assert d.subscribe("e/DEFAULT_TENANT/4711/#") == [0]
        mid = d.publish(address, b"incomplete", qos=1)
        d.wait_closed()
        assert not d.has_puback(mid)
        assert d.messages == []


def test_unauthenticated_error_is_reported_on_the_device_error_topic(open_hub):
    with connect(open_hub) as d:
        assert d.subscribe("e/DEFAULT_TENANT/4711/#") == [0]
        d.publish("event/DEFAULT_TENANT/4711", b"qos 0 event", qos=0)
        topic, body, _, _ = error_message(d, 400)
        assert topic == "e/DEFAULT_TENANT/4711/event/-1/400"
        assert_error_payload(body, 400, "-1", "Only QoS 1 supported for event messages")
        d.assert_open("telemetry/DEFAULT_TENANT/4711")


def test_unauthenticated_device_of_a_tenant_with_mqtt_disabled_gets_403(open_hub):
    # Terminal errors are those of authenticated devices (Hono: isTerminalError is false without an authenticated
    # device), so on-error applies.
    registry(open_hub).create_device("HTTP_TENANT", "http-device", {})
    with connect(open_hub) as d:
        assert d.subscribe("e/HTTP_TENANT/http-device/#") == [0]
        mid = d.publish("telemetry/HTTP_TENANT/http-device/?on-error=ignore", b"adapter disabled", qos=1)
        topic, body, _, _ = error_message(d, 403)
        assert topic == f"e/HTTP_TENANT/http-device/telemetry/{mid}/403"
        assert_error_payload(body, 403, str(mid))
        d.wait_puback(mid)
        d.assert_open("telemetry/DEFAULT_TENANT/4711")
