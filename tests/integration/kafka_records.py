"""Reading what the adapters stored: records of a topic of the embedded broker, read with confluent-kafka from the
beginning of every partition until a condition holds (hub.wait_for, no fixed sleeps). Shared by the adapter tests."""
import uuid
from dataclasses import dataclass, field

import confluent_kafka as ck

from hub import DEADLINE, wait_for


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: str
    value: bytes  # b"" for a null value too
    value_is_null: bool
    headers: dict = field(default_factory=dict)
    header_names: list = field(default_factory=list)


def _to_record(m):
    names = [k for k, _ in (m.headers() or [])]
    headers = {k: (v.decode() if v is not None else None) for k, v in (m.headers() or [])}
    return Record(m.topic(), m.partition(), m.offset(), m.key().decode() if m.key() is not None else None,
                  m.value() if m.value() is not None else b"", m.value() is None, headers, names)


def read_records(hub, topic, done, deadline=DEADLINE):
    """Reads `topic` from the beginning of every partition until done(records) is true; returns the records
    (ordered by partition and offset within a partition, in arrival order otherwise). The topic may not exist yet
    (QoS 0 telemetry is answered before it is stored): waits for its partitions."""
    c = ck.Consumer({"bootstrap.servers": hub.kafka, "group.id": f"adapter-tests-{uuid.uuid4()}",
                     "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        def partitions():
            meta = c.list_topics(topic, timeout=10)
            t = meta.topics.get(topic)
            return list(t.partitions) if t is not None and t.error is None and t.partitions else None

        parts = wait_for(partitions, f"topic {topic} to exist", deadline=deadline)
        c.assign([ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in parts])
        records = []

        def poll():
            m = c.poll(0.2)
            if m is not None and not m.error():
                records.append(_to_record(m))
            return done(records)

        wait_for(poll, f"records on {topic}", deadline=deadline, interval=0)
        return records
    finally:
        c.close()


def wait_records(hub, topic, count=1, where=lambda r: True):
    """The first `count` records of `topic` that satisfy `where` (waits until there are that many)."""
    matching = lambda records: [r for r in records if where(r)]  # noqa: E731
    return matching(read_records(hub, topic, lambda records: len(matching(records)) >= count))[:count]


def wait_record(hub, topic, payload):
    """The one record of `topic` whose value is `payload` (tests use unique payloads)."""
    (r,) = wait_records(hub, topic, where=lambda r: r.value == payload)
    return r


def records_up_to_marker(hub, topic, marker_payload, key):
    """All records with `key` up to and including the one whose value is marker_payload. The marker is sent after
    the message whose absence a test checks: same key -> same partition -> the log order is the order the adapter
    stored them in, so anything stored before the marker is in this list."""
    records = read_records(hub, topic, lambda rs: any(r.value == marker_payload and r.key == key for r in rs))
    same_key = [r for r in records if r.key == key]
    end = next(i for i, r in enumerate(same_key) if r.value == marker_payload)
    return same_key[:end + 1]
