"""The application tools in the binary, against the real hub: `tributary consume` (the getting-started guide's
receiver: telemetry and events of a tenant with their headers) and `tributary command` (commands and their
responses), over the SASL listener as the guide connects and over the plain one. Devices are curl,
mosquitto_pub/mosquitto_sub. Nothing sleeps a fixed time: every wait polls a condition with a deadline."""
import signal
import subprocess

import pytest
import requests

from app_tools_support import Tool, sasl_args
from commands_support import DELIVERY_FAILURE, wait_ttd
from hub import DEADLINE, wait_for
from http_support import curl, http_url
from mqtt_support import DEMO_TENANT, SENSOR, host_port
from test_http_commands import waiting_upload

READY = "ready: consuming"


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


def mosquitto_pub(hub, *args):
    host, port = host_port(hub)
    subprocess.run(["mosquitto_pub", "-h", host, "-p", str(port), "-u", SENSOR[0], "-P", SENSOR[1], *args],
                   check=True, timeout=60)


def command_subscriber(hub):
    """mosquitto_sub as device 4711 taking one command (printed with its topic), once it can take commands."""
    host, port = host_port(hub)
    sub = subprocess.Popen(["mosquitto_sub", "-v", "-h", host, "-p", str(port), "-u", SENSOR[0], "-P", SENSOR[1],
                            "-t", "command///req/#", "-C", "1"], stdout=subprocess.PIPE, text=True)
    try:
        wait_ttd(hub, "4711", -1)
    except BaseException:
        sub.kill()
        raise
    return sub


def http_upload(hub, path, body):
    r = curl("-u", f"{SENSOR[0]}:{SENSOR[1]}", "-H", "Content-Type: application/json", "--data-binary", body,
             http_url(hub, path))
    assert r.status == 202, r


def received(tool, count):
    """The (message line, properties line) pairs printed, once there are `count`."""
    def pairs():
        lines = tool.lines()
        found = [(lines[i], lines[i + 1]) for i in range(len(lines) - 1) if lines[i].startswith("received ")]
        return found if len(found) >= count else None
    return wait_for(pairs, f"{count} received message(s)")


def test_consume_prints_the_getting_started_telemetry_and_events(demo):
    """The guide's receiver while curl and mosquitto_pub upload telemetry and an event each, as in the guide."""
    app = Tool("consume", *sasl_args(demo), "--tenant", DEMO_TENANT, "--count", "4")
    try:
        app.wait_line(lambda l: l.startswith(READY), "the consumer ready", stream="err")
        http_upload(demo, "/telemetry", '{"temp": 5}')
        http_upload(demo, "/event", '{"alarm": "fire"}')
        mosquitto_pub(demo, "-t", "telemetry", "-m", '{"temp": 5}')
        mosquitto_pub(demo, "-t", "event", "-q", "1", "-m", '{"alarm": "fire"}')
        assert app.finish(close_stdin=False) == 0, app.output()
    finally:
        app.kill()
    pairs = received(app, 4)
    # Telemetry and events are different topics: their relative order is not defined, each topic's is.
    by_type = {"telemetry": [], "event": []}
    for message, properties in pairs:
        by_type[message.split()[1]].append((message, properties))
    (http_t, mqtt_t), (http_e, mqtt_e) = by_type["telemetry"], by_type["event"]
    assert http_t[0] == 'received telemetry message [device: 4711, content-type: application/json]: {"temp": 5}'
    assert http_e[0] == 'received event message [device: 4711, content-type: application/json]: {"alarm": "fire"}'
    assert mqtt_t[0].startswith("received telemetry message [device: 4711, content-type: ")
    assert mqtt_t[0].endswith(']: {"temp": 5}')
    assert mqtt_e[0].endswith(']: {"alarm": "fire"}')
    for properties, adapter, address, qos in ((http_t[1], "hono-http", "/telemetry", "0"),
                                              (http_e[1], "hono-http", "/event", "1"),
                                              (mqtt_t[1], "hono-mqtt", "telemetry", "0"),
                                              (mqtt_e[1], "hono-mqtt", "event", "1")):
        assert properties.startswith("... with properties: {") and properties.endswith("}"), properties
        for expected in (f"orig_adapter={adapter}", f"orig_address={address}", f"qos={qos}", "device_id=4711"):
            assert expected in properties, properties


def test_consume_from_the_beginning_reads_what_came_before(demo):
    http_upload(demo, "/telemetry", '{"before": true}')
    app = Tool("consume", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT, "--from-beginning", "--count", "1")
    try:
        assert app.finish(close_stdin=False) == 0, app.output()
    finally:
        app.kill()
    (message, _), = received(app, 1)
    assert message.endswith(': {"before": true}')


def test_consume_stops_cleanly_on_sigint_and_sigterm(demo):
    for sig in (signal.SIGINT, signal.SIGTERM):
        app = Tool("consume", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT)
        try:
            app.wait_line(lambda l: l.startswith(READY), "the consumer ready", stream="err")
            app.proc.send_signal(sig)
            assert app.finish(close_stdin=False) == 0, app.output()
        finally:
            app.kill()


def test_a_wrong_sasl_password_is_a_clear_error(demo):
    for tool in (["consume"], ["command", "--device", "4711", "--name", "ow:x"]):
        app = Tool(*tool, *sasl_args(demo, ("hono", "wrong")), "--tenant", DEMO_TENANT)
        try:
            assert app.finish() == 1, app.output()
        finally:
            app.kill()
        assert "SASL authentication" in app.output() and "Invalid user credentials" in app.output(), app.output()


def test_a_malformed_property_is_a_usage_error(demo):
    app = Tool("consume", "--tenant", DEMO_TENANT, "-X", "no-equals-sign")
    assert app.finish() == 2
    assert "--property no-equals-sign: expected key=value" in app.output()


def test_command_flags_send_one_request_response_command(demo):
    """--name sends one command; the exit code says whether a 2xx response came back."""
    sub = command_subscriber(demo)
    app = None
    try:
        app = Tool("command", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT, "--device", "4711",
                   "--name", "reboot", "--payload", "now", "--content-type", "text/plain")
        out, _ = sub.communicate(timeout=60)
        topic, payload = out.strip().split(" ", 1)
        assert topic.endswith("/reboot") and payload == "now", out
        mosquitto_pub(demo, "-t", topic.replace("/req/", "/res/").rsplit("/", 1)[0] + "/202", "-m", "rebooting")
        assert app.finish() == 0, app.output()
        assert "Received Command response: rebooting" in app.lines(), app.output()
    finally:
        sub.kill()
        if app:
            app.kill()


def test_command_without_a_consumer_prints_the_503_and_fails(demo):
    app = Tool("command", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT, "--device", "4711", "--name", "x")
    try:
        assert app.finish() == 1, app.output()
    finally:
        app.kill()
    assert 'Received Command response: {"error":"no consumer available"}' in app.lines(), app.output()
    properties = app.wait_line(lambda l: l.startswith("... with properties:"), "the properties")
    assert "status=503" in properties and f"content-type={DELIVERY_FAILURE}" in properties


def test_command_gives_up_after_its_timeout(demo):
    """The device receives the command but never answers; the tool says so after --timeout seconds."""
    sub = command_subscriber(demo)
    app = None
    try:
        app = Tool("command", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT, "--device", "4711",
                   "--name", "ignored", "--timeout", "1")
        assert app.finish() == 1, app.output()
        assert "No response received within 1 seconds" in app.lines("err"), app.output()
        out, _ = sub.communicate(timeout=60)
        assert "/ignored" in out
    finally:
        sub.kill()
        if app:
            app.kill()


def test_request_response_command_to_an_http_device_waiting_with_ttd(demo):
    """An HTTP device polling with hono-ttd gets the tool's command in its response and answers on
    /command/res/<req-id>; the tool prints the answer."""
    pending = waiting_upload(demo, b"poll", ttd=30)
    app = Tool("command", "--bootstrap", demo.kafka, "--tenant", DEMO_TENANT, "--device", "4711",
               "--name", "blink", "--payload", "3", "--content-type", "text/plain")
    try:
        r = pending.result()
        assert r.status_code == 200 and r.headers["hono-command"] == "blink" and r.text == "3", r
        answer = requests.post(http_url(demo, f"/command/res/{r.headers['hono-cmd-req-id']}"), data=b"blinked",
                               auth=SENSOR, headers={"hono-cmd-status": "200", "Content-Type": "text/plain"},
                               timeout=DEADLINE)
        assert answer.status_code == 202, answer.text
        assert app.finish() == 0, app.output()
    finally:
        app.kill()
    assert "Received Command response: blinked" in app.lines(), app.output()
