"""Compressed batches are stored and served as the producer wrote them: librdkafka compresses,
kafka-python (its own decompressors) reads every record back."""
import confluent_kafka as ck
import kafka as kp
import pytest


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_librdkafka_compressed_batches_reach_kafka_python_intact(hub, codec):
    topic = f"compressed-{codec}"
    p = ck.Producer({"bootstrap.servers": hub.kafka, "compression.type": codec, "linger.ms": 50})
    values = [f"{codec}-{i}-".encode() + b"x" * (i % 300) for i in range(500)]
    for v in values:
        p.produce(topic, key=b"k", value=v)
    assert p.flush(30) == 0
    c = kp.KafkaConsumer(bootstrap_servers=hub.kafka, auto_offset_reset="earliest", consumer_timeout_ms=60000)
    c.assign([kp.TopicPartition(topic, 0)])
    got = []
    for record in c:
        got.append(record.value)
        if len(got) == len(values):
            break
    c.close()
    assert got == values
