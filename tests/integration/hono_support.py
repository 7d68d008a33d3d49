"""What the HTTP and MQTT adapter tests share about Hono's downstream records (spec/hono.md §1.3, §1.4): the
demo tenant, the topic names, the record check (topic, key, partition, value, exact headers, creation-time) and
the registry shortcut for tenants."""
import time

from kafka_support import java_partition

DEMO_TENANT = "DEFAULT_TENANT"
HONO_PARTITIONS = 8  # kafka.hono-partitions default
EMPTY_NOTIFICATION = "application/vnd.eclipse-hono-empty-notification"


def now_ms():
    return int(time.time() * 1000)


def telemetry_topic(tenant=DEMO_TENANT):
    return f"hono.telemetry.{tenant}"


def event_topic(tenant=DEMO_TENANT):
    return f"hono.event.{tenant}"


def add_tenant(reg, tenant, body=None):
    return reg.create_tenant(tenant, body if body is not None else {})


def assert_hono_record(record, *, topic, device, payload, headers, before_ms, after_ms=None):
    """A record of spec/hono.md §1.3: topic, key = device id, partition = the Java client's default partition of
    the key, value, and exactly `headers` plus a creation-time (JSON long ms) taken while the request was on its
    way."""
    after_ms = after_ms if after_ms is not None else now_ms()
    assert record.topic == topic
    assert record.key == device
    assert record.partition == java_partition(device.encode(), HONO_PARTITIONS), (
        f"key {device} in partition {record.partition}, the Java client puts it in "
        f"{java_partition(device.encode(), HONO_PARTITIONS)}")
    assert record.value == payload
    assert len(record.header_names) == len(set(record.header_names)), f"duplicate headers: {record.header_names}"
    got = dict(record.headers)
    creation = got.pop("creation-time", None)
    assert creation is not None and creation.isdigit(), f"creation-time is not a JSON long: {creation!r}"
    # Same clock (CLOCK_REALTIME, whole ms, truncated) on both sides: taken between send and receipt.
    assert before_ms <= int(creation) <= after_ms, (creation, before_ms, after_ms)
    assert got == headers
