"""The Device Registry steps of Hono's Kafka getting-started guide (reference/hono-kafka-getting-started.md),
run verbatim with the real curl against `tributary serve`'s registry listener."""
import json
import subprocess

from hub import DEADLINE
from registry_support import CONFIDENTIAL, UUID, assert_no_confidential_fields


def curl(*args):
    """Runs curl; returns (status, {lower-case header: value}, body) of an `-i` answer."""
    out = subprocess.run(["curl", "--silent", "--show-error", *args], capture_output=True, text=True, timeout=DEADLINE)
    assert out.returncode == 0, out.stderr
    head, _, body = out.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.split("\n")
    assert status_line.startswith("HTTP/1.1 "), status_line
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_getting_started_registers_tenant_device_and_password(hub):
    registry_ip_port = hub.addresses["registry"]

    # Creating a new Tenant
    status, headers, body = curl("-i", "-X", "POST", "-H", "content-type: application/json",
                                 f"http://{registry_ip_port}/v1/tenants", "--data-binary", '{\n'
                                 '  "ext": {\n'
                                 '    "messaging-type": "kafka"\n'
                                 '  }\n'
                                 '}')
    assert status == 201, body
    assert headers.get("etag")
    assert headers.get("content-type", "").split(";")[0] == "application/json"
    my_tenant = json.loads(body)["id"]
    assert json.loads(body) == {"id": my_tenant}
    assert UUID.match(my_tenant), my_tenant
    assert headers.get("location") == f"/v1/tenants/{my_tenant}"
    assert int(headers["content-length"]) == len(body.encode())

    # Adding a Device to the Tenant
    status, headers, body = curl("-i", "-X", "POST", f"http://{registry_ip_port}/v1/devices/{my_tenant}")
    assert status == 201, body
    assert headers.get("etag")
    assert headers.get("content-type", "").split(";")[0] == "application/json"
    my_device = json.loads(body)["id"]
    assert json.loads(body) == {"id": my_device}
    assert UUID.match(my_device), my_device
    assert headers.get("location") == f"/v1/devices/{my_tenant}/{my_device}"

    # Setting a Password for the Device
    my_pwd = "my-pwd"
    status, headers, body = curl("-i", "-X", "PUT", "-H", "content-type: application/json", "--data-binary", '[{\n'
                                 '  "type": "hashed-password",\n'
                                 '  "auth-id": "' + my_device + '",\n'
                                 '  "secrets": [{\n'
                                 '      "pwd-plain": "' + my_pwd + '"\n'
                                 '  }]\n'
                                 '}]', f"http://{registry_ip_port}/v1/credentials/{my_tenant}/{my_device}")
    assert status == 204, body
    assert headers.get("etag")
    assert body == ""
    put_etag = headers["etag"]

    # What the registry now holds.
    status, headers, body = curl("-i", f"http://{registry_ip_port}/v1/tenants/{my_tenant}")
    assert status == 200, body
    assert json.loads(body)["ext"] == {"messaging-type": "kafka"}
    status, headers, body = curl("-i", f"http://{registry_ip_port}/v1/devices/{my_tenant}/{my_device}")
    assert status == 200, body
    assert json.loads(body).get("enabled", True) is True
    status, headers, body = curl("-i", f"http://{registry_ip_port}/v1/credentials/{my_tenant}/{my_device}")
    assert status == 200, body
    assert headers.get("etag") == put_etag
    credentials = json.loads(body)
    assert len(credentials) == 1
    assert credentials[0]["type"] == "hashed-password"
    assert credentials[0]["auth-id"] == my_device
    assert len(credentials[0]["secrets"]) == 1
    assert_no_confidential_fields(credentials)
    for field in CONFIDENTIAL:
        assert field not in body
    assert my_pwd not in body


def test_sandbox_check_command_answers_200_with_an_etag_under_demo(hub_factory):
    demo = hub_factory(args=["--demo"]).start()
    # curl -sIX GET http://$REGISTRY_IP:28080/v1/tenants/DEFAULT_TENANT
    status, headers, body = curl("-sIX", "GET", f"http://{demo.addresses['registry']}/v1/tenants/DEFAULT_TENANT")
    assert status == 200
    assert headers.get("etag")
    assert headers.get("content-type") == "application/json; charset=utf-8"
    assert int(headers.get("content-length", "0")) > 0
