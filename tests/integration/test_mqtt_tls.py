"""MQTT over TLS (mqtt.tls-listen) with paho-mqtt: username/password over TLS, and client-certificate
login against a tenant's trusted CA (spec/hono.md §3.1, §4.2), with certificates made by openssl at
test time. Records are read back from the embedded broker with kcat."""
import json
import ssl
import threading

import paho.mqtt.client as mqtt
import pytest
import requests

from hub import DEADLINE, wait_for
from kafka_support import kcat
from pki_support import der_b64, make_pki


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki")


@pytest.fixture
def tls_hub(hub_factory, pki):
    return hub_factory(args=["--demo", f"--tls.cert-file={pki / 'server.pem'}",
                             f"--tls.key-file={pki / 'server.key'}"]).start()


def connect(hub, pki, *, cert=None, username=None, password=None):
    """Connects over TLS; returns (client, CONNACK code); the client's loop runs until disconnect()."""
    host, port = hub.addresses["mqtt-tls"].rsplit(":", 1)
    client = mqtt.Client(client_id="tls-test", clean_session=True)
    client.tls_set(ca_certs=str(pki / "server-ca.pem"),
                   certfile=str(pki / f"{cert}.pem") if cert else None,
                   keyfile=str(pki / f"{cert}.key") if cert else None,
                   tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if username:
        client.username_pw_set(username, password)
    result = {}
    done = threading.Event()

    def on_connect(c, userdata, flags, rc):
        result["rc"] = rc
        done.set()

    def on_disconnect(c, userdata, rc):
        result.setdefault("rc", "disconnected")
        done.set()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.connect(host, int(port), keepalive=30)
    client.loop_start()
    assert done.wait(DEADLINE), "no CONNACK"
    return client, result["rc"]


def publish_qos1(client, topic, payload):
    info = client.publish(topic, payload, qos=1)
    info.wait_for_publish(timeout=DEADLINE)
    assert info.is_published(), "no PUBACK"


def records(hub, topic):
    out = kcat("-b", hub.kafka, "-C", "-t", topic, "-e", "-J", "-q")
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def register_cert_tenant(hub, pki, template=None):
    ca = {"cert": der_b64(pki, "tenant-ca")}
    if template:
        ca["auth-id-template"] = template
    api = hub.registry_url + "/v1"
    assert requests.post(f"{api}/tenants/certs", json={"trusted-ca": [ca]}).status_code == 201
    assert requests.post(f"{api}/devices/certs/dev1").status_code == 201
    auth_id = template.replace("{{subject-cn}}", "device-1") if template else "CN=device-1,OU=sensors,O=Tributary Tests"
    r = requests.put(f"{api}/credentials/certs/dev1", json=[{"type": "x509-cert", "auth-id": auth_id}])
    assert r.status_code == 204, r.text


def test_password_login_over_tls(tls_hub, pki):
    client, rc = connect(tls_hub, pki, username="sensor1@DEFAULT_TENANT", password="hono-secret")
    assert rc == 0
    publish_qos1(client, "telemetry", b'{"over": "tls"}')
    client.disconnect()
    found = wait_for(lambda: [r for r in records(tls_hub, "hono.telemetry.DEFAULT_TENANT")
                              if r["payload"] == '{"over": "tls"}'], "record in hono.telemetry.DEFAULT_TENANT")
    assert found[0]["key"] == "4711"


def test_client_certificate_login(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    client, rc = connect(tls_hub, pki, cert="device")
    assert rc == 0
    publish_qos1(client, "telemetry", b"from-cert")
    client.disconnect()
    found = wait_for(lambda: records(tls_hub, "hono.telemetry.certs"), "record in hono.telemetry.certs")
    assert found[0]["key"] == "dev1"
    assert found[0]["payload"] == "from-cert"


def test_client_certificate_with_auth_id_template(tls_hub, pki):
    register_cert_tenant(tls_hub, pki, template="cn-{{subject-cn}}")
    client, rc = connect(tls_hub, pki, cert="device")
    assert rc == 0
    client.disconnect()


def test_certificate_of_an_untrusted_ca_is_refused(tls_hub, pki):
    register_cert_tenant(tls_hub, pki)
    # Same subject DN, but issued by a CA no tenant trusts: bad credentials (CONNACK 0x04).
    client, rc = connect(tls_hub, pki, cert="stranger")
    assert rc == 4
    client.loop_stop()


def test_certificate_without_x509_credentials_is_refused(tls_hub, pki):
    api = tls_hub.registry_url + "/v1"
    assert requests.post(f"{api}/tenants/certs", json={"trusted-ca": [{"cert": der_b64(pki, "tenant-ca")}]}).status_code == 201
    client, rc = connect(tls_hub, pki, cert="device")
    assert rc == 4
    client.loop_stop()


def test_no_tls_listener_without_a_certificate(hub):
    assert "mqtt-tls" not in hub.addresses
    assert "no TLS listener" in hub.log()
