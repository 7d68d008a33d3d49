"""Helpers for the MQTT adapter integration tests (spec/hono.md §3): a paho-mqtt (1.x API) device that
records what its connection got (CONNACK code, PUBACKs, SUBACKs, messages on the error topic, the close),
a raw MQTT 3.1.1 client over a plain socket (CONNECT bytes written by hand, for CONNACK codes paho
cannot produce or report), readers of hono.telemetry.<tenant> / hono.event.<tenant> with confluent-kafka,
and registry shortcuts for tenants, devices and passwords.

Nothing sleeps a fixed time: every wait polls a condition with a deadline (hub.wait_for)."""
import socket
import struct
import threading
import uuid

import paho.mqtt.client as paho

from hub import DEADLINE, wait_for
from hono_support import (DEMO_TENANT, EMPTY_NOTIFICATION, HONO_PARTITIONS, add_tenant,  # noqa: F401
                          assert_hono_record, event_topic, now_ms, telemetry_topic)
from kafka_records import Record, read_records, records_up_to_marker, wait_record, wait_records  # noqa: F401

SENSOR = ("sensor1@DEFAULT_TENANT", "hono-secret")  # device 4711
GATEWAY = ("gw@DEFAULT_TENANT", "gw-secret")  # device gw-1, in the via of 4712
CONNECTION_EVENT = "application/vnd.eclipse-hono-dc-notification+json"

# CONNACK return codes of MQTT 3.1.1
ACCEPTED = 0x00
UNACCEPTABLE_PROTOCOL = 0x01
IDENTIFIER_REJECTED = 0x02
SERVER_UNAVAILABLE = 0x03
BAD_USERNAME_OR_PASSWORD = 0x04
NOT_AUTHORIZED = 0x05

SUBACK_FAILURE = 0x80


def host_port(hub):
    host, port = hub.addresses["mqtt"].rsplit(":", 1)
    return host, int(port)


# ================================================================================================ paho client

class Device:
    """One paho-mqtt connection with everything it received recorded.

    paho's network thread (loop_start) runs with reconnect_on_failure=False: it ends when the server closes the
    connection instead of reconnecting, and the tests see the close."""

    def __init__(self, hub, username=None, password=None, client_id=None, keepalive=60):
        self.hub = hub
        self.client_id = client_id if client_id is not None else f"test-{uuid.uuid4().hex[:12]}"
        self.client = paho.Client(client_id=self.client_id, clean_session=True, protocol=paho.MQTTv311,
                                  reconnect_on_failure=False)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.keepalive = keepalive
        self.connack = None  # the CONNACK return code
        self.closed = threading.Event()  # the connection is gone (server closed it, or we did)
        self.disconnect_rc = None
        self.acked = set()  # packet ids that got a PUBACK
        self.qos1 = set()  # packet ids sent with QoS 1
        self.subacks = {}  # SUBSCRIBE packet id -> granted QoS list
        self.messages = []  # (topic, payload bytes, qos, retain) published to us
        self._lock = threading.Lock()
        self._started = False
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_publish = self._on_publish
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    # --- callbacks (network thread) --------------------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, rc):
        self.connack = rc

    def _on_disconnect(self, client, userdata, rc):
        self.disconnect_rc = rc
        self.closed.set()

    def _on_publish(self, client, userdata, mid):
        with self._lock:
            self.acked.add(mid)

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        with self._lock:
            self.subacks[mid] = list(granted_qos)

    def _on_message(self, client, userdata, message):
        with self._lock:
            self.messages.append((message.topic, bytes(message.payload), message.qos, bool(message.retain)))

    # --- actions (test thread) -------------------------------------------------------------------------------
    def connect(self):
        """Connects and waits for the CONNACK (or the close); returns the CONNACK return code (None: closed without one)."""
        host, port = host_port(self.hub)
        self.client.connect(host, port, keepalive=self.keepalive)
        self.client.loop_start()
        self._started = True
        wait_for(lambda: self.connack is not None or self.closed.is_set(), "CONNACK or close")
        return self.connack

    def publish(self, topic, payload=b"", qos=0, retain=False):
        """Publishes; returns the packet id (mid)."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        assert info.rc == paho.MQTT_ERR_SUCCESS, f"publish to {topic!r} failed locally: rc {info.rc}"
        if qos == 1:
            with self._lock:
                self.qos1.add(info.mid)
        return info.mid

    def has_puback(self, mid):
        with self._lock:
            return mid in self.qos1 and mid in self.acked

    def wait_puback(self, mid, what=None):
        def acked():
            if self.has_puback(mid):
                return True
            assert not self.closed.is_set(), f"connection closed before the PUBACK of {what or mid}"
            return False

        wait_for(acked, f"PUBACK of {what or mid}")

    def publish_acked(self, topic, payload=b"", retain=False):
        """A QoS 1 publish that must be PUBACKed; returns the packet id."""
        mid = self.publish(topic, payload, qos=1, retain=retain)
        self.wait_puback(mid, topic)
        return mid

    def subscribe(self, topic_filter, qos=0):
        """Subscribes (one filter, or a list of (filter, qos) in one SUBSCRIBE) and waits for the SUBACK; returns
        the granted QoS list (0x80 = failure)."""
        rc, mid = self.client.subscribe(topic_filter, qos) if isinstance(topic_filter, str) else \
            self.client.subscribe(topic_filter)
        assert rc == paho.MQTT_ERR_SUCCESS, rc
        return wait_for(lambda: self.subacks.get(mid), f"SUBACK for {topic_filter}")

    def unsubscribe(self, topic_filter):
        rc, mid = self.client.unsubscribe(topic_filter)
        assert rc == paho.MQTT_ERR_SUCCESS, rc

    def wait_message(self, predicate=lambda topic: True, what="a message"):
        """The first message whose topic matches predicate: (topic, payload, qos, retain)."""
        def found():
            with self._lock:
                return next((m for m in self.messages if predicate(m[0])), None)

        return wait_for(found, what)

    def wait_closed(self, what="the server to close the connection"):
        wait_for(self.closed.is_set, what)

    def assert_open(self, topic="telemetry"):
        """The connection still works: a QoS 1 telemetry (topic) gets its PUBACK."""
        assert not self.closed.is_set(), "connection closed"
        self.publish_acked(topic, b"still-open")
        assert not self.closed.is_set()

    def close(self):
        if not self.closed.is_set():
            try:
                self.client.disconnect()
            except Exception:  # noqa: BLE001 - the socket may already be gone
                pass
        if self._started:
            self.client.loop_stop()
            self._started = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(hub, username=None, password=None, **kwargs):
    """A Device that connected with CONNACK 0x00."""
    d = Device(hub, username, password, **kwargs)
    rc = d.connect()
    assert rc == ACCEPTED, f"CONNACK {rc} for {username!r}"
    return d


def connack_of(hub, username=None, password=None, **kwargs):
    """The CONNACK code a paho client gets (the connection is closed again)."""
    d = Device(hub, username, password, **kwargs)
    try:
        return d.connect()
    finally:
        d.close()


def connack_v5(hub, username, password):
    """The CONNACK reason code an MQTT 5 client (paho, protocol MQTTv5) gets; None if closed without a CONNACK."""
    result = {}
    closed = threading.Event()
    client = paho.Client(client_id=f"v5-{uuid.uuid4().hex[:12]}", protocol=paho.MQTTv5, reconnect_on_failure=False)
    client.username_pw_set(username, password)
    client.on_connect = lambda c, u, flags, reason, props=None: result.setdefault("rc", getattr(reason, "value", reason))
    client.on_disconnect = lambda c, u, rc, props=None: closed.set()
    host, port = host_port(hub)
    client.connect(host, port, keepalive=60, clean_start=True)
    client.loop_start()
    try:
        wait_for(lambda: "rc" in result or closed.is_set(), "an MQTT 5 CONNACK or close")
        return result.get("rc")
    finally:
        if not closed.is_set():
            client.disconnect()
        client.loop_stop()


# ================================================================================================ raw client

def remaining_length(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s):
    data = s if isinstance(s, bytes) else s.encode()
    return struct.pack("!H", len(data)) + data


def packet(first_byte, body):
    return bytes([first_byte]) + remaining_length(len(body)) + body


def connect_packet(client_id="raw-client", protocol_name="MQTT", level=4, clean_session=True, keepalive=60,
                   username=None, password=None):
    flags = 0x02 if clean_session else 0
    payload = mqtt_string(client_id)
    if username is not None:
        flags |= 0x80
        payload += mqtt_string(username)
    if password is not None:
        flags |= 0x40
        payload += mqtt_string(password)
    variable = mqtt_string(protocol_name) + bytes([level, flags]) + struct.pack("!H", keepalive)
    return packet(0x10, variable + payload)


def publish_packet(topic, payload=b"", qos=0, packet_id=1, retain=False):
    body = mqtt_string(topic) + (struct.pack("!H", packet_id) if qos else b"") + payload
    return packet(0x30 | (qos << 1) | (1 if retain else 0), body)


def subscribe_packet(packet_id, filters):
    body = struct.pack("!H", packet_id) + b"".join(mqtt_string(f) + bytes([q]) for f, q in filters)
    return packet(0x82, body)


PINGREQ = bytes([0xC0, 0x00])
DISCONNECT = bytes([0xE0, 0x00])


class Raw:
    """MQTT over a plain socket: packets as (type, flags, body)."""

    def __init__(self, hub):
        self.sock = socket.create_connection(host_port(hub), timeout=DEADLINE)
        self._buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _read_exactly(self, n):
        while len(self._buf) < n:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def read_packet(self):
        """(type, flags, body) of the next packet, or None when the server closed the connection."""
        first = self._read_exactly(1)
        if first is None:
            return None
        length, multiplier = 0, 1
        while True:
            b = self._read_exactly(1)
            if b is None:
                return None
            length += (b[0] & 0x7F) * multiplier
            multiplier *= 128
            if not b[0] & 0x80:
                break
        body = self._read_exactly(length) if length else b""
        if body is None:
            return None
        return first[0] >> 4, first[0] & 0x0F, body

    def connect(self, **kwargs):
        """Sends CONNECT; the CONNACK return code, or None if the server closed without a CONNACK."""
        self.send(connect_packet(**kwargs))
        p = self.read_packet()
        if p is None:
            return None
        kind, _, body = p
        assert kind == 2 and len(body) == 2, f"expected CONNACK, got packet type {kind} {body!r}"
        assert body[0] == 0, f"session present must be 0, got {body[0]}"
        return body[1]

    def packets_until_closed(self):
        """Every packet the server sends until it closes the connection (fails after the deadline)."""
        got = []
        while True:
            p = self.read_packet()  # socket timeout = DEADLINE
            if p is None:
                return got
            got.append(p)

    def packets_until_pingresp(self):
        """Sends PINGREQ and returns the packets before the PINGRESP (the connection must stay open)."""
        self.send(PINGREQ)
        got = []
        while True:
            p = self.read_packet()
            assert p is not None, f"connection closed; got {got}"
            if p[0] == 13:
                return got
            got.append(p)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def publish_topic_of(p):
    """The (topic, payload) of a raw PUBLISH packet (QoS 0 as the adapter sends error messages)."""
    kind, flags, body = p
    assert kind == 3, p
    (n,) = struct.unpack("!H", body[:2])
    topic = body[2:2 + n].decode()
    rest = body[2 + n:]
    if (flags >> 1) & 3:
        rest = rest[2:]
    return topic, rest


# ================================================================================================ registry

def add_device(reg, tenant, device, auth_id, password, device_body=None):
    """A device with hashed-password credentials auth_id/password; returns the MQTT username."""
    reg.create_device(tenant, device, device_body if device_body is not None else {})
    reg.put_credentials(tenant, device, [{"type": "hashed-password", "auth-id": auth_id,
                                          "secrets": [{"pwd-plain": password}]}])
    return f"{auth_id}@{tenant}"
