"""Commands to HTTP devices (spec/hono.md §2.5 the hono-ttd long poll, §2.2/§2.3 command responses, §1.7 records):
`requests` as the device, confluent-kafka as the application writing hono.command.<tenant> once it sees the
telemetry record that carries the device's `ttd` (as Hono applications do), and reading
hono.command_response.<tenant>.

Nothing sleeps a fixed time: every wait polls a condition with a deadline."""
import json
import uuid

import pytest
import requests

from commands_support import Background, request_id_of, responses, send_command
from hub import DEADLINE
from http_support import DEMO_TENANT, assert_accepted, assert_error, http_url, telemetry_topic, wait_records

SENSOR = ("sensor1@DEFAULT_TENANT", "hono-secret")  # device 4711
GATEWAY = ("gw@DEFAULT_TENANT", "gw-secret")  # device gw-1, in the via of 4712


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


def upload(hub, path, body, auth=SENSOR, headers=None, method="POST"):
    return requests.request(method, http_url(hub, path), data=body, auth=auth, headers=headers or {},
                            timeout=DEADLINE * 2)


def waiting_upload(hub, payload, ttd=30, auth=SENSOR, path="/telemetry", method="POST"):
    """Starts an upload with hono-ttd on a thread and waits until its record (with `ttd`) is in the log: from then
    on the device takes commands. Returns the pending request."""
    pending = Background(lambda: upload(hub, path, payload, auth=auth, method=method,
                                        headers={"Content-Type": "text/plain", "hono-ttd": str(ttd)}))
    wait_records(hub, telemetry_topic(), where=lambda r: r.value == payload and r.headers.get("ttd") == str(ttd))
    return pending


def test_ttd_without_command_is_202_once_the_ttd_ends(demo):
    r = upload(demo, "/telemetry", b"ttd no command", headers={"Content-Type": "text/plain", "hono-ttd": "1"})
    assert_accepted(r)
    assert "hono-command" not in r.headers
    (record,) = wait_records(demo, telemetry_topic(), where=lambda r: r.value == b"ttd no command")
    assert record.headers["ttd"] == "1"


def test_one_way_command_in_the_response(demo):
    pending = waiting_upload(demo, b"one-way")
    send_command(demo, "4711", "setVolume", b'{"level": 50}')
    r = pending.result()
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["hono-command"] == "setVolume"
    assert "hono-cmd-req-id" not in r.headers  # one-way
    assert "hono-cmd-target-device" not in r.headers
    assert r.headers["content-type"] == "application/json"
    assert r.content == b'{"level": 50}'


def test_request_response_command_and_its_response(demo):
    pending = waiting_upload(demo, b"request-response")
    correlation_id = "http-" + uuid.uuid4().hex
    send_command(demo, "4711", "setBrightness", b'{"brightness": 87}', correlation_id=correlation_id)
    r = pending.result()
    assert r.status_code == 200
    assert r.headers["hono-command"] == "setBrightness"
    request_id = r.headers["hono-cmd-req-id"]
    assert request_id == request_id_of(correlation_id)

    answer = upload(demo, f"/command/res/{request_id}?hono-cmd-status=200", b'{"success": true}',
                    headers={"Content-Type": "application/json"})
    assert_accepted(answer)
    (response,) = responses(demo, correlation_id)
    assert response.key == "4711"
    assert response.value == b'{"success": true}'
    assert response.headers["status"] == "200"
    assert response.headers["tenant_id"] == DEMO_TENANT
    assert response.headers["device_id"] == "4711"
    assert response.headers["content-type"] == "application/json"


def test_command_status_as_header_and_empty_response(demo):
    correlation_id = "hdr-" + uuid.uuid4().hex
    r = upload(demo, f"/command/res/{request_id_of(correlation_id)}", b"", headers={"hono-cmd-status": "503"})
    assert_accepted(r)
    (response,) = responses(demo, correlation_id)
    assert response.headers["status"] == "503"
    assert response.value_is_null or response.value == b""


@pytest.mark.parametrize("path", ["/command/res/203abc", "/command/res/203abc?hono-cmd-status=302",
                                  "/command/res/203abc?hono-cmd-status=ok", "/command/res/2zzabc?hono-cmd-status=200",
                                  "/command/res/503abc?hono-cmd-status=200"])
def test_bad_command_status_or_request_id_is_400(demo, path):
    assert_error(upload(demo, path, b"x", headers={"Content-Type": "text/plain"}), 400)


def test_command_response_paths_without_request_id_are_404(demo):
    r = upload(demo, "/command/res/DEFAULT_TENANT/4711", b"x", method="PUT", headers={"Content-Type": "text/plain"})
    assert r.status_code == 404


def test_a_newer_request_of_the_device_takes_the_command(demo):
    first = waiting_upload(demo, b"first", ttd=60)
    second = waiting_upload(demo, b"second", ttd=60)
    r1 = first.result()  # answered at once, without the command, when the second one came (not after 60 s)
    assert r1.status_code == 202 and "hono-command" not in r1.headers
    send_command(demo, "4711", "forTheSecond", b"x")
    r2 = second.result()
    assert r2.status_code == 200 and r2.headers["hono-command"] == "forTheSecond"


def test_gateway_post_takes_commands_for_devices_behind_it(demo):
    pending = waiting_upload(demo, b"gateway waits", auth=GATEWAY)
    correlation_id = "gw-" + uuid.uuid4().hex
    send_command(demo, "4712", "switchOn", b"on", correlation_id=correlation_id, content_type="text/plain")
    r = pending.result()
    assert r.status_code == 200
    assert r.headers["hono-command"] == "switchOn"
    assert r.headers["hono-cmd-target-device"] == "4712"
    request_id = r.headers["hono-cmd-req-id"]
    answer = upload(demo, f"/command/res//4712/{request_id}?hono-cmd-status=200", b"done", auth=GATEWAY, method="PUT",
                    headers={"Content-Type": "text/plain"})
    assert_accepted(answer)
    (response,) = responses(demo, correlation_id)
    assert response.key == "4712" and response.headers["device_id"] == "4712" and response.value == b"done"


def test_gateway_put_for_one_device_takes_only_its_commands(demo):
    pending = waiting_upload(demo, b"put for 4712", auth=GATEWAY, path="/telemetry//4712", method="PUT")
    nobody = "not-4711-" + uuid.uuid4().hex
    send_command(demo, "gw-1", "forTheGateway", correlation_id=nobody)  # the gateway itself has no consumer here
    (failure,) = responses(demo, nobody)
    assert failure.headers["status"] == "503"
    assert json.loads(failure.value) == {"error": "no consumer available"}
    send_command(demo, "4712", "for4712", b"x")
    r = pending.result()
    assert r.status_code == 200 and r.headers["hono-command"] == "for4712"
    assert "hono-cmd-target-device" not in r.headers  # the request named the device itself


def test_command_while_nobody_waits_is_503(demo):
    correlation_id = "late-" + uuid.uuid4().hex
    assert_accepted(upload(demo, "/telemetry", b"no ttd", headers={"Content-Type": "text/plain"}))
    send_command(demo, "4711", "tooLate", correlation_id=correlation_id)
    (failure,) = responses(demo, correlation_id)
    assert failure.headers["status"] == "503"
