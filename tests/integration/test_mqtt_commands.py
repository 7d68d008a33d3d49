"""Commands to MQTT devices (spec/hono.md §1.7 command records and responses, §1.4 ttd notifications, §3.5 MQTT
command topics; reference/hono-kafka-getting-started.md "Advanced: Sending Commands to a Device"), with the real
binary: mosquitto_sub/mosquitto_pub and paho-mqtt as devices, a raw socket for a device that never PUBACKs, and as
the application `tributary command` (the walkthrough) or confluent-kafka writing hono.command.<tenant> and reading
hono.command_response.<tenant>.

Nothing sleeps a fixed time: every wait polls a condition with a deadline."""
import json
import subprocess
import uuid

import pytest

from app_tools_support import Tool, sasl_args
from commands_support import DELIVERY_FAILURE, request_id_of, responses, send_command, wait_ttd
from kafka_records import read_records
from mqtt_support import (DEMO_TENANT, EMPTY_NOTIFICATION, GATEWAY, SENSOR, SUBACK_FAILURE, Raw, connect, host_port,
                          publish_packet, subscribe_packet)

RESPONSES = f"hono.command_response.{DEMO_TENANT}"


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


def test_getting_started_command_walkthrough(demo):
    """The getting-started guide's "Sending Commands" step by step: mosquitto_sub as the device, `tributary command`
    (over the SASL listener, as the guide's Hono client) sending a one-way setVolume and a request/response
    setBrightness, the answer with mosquitto_pub, the response printed by the tool. The guide subscribes to
    command/+/+/req/#; spec/hono.md §3.5 refuses "+" as tenant, so the device names none, as the issue says."""
    host, port = host_port(demo)
    sub = subprocess.Popen(["mosquitto_sub", "-v", "-h", host, "-p", str(port), "-u", SENSOR[0], "-P", SENSOR[1],
                            "-t", "command///req/#", "-C", "2"], stdout=subprocess.PIPE, text=True)
    app = Tool("command", *sasl_args(demo), "--tenant", DEMO_TENANT, "--device", "4711")
    try:
        wait_ttd(demo, "4711", -1)  # subscribed: the device can take commands now
        prompt = f"Enter name of command for device [4711] in tenant [{DEMO_TENANT}] (prefix with 'ow:' to send one-way command):"
        app.wait_line(lambda l: l == ">>>>>>>>> " + prompt, "the first prompt")
        app.type("ow:setVolume", '{"level": 50}', "application/json")
        app.wait_line(lambda l: l == "Command sent to device", "the one-way command sent")
        app.type("setBrightness", '{"brightness": 87}', "application/json")
        app.wait_line(lambda l: l == "Command sent to device... [waiting for response for max. 60 seconds]",
                      "the request/response command sent")
        out, _ = sub.communicate(timeout=60)
        lines = out.splitlines()
        assert len(lines) == 2, out
        assert lines[0] == 'command///req//setVolume {"level": 50}'
        topic, payload = lines[1].split(" ", 1)
        request_id = topic.split("/")[4]
        assert topic == f"command///req/{request_id}/setBrightness" and payload == '{"brightness": 87}', out
        correlation_id = request_id[3:]  # "2" + two hex digits of its length + the correlation id
        assert request_id == request_id_of(correlation_id)

        subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), "-u", SENSOR[0], "-P", SENSOR[1], "-q", "1",
                        "-t", f"command///res/{request_id}/200", "-m", '{"success": true}'], check=True, timeout=60)
        app.wait_line(lambda l: l == 'Received Command response: {"success": true}', "the response printed")
        properties = app.wait_line(lambda l: l.startswith("... with properties:"), "the response's properties")
        for expected in (f"correlation-id={correlation_id}", "status=200", "device_id=4711",
                         f"tenant_id={DEMO_TENANT}"):
            assert expected in properties, properties
        assert app.finish() == 0, app.output()
    finally:
        sub.kill()
        app.kill()
    (r,) = responses(demo, correlation_id)  # the record the tool read is in the log
    assert r.key == "4711" and r.value == b'{"success": true}' and r.headers["status"] == "200"
    assert int(r.headers["creation-time"]) > 0
    wait_ttd(demo, "4711", 0)  # mosquitto_sub went away: no longer reachable


@pytest.mark.parametrize("topic_filter,qos", [("c///q/#", 0), ("c///q/#", 1), ("command///req/#", 1),
                                              ("command/DEFAULT_TENANT//req/#", 0)])
def test_device_command_subscriptions_are_granted_at_the_requested_qos(demo, topic_filter, qos):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe(topic_filter, qos=qos) == [qos]


@pytest.mark.parametrize("topic_filter,qos", [("c/OTHER_TENANT//q/#", 0), ("c///q/#", 2), ("c//+/q/x", 0),
                                              ("c/+//q/#", 0), ("c///s/#", 0)])
def test_invalid_command_subscriptions_are_refused(demo, topic_filter, qos):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe(topic_filter, qos=qos) == [SUBACK_FAILURE]
        d.assert_open()


def test_topic_forms_follow_the_filter(demo):
    """spec/hono.md §3.5: endpoint and req spelled as in the filter, the tenant segment only if the filter had one."""
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("c/DEFAULT_TENANT//q/#", qos=0) == [0]
        wait_ttd(demo, "4711", -1)
        correlation_id = "forms-" + uuid.uuid4().hex
        send_command(demo, "4711", "setBrightness", b"x", correlation_id=correlation_id)
        topic, payload, qos, _ = d.wait_message(lambda t: t.startswith("c/"), "the command")
        assert topic == f"c/DEFAULT_TENANT//q/2{len(correlation_id):02x}{correlation_id}/setBrightness"
        assert payload == b"x" and qos == 0


def test_gateway_receives_commands_for_devices_in_its_via(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("command//+/req/#", qos=1) == [1]
        wait_ttd(demo, "gw-1", -1)
        correlation_id = "gw-" + uuid.uuid4().hex
        send_command(demo, "4712", "switchOn", b"on", correlation_id=correlation_id)
        topic, payload, qos, _ = gw.wait_message(lambda t: t.startswith("command/"), "the command for 4712")
        request_id = f"2{len(correlation_id):02x}{correlation_id}"
        assert topic == f"command//4712/req/{request_id}/switchOn"
        assert payload == b"on" and qos == 1
        # The gateway answers for the device.
        gw.publish_acked(f"command//4712/res/{request_id}/202", b"done")
        (r,) = responses(demo, correlation_id)
        assert r.key == "4712" and r.headers["status"] == "202" and r.headers["device_id"] == "4712"


def test_gateway_subscription_for_a_device_not_in_its_via_is_refused(demo):
    with connect(demo, *GATEWAY) as gw:
        assert gw.subscribe("command//4712/req/#", qos=0) == [0]  # 4712 has gw-1 in its via
        assert gw.subscribe("command//4711/req/#", qos=0) == [SUBACK_FAILURE]


def test_command_without_consumer_is_answered_503(demo):
    correlation_id = "nobody-" + uuid.uuid4().hex
    send_command(demo, "4711", "setVolume", correlation_id=correlation_id,
                 extra_headers=[("delivery-failure-notification-metadata.app", "dashboard")])
    (r,) = responses(demo, correlation_id)
    assert r.headers["status"] == "503"
    assert r.headers["content-type"] == DELIVERY_FAILURE
    assert r.headers["delivery-failure-notification-metadata.app"] == "dashboard"
    assert json.loads(r.value) == {"error": "no consumer available"}


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_commands_in_compressed_batches_are_delivered(demo, codec):
    """Applications may compress what they produce (librdkafka's compression.type): the router opens the batch."""
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("command///req/#", qos=0) == [0]
        wait_ttd(demo, "4711", -1)
        correlation_id = f"{codec}-" + uuid.uuid4().hex
        payload = b'{"level": 50, "padding": "' + b"x" * 500 + b'"}'  # worth compressing
        send_command(demo, "4711", "setVolume", payload, correlation_id=correlation_id,
                     producer_config={"compression.type": codec})
        topic, got, _, _ = d.wait_message(lambda t: t.startswith("command///req/"), "the compressed command")
        assert topic == f"command///req/{request_id_of(correlation_id)}/setVolume"
        assert got == payload


def test_malformed_commands(demo):
    """No subject with a correlation id: 400 response; without a correlation id: no response (spec/hono.md §1.7)."""
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("command///req/#", qos=0) == [0]
        wait_ttd(demo, "4711", -1)
        correlation_id = "malformed-" + uuid.uuid4().hex
        send_command(demo, "4711", None, correlation_id=correlation_id)
        send_command(demo, "4711", None)  # one-way without subject: dropped without a response
        marker = "marker-" + uuid.uuid4().hex
        send_command(demo, "4711", "marker", correlation_id=marker)  # delivered: proves the others were handled
        d.wait_message(lambda t: t.endswith("/marker"), "the marker command")
        (r,) = responses(demo, correlation_id)
        assert r.headers["status"] == "400"
        assert json.loads(r.value) == {"error": "malformed command message"}
        assert not any(t.endswith("/") for t, *_ in d.messages), d.messages  # no command without a name


def test_command_not_acknowledged_in_time_is_503_while_the_device_still_gets_it(demo):
    with Raw(demo) as raw:
        assert raw.connect(username=SENSOR[0], password=SENSOR[1]) == 0
        raw.send(subscribe_packet(1, [("command///req/#", 1)]))
        kind, _, body = raw.read_packet()
        assert kind == 9 and body[2:] == b"\x01"  # SUBACK granted QoS 1
        wait_ttd(demo, "4711", -1)
        correlation_ids = ["unacked-" + uuid.uuid4().hex for _ in range(2)]
        for c in correlation_ids:
            send_command(demo, "4711", "setVolume", b"v", correlation_id=c)
        for c in correlation_ids:
            kind, flags, body = raw.read_packet()  # the device receives every command, QoS 1 (never PUBACKed)
            assert kind == 3 and (flags >> 1) & 3 == 1
            assert f"/{2:x}{len(c):02x}{c}/setVolume".encode() in body
        for c in correlation_ids:
            (r,) = responses(demo, c)
            assert r.headers["status"] == "503"


def test_acknowledged_qos1_command_gets_no_error_response(demo):
    with Raw(demo) as raw:
        assert raw.connect(username=SENSOR[0], password=SENSOR[1]) == 0
        raw.send(subscribe_packet(1, [("command///req/#", 1)]))
        assert raw.read_packet()[0] == 9
        wait_ttd(demo, "4711", -1)
        correlation_id = "acked-" + uuid.uuid4().hex
        send_command(demo, "4711", "setVolume", b"v", correlation_id=correlation_id)
        kind, _, body = raw.read_packet()
        assert kind == 3
        topic_length = int.from_bytes(body[0:2], "big")
        packet_id = body[2 + topic_length:4 + topic_length]
        raw.send(bytes([0x40, 0x02]) + packet_id)  # PUBACK
        request_id = f"2{len(correlation_id):02x}{correlation_id}"
        raw.send(publish_packet(f"command///res/{request_id}/200", b"ok", qos=1, packet_id=7))
        assert raw.read_packet()[0] == 4  # PUBACK of the response: stored
        rs = read_records(demo, RESPONSES, lambda rs: any(r.headers.get("correlation-id") == correlation_id for r in rs))
        mine = [r for r in rs if r.headers.get("correlation-id") == correlation_id]
        assert [r.headers["status"] for r in mine] == ["200"]  # the device's answer only, no 503


def test_ttd_notifications_on_subscribe_and_unsubscribe(demo):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("command///req/#", qos=0) == [0]
        r = wait_ttd(demo, "4711", -1)
        assert r.headers["content-type"] == EMPTY_NOTIFICATION
        assert r.headers["qos"] == "1"
        assert r.headers["orig_adapter"] == "hono-mqtt"
        assert r.value_is_null or r.value == b""
        d.unsubscribe("command///req/#")
        wait_ttd(demo, "4711", 0)


@pytest.mark.parametrize("topic,status", [("command///res/2zzabc/200", 400), ("command///res/203abc/302", 400),
                                          ("command///res/203abc/ok", 400)])
def test_invalid_command_responses_are_errors(demo, topic, status):
    with connect(demo, *SENSOR) as d:
        assert d.subscribe("e///#", qos=0) == [0]
        d.publish(topic, b"x", qos=1)
        error_topic, payload, _, _ = d.wait_message(lambda t: t.startswith("e/"), "the error message")
        assert error_topic.endswith(f"/{status}"), error_topic
        assert json.loads(payload)["code"] == status


def test_restart_loses_no_command(hub_factory, tmp_path):
    """A command written while no router runs is delivered after the restart, and one already handled is not
    delivered again."""
    hub = hub_factory(args=["--demo"], data_dir=tmp_path / "data").start()
    first = "before-" + uuid.uuid4().hex
    send_command(hub, "4711", "first", correlation_id=first)  # no consumer: 503 and committed
    responses(hub, first)
    hub.stop()
    hub = hub_factory(args=["--demo"], data_dir=tmp_path / "data").start()
    with connect(hub, *SENSOR) as d:
        assert d.subscribe("command///req/#", qos=0) == [0]
        wait_ttd(hub, "4711", -1)
        second = "after-" + uuid.uuid4().hex
        send_command(hub, "4711", "second", correlation_id=second)
        d.wait_message(lambda t: t.endswith("/second"), "the command sent after the restart")
        assert not any(t.endswith("/first") for t, *_ in d.messages), d.messages
        # Same key, same partition: a re-read "first" would have come before "second" - to the device, now.
        rs = read_records(hub, RESPONSES, lambda rs: any(r.headers.get("correlation-id") == first for r in rs))
        assert [r.headers["status"] for r in rs if r.headers.get("correlation-id") == first] == ["503"]
