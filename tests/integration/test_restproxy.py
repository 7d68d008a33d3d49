"""The Kafka REST Proxy (Confluent's API v2, ../shared/spec/kafka-rest-proxy.md) with requests as
the HTTP client, following the seed's REST walkthrough, and kcat / confluent-kafka on the Kafka
side of the same embedded broker."""
import base64
import json
from datetime import datetime

import confluent_kafka as ck
import pytest
import requests

from hub import wait_for
from kafka_support import java_partition, kcat

V2 = "application/vnd.kafka.v2+json"
BINARY = "application/vnd.kafka.binary.v2+json"
JSON = "application/vnd.kafka.json.v2+json"


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


@pytest.fixture
def rest(hub_factory):
    h = hub_factory(["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    h.url = h.restproxy_url
    return h


def produce(url, topic, records, fmt=BINARY, partition=None):
    path = f"{url}/topics/{topic}" + (f"/partitions/{partition}" if partition is not None else "")
    return requests.post(path, data=json.dumps({"records": records}),
                         headers={"Content-Type": fmt, "Accept": f"{V2}, application/json"}, timeout=30)


def create_consumer(url, group, **config):
    r = requests.post(f"{url}/consumers/{group}", data=json.dumps(config), headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["base_uri"]


def read_until(base_uri, count, fmt=BINARY):
    """Records GETs until `count` records came back; returns them."""
    got = []

    def more():
        r = requests.get(f"{base_uri}/records?timeout=1000&max_bytes=300000", headers={"Accept": fmt}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == fmt
        got.extend(r.json())
        return len(got) >= count

    wait_for(more, f"{count} records from {base_uri}", interval=0)
    return got


def assert_error(r, status, error_code, message=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_code"] == error_code, body
    if message is not None:
        assert body["message"] == message, body


def test_binary_walkthrough(rest):
    r = produce(rest.url, "rest-binary", [
        {"key": "a2V5", "value": "aGVsbG8gd29ybGQhISE="},
        {"value": "XCJyYW5kb206JSQh", "partition": 0},
        {"value": "bm8gcGFydGl0aW9ucw=="},
    ])
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == V2
    assert r.json()["offsets"][0] == {"partition": 0, "offset": 0, "error_code": None, "error": None}
    assert '"key_schema_id":null,"value_schema_id":null' in r.text
    assert [o["offset"] for o in r.json()["offsets"]] == [0, 1, 2]

    base = create_consumer(rest.url, "my_consumer_binary", name="my_consumer_binary", format="binary",
                           **{"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    assert base == f"{rest.url}/consumers/my_consumer_binary/instances/my_consumer_binary"
    r = requests.post(f"{base}/subscription", data=json.dumps({"topics": ["rest-binary"]}),
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 204, r.text
    assert requests.get(f"{base}/subscription", timeout=30).json() == {"topics": ["rest-binary"]}

    records = read_until(base, 3)
    assert records == [
        {"topic": "rest-binary", "key": "a2V5", "value": "aGVsbG8gd29ybGQhISE=", "partition": 0, "offset": 0},
        {"topic": "rest-binary", "key": None, "value": "XCJyYW5kb206JSQh", "partition": 0, "offset": 1},
        {"topic": "rest-binary", "key": None, "value": "bm8gcGFydGl0aW9ucw==", "partition": 0, "offset": 2},
    ]
    r = requests.post(f"{base}/offsets", headers={"Content-Type": V2}, timeout=30)  # commit what was read
    assert r.status_code == 200, r.text
    r = requests.get(f"{base}/offsets", data=json.dumps({"partitions": [{"topic": "rest-binary", "partition": 0}]}),
                     headers={"Content-Type": V2}, timeout=30)
    assert r.json() == {"offsets": [{"topic": "rest-binary", "partition": 0, "offset": 3, "metadata": ""}]}
    assert requests.delete(base, timeout=30).status_code == 204
    assert_error(requests.get(f"{base}/records", headers={"Accept": BINARY}, timeout=30), 404, 40403,
                 "Consumer instance not found.")


def test_json_produce_and_consume_with_a_manual_assignment(rest):
    r = produce(rest.url, "my_topic", [{"key": "firstkey", "value": "firstvalue"},
                                       {"key": {"id": 7}, "value": {"temp": 21.5, "tags": ["a", None]}}], fmt=JSON)
    assert r.status_code == 200, r.text
    out = kcat("-b", rest.kafka, "-C", "-t", "my_topic", "-e", "-f", "%k|%s\n")
    assert out.stdout.splitlines() == ['"firstkey"|"firstvalue"', '{"id":7}|{"temp":21.5,"tags":["a",null]}']

    base = create_consumer(rest.url, "json-group", format="json", **{"auto.offset.reset": "earliest"})
    r = requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "my_topic", "partition": 0}]}),
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 204, r.text
    assert requests.get(f"{base}/assignments", timeout=30).json() == {"partitions": [{"topic": "my_topic", "partition": 0}]}
    # The seed's consumer example sends "Accepts" (sic), i.e. no Accept header: the instance's format.
    records = read_until(base, 2, fmt=JSON)
    assert [(r["key"], r["value"]) for r in records] == [("firstkey", "firstvalue"),
                                                         ({"id": 7}, {"temp": 21.5, "tags": ["a", None]})]


def test_rest_and_native_producers_put_a_key_on_the_same_partition(rest):
    kcat("-b", rest.kafka, "-L", "-t", "hono.telemetry.shared")  # auto-created with 8 partitions
    keys = [f"device-{i}" for i in range(20)]
    r = produce(rest.url, "hono.telemetry.shared", [{"key": b64(k), "value": b64("rest")} for k in keys])
    assert r.status_code == 200, r.text
    rest_partitions = {k: o["partition"] for k, o in zip(keys, r.json()["offsets"])}
    assert rest_partitions == {k: java_partition(k.encode(), 8) for k in keys}

    out = kcat("-b", rest.kafka, "-P", "-t", "hono.telemetry.shared", "-X", "partitioner=murmur2_random", "-K", ":",
               input="".join(f"{k}:native\n" for k in keys))
    assert out.returncode == 0, out.stderr
    out = kcat("-b", rest.kafka, "-C", "-t", "hono.telemetry.shared", "-e", "-f", "%k|%s|%p\n")
    native = {line.split("|")[0]: int(line.split("|")[2]) for line in out.stdout.splitlines() if "|native|" in line}
    assert native == rest_partitions

    # And records produced natively read through REST with their partition.
    base = create_consumer(rest.url, "shared-readers", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/subscription", data=json.dumps({"topics": ["hono.telemetry.shared"]}),
                  headers={"Content-Type": V2}, timeout=30)
    records = read_until(base, 40)
    seen = {(base64.b64decode(r["key"]).decode(), base64.b64decode(r["value"]).decode()): r["partition"] for r in records}
    for k in keys:
        assert seen[(k, "native")] == seen[(k, "rest")] == rest_partitions[k]


def test_topic_and_broker_metadata(rest):
    produce(rest.url, "meta", [{"value": b64("x")}, {"value": b64("y")}])
    r = requests.get(f"{rest.url}/topics", headers={"Accept": V2}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"] == V2
    assert "meta" in r.json()
    topic = requests.get(f"{rest.url}/topics/meta", timeout=30).json()
    assert topic["name"] == "meta"
    assert topic["configs"]["cleanup.policy"] == "delete"
    assert topic["partitions"] == [{"partition": 0, "leader": 0, "replicas": [{"broker": 0, "leader": True, "in_sync": True}]}]
    assert requests.get(f"{rest.url}/topics/meta/partitions", timeout=30).json() == topic["partitions"]
    assert requests.get(f"{rest.url}/topics/meta/partitions/0", timeout=30).json() == topic["partitions"][0]
    assert requests.get(f"{rest.url}/topics/meta/partitions/0/offsets", timeout=30).json() == {
        "beginning_offset": 0, "end_offset": 2}
    assert requests.get(f"{rest.url}/brokers", timeout=30).json() == {"brokers": [0]}
    assert requests.get(f"{rest.url}/", timeout=30).json() == {}
    assert requests.post(f"{rest.url}/", data="{}", timeout=30).json() == {}
    assert_error(requests.get(f"{rest.url}/topics/nope", timeout=30), 404, 40401, "Topic not found.")
    assert_error(requests.get(f"{rest.url}/topics/meta/partitions/1", timeout=30), 404, 40402, "Partition not found.")
    assert_error(requests.get(f"{rest.url}/topics/meta/partitions/1/offsets", timeout=30), 404, 40402)


def test_protocol_errors_get_the_envelope(rest):
    url = rest.url
    assert_error(requests.get(f"{url}/nothing/here", timeout=30), 404, 404, "HTTP 404 Not Found")
    assert_error(requests.delete(f"{url}/topics", timeout=30), 405, 405, "HTTP 405 Method Not Allowed")
    assert_error(requests.get(f"{url}/topics", headers={"Accept": "text/html"}, timeout=30), 406, 406,
                 "HTTP 406 Not Acceptable")
    for content_type in (None, "application/json", "application/octet-stream", V2):
        headers = {"Content-Type": content_type} if content_type else {}
        assert_error(requests.post(f"{url}/topics/t", data='{"records":[{"value":"eA=="}]}', headers=headers, timeout=30),
                     415, 415, "HTTP 415 Unsupported Media Type")
    r = requests.post(f"{url}/topics/t", data='{"records":[{"value":"eA=="}]}',
                      headers={"Content-Type": "application/vnd.kafka.protobuf.v2+json"}, timeout=30)
    assert_error(r, 415, 415)
    assert "protobuf" in r.json()["message"]
    assert_error(produce(url, "t", []), 422, 422, "records may not be empty")
    assert_error(produce(url, "t", [{"value": "not base64!"}]), 400, 400,
                 'Bad Request: data="not base64!" is not a valid base64 string.')
    r = requests.post(f"{url}/topics/t", data='{"records": [', headers={"Content-Type": BINARY}, timeout=30)
    assert_error(r, 400, 400)
    assert_error(produce(url, "t", [{"value": "eA=="}], partition=3), 404, 40402, "Partition not found.")
    assert_error(produce(url, "t", [{"value": "eA==", "partition": 9}]), 404, 40402)
    assert_error(produce(url, "bad/topic!", [{"value": "eA=="}]), 404, 404)
    assert_error(produce(url, "bad topic!", [{"value": "eA=="}]), 400, 40002)
    r = requests.post(f"{url}/topics/t", data="x" * (16 * 1024 * 1024 + 1), headers={"Content-Type": BINARY}, timeout=60)
    assert_error(r, 413, 413, "request body too large")  # restproxy.max-request-bytes


def test_consumer_errors_get_their_codes(rest):
    url = rest.url
    produce(url, "c", [{"value": b64("not json")}])
    headers = {"Content-Type": V2}
    assert_error(requests.post(f"{url}/consumers/g", data=json.dumps({"format": "xml"}), headers=headers, timeout=30),
                 422, 422, "Invalid format type.")
    assert_error(requests.post(f"{url}/consumers/g", data=json.dumps({"auto.offset.reset": "sometimes"}),
                               headers=headers, timeout=30), 422, 42204)
    assert_error(requests.post(f"{url}/consumers/g", data=json.dumps({"fetch.min.bytes": 10000001}),
                               headers=headers, timeout=30), 422, 40001)
    assert_error(requests.post(f"{url}/consumers/g", data="{", headers=headers, timeout=30), 400, 400)
    assert_error(requests.post(f"{url}/consumers/g", data="{}", headers={"Content-Type": "text/plain"}, timeout=30),
                 415, 415)
    base = create_consumer(url, "g", name="one", format="json", **{"auto.offset.reset": "earliest"})
    assert_error(requests.post(f"{url}/consumers/g", data=json.dumps({"name": "one"}), headers=headers, timeout=30),
                 409, 40902, "Consumer with specified consumer ID already exists in the specified consumer group.")
    assert create_consumer(url, "other-group", name="one")  # names are per group

    assert_error(requests.get(f"{base}/records", headers={"Accept": BINARY}, timeout=30), 406, 40601)
    assert_error(requests.post(f"{base}/positions", data=json.dumps({"offsets": [{"topic": "c", "partition": 0, "offset": 0}]}),
                               headers=headers, timeout=30), 409, 40903, "Illegal state: No current assignment for partition c-0")
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "c", "partition": 0}]}),
                  headers=headers, timeout=30)
    assert_error(requests.post(f"{base}/subscription", data=json.dumps({"topics": ["c"]}), headers=headers, timeout=30),
                 409, 40903)
    assert_error(requests.post(f"{base}/subscription", data=json.dumps({}), headers=headers, timeout=30), 422, 422)
    # A record that is not JSON fails the json read, every time: nothing is skipped.
    for _ in range(2):
        assert_error(requests.get(f"{base}/records", headers={"Accept": JSON}, timeout=30), 408, 40801)
    assert_error(requests.get(f"{url}/consumers/g/instances/nobody/records", timeout=30), 404, 40403)
    assert_error(requests.delete(f"{url}/consumers/g/instances/nobody", timeout=30), 404, 40403)
    assert_error(requests.get(f"{base}/offsets", timeout=30), 404, 40402)


def test_positions_move_the_next_read(rest):
    url = rest.url
    produce(url, "pos", [{"value": b64(f"m{i}")} for i in range(5)])
    base = create_consumer(url, "pos-group", **{"auto.offset.reset": "latest"})
    headers = {"Content-Type": V2}
    tp = {"topic": "pos", "partition": 0}
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [tp]}), headers=headers, timeout=30)

    def values(records):
        return [base64.b64decode(r["value"]).decode() for r in records]

    assert requests.post(f"{base}/positions", data=json.dumps({"offsets": [dict(tp, offset=3)]}), headers=headers,
                         timeout=30).status_code == 204
    assert values(read_until(base, 2)) == ["m3", "m4"]
    assert requests.post(f"{base}/positions/beginning", data=json.dumps({"partitions": [tp]}), headers=headers,
                         timeout=30).status_code == 204
    r = requests.get(f"{base}/records?max_bytes=4", headers={"Accept": BINARY}, timeout=30)
    assert values(r.json()) == ["m0", "m1"]  # 2 bytes each: stops before exceeding 4
    assert requests.post(f"{base}/positions/end", data=json.dumps({"partitions": [tp]}), headers=headers,
                         timeout=30).status_code == 204
    assert requests.get(f"{base}/records?timeout=200", headers={"Accept": BINARY}, timeout=30).json() == []
    produce(url, "pos", [{"value": b64("m5")}])
    assert values(read_until(base, 1)) == ["m5"]
    r = requests.post(f"{base}/positions", data=json.dumps({"timestamps": [dict(tp, timestamp="2000-01-01T00:00:00Z")]}),
                      headers=headers, timeout=30)
    assert r.status_code == 204, r.text
    assert values(read_until(base, 6)) == [f"m{i}" for i in range(6)]
    r = requests.post(f"{base}/positions", data=json.dumps({"timestamps": [dict(tp, timestamp="yesterday")]}),
                      headers=headers, timeout=30)
    assert_error(r, 422, 422)


def test_commit_stores_offset_plus_one_for_native_consumers(rest):
    url = rest.url
    produce(url, "commits", [{"value": b64(f"m{i}")} for i in range(10)])
    base = create_consumer(url, "committers", **{"auto.commit.enable": "false"})
    headers = {"Content-Type": V2}
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "commits", "partition": 0}]}),
                  headers=headers, timeout=30)
    r = requests.post(f"{base}/offsets", data=json.dumps({"offsets": [{"topic": "commits", "partition": 0, "offset": 5,
                                                                        "metadata": "five"}]}),
                      headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == []
    r = requests.get(f"{base}/offsets", data=json.dumps({"partitions": [{"topic": "commits", "partition": 0},
                                                                        {"topic": "commits", "partition": 1}]}),
                     headers=headers, timeout=30)
    assert r.json() == {"offsets": [{"topic": "commits", "partition": 0, "offset": 6, "metadata": "five"}]}

    c = ck.Consumer({"bootstrap.servers": rest.kafka, "group.id": "committers", "enable.auto.commit": False})
    (committed,) = c.committed([ck.TopicPartition("commits", 0)], timeout=30)
    assert committed.offset == 6
    c.assign([ck.TopicPartition("commits", 0)])
    first = wait_for(lambda: c.poll(0.5), "a record for the native consumer")
    assert first.value() == b"m6"
    c.close()


def test_a_rest_instance_and_a_native_consumer_share_one_group(rest):
    kcat("-b", rest.kafka, "-L", "-t", "hono.event.split")  # 8 partitions
    base = create_consumer(rest.url, "split", **{"auto.offset.reset": "earliest"})
    headers = {"Content-Type": V2}
    requests.post(f"{base}/subscription", data=json.dumps({"topics": ["hono.event.split"]}), headers=headers, timeout=30)
    wait_for(lambda: len(requests.get(f"{base}/assignments", timeout=30).json()["partitions"]) == 8,
             "the REST instance owning all 8 partitions")

    c = ck.Consumer({"bootstrap.servers": rest.kafka, "group.id": "split", "auto.offset.reset": "earliest",
                     "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
    c.subscribe(["hono.event.split"])

    def split():
        c.poll(0.1)
        rest_partitions = requests.get(f"{base}/assignments", timeout=30).json()["partitions"]
        return len(rest_partitions) == 4 and len(c.assignment()) == 4 and rest_partitions

    rest_partitions = wait_for(split, "4 partitions for each member", interval=0)
    native = {p.partition for p in c.assignment()}
    assert native.isdisjoint({p["partition"] for p in rest_partitions})

    r = produce(rest.url, "hono.event.split", [{"key": b64(f"d{i}"), "value": b64(str(i))} for i in range(40)])
    placed = {i: o["partition"] for i, o in enumerate(r.json()["offsets"])}
    expected_rest = sorted(i for i, p in placed.items() if p not in native)
    got = read_until(base, len(expected_rest))
    assert sorted(int(base64.b64decode(r["value"])) for r in got) == expected_rest

    requests.delete(base, timeout=30)  # leaves the group: the native consumer takes every partition

    def native_owns_all():
        c.poll(0.1)
        return len(c.assignment()) == 8

    wait_for(native_owns_all, "the native consumer owning all 8 partitions", interval=0)
    c.close()


def test_pattern_subscription_picks_up_new_topics(rest):
    produce(rest.url, "sensor.a", [{"value": b64("a")}])
    base = create_consumer(rest.url, "patterns", **{"auto.offset.reset": "earliest"})
    r = requests.post(f"{base}/subscription", data=json.dumps({"topic_pattern": "sensor\\..*"}),
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 204, r.text
    assert [x["topic"] for x in read_until(base, 1)] == ["sensor.a"]
    produce(rest.url, "sensor.b", [{"value": b64("b")}])
    produce(rest.url, "other", [{"value": b64("c")}])
    assert [x["topic"] for x in read_until(base, 1)] == ["sensor.b"]
    assert requests.get(f"{base}/subscription", timeout=30).json() == {"topics": ["sensor.a", "sensor.b"]}
    assert_error(requests.post(f"{base}/subscription", data=json.dumps({"topic_pattern": "("}),
                               headers={"Content-Type": V2}, timeout=30), 422, 422)


def test_record_headers_round_trip(rest):
    r = produce(rest.url, "with-headers", [{"value": b64("v"), "headers": [{"name": "content-type", "value": b64("text/plain")},
                                                                           {"name": "empty", "value": None}]}])
    assert r.status_code == 200, r.text
    out = kcat("-b", rest.kafka, "-C", "-t", "with-headers", "-e", "-f", "%s|%h\n")
    assert out.stdout.splitlines() == ["v|content-type=text/plain,empty=NULL"]
    out = kcat("-b", rest.kafka, "-P", "-t", "with-headers", "-H", "device_id=4711", input="native\n")
    assert out.returncode == 0, out.stderr
    produce(rest.url, "with-headers", [{"value": b64("plain")}])
    base = create_consumer(rest.url, "headers", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/subscription", data=json.dumps({"topics": ["with-headers"]}), headers={"Content-Type": V2},
                  timeout=30)
    records = read_until(base, 3)
    assert records[0]["headers"] == [{"name": "content-type", "value": b64("text/plain")}, {"name": "empty", "value": None}]
    assert records[1]["headers"] == [{"name": "device_id", "value": b64("4711")}]
    assert "headers" not in records[2]  # without headers, exactly Confluent's record


def test_idle_consumer_instances_expire(hub_factory):
    h = hub_factory(["--restproxy.consumer-instance-timeout-ms=1000"]).start()
    base = create_consumer(h.restproxy_url, "expiring", name="idle")
    # Any call to the instance would push its expiry back: watch the log instead.
    wait_for(lambda: "consumer instance idle of group expiring expired" in h.log(), "the instance to expire")
    assert_error(requests.get(f"{base}/subscription", timeout=30), 404, 40403)


def test_acknowledged_produce_survives_kill_9(hub_factory):
    h = hub_factory().start()
    r = produce(h.restproxy_url, "durable", [{"key": b64(f"k{i}"), "value": b64(f"v{i}")} for i in range(100)])
    assert r.status_code == 200
    h.kill()
    h.start()
    out = kcat("-b", h.kafka, "-C", "-t", "durable", "-e", "-f", "%k=%s\n")
    assert out.stdout.splitlines() == [f"k{i}=v{i}" for i in range(100)]


def test_v3_cluster_and_produce_with_headers(rest):
    clusters = requests.get(f"{rest.url}/v3/clusters", timeout=30)
    assert clusters.status_code == 200 and clusters.headers["Content-Type"] == "application/json"
    body = clusters.json()
    assert body["kind"] == "KafkaClusterList"
    (cluster,) = body["data"]
    cluster_id = cluster["cluster_id"]
    assert cluster["metadata"]["self"] == f"{rest.url}/v3/clusters/{cluster_id}"
    assert requests.get(f"{rest.url}/v3/clusters/{cluster_id}", timeout=30).json() == cluster
    assert_error(requests.get(f"{rest.url}/v3/clusters/nope", timeout=30), 404, 404, "Cluster nope cannot be found.")

    records = [
        {"partition_id": 0, "headers": [{"name": "Header-1", "value": b64("Header-1")}],
         "key": {"type": "BINARY", "data": b64("foobar")}, "value": {"type": "JSON", "data": {"foo": "bar"}},
         "timestamp": "2021-02-05T19:14:42Z"},
        {"value": {"type": "BINARY", "data": 1}},
        {"key": {"type": "STRING", "data": "k"}, "value": {"type": "STRING", "data": "plain text"}},
    ]
    r = requests.post(f"{rest.url}/v3/clusters/{cluster_id}/topics/v3topic/records",
                      data="\n".join(json.dumps(x) for x in records), headers={"Content-Type": "application/json"},
                      timeout=30)
    assert r.status_code == 200, r.text
    reports = [json.loads(line) for line in r.text.splitlines()]
    assert reports[0] == {"error_code": 200, "cluster_id": cluster_id, "topic_name": "v3topic", "partition_id": 0,
                          "offset": 0, "timestamp": "2021-02-05T19:14:42.000Z", "key": {"type": "BINARY", "size": 6},
                          "value": {"type": "JSON", "size": 13}}
    assert reports[1] == {"error_code": 400, "message": "Bad Request: data=1 is not a base64 string."}
    assert reports[2]["error_code"] == 200 and reports[2]["offset"] == 1
    out = kcat("-b", rest.kafka, "-C", "-t", "v3topic", "-e", "-f", "%k|%s|%h|%T\n")
    assert out.stdout.splitlines() == ['foobar|{"foo":"bar"}|Header-1=Header-1|1612552482000',
                                       f"k|plain text||{_ms(reports[2]['timestamp'])}"]
    assert_error(requests.post(f"{rest.url}/v3/clusters/{cluster_id}/topics/v3topic/records", data="{}",
                               headers={"Content-Type": "text/plain"}, timeout=30), 415, 415)


def _ms(timestamp):
    """Milliseconds since the epoch of a v3 report's "2023-03-09T14:07:23.592Z"."""
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000 + 0.5)


def test_basic_authentication_against_the_kafka_sasl_users(hub_factory):
    h = hub_factory(["--kafka.sasl-users=app:app-secret,other:pw", "--restproxy.authentication-required=true"]).start()
    url = h.restproxy_url
    r = requests.get(f"{url}/topics", timeout=30)
    assert_error(r, 401, 401)
    assert r.headers["WWW-Authenticate"].startswith("Basic ")
    assert_error(requests.get(f"{url}/topics", auth=("app", "wrong"), timeout=30), 401, 401)
    assert_error(requests.get(f"{url}/topics", auth=("nobody", "app-secret"), timeout=30), 401, 401)
    assert requests.get(f"{url}/topics", auth=("app", "app-secret"), timeout=30).status_code == 200
    r = requests.post(f"{url}/topics/secured", data=json.dumps({"records": [{"value": b64("x")}]}),
                      headers={"Content-Type": BINARY}, auth=("other", "pw"), timeout=30)
    assert r.status_code == 200, r.text


def test_basic_authentication_without_users_refuses_to_start(hub_factory):
    h = hub_factory(["--restproxy.authentication-required=true"]).start(wait_ready=False)
    assert h.wait_exit() != 0
    assert "restproxy.authentication-required needs users in kafka.sasl-users" in h.log()


AVRO = "application/vnd.kafka.avro.v2+json"
CARD_KEY = {"type": "record", "name": "CardKey", "fields": [{"name": "suit", "type": "string"}]}
CARD = {"type": "record", "name": "Card", "namespace": "cards",
        "fields": [{"name": "suit", "type": "string"}, {"name": "denomination", "type": "string"},
                   {"name": "note", "type": ["null", "string"], "default": None}]}


def avro_registry_hub(hub_factory):
    h = hub_factory(["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    h.url = h.restproxy_url
    return h


def test_avro_produce_read_by_confluent_avro_consumer(hub_factory):
    from confluent_kafka.avro import AvroConsumer
    h = avro_registry_hub(hub_factory)
    body = {"key_schema": json.dumps(CARD_KEY), "value_schema": json.dumps(CARD),
            "records": [{"key": {"suit": "spades"}, "value": {"suit": "spades", "denomination": "ace", "note": None}}]}
    r = requests.post(f"{h.url}/topics/my_avro_topic", data=json.dumps(body), headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 200, r.text
    ids = r.json()
    assert ids["key_schema_id"] is not None and ids["value_schema_id"] is not None
    assert ids["offsets"][0]["offset"] == 0
    # The second request names the registered schema by id.
    body = {"key_schema_id": ids["key_schema_id"], "value_schema_id": ids["value_schema_id"],
            "records": [{"key": {"suit": "hearts"}, "value": {"suit": "hearts", "denomination": "7", "note": {"string": "lucky"}}}]}
    r = requests.post(f"{h.url}/topics/my_avro_topic", data=json.dumps(body), headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 200, r.text
    assert (r.json()["key_schema_id"], r.json()["value_schema_id"]) == (ids["key_schema_id"], ids["value_schema_id"])
    assert requests.get(f"{h.schema_registry_url}/subjects", timeout=30).json() == ["my_avro_topic-key", "my_avro_topic-value"]

    c = AvroConsumer({"bootstrap.servers": h.kafka, "group.id": "avro-readers", "auto.offset.reset": "earliest",
                      "schema.registry.url": h.schema_registry_url})
    c.subscribe(["my_avro_topic"])
    got = []

    def two():
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append((m.key(), m.value()))
        return len(got) == 2

    wait_for(two, "both Avro records through AvroConsumer", interval=0)
    c.close()
    assert got == [({"suit": "spades"}, {"suit": "spades", "denomination": "ace", "note": None}),
                   ({"suit": "hearts"}, {"suit": "hearts", "denomination": "7", "note": "lucky"})]


def test_confluent_avro_producer_read_through_rest(hub_factory):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroProducer
    h = avro_registry_hub(hub_factory)
    p = AvroProducer({"bootstrap.servers": h.kafka, "schema.registry.url": h.schema_registry_url},
                     default_key_schema=avro.loads(json.dumps(CARD_KEY)), default_value_schema=avro.loads(json.dumps(CARD)))
    p.produce(topic="native-avro", key={"suit": "clubs"}, value={"suit": "clubs", "denomination": "king", "note": "x"})
    assert p.flush(30) == 0
    base = create_consumer(h.url, "avro-rest", format="avro", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/subscription", data=json.dumps({"topics": ["native-avro"]}), headers={"Content-Type": V2}, timeout=30)
    (record,) = read_until(base, 1, fmt=AVRO)
    assert record["key"] == {"suit": "clubs"}
    assert record["value"] == {"suit": "clubs", "denomination": "king", "note": {"string": "x"}}  # Avro's JSON encoding
    assert_error(requests.get(f"{base}/records", headers={"Accept": BINARY}, timeout=30), 406, 40601)


def test_avro_errors(hub_factory):
    h = hub_factory().start()
    url = h.restproxy_url

    def post(body):
        return requests.post(f"{url}/topics/avro-errors", data=json.dumps(body), headers={"Content-Type": AVRO}, timeout=30)

    assert_error(post({"records": [{"value": {"a": 1}}]}), 422, 42202)
    assert_error(post({"value_schema": '"string"', "records": [{"key": "k", "value": "v"}]}), 422, 42201)
    assert_error(post({"value_schema": "{not a schema", "records": [{"value": "v"}]}), 422, 42205)
    assert_error(post({"value_schema": json.dumps(CARD), "records": [{"value": {"suit": "spades"}}]}), 422, 42203)
    assert_error(post({"value_schema_id": 4242, "records": [{"value": "v"}]}), 404, 40403)
    # The schema of a request is registered before its data is checked (as Confluent's proxy does):
    # the failed request above left the Card schema as version 1 of avro-errors-value.
    assert requests.get(f"{h.schema_registry_url}/subjects/avro-errors-value/versions", timeout=30).json() == [1]
    # A record that is not in Confluent's wire format fails every avro read: nothing is skipped.
    produce(url, "not-avro", [{"value": b64("plain bytes")}])
    base = create_consumer(url, "avro-errors", format="avro", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "not-avro", "partition": 0}]}),
                  headers={"Content-Type": V2}, timeout=30)
    for _ in range(2):
        assert_error(requests.get(f"{base}/records", headers={"Accept": AVRO}, timeout=30), 408, 40801)


def test_v3_batch_produce(rest):
    cluster_id = requests.get(f"{rest.url}/v3/clusters", timeout=30).json()["data"][0]["cluster_id"]
    url = f"{rest.url}/v3/clusters/{cluster_id}/topics/batched/records:batch"
    entries = [{"id": "first", "value": {"type": "STRING", "data": "one"}},
               {"id": "second", "value": {"type": "BINARY", "data": "!"}},
               {"id": "third", "key": {"type": "STRING", "data": "k"}, "value": {"type": "JSON", "data": [3]}}]
    r = requests.post(url, data=json.dumps({"entries": entries}), headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 207, r.text
    body = r.json()
    assert [s["id"] for s in body["successes"]] == ["first", "third"]
    assert [s["offset"] for s in body["successes"]] == [0, 1]
    assert body["failures"] == [{"id": "second", "error_code": 400,
                                 "message": 'Bad Request: data="!" is not a valid base64 string.'}]
    for bad, message in (([], "Empty batch."),
                         ([{"id": "a", "value": {"data": 1}}] * 2, "Batch entry IDs are not distinct."),
                         ([{"id": str(i), "value": {"data": i}} for i in range(11)], "Too many entries in batch.")):
        r = requests.post(url, data=json.dumps({"entries": bad}), headers={"Content-Type": "application/json"}, timeout=30)
        assert_error(r, 422, 42208, message)


def test_acknowledged_schemas_and_commits_survive_kill_9(hub_factory):
    h = hub_factory().start()
    r = requests.post(f"{h.schema_registry_url}/subjects/kept-value/versions", data=json.dumps({"schema": json.dumps(CARD)}),
                      headers={"Content-Type": "application/vnd.schemaregistry.v1+json"}, timeout=30)
    assert r.status_code == 200, r.text
    schema_id = r.json()["id"]
    produce(h.restproxy_url, "kept", [{"value": b64(f"m{i}")} for i in range(5)])
    base = create_consumer(h.restproxy_url, "kept-group", **{"auto.commit.enable": "false"})
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "kept", "partition": 0}]}),
                  headers={"Content-Type": V2}, timeout=30)
    r = requests.post(f"{base}/offsets", data=json.dumps({"offsets": [{"topic": "kept", "partition": 0, "offset": 2}]}),
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200, r.text
    h.kill()
    h.start()
    assert json.loads(requests.get(f"{h.schema_registry_url}/schemas/ids/{schema_id}", timeout=30).json()["schema"]) == CARD
    base = create_consumer(h.restproxy_url, "kept-group", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "kept", "partition": 0}]}),
                  headers={"Content-Type": V2}, timeout=30)
    first = read_until(base, 1)[0]
    assert first["offset"] == 3  # the committed offset + 1


def test_consumer_instances_are_bounded(hub_factory):
    h = hub_factory(["--restproxy.max-consumer-instances=2"]).start()
    create_consumer(h.restproxy_url, "bounded", name="a")
    create_consumer(h.restproxy_url, "bounded", name="b")
    r = requests.post(f"{h.restproxy_url}/consumers/bounded", data=json.dumps({"name": "c"}), headers={"Content-Type": V2},
                      timeout=30)
    assert_error(r, 429, 42901)
    assert requests.delete(f"{h.restproxy_url}/consumers/bounded/instances/a", timeout=30).status_code == 204
    assert create_consumer(h.restproxy_url, "bounded", name="c")


def _samples(hub):
    status, _, body = hub.get("/metrics")
    assert status == 200
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def _read_ahead(hub, outcome):
    return _samples(hub).get(f'tributary_restproxy_read_ahead_responses_total{{outcome="{outcome}"}}', 0)


def test_a_consumer_that_is_behind_gets_responses_read_ahead_and_nothing_twice(rest):
    url = rest.url
    value = b64(bytes(1000))
    r = produce(url, "behind", [{"value": value, "partition": 0} for _ in range(300)])
    assert r.status_code == 200, r.text
    base = create_consumer(url, "behind-group", **{"auto.offset.reset": "earliest", "auto.commit.enable": "false"})
    headers = {"Content-Type": V2}
    tp = {"topic": "behind", "partition": 0}
    assert requests.post(f"{base}/assignments", data=json.dumps({"partitions": [tp]}), headers=headers,
                         timeout=30).status_code == 204

    def get(max_bytes=20000):
        r = requests.get(f"{base}/records?timeout=1000&max_bytes={max_bytes}", headers={"Accept": BINARY}, timeout=30)
        assert r.status_code == 200, r.text
        return [r["offset"] for r in r.json()]

    def read_ahead_ready():
        return _samples(rest).get("tributary_restproxy_read_ahead_bytes", 0) > 0

    first = get()
    assert first == list(range(20))  # 20 records of 1000 bytes fill max_bytes 20000
    wait_for(read_ahead_ready, "the next response read ahead")
    # Positions and commits count what was delivered, not what was read ahead.
    assert requests.post(f"{base}/offsets", headers=headers, timeout=30).status_code == 200
    r = requests.get(f"{base}/offsets", data=json.dumps({"partitions": [tp]}), headers=headers, timeout=30)
    assert r.json()["offsets"][0]["offset"] == 20
    assert get() == list(range(20, 40))
    assert _read_ahead(rest, "delivered") == 1

    # A seek makes a response read ahead stale: the next read starts where the seek put it.
    wait_for(read_ahead_ready, "the next response read ahead")
    assert requests.post(f"{base}/positions", data=json.dumps({"offsets": [dict(tp, offset=5)]}), headers=headers,
                         timeout=30).status_code == 204
    assert get() == list(range(5, 25))
    assert _read_ahead(rest, "discarded") == 1

    # One read for another max_bytes is answered afresh, from the delivered position.
    wait_for(read_ahead_ready, "the next response read ahead")
    assert get(10000) == list(range(25, 35))
    assert _read_ahead(rest, "discarded") == 2

    # The rest, in order, each once; the reads ahead are taken.
    delivered_before = _read_ahead(rest, "delivered")
    offsets = []
    while len(offsets) < 300 - 35:
        got = get()
        assert got, "no records before the end of the partition"
        offsets += got
    assert offsets == list(range(35, 300))
    assert _read_ahead(rest, "delivered") > delivered_before
    assert get() == []
    wait_for(lambda: _samples(rest).get("tributary_restproxy_read_ahead_bytes", 0) == 0,
             "no response read ahead past the end")


def test_read_ahead_can_be_turned_off(hub_factory):
    hub = hub_factory(["--restproxy.read-ahead-bytes=0"]).start()
    url = hub.restproxy_url
    produce(url, "no-ahead", [{"value": b64(bytes(1000)), "partition": 0} for _ in range(50)])
    base = create_consumer(url, "no-ahead-group", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/assignments", data=json.dumps({"partitions": [{"topic": "no-ahead", "partition": 0}]}),
                  headers={"Content-Type": V2}, timeout=30)
    offsets = []
    while len(offsets) < 50:
        r = requests.get(f"{base}/records?timeout=1000&max_bytes=10000", headers={"Accept": BINARY}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json(), "no records before the end of the partition"
        offsets += [x["offset"] for x in r.json()]
    assert offsets == list(range(50))
    assert _read_ahead(hub, "delivered") == 0
    assert _read_ahead(hub, "discarded") == 0
