"""Kafka admin APIs and idempotent produce against the real binary (kafka-protocol.md §6 item 7, §7).

Two admin implementations: librdkafka (confluent-kafka AdminClient: CreateTopics v4, DeleteTopics v1,
DescribeConfigs v1) and kafka-python (KafkaAdminClient: CreateTopics v3, DeleteTopics v3,
DescribeConfigs v2). The idempotent producer is librdkafka's (InitProducerId v4, flexible); the
sequence checks are also driven directly with hand-built batches, since a well-behaved client
rarely sends a duplicate.
"""
import io
import socket
import struct
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, ConfigResource, ConfigSource, NewTopic, RESOURCE_BROKER,
                                   RESOURCE_TOPIC)
from kafka import errors as kerrors
from kafka.admin import ConfigResource as KpConfigResource
from kafka.admin import ConfigResourceType, KafkaAdminClient
from kafka.admin import NewTopic as KpNewTopic
from kafka.protocol.api import Request, RequestHeader, Response
from kafka.protocol.produce import ProduceRequest_v7
from kafka.protocol.types import Int16, Int32, Int64, Schema, String
from kafka.record.default_records import DefaultRecordBatchBuilder

from hub import DEADLINE, wait_for

NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_REQUEST = 42
OUT_OF_ORDER_SEQUENCE_NUMBER = 45
INVALID_PRODUCER_EPOCH = 47
TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def admin(hub):
    return AdminClient({"bootstrap.servers": hub.kafka})


def result_error(future):
    """The KafkaError code a confluent-kafka admin future failed with, or None on success."""
    try:
        future.result(timeout=DEADLINE)
        return None
    except KafkaException as e:
        return e.args[0].code()


def create(client, *topics, **kwargs):
    futures = client.create_topics(list(topics), request_timeout=DEADLINE, **kwargs)
    return {name: result_error(f) for name, f in futures.items()}


def partitions_of(client, topic):
    """Partition count from fresh metadata, None when the topic does not exist."""
    md = client.list_topics(timeout=DEADLINE)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return None
    return len(t.partitions)


# --- librdkafka admin ---------------------------------------------------------------------------

def test_create_topics_confluent(hub):
    client = admin(hub)
    name = unique("created")
    assert create(client, NewTopic(name, 3, 1, config={"retention.ms": "3600000"})) == {name: None}
    assert partitions_of(client, name) == 3

    # -1 (KIP-464, CreateTopics v4): the broker's num.partitions and replication factor.
    defaults = unique("defaults")
    assert create(client, NewTopic(defaults, -1, -1)) == {defaults: None}
    assert partitions_of(client, defaults) == 1

    assert create(client, NewTopic(name, 3, 1)) == {name: KafkaError.TOPIC_ALREADY_EXISTS}
    bad_rf = unique("bad-rf")
    assert create(client, NewTopic(bad_rf, 1, 3)) == {bad_rf: KafkaError.INVALID_REPLICATION_FACTOR}
    assert create(client, NewTopic("no spaces!", 1, 1)) == {"no spaces!": KafkaError.TOPIC_EXCEPTION}
    bad_config = unique("bad-config")
    assert create(client, NewTopic(bad_config, 1, 1, config={"no.such.setting": "1"})) == \
        {bad_config: KafkaError.INVALID_CONFIG}
    assert create(client, NewTopic(bad_config, 1, 1, config={"retention.ms": "soon"})) == \
        {bad_config: KafkaError.INVALID_CONFIG}
    for rejected in (bad_rf, bad_config):
        assert partitions_of(client, rejected) is None

    # validate_only checks like a creation and creates nothing.
    checked = unique("validate-only")
    assert create(client, NewTopic(checked, 2, 1), validate_only=True) == {checked: None}
    assert create(client, NewTopic(name, 2, 1), validate_only=True) == {name: KafkaError.TOPIC_ALREADY_EXISTS}
    assert create(client, NewTopic(checked, 2, 3), validate_only=True) == \
        {checked: KafkaError.INVALID_REPLICATION_FACTOR}
    assert partitions_of(client, checked) is None


def test_delete_topics_confluent(hub):
    client = admin(hub)
    name = unique("doomed")
    assert create(client, NewTopic(name, 2, 1)) == {name: None}
    assert partitions_of(client, name) == 2

    futures = client.delete_topics([name], request_timeout=DEADLINE)
    assert result_error(futures[name]) is None
    wait_for(lambda: partitions_of(client, name) is None, f"{name} gone from metadata")

    missing = unique("never-created")
    assert result_error(client.delete_topics([missing], request_timeout=DEADLINE)[missing]) == \
        KafkaError.UNKNOWN_TOPIC_OR_PART
    # The committed offsets live there: refused (Kafka itself would delete it).
    offsets = "__consumer_offsets"
    assert result_error(client.delete_topics([offsets], request_timeout=DEADLINE)[offsets]) == \
        KafkaError.INVALID_REQUEST
    assert partitions_of(client, offsets) is not None

    # A deleted name can be created again, empty.
    assert create(client, NewTopic(name, 1, 1)) == {name: None}
    assert partitions_of(client, name) == 1


def test_describe_configs_confluent(hub):
    client = admin(hub)
    name = unique("described")
    config = {"retention.ms": "3600000", "cleanup.policy": "compact"}
    assert create(client, NewTopic(name, 1, 1, config=config)) == {name: None}

    resource = ConfigResource(RESOURCE_TOPIC, name)
    entries = client.describe_configs([resource], request_timeout=DEADLINE)[resource].result(timeout=DEADLINE)
    assert entries["retention.ms"].value == "3600000"
    assert entries["cleanup.policy"].value == "compact"
    for key in config:
        assert not entries[key].is_default
        assert entries[key].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert entries["segment.bytes"].value == str(1 << 30)
    assert entries["segment.bytes"].is_default
    assert entries["segment.bytes"].source == ConfigSource.DEFAULT_CONFIG.value
    assert entries["max.message.bytes"].value == "1048588"
    assert not any(e.is_read_only for e in entries.values())
    assert {"flush.policy", "flush.ms", "retention.bytes", "segment.ms"} <= set(entries)

    missing = ConfigResource(RESOURCE_TOPIC, unique("missing"))
    future = client.describe_configs([missing], request_timeout=DEADLINE)[missing]
    assert result_error(future) == KafkaError.UNKNOWN_TOPIC_OR_PART

    broker = ConfigResource(RESOURCE_BROKER, "0")
    entries = client.describe_configs([broker], request_timeout=DEADLINE)[broker].result(timeout=DEADLINE)
    assert entries["auto.create.topics.enable"].value == "true"
    assert entries["num.partitions"].value == "1"
    assert entries["message.max.bytes"].value == "1048588"
    assert entries["num.partitions"].is_read_only


# --- kafka-python admin -------------------------------------------------------------------------

def test_admin_kafka_python(hub):
    client = KafkaAdminClient(bootstrap_servers=hub.kafka, request_timeout_ms=int(DEADLINE * 1000))
    try:
        name = unique("kp-created")
        client.create_topics([KpNewTopic(name, 2, 1, topic_configs={"segment.ms": "60000"})])
        assert client.describe_topics([name])[0]["error_code"] == NONE
        assert len(client.describe_topics([name])[0]["partitions"]) == 2

        with pytest.raises(kerrors.TopicAlreadyExistsError):
            client.create_topics([KpNewTopic(name, 2, 1)])
        with pytest.raises(kerrors.InvalidReplicationFactorError):
            client.create_topics([KpNewTopic(unique("kp-rf"), 1, 2)])
        with pytest.raises(kerrors.InvalidPartitionsError):
            client.create_topics([KpNewTopic(unique("kp-partitions"), 0, 1)])
        with pytest.raises(kerrors.InvalidTopicError):
            client.create_topics([KpNewTopic("a/b", 1, 1)])
        with pytest.raises(kerrors.InvalidRequestError):  # manual assignments
            client.create_topics([KpNewTopic(unique("kp-assigned"), -1, -1, replica_assignments={0: [0]})])
        checked = unique("kp-validate")
        client.create_topics([KpNewTopic(checked, 1, 1)], validate_only=True)
        assert checked not in client.list_topics()

        # DescribeConfigs v2 with a key filter.
        [response] = client.describe_configs([KpConfigResource(ConfigResourceType.TOPIC, name,
                                                               configs={"segment.ms": None})])
        [(error_code, _, _, resource_name, entries)] = response.resources
        assert (error_code, resource_name) == (NONE, name)
        assert [(e[0], e[1], e[2], e[3]) for e in entries] == [("segment.ms", "60000", False, 1)]

        client.delete_topics([name])
        assert name not in client.list_topics()
        with pytest.raises(kerrors.UnknownTopicOrPartitionError):
            client.delete_topics([name])
    finally:
        client.close()


# --- idempotent producer ------------------------------------------------------------------------

# flush.policy always: appends are acknowledged from the flusher thread after the fsync, while the
# producer already sends its next batches (up to five in flight).
@pytest.mark.parametrize("flush_policy", ["os", "always"])
def test_idempotent_producer_exactly_once_in_order(hub, flush_policy):
    client = admin(hub)
    topic = unique("idempotent")
    assert create(client, NewTopic(topic, 4, 1, config={"flush.policy": flush_policy})) == {topic: None}

    producer = Producer({"bootstrap.servers": hub.kafka, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 5, "batch.num.messages": 50})
    delivered, failed = [], []

    def on_delivery(err, msg):
        (failed if err else delivered).append(err or (msg.partition(), msg.offset(), int(msg.value())))

    count = 1000
    for i in range(count):
        producer.produce(topic, value=str(i).encode(), key=str(i).encode(), partition=i % 4, on_delivery=on_delivery)
        producer.poll(0)
    assert producer.flush(DEADLINE) == 0
    assert failed == []
    assert len(delivered) == count
    for partition in range(4):
        offsets = sorted(o for p, o, _ in delivered if p == partition)
        assert offsets == list(range(count // 4)), f"partition {partition}"

    consumer = Consumer({"bootstrap.servers": hub.kafka, "group.id": unique("idem-check"),
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        for partition in range(4):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=DEADLINE)
            assert (low, high) == (0, count // 4), "every message stored exactly once"
        consumer.assign([TopicPartition(topic, p, 0) for p in range(4)])
        seen = {p: [] for p in range(4)}

        def read_all():
            msg = consumer.poll(0.2)
            if msg is not None:
                assert msg.error() is None, msg.error()
                seen[msg.partition()].append((msg.offset(), int(msg.value())))
            return sum(len(v) for v in seen.values()) >= count

        wait_for(read_all, f"{count} messages consumed", interval=0)
        for partition, got in seen.items():
            assert [o for o, _ in got] == list(range(count // 4))
            assert [v for _, v in got] == list(range(partition, count, 4)), "per-partition produce order"
    finally:
        consumer.close()


# --- the same checks with hand-built requests ---------------------------------------------------

class InitProducerIdResponse_v0(Response):
    API_KEY = 22
    API_VERSION = 0
    SCHEMA = Schema(("throttle_time_ms", Int32), ("error_code", Int16), ("producer_id", Int64),
                    ("producer_epoch", Int16))


class InitProducerIdResponse_v1(InitProducerIdResponse_v0):
    API_VERSION = 1


class InitProducerIdRequest_v0(Request):
    API_KEY = 22
    API_VERSION = 0
    RESPONSE_TYPE = InitProducerIdResponse_v0
    SCHEMA = Schema(("transactional_id", String("utf-8")), ("transaction_timeout_ms", Int32))


class InitProducerIdRequest_v1(InitProducerIdRequest_v0):
    API_VERSION = 1
    RESPONSE_TYPE = InitProducerIdResponse_v1


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed by the broker"
        data += chunk
    return data


class Connection:
    """One plain Kafka connection for hand-built requests."""

    def __init__(self, address):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=DEADLINE)
        self.correlation_id = 0

    def close(self):
        self.sock.close()

    def raw(self, frame):
        """Sends one request frame (header + body); returns the response after its correlation id."""
        self.sock.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", recv_exact(self.sock, 4))[0]
        data = recv_exact(self.sock, size)
        assert struct.unpack(">i", data[:4])[0] == self.correlation_id
        return data[4:]

    def call(self, request):
        self.correlation_id += 1
        header = RequestHeader(request, correlation_id=self.correlation_id, client_id="test")
        body = self.raw(header.encode() + request.encode())
        return request.RESPONSE_TYPE.decode(io.BytesIO(body))

    def init_producer_id_v4(self):
        """InitProducerId v4 (flexible: request header v2, response header v1) as librdkafka sends it."""
        self.correlation_id += 1
        client_id = b"test"
        frame = struct.pack(">hhih", 22, 4, self.correlation_id, len(client_id)) + client_id + b"\x00"
        frame += b"\x00" + struct.pack(">iqh", -1, -1, -1) + b"\x00"  # null transactional id, ..., no tags
        body = self.raw(frame)
        assert body[0] == 0, "no tagged fields in the response header"
        throttle, error, pid, epoch = struct.unpack(">ihqh", body[1:17])
        assert body[17:] == b"\x00"
        return error, pid, epoch

    def produce(self, topic, batch):
        request = ProduceRequest_v7(transactional_id=None, required_acks=-1, timeout=int(DEADLINE * 1000),
                                    topics=[(topic, [(0, batch)])])
        [(name, [(partition, error_code, offset, _, _)])] = self.call(request).topics
        assert (name, partition) == (topic, 0)
        return error_code, offset


def idempotent_batch(producer_id, epoch, sequence, values):
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False, producer_id=producer_id,
                                        producer_epoch=epoch, base_sequence=sequence, batch_size=1 << 20)
    for i, value in enumerate(values):
        builder.append(i, timestamp=None, key=None, value=value, headers=[])
    return bytes(builder.build())


def test_init_producer_id_versions(hub):
    conn = Connection(hub.kafka)
    try:
        ids = []
        for request in (InitProducerIdRequest_v0(transactional_id=None, transaction_timeout_ms=60000),
                        InitProducerIdRequest_v1(transactional_id=None, transaction_timeout_ms=60000)):
            r = conn.call(request)
            assert (r.error_code, r.producer_epoch) == (NONE, 0)
            ids.append(r.producer_id)
        error, pid, epoch = conn.init_producer_id_v4()
        assert (error, epoch) == (NONE, 0)
        ids.append(pid)
        assert len(set(ids)) == 3 and all(i >= 0 for i in ids)

        r = conn.call(InitProducerIdRequest_v1(transactional_id="txn", transaction_timeout_ms=60000))
        assert (r.error_code, r.producer_id) == (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1)
    finally:
        conn.close()


@pytest.mark.parametrize("flush_policy", ["os", "always"])
def test_idempotent_produce_sequence_checks(hub, flush_policy):
    client = admin(hub)
    topic = unique("sequences")
    assert create(client, NewTopic(topic, 1, 1, config={"flush.policy": flush_policy})) == {topic: None}
    conn = Connection(hub.kafka)
    try:
        pid = conn.call(InitProducerIdRequest_v1(transactional_id=None, transaction_timeout_ms=60000)).producer_id
        first = idempotent_batch(pid, 0, 0, [b"a", b"b", b"c"])
        assert conn.produce(topic, first) == (NONE, 0)
        # A retry of an appended batch gets its original offset and is not stored again.
        assert conn.produce(topic, first) == (NONE, 0)
        assert conn.produce(topic, idempotent_batch(pid, 0, 3, [b"d"])) == (NONE, 3)
        assert conn.produce(topic, first) == (NONE, 0), "still one of the last five batches"
        assert conn.produce(topic, idempotent_batch(pid, 0, 9, [b"gap"]))[0] == OUT_OF_ORDER_SEQUENCE_NUMBER
        assert conn.produce(topic, idempotent_batch(pid, 0, 4, [b"e", b"f"])) == (NONE, 4)

        # Epochs: a newer one starts at sequence 0 and fences the older one.
        assert conn.produce(topic, idempotent_batch(pid, 1, 5, [b"x"]))[0] == OUT_OF_ORDER_SEQUENCE_NUMBER
        assert conn.produce(topic, idempotent_batch(pid, 1, 0, [b"g"])) == (NONE, 6)
        assert conn.produce(topic, idempotent_batch(pid, 0, 6, [b"h"]))[0] == INVALID_PRODUCER_EPOCH

        # Producers without idempotence are untouched.
        assert conn.produce(topic, idempotent_batch(-1, -1, -1, [b"plain"])) == (NONE, 7)
    finally:
        conn.close()

    consumer = Consumer({"bootstrap.servers": hub.kafka, "group.id": unique("seq-check"),
                         "enable.auto.commit": False})
    try:
        assert consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=DEADLINE) == (0, 8)
        consumer.assign([TopicPartition(topic, 0, 0)])
        values = []

        def read_all():
            msg = consumer.poll(0.2)
            if msg is not None:
                assert msg.error() is None, msg.error()
                values.append(msg.value())
            return len(values) >= 8

        wait_for(read_all, "8 records", interval=0)
        assert values == [b"a", b"b", b"c", b"d", b"e", b"f", b"g", b"plain"]
    finally:
        consumer.close()


def test_producer_state_is_forgotten_on_restart(hub_factory, tmp_path):
    """Producer state lives in memory only: after a restart a producer continues where it was (its
    id is unknown, so any sequence is accepted, as in Kafka) and retries are no longer recognised."""
    data_dir = tmp_path / "restart-data"
    hub = hub_factory(data_dir=data_dir).start()
    topic = unique("restarted")
    assert create(admin(hub), NewTopic(topic, 1, 1)) == {topic: None}
    conn = Connection(hub.kafka)
    pid = conn.call(InitProducerIdRequest_v1(transactional_id=None, transaction_timeout_ms=60000)).producer_id
    first = idempotent_batch(pid, 0, 0, [b"a", b"b"])
    assert conn.produce(topic, first) == (NONE, 0)
    conn.close()
    hub.stop()

    hub = hub_factory(data_dir=data_dir).start()
    conn = Connection(hub.kafka)
    try:
        assert conn.produce(topic, idempotent_batch(pid, 0, 2, [b"c"])) == (NONE, 2)
        assert conn.produce(topic, idempotent_batch(pid, 0, 3, [b"d"])) == (NONE, 3)
        assert conn.produce(topic, idempotent_batch(pid, 0, 9, [b"gap"]))[0] == OUT_OF_ORDER_SEQUENCE_NUMBER
        # Producer ids are not reused by the restarted broker.
        later = conn.call(InitProducerIdRequest_v1(transactional_id=None, transaction_timeout_ms=60000)).producer_id
        assert later > pid
    finally:
        conn.close()


def test_concurrent_retries_store_one_copy(hub):
    """The same batch sent at once on several connections (a producer retrying on a new connection
    while the first attempt is still in flight): one copy is stored, every answer carries its offset,
    also while the original waits for its fsync."""
    client = admin(hub)
    topic = unique("concurrent-retries")
    assert create(client, NewTopic(topic, 1, 1, config={"flush.policy": "always"})) == {topic: None}
    conns = [Connection(hub.kafka) for _ in range(4)]
    try:
        pid = conns[0].call(InitProducerIdRequest_v1(transactional_id=None, transaction_timeout_ms=60000)).producer_id
        for sequence in range(0, 40, 4):
            batch = idempotent_batch(pid, 0, sequence, [b"%d" % (sequence + i) for i in range(4)])
            request = ProduceRequest_v7(transactional_id=None, required_acks=-1, timeout=int(DEADLINE * 1000),
                                        topics=[(topic, [(0, batch)])])
            frames = []
            for conn in conns:
                conn.correlation_id += 1
                # Named: kafka-python's encode is a weak method, a temporary header would be gone.
                header = RequestHeader(request, correlation_id=conn.correlation_id, client_id="test")
                frames.append(header.encode() + request.encode())
            for conn, frame in zip(conns, frames):
                conn.sock.sendall(struct.pack(">i", len(frame)) + frame)
            for conn in conns:
                size = struct.unpack(">i", recv_exact(conn.sock, 4))[0]
                body = io.BytesIO(recv_exact(conn.sock, size)[4:])
                [(_, [(_, error_code, offset, _, _)])] = request.RESPONSE_TYPE.decode(body).topics
                assert (error_code, offset) == (NONE, sequence)
    finally:
        for conn in conns:
            conn.close()
    consumer = Consumer({"bootstrap.servers": hub.kafka, "group.id": unique("retries")})
    try:
        assert consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=DEADLINE) == (0, 40)
    finally:
        consumer.close()
