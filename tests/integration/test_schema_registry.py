"""The schema registry (Confluent's API) with requests and with confluent-kafka's own registry
client (confluent_kafka.avro, Debian's python3-confluent-kafka with python3-avro)."""
import json

import requests
from confluent_kafka import avro
from confluent_kafka.avro import CachedSchemaRegistryClient

SR = "application/vnd.schemaregistry.v1+json"
USER_V1 = {"type": "record", "name": "User", "namespace": "demo", "fields": [{"name": "name", "type": "string"}]}
USER_V2 = {"type": "record", "name": "User", "namespace": "demo",
           "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int", "default": 0}]}
USER_V3_NO_DEFAULT = {"type": "record", "name": "User", "namespace": "demo",
                      "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int", "default": 0},
                                 {"name": "email", "type": "string"}]}


def post(url, body):
    return requests.post(url, data=json.dumps(body), headers={"Content-Type": SR}, timeout=30)


def assert_error(r, status, error_code):
    assert r.status_code == status, r.text
    assert r.json()["error_code"] == error_code, r.text
    assert r.json()["message"]


def test_register_look_up_and_fetch_by_id(hub):
    url = hub.schema_registry_url
    r = post(f"{url}/subjects/users-value/versions", {"schema": json.dumps(USER_V1)})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == SR
    first = r.json()["id"]
    # The same schema again, written differently: the same id, no new version.
    assert post(f"{url}/subjects/users-value/versions", {"schema": json.dumps(USER_V1, indent=2)}).json() == {"id": first}
    assert requests.get(f"{url}/subjects", timeout=30).json() == ["users-value"]
    assert requests.get(f"{url}/subjects/users-value/versions", timeout=30).json() == [1]
    latest = requests.get(f"{url}/subjects/users-value/versions/latest", timeout=30).json()
    assert latest["subject"] == "users-value" and latest["version"] == 1 and latest["id"] == first
    assert json.loads(latest["schema"]) == USER_V1
    assert requests.get(f"{url}/subjects/users-value/versions/1", timeout=30).json() == latest
    assert json.loads(requests.get(f"{url}/subjects/users-value/versions/1/schema", timeout=30).text) == USER_V1
    assert json.loads(requests.get(f"{url}/schemas/ids/{first}", timeout=30).json()["schema"]) == USER_V1
    assert post(f"{url}/subjects/users-value", {"schema": json.dumps(USER_V1)}).json() == latest
    # An equal schema under another subject keeps its id.
    assert post(f"{url}/subjects/other-value/versions", {"schema": json.dumps(USER_V1)}).json() == {"id": first}
    assert requests.get(f"{url}/schemas/types", timeout=30).json() == ["AVRO"]


def test_compatibility_is_backward_by_default(hub):
    url = hub.schema_registry_url
    assert requests.get(f"{url}/config", timeout=30).json() == {"compatibilityLevel": "BACKWARD"}
    v1 = post(f"{url}/subjects/c/versions", {"schema": json.dumps(USER_V1)}).json()["id"]
    v2 = post(f"{url}/subjects/c/versions", {"schema": json.dumps(USER_V2)}).json()["id"]
    assert v2 != v1
    r = post(f"{url}/compatibility/subjects/c/versions/latest", {"schema": json.dumps(USER_V3_NO_DEFAULT)})
    assert r.status_code == 200 and r.json()["is_compatible"] is False
    assert "email" in r.json()["messages"][0]
    assert post(f"{url}/compatibility/subjects/c/versions/1", {"schema": json.dumps(USER_V2)}).json() == {"is_compatible": True}
    r = post(f"{url}/subjects/c/versions", {"schema": json.dumps(USER_V3_NO_DEFAULT)})
    assert_error(r, 409, 409)
    assert "incompatible" in r.json()["message"]

    assert_error(requests.get(f"{url}/config/c", timeout=30), 404, 40408)
    assert requests.get(f"{url}/config/c?defaultToGlobal=true", timeout=30).json() == {"compatibilityLevel": "BACKWARD"}
    r = requests.put(f"{url}/config/c", data=json.dumps({"compatibility": "NONE"}), headers={"Content-Type": SR}, timeout=30)
    assert r.json() == {"compatibility": "NONE"}
    assert requests.get(f"{url}/config/c", timeout=30).json() == {"compatibilityLevel": "NONE"}
    assert post(f"{url}/subjects/c/versions", {"schema": json.dumps(USER_V3_NO_DEFAULT)}).status_code == 200
    assert requests.get(f"{url}/subjects/c/versions", timeout=30).json() == [1, 2, 3]
    assert_error(requests.put(f"{url}/config", data=json.dumps({"compatibility": "SOMETIMES"}),
                              headers={"Content-Type": SR}, timeout=30), 422, 42203)


def test_errors_have_the_registry_codes(hub):
    url = hub.schema_registry_url
    assert_error(post(f"{url}/subjects/e/versions", {"schema": "{not avro"}), 422, 42201)
    assert_error(post(f"{url}/subjects/e/versions", {"schema": json.dumps({"type": "record", "name": "X"})}), 422, 42201)
    assert_error(post(f"{url}/subjects/e/versions", {"schema": '"string"', "schemaType": "PROTOBUF"}), 422, 42201)
    assert_error(requests.get(f"{url}/subjects/nobody/versions", timeout=30), 404, 40401)
    post(f"{url}/subjects/e/versions", {"schema": '"string"'})
    assert_error(requests.get(f"{url}/subjects/e/versions/7", timeout=30), 404, 40402)
    assert_error(requests.get(f"{url}/subjects/e/versions/zero", timeout=30), 422, 42202)
    assert_error(requests.get(f"{url}/schemas/ids/999", timeout=30), 404, 40403)
    assert_error(post(f"{url}/subjects/e", {"schema": '"int"'}), 404, 40403)
    assert_error(requests.get(f"{url}/nothing", timeout=30), 404, 404)
    assert_error(requests.delete(f"{url}/subjects", timeout=30), 405, 405)
    r = requests.post(f"{url}/subjects/e/versions", data="{", headers={"Content-Type": SR}, timeout=30)
    assert_error(r, 400, 400)
    r = requests.post(f"{url}/subjects/e/versions", data="x" * (1024 * 1024 + 1), headers={"Content-Type": SR}, timeout=30)
    assert_error(r, 413, 413)  # bodies above 1 MiB, in the registry's error shape
    assert requests.delete(f"{url}/subjects/e", timeout=30).json() == [1]
    assert_error(requests.get(f"{url}/subjects/e/versions", timeout=30), 404, 40401)


def test_schemas_survive_a_restart(hub_factory):
    h = hub_factory().start()
    url = h.schema_registry_url
    ids = [post(f"{url}/subjects/keep-{i}/versions", {"schema": json.dumps(s)}).json()["id"]
           for i, s in enumerate([USER_V1, {"type": "enum", "name": "E", "symbols": ["A"]}])]
    requests.put(f"{url}/config", data=json.dumps({"compatibility": "FULL"}), headers={"Content-Type": SR}, timeout=30)
    h.stop()
    h.start()
    url = h.schema_registry_url
    assert requests.get(f"{url}/subjects", timeout=30).json() == ["keep-0", "keep-1"]
    assert json.loads(requests.get(f"{url}/schemas/ids/{ids[0]}", timeout=30).json()["schema"]) == USER_V1
    assert requests.get(f"{url}/config", timeout=30).json() == {"compatibilityLevel": "FULL"}
    fresh = post(f"{url}/subjects/keep-2/versions", {"schema": '"string"'}).json()["id"]
    assert fresh not in ids


def test_confluent_kafka_registry_client(hub):
    client = CachedSchemaRegistryClient({"url": hub.schema_registry_url})
    schema = avro.loads(json.dumps(USER_V2))
    schema_id = client.register("client-value", schema)
    assert client.get_by_id(schema_id) == schema
    found_id, found, version = client.get_latest_schema("client-value")
    assert (found_id, found, version) == (schema_id, schema, 1)
    # A fresh client (this one's cache answers get_version from what register stored).
    assert CachedSchemaRegistryClient({"url": hub.schema_registry_url}).get_version("client-value", schema) == 1
    assert client.test_compatibility("client-value", avro.loads(json.dumps(USER_V1))) is True
