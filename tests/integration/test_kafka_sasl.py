"""The SASL listener: PLAIN and SCRAM-SHA-256/512 with librdkafka (kcat, confluent-kafka) and
kafka-python, the getting-started guide's user hono/hono-secret under `serve --demo`."""
import confluent_kafka as ck
import kafka as kp
import pytest

from kafka_support import kcat


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo", "--kafka.sasl-users=alice:wonderland"]).start()


def sasl_kcat(hub, mechanism, user, password, *args, input=None):
    return kcat("-b", hub.addresses["kafka-sasl"], "-X", "security.protocol=SASL_PLAINTEXT",
                "-X", f"sasl.mechanism={mechanism}", "-X", f"sasl.username={user}", "-X", f"sasl.password={password}",
                *args, input=input, timeout=60)


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_kcat_produces_and_consumes_over_sasl(demo, mechanism):
    topic = f"sasl-{mechanism.lower()}"
    out = sasl_kcat(demo, mechanism, "hono", "hono-secret", "-P", "-t", topic, input="over sasl\n")
    assert out.returncode == 0, out.stderr
    out = sasl_kcat(demo, mechanism, "alice", "wonderland", "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%s\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "over sasl\n"


def test_wrong_password_is_refused_and_logged_without_the_secret(demo):
    out = sasl_kcat(demo, "SCRAM-SHA-512", "hono", "not-the-secret", "-L", "-m", "5")
    assert out.returncode != 0
    assert "Authentication failed" in out.stderr
    assert "not-the-secret" not in demo.log()


def test_requests_before_authentication_close_the_connection(demo):
    out = kcat("-b", demo.addresses["kafka-sasl"], "-L", "-m", "5")
    assert out.returncode != 0
    assert "Metadata before SASL authentication" in demo.log()


def test_kafka_python_plain_uses_the_v0_handshake_and_scram(demo):
    for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
        p = kp.KafkaProducer(bootstrap_servers=demo.addresses["kafka-sasl"], security_protocol="SASL_PLAINTEXT",
                             sasl_mechanism=mechanism, sasl_plain_username="hono", sasl_plain_password="hono-secret")
        p.send("kp-sasl", mechanism.encode()).get(timeout=60)
        p.close()
    c = ck.Consumer({"bootstrap.servers": demo.kafka, "group.id": "check", "auto.offset.reset": "earliest"})
    c.assign([ck.TopicPartition("kp-sasl", 0, 0)])
    values = [m.value() for m in c.consume(3, timeout=60)]
    c.close()
    assert values == [b"PLAIN", b"SCRAM-SHA-256", b"SCRAM-SHA-512"]


def test_plaintext_listener_needs_no_authentication(demo):
    out = kcat("-b", demo.kafka, "-L")
    assert out.returncode == 0, out.stderr
