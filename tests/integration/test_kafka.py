"""The embedded broker with real, independent Kafka clients: kcat (librdkafka), confluent-kafka
(librdkafka from Python) and kafka-python (a pure-Python implementation)."""
import json
import socket
import struct
import threading
import time

import confluent_kafka as ck
import kafka as kp

from hub import wait_for
from kafka_support import java_partition, kcat


def test_kcat_produce_consume_with_keys_and_headers(hub):
    out = kcat("-b", hub.kafka, "-P", "-t", "plain", "-K", ":", "-H", "content-type=text/plain", "-H", "device_id=4711",
               input="k1:hello\nk2:world\n")
    assert out.returncode == 0, out.stderr
    out = kcat("-b", hub.kafka, "-C", "-t", "plain", "-o", "beginning", "-e", "-f", "%k|%s|%o|%h\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "k1|hello|0|content-type=text/plain,device_id=4711",
        "k2|world|1|content-type=text/plain,device_id=4711",
    ]


def test_kcat_metadata_lists_the_broker_and_auto_created_hono_topics(hub):
    out = kcat("-b", hub.kafka, "-L", "-J", "-t", "hono.telemetry.DEFAULT_TENANT")
    assert out.returncode == 0, out.stderr
    meta = json.loads(out.stdout)
    host, port = hub.kafka.rsplit(":", 1)
    assert meta["brokers"] == [{"id": 0, "name": f"{host}:{port}"}]
    (topic,) = meta["topics"]
    assert topic["topic"] == "hono.telemetry.DEFAULT_TENANT"
    assert len(topic["partitions"]) == 8  # kafka.hono-partitions
    assert all(p["leader"] == 0 and p["isrs"] == [{"id": 0}] for p in topic["partitions"])


def test_kcat_consume_from_a_timestamp(hub):
    p = ck.Producer({"bootstrap.servers": hub.kafka})
    for i, ts in enumerate([1_000_000, 2_000_000, 3_000_000]):
        p.produce("timed", value=f"m{i}", timestamp=ts)
    assert p.flush(30) == 0
    out = kcat("-b", hub.kafka, "-C", "-t", "timed", "-o", "s@1500000", "-e", "-f", "%s@%T\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["m1@2000000", "m2@3000000"]


def test_keys_land_where_the_java_client_puts_them(hub):
    kcat("-b", hub.kafka, "-L", "-t", "hono.event.keys")  # auto-create with 8 partitions
    keys = [f"device-{i}".encode() for i in range(40)]
    p = ck.Producer({"bootstrap.servers": hub.kafka, "partitioner": "murmur2_random"})
    for k in keys:
        p.produce("hono.event.keys", key=k, value=b"x")
        p.produce("hono.event.keys", key=k, value=b"y")
    assert p.flush(30) == 0
    c = ck.Consumer({"bootstrap.servers": hub.kafka, "group.id": "keys", "auto.offset.reset": "earliest"})
    c.subscribe(["hono.event.keys"])
    partitions_of = {}
    received = []

    def collect():
        m = c.poll(0.5)
        if m is not None and not m.error():
            received.append(m.key())
            partitions_of.setdefault(m.key(), set()).add(m.partition())
        return len(received) >= 80

    wait_for(collect, "80 records", interval=0)
    c.close()
    assert sorted(partitions_of) == sorted(keys)
    for key, partitions in partitions_of.items():
        assert partitions == {java_partition(key, 8)}, key


def test_acks_0_and_acks_all(hub):
    for acks in ("0", "all"):
        p = ck.Producer({"bootstrap.servers": hub.kafka, "acks": acks})
        for i in range(100):
            p.produce(f"acks-{acks}", value=str(i))
        assert p.flush(30) == 0
    for acks in ("0", "all"):
        out = kcat("-b", hub.kafka, "-C", "-t", f"acks-{acks}", "-o", "beginning", "-e", "-f", "%s\n")
        assert out.stdout.split() == [str(i) for i in range(100)]


def test_long_poll_fetch_returns_as_soon_as_data_arrives(hub):
    kcat("-b", hub.kafka, "-L", "-t", "longpoll")
    c = kp.KafkaConsumer(bootstrap_servers=hub.kafka, auto_offset_reset="earliest", fetch_max_wait_ms=30000,
                         consumer_timeout_ms=60000)
    c.assign([kp.TopicPartition("longpoll", 0)])
    c.poll(timeout_ms=100)  # connected and positioned, nothing there yet
    p = ck.Producer({"bootstrap.servers": hub.kafka})
    p.produce("longpoll", value=b"wake")
    p.flush(30)
    got = wait_for(lambda: c.poll(timeout_ms=1000), "the record via a long-poll fetch")
    (records,) = got.values()
    assert records[0].value == b"wake"
    c.close()


def test_consumer_group_shares_partitions_and_takes_over(hub):
    kcat("-b", hub.kafka, "-L", "-t", "hono.telemetry.group")
    p = ck.Producer({"bootstrap.servers": hub.kafka})
    for i in range(400):
        p.produce("hono.telemetry.group", key=f"k{i}", value=str(i))
    assert p.flush(30) == 0

    def consumer(name):
        c = ck.Consumer({"bootstrap.servers": hub.kafka, "group.id": "shared", "client.id": name,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
        c.subscribe(["hono.telemetry.group"])
        return c

    a, b = consumer("a"), consumer("b")
    received = {"a": [], "b": []}

    def poll_both():
        for name, c in (("a", a), ("b", b)):
            m = c.poll(0.2)
            if m is not None and not m.error():
                received[name].append(int(m.value()))
                c.commit(message=m, asynchronous=False)
        return sum(len(v) for v in received.values()) >= 400 and all(
            len(c.assignment()) == 4 for c in (a, b))

    wait_for(poll_both, "400 records shared by two members with 4 partitions each", interval=0)
    assert sorted(received["a"] + received["b"]) == list(range(400))
    assert received["a"] and received["b"]

    b.close()  # LeaveGroup: a takes over every partition
    for i in range(400, 500):
        p.produce("hono.telemetry.group", key=f"k{i}", value=str(i))
    assert p.flush(30) == 0

    def poll_a():
        m = a.poll(0.2)
        if m is not None and not m.error():
            received["a"].append(int(m.value()))
            a.commit(message=m, asynchronous=False)
        return len(a.assignment()) == 8 and len(received["a"]) + len(received["b"]) >= 500

    wait_for(poll_a, "member a owning all 8 partitions and the last 100 records", interval=0)
    assert sorted(received["a"] + received["b"]) == list(range(500))
    a.close()


def test_committed_offsets_resume_after_a_restart(hub_factory):
    h = hub_factory(args=["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    p = ck.Producer({"bootstrap.servers": h.kafka})
    for i in range(10):
        p.produce("resume", value=str(i))
    assert p.flush(30) == 0
    c = kp.KafkaConsumer("resume", bootstrap_servers=h.kafka, group_id="resumers", auto_offset_reset="earliest",
                         enable_auto_commit=False, consumer_timeout_ms=60000)
    first = []
    while len(first) < 6:
        for records in c.poll(timeout_ms=1000, max_records=6 - len(first)).values():
            first.extend(int(r.value) for r in records)
    c.commit()
    c.close()
    assert first == list(range(6))
    h.stop()

    again = hub_factory(data_dir=h.data_dir, args=["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    c = kp.KafkaConsumer("resume", bootstrap_servers=again.kafka, group_id="resumers", auto_offset_reset="earliest",
                         enable_auto_commit=False, consumer_timeout_ms=60000)
    rest = []
    while len(rest) < 4:
        for records in c.poll(timeout_ms=1000).values():
            rest.extend(int(r.value) for r in records)
    c.close()
    assert rest == [6, 7, 8, 9]


def _raw(hub):
    host, port = hub.kafka.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=30)


def _closed(sock):
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_bad_frames_close_only_their_connection(hub):
    # A frame far above kafka.max-request-bytes, an unknown API key, a truncated header, garbage
    # inside a Metadata request: each connection is closed, with a log line saying why.
    cases = [
        struct.pack(">i", 1 << 30),
        struct.pack(">ihhi", 8, 999, 0, 1),
        struct.pack(">i", 3) + b"\x00\x03\x00",
        struct.pack(">ihhih", 14, 3, 1, 7, -1) + struct.pack(">i", 99999),
    ]
    for bad in cases:
        with _raw(hub) as s:
            s.sendall(bad)
            assert wait_for(lambda: _closed(s), "the connection closed")
    log = hub.log()
    assert "exceeds the limit of 104857600" in log
    assert "unknown API key 999" in log
    assert "has no header" in log
    assert "Metadata v1: " in log
    out = kcat("-b", hub.kafka, "-L")
    assert out.returncode == 0, out.stderr


def test_too_new_api_versions_gets_unsupported_version_and_our_range(hub):
    with _raw(hub) as s:
        # ApiVersions v99, correlation id 42, client id "x".
        s.sendall(struct.pack(">ihhih", 11, 18, 99, 42, 1) + b"x")
        size = struct.unpack(">i", s.recv(4))[0]
        body = b""
        while len(body) < size:
            body += s.recv(size - len(body))
    correlation, error, count = struct.unpack(">ihi", body[:10])
    assert (correlation, error, count) == (42, 35, 1)
    assert struct.unpack(">hhh", body[10:16]) == (18, 0, 3)


def _api_versions_request(correlation, client_id):
    body = struct.pack(">hhih", 18, 0, correlation, len(client_id)) + client_id
    return struct.pack(">i", len(body)) + body


def _response_correlations(sock, count):
    correlations = []
    data = b""
    while len(correlations) < count:
        chunk = sock.recv(65536)
        assert chunk, "connection closed after %d responses" % len(correlations)
        data += chunk
        while len(data) >= 4 and len(data) >= 4 + struct.unpack(">i", data[:4])[0]:
            size = struct.unpack(">i", data[:4])[0]
            correlations.append(struct.unpack(">i", data[4:8])[0])
            data = data[4 + size:]
    return correlations


def test_requests_pipelined_in_one_write_sent_byte_by_byte_or_large_are_all_answered_in_order(hub):
    # Framing: several requests in one segment, a request whose size prefix and body arrive one
    # byte at a time, and a 30,000-byte request (its client id) with the next one right behind it.
    with _raw(hub) as s:
        s.sendall(b"".join(_api_versions_request(i, b"pipelined") for i in range(1, 6)))
        assert _response_correlations(s, 5) == [1, 2, 3, 4, 5]
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in _api_versions_request(6, b"slow"):
            s.sendall(bytes([byte]))
        assert _response_correlations(s, 1) == [6]
        s.sendall(_api_versions_request(7, b"x" * 30000) + _api_versions_request(8, b"after"))
        assert _response_correlations(s, 2) == [7, 8]


def test_kafka_python_group_shares_partitions_and_takes_over(hub_factory):
    # kafka-python blocks inside poll() while its group rebalances, so each member polls in its own
    # thread, as an application would run it.
    h = hub_factory(args=["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    kcat("-b", h.kafka, "-L", "-t", "hono.telemetry.kp")
    p = ck.Producer({"bootstrap.servers": h.kafka})
    for i in range(200):
        p.produce("hono.telemetry.kp", key=f"k{i}", value=str(i))
    assert p.flush(30) == 0

    received = []
    lock = threading.Lock()

    class Member(threading.Thread):
        def __init__(self):
            super().__init__(daemon=True)
            self.stop = threading.Event()
            self.assigned = 0
            self.consumer = kp.KafkaConsumer("hono.telemetry.kp", bootstrap_servers=h.kafka, group_id="kp-shared",
                                             auto_offset_reset="earliest", enable_auto_commit=False,
                                             session_timeout_ms=6000, heartbeat_interval_ms=500,
                                             max_poll_interval_ms=20000)

        def run(self):
            while not self.stop.is_set():
                batches = self.consumer.poll(timeout_ms=200)
                with lock:
                    for records in batches.values():
                        received.extend(int(r.value) for r in records)
                if batches:
                    self.consumer.commit()
                self.assigned = len(self.consumer.assignment())
            self.consumer.close()

    a, b = Member(), Member()
    a.start()
    b.start()
    wait_for(lambda: len(received) >= 200 and a.assigned == 4 and b.assigned == 4,
             "200 records read by two kafka-python members owning 4 partitions each")
    b.stop.set()
    b.join(timeout=60)
    for i in range(200, 260):
        p.produce("hono.telemetry.kp", key=f"k{i}", value=str(i))
    assert p.flush(30) == 0
    wait_for(lambda: a.assigned == 8 and len(received) >= 260, "the remaining member owning all 8 partitions")
    a.stop.set()
    a.join(timeout=60)
    with lock:
        assert sorted(received) == list(range(260))
