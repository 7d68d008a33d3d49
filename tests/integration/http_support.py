"""Helpers for the HTTP adapter integration tests (spec/hono.md §2, records §1.3, empty notifications §1.4):
URLs of a hub's `http` / `http-tls` listeners, the real curl as a device, checks of the adapter's error format,
a raw socket client (pipelining, malformed requests, slow clients), readers of hono.telemetry.<tenant> /
hono.event.<tenant> with confluent-kafka, registry shortcuts, and certificates made with openssl at test time.

Nothing sleeps a fixed time to wait for the hub: every wait polls a condition with a deadline (hub.wait_for)."""
import base64
import socket
import subprocess
from dataclasses import dataclass

from hub import DEADLINE
from hono_support import (DEMO_TENANT, EMPTY_NOTIFICATION, HONO_PARTITIONS, add_tenant,  # noqa: F401
                          assert_hono_record, event_topic, now_ms, telemetry_topic)
from kafka_records import Record, read_records, records_up_to_marker, wait_record, wait_records  # noqa: F401
from pki_support import der_b64, make_pki  # noqa: F401

SENSOR = ("sensor1@DEFAULT_TENANT", "hono-secret")  # device 4711 (defaults: application/vnd.bumlux, importance high)
GATEWAY = ("gw@DEFAULT_TENANT", "gw-secret")  # device gw-1, in the via of 4712
ERROR_CONTENT_TYPE = "application/json; charset=utf-8"  # spec/hono.md §2.4, exactly


def http_url(hub, path):
    return f"http://{hub.addresses['http']}{path}"


def https_url(hub, path):
    return f"https://{hub.addresses['http-tls']}{path}"


def host_port(hub, listener="http"):
    host, port = hub.addresses[listener].rsplit(":", 1)
    return host, int(port)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ================================================================================================ responses

def assert_error(response, status, message=None, contains=None):
    """A §2.4 error answer of `requests`: `status`, content type exactly `application/json; charset=utf-8`, a JSON
    body {"error": "<non-empty string>"} (its text equal to `message` / containing `contains` when given)."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text!r}"
    assert response.headers.get("content-type") == ERROR_CONTENT_TYPE, (
        f"error content-type is {response.headers.get('content-type')!r}, the spec says {ERROR_CONTENT_TYPE!r}")
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    if message is not None:
        assert body["error"] == message, body
    if contains is not None:
        assert contains in body["error"], body
    return body


def assert_unauthorized(response):
    body = assert_error(response, 401)
    assert response.headers.get("www-authenticate") == 'Basic realm="Hono"', dict(response.headers)
    return body


def assert_accepted(response):
    """202 Accepted with no body (content-length 0): accepted, no command."""
    assert response.status_code == 202, f"expected 202, got {response.status_code}: {response.text!r}"
    assert response.headers.get("content-length") == "0", dict(response.headers)
    assert response.content == b""


@dataclass
class CurlAnswer:
    status: int
    headers: dict  # lower-case name -> value (of the final response)
    body: str
    interim: list  # status codes of 1xx answers before the final one
    verbose: str  # curl's stderr (with -v)


def curl(*args, timeout=DEADLINE):
    """Runs the real curl with `-i` (and -sS); returns the final answer and any 100 Continue before it."""
    out = subprocess.run(["curl", "--silent", "--show-error", "-i", *args], capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stderr
    rest = out.stdout
    interim = []
    while True:
        head, _, rest = rest.replace("\r\n", "\n").partition("\n\n")
        status_line, *header_lines = head.split("\n")
        assert status_line.startswith("HTTP/1.1 "), status_line
        code = int(status_line.split()[1])
        if 100 <= code < 200:
            interim.append(code)
            continue
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return CurlAnswer(code, headers, rest, interim, out.stderr)


# ================================================================================================ raw socket

class Raw:
    """A plain TCP client of the `http` listener for what `requests` cannot send: pipelined requests, broken
    chunked encoding, oversized headers, a request trickled byte by byte."""

    def __init__(self, hub, timeout=DEADLINE):
        self.sock = socket.create_connection(host_port(hub), timeout=timeout)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the server")
        self.buffer += chunk

    def read_response(self):
        """(status, {lower-case header: value}, body bytes) of the next response (Content-Length framed)."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        assert status_line.startswith(("HTTP/1.1 ", "HTTP/1.0 ")), status_line
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed_by_peer(self):
        """True once the server has closed the connection (reads until EOF; unread bytes stay in the buffer)."""
        try:
            while True:
                self._fill()
        except EOFError:
            return True
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def raw_request(method, path, headers=(), body=b""):
    """The bytes of one HTTP/1.1 request; `headers` is a list of (name, value)."""
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost"] + [f"{n}: {v}" for n, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def sensor_headers(address, qos, **extra):
    """The headers of an HTTP upload of device 4711 (defaults content-type application/vnd.bumlux, importance high)
    without a content type of its own."""
    return {"content-type": "application/vnd.bumlux", "device_id": "4711", "qos": str(qos),
            "orig_adapter": "hono-http", "orig_address": address, "importance": "high", **extra}


# ================================================================================================ registry

def add_device(reg, tenant, device, auth_id=None, password=None, device_body=None):
    """A device (with hashed-password credentials auth_id/password when given); returns the Basic username."""
    reg.create_device(tenant, device, device_body if device_body is not None else {})
    if auth_id is not None:
        reg.put_credentials(tenant, device, [{"type": "hashed-password", "auth-id": auth_id,
                                              "secrets": [{"pwd-plain": password}]}])
    return f"{auth_id}@{tenant}"


# ================================================================================================ certificates

DEVICE_CERT_SUBJECT = "CN=device-1,OU=sensors,O=Tributary Tests"
