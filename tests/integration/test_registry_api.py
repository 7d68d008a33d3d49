"""The Device Registry Management API (spec/hono.md §4, ids §0) of `tributary serve`: tenants, devices,
credentials, search, request bodies, the --demo data (§4.5), persistence and authentication.

Every expectation is the spec's; a hub is started per test on free ports with its own data directory."""
import base64
import datetime
import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from hub import wait_for
from registry_support import (UUID, Registry, assert_error, assert_etag, assert_json, assert_no_confidential_fields,
                              bcrypt_hash, ca_and_device_cert_b64, ec_public_key_b64, q, registry, secrets_of,
                              self_signed_cert_b64, sha_hash, trust_anchor)


@pytest.fixture
def reg(hub):
    return registry(hub)


def rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


# ======================================================================================================== tenants


def test_create_tenant_without_id_generates_a_uuid(reg):
    r = reg.post("/v1/tenants", json={"ext": {"messaging-type": "kafka"}})
    body = assert_json(r, 201)
    assert list(body) == ["id"]
    assert UUID.match(body["id"]), body
    assert r.headers["location"] == f"/v1/tenants/{body['id']}"
    etag = assert_etag(r)
    got = reg.get(f"/v1/tenants/{body['id']}")
    assert assert_json(got)["ext"] == {"messaging-type": "kafka"}
    assert got.headers["etag"] == etag


def test_create_tenant_with_id(reg):
    r = reg.post("/v1/tenants/my_tenant.1-x", json={"enabled": False})
    assert assert_json(r, 201) == {"id": "my_tenant.1-x"}
    assert r.headers["location"] == "/v1/tenants/my_tenant.1-x"
    assert_etag(r)
    assert reg.tenant("my_tenant.1-x")["enabled"] is False


def test_create_tenant_with_an_empty_body(reg):
    tenant = reg.create_tenant("empty-body")
    assert reg.tenant(tenant).get("enabled", True) is True
    generated = reg.create_tenant()
    assert UUID.match(generated)


def test_duplicate_tenant_id_is_409(reg):
    reg.create_tenant("dup")
    assert_error(reg.post("/v1/tenants/dup", json={}), 409)


@pytest.mark.parametrize("bad_id", ["bad!id", "bad%20id", "bad%2Fid", "bad%23id", "b%C3%A4d"])
def test_invalid_tenant_id_is_400(reg, bad_id):
    assert_error(reg.post(f"/v1/tenants/{bad_id}", json={}), 400)


def test_tenant_alias_valid_invalid_and_duplicate(reg):
    reg.create_tenant("aliased", {"alias": "my-alias-1"})
    assert reg.tenant("aliased")["alias"] == "my-alias-1"
    assert_error(reg.post("/v1/tenants/bad-alias", json={"alias": "My_Alias"}), 400)
    assert_error(reg.post("/v1/tenants/dup-alias", json={"alias": "my-alias-1"}), 409)
    assert reg.get("/v1/tenants/dup-alias").status_code == 404
    # Changing another tenant's alias to a used one is a conflict too.
    reg.create_tenant("other", {"alias": "other-alias"})
    assert_error(reg.put("/v1/tenants/other", json={"alias": "my-alias-1"}), 409)
    assert reg.tenant("other")["alias"] == "other-alias"


def test_get_tenant_returns_the_document_and_its_etag(reg):
    body = {"enabled": True, "ext": {"messaging-type": "kafka", "x": 1}, "defaults": {"ttl": 30},
            "adapters": [{"type": "hono-mqtt", "enabled": True, "device-authentication-required": False}],
            "minimum-message-size": 4096, "registration-limits": {"max-devices": 10},
            "resource-limits": {"max-connections": 5, "max-ttl": 60,
                                "data-volume": {"effective-since": "2024-01-01T00:00:00Z", "max-bytes": 1000,
                                                "period": {"mode": "days", "no-of-days": 30}}},
            "tracing": {"sampling-mode": "all"}}
    r = reg.post("/v1/tenants/full", json=body)
    assert r.status_code == 201
    created_etag = r.headers["etag"]
    got = reg.get("/v1/tenants/full")
    doc = assert_json(got)
    assert got.headers["etag"] == created_etag
    for key, value in body.items():
        assert doc[key] == value, key


def test_unknown_tenant_is_404(reg):
    assert_error(reg.get("/v1/tenants/nobody"), 404)
    assert_error(reg.put("/v1/tenants/nobody", json={}), 404)
    assert_error(reg.delete("/v1/tenants/nobody"), 404)


def test_put_tenant_replaces_it_with_a_new_etag(reg):
    r = reg.post("/v1/tenants/replace", json={"ext": {"a": 1}, "defaults": {"ttl": 10}})
    first = r.headers["etag"]
    r = reg.put("/v1/tenants/replace", json={"ext": {"b": 2}})
    assert r.status_code == 204, r.text
    assert r.text == ""
    second = assert_etag(r)
    assert second != first
    got = reg.get("/v1/tenants/replace")
    doc = assert_json(got)
    assert got.headers["etag"] == second
    assert doc["ext"] == {"b": 2}
    assert "defaults" not in doc, "PUT is a full replace"


def test_tenant_if_match(reg):
    first = reg.post("/v1/tenants/versioned", json={}).headers["etag"]
    second = reg.put("/v1/tenants/versioned", json={"ext": {"v": 2}}, headers={"If-Match": first}).headers["etag"]
    assert second and second != first
    assert_error(reg.put("/v1/tenants/versioned", json={"ext": {"v": 3}}, headers={"If-Match": first}), 412)
    assert reg.tenant("versioned")["ext"] == {"v": 2}
    assert_error(reg.delete("/v1/tenants/versioned", headers={"If-Match": first}), 412)
    assert reg.get("/v1/tenants/versioned").status_code == 200
    r = reg.put("/v1/tenants/versioned", json={"ext": {"v": 3}}, headers={"If-Match": second})
    assert r.status_code == 204, r.text
    third = r.headers["etag"]
    r = reg.delete("/v1/tenants/versioned", headers={"If-Match": third})
    assert r.status_code == 204, r.text
    assert_error(reg.get("/v1/tenants/versioned"), 404)


def test_delete_tenant(reg):
    reg.create_tenant("doomed")
    r = reg.delete("/v1/tenants/doomed")
    assert r.status_code == 204, r.text
    assert_error(reg.get("/v1/tenants/doomed"), 404)
    assert_error(reg.delete("/v1/tenants/doomed"), 404)


def test_deleting_a_tenant_removes_its_devices_and_credentials(reg):
    reg.create_tenant("t-del")
    reg.create_device("t-del", "d1")
    reg.put_credentials("t-del", "d1", [{"type": "psk", "auth-id": "d1", "secrets": [{"key": "c2VjcmV0"}]}])
    assert reg.delete("/v1/tenants/t-del").status_code == 204
    assert_error(reg.get("/v1/devices/t-del/d1"), 404)
    assert_error(reg.get("/v1/credentials/t-del/d1"), 404)
    # They stay gone when the tenant is created again.
    reg.create_tenant("t-del")
    assert_error(reg.get("/v1/devices/t-del/d1"), 404)
    assert_error(reg.get("/v1/credentials/t-del/d1"), 404)
    reg.create_device("t-del", "d1")
    assert reg.credentials("t-del", "d1") == []
    # The (type, auth-id) of the removed credentials is free again.
    reg.create_device("t-del", "d2")
    reg.put_credentials("t-del", "d2", [{"type": "psk", "auth-id": "d1", "secrets": [{"key": "c2VjcmV0"}]}])


@pytest.mark.parametrize("body", [
    {"unknown": 1},
    {"adapters": [{"type": "hono-http", "colour": "red"}]},
    {"resource-limits": {"max-connections": 1, "max-conections": 2}},
    {"resource-limits": {"data-volume": {"max-bytes": 1, "extra": True}}},
    {"registration-limits": {"max-devices": 1, "max-tenants": 2}},
    {"tracing": {"sampling-mode": "all", "rate": 1}},
    {"trusted-ca": [{"subject-dn": "CN=x", "public-key": "KEY", "bogus": 1}]},
], ids=["top-level", "adapters", "resource-limits", "data-volume", "registration-limits", "tracing", "trusted-ca"])
def test_unknown_tenant_properties_are_400(reg, body):
    if "trusted-ca" in body:
        body["trusted-ca"][0]["public-key"] = ec_public_key_b64()
    assert_error(reg.post("/v1/tenants/unknown-props", json=body), 400)
    assert reg.get("/v1/tenants/unknown-props").status_code == 404
    reg.create_tenant("unknown-props-put")
    assert_error(reg.put("/v1/tenants/unknown-props-put", json=body), 400)


def test_duplicate_adapter_type_is_400(reg):
    body = {"adapters": [{"type": "hono-http"}, {"type": "hono-mqtt"}, {"type": "hono-http", "enabled": True}]}
    assert_error(reg.post("/v1/tenants/dup-adapter", json=body), 400)


def test_empty_adapters_list_is_400(reg):
    assert_error(reg.post("/v1/tenants/no-adapters", json={"adapters": []}), 400)


@pytest.mark.parametrize("body", [
    {"enabled": "yes"},
    {"enabled": 1},
    {"ext": "kafka"},
    {"adapters": [{"type": "hono-http", "enabled": "yes"}]},
    {"adapters": {"type": "hono-http"}},
    {"adapters": [{"enabled": True}]},
    {"resource-limits": {"max-connections": "100"}},
    {"minimum-message-size": "big"},
    {"registration-limits": {"max-devices": "ten"}},
    {"alias": 5},
    {"trusted-ca": {"subject-dn": "CN=x"}},
])
def test_wrong_tenant_property_types_are_400(reg, body):
    assert_error(reg.post("/v1/tenants/wrong-types", json=body), 400)


def test_tenant_body_must_be_an_object(reg):
    assert_error(reg.post("/v1/tenants/array", json=[]), 400)
    assert_error(reg.post("/v1/tenants/string", json="tenant"), 400)


def test_trusted_ca_needs_a_valid_public_key(reg):
    assert_error(reg.post("/v1/tenants/ca-no-key", json={"trusted-ca": [{"subject-dn": "CN=No Key"}]}), 400)
    garbage = {"trusted-ca": [{"subject-dn": "CN=Garbage", "public-key": "not base64 at all!"}]}
    assert_error(reg.post("/v1/tenants/ca-garbage", json=garbage), 400)
    not_a_key = {"trusted-ca": [{"subject-dn": "CN=Not A Key", "public-key": base64.b64encode(b"hello").decode()}]}
    assert_error(reg.post("/v1/tenants/ca-not-a-key", json=not_a_key), 400)
    reg.create_tenant("ca-ok", {"trusted-ca": [trust_anchor("CN=Good CA,O=Tests")]})


def test_trust_anchors_without_id_get_one(reg):
    reg.create_tenant("ca-ids", {"trusted-ca": [trust_anchor("CN=CA One"), trust_anchor("CN=CA Two", id="two")]})
    anchors = reg.tenant("ca-ids")["trusted-ca"]
    assert [a["subject-dn"] for a in anchors] == ["CN=CA One", "CN=CA Two"]
    assert isinstance(anchors[0].get("id"), str) and anchors[0]["id"]
    assert anchors[1]["id"] == "two"


def test_duplicate_trust_anchor_ids_are_400(reg):
    body = {"trusted-ca": [trust_anchor("CN=CA A", id="ca-1"), trust_anchor("CN=CA B", id="ca-1")]}
    assert_error(reg.post("/v1/tenants/ca-dup-ids", json=body), 400)


def test_trusted_ca_subject_conflict_across_tenants_is_409(reg):
    reg.create_tenant("ca-first", {"trusted-ca": [trust_anchor("CN=Shared CA,O=Tests")]})
    r = reg.post("/v1/tenants/ca-second", json={"trusted-ca": [trust_anchor("CN=Shared CA,O=Tests")]})
    assert_error(r, 409)
    assert reg.get("/v1/tenants/ca-second").status_code == 404
    # Also when the conflict comes with an update.
    reg.create_tenant("ca-third", {"trusted-ca": [trust_anchor("CN=Third CA,O=Tests")]})
    assert_error(reg.put("/v1/tenants/ca-third", json={"trusted-ca": [trust_anchor("CN=Shared CA,O=Tests")]}), 409)
    # A tenant in a trust-anchor-group still conflicts with one outside it.
    grouped = {"trust-anchor-group": "group-a", "trusted-ca": [trust_anchor("CN=Shared CA,O=Tests")]}
    assert_error(reg.post("/v1/tenants/ca-grouped", json=grouped), 409)


def test_trusted_ca_subject_may_be_shared_within_a_trust_anchor_group(reg):
    for tenant in ("group-one", "group-two"):
        reg.create_tenant(tenant, {"trust-anchor-group": "fleet",
                                   "trusted-ca": [trust_anchor("CN=Fleet CA,O=Tests")]})
    assert reg.tenant("group-two")["trust-anchor-group"] == "fleet"
    # A tenant of another group (or none) may not use it.
    assert_error(reg.post("/v1/tenants/group-other", json={
        "trust-anchor-group": "other", "trusted-ca": [trust_anchor("CN=Fleet CA,O=Tests")]}), 409)
    assert_error(reg.post("/v1/tenants/group-none", json={"trusted-ca": [trust_anchor("CN=Fleet CA,O=Tests")]}), 409)


def test_trusted_ca_subject_may_repeat_within_one_tenant_and_survives_its_own_update(reg):
    body = {"trusted-ca": [trust_anchor("CN=Rollover CA", id="2024", **{"not-before": "2024-01-01T00:00:00Z",
                                                                      "not-after": "2025-01-31T00:00:00Z"}),
                           trust_anchor("CN=Rollover CA", id="2025", **{"not-before": "2025-01-01T00:00:00Z",
                                                                      "not-after": "2026-01-31T00:00:00Z"})]}
    reg.create_tenant("rollover", body)
    assert [a["id"] for a in reg.tenant("rollover")["trusted-ca"]] == ["2024", "2025"]
    # Writing the tenant back with its own CA is no conflict.
    r = reg.put("/v1/tenants/rollover", json={"ext": {"x": 1}, **body})
    assert r.status_code == 204, r.text


def test_deleted_tenant_frees_its_ca_subject(reg):
    reg.create_tenant("ca-gone", {"trusted-ca": [trust_anchor("CN=Reused CA")]})
    assert reg.delete("/v1/tenants/ca-gone").status_code == 204
    reg.create_tenant("ca-new", {"trusted-ca": [trust_anchor("CN=Reused CA")]})


@pytest.mark.parametrize("body", [
    {"tracing": {"sampling-mode": "sometimes"}},
    {"tracing": {"sampling-mode-per-auth-id": {"dev": "often"}}},
    {"resource-limits": {"data-volume": {"max-bytes": 1, "period": {"mode": "weekly"}}}},
    {"resource-limits": {"connection-duration": {"max-minutes": 1, "effective-since": "yesterday"}}},
], ids=["sampling-mode", "sampling-mode-per-auth-id", "period-mode", "effective-since"])
def test_tenant_enum_and_date_values_are_checked(reg, body):
    assert_error(reg.post("/v1/tenants/bad-values", json=body), 400)


def test_trusted_ca_from_a_certificate(reg):
    cert, subject = self_signed_cert_b64("Tenant CA From Cert")
    reg.create_tenant("ca-cert", {"trusted-ca": [{"cert": cert}]})
    anchor = reg.tenant("ca-cert")["trusted-ca"][0]
    assert anchor["subject-dn"] == subject
    assert anchor["algorithm"] == "EC"
    assert anchor["public-key"]
    assert anchor["id"]
    assert_error(reg.post("/v1/tenants/ca-cert-2", json={"trusted-ca": [trust_anchor(subject)]}), 409)
    junk = base64.b64encode(b"junk").decode()
    assert_error(reg.post("/v1/tenants/ca-bad-cert", json={"trusted-ca": [{"cert": junk}]}), 400)


def test_concurrent_updates_with_the_same_if_match_let_one_win(reg):
    etag = reg.post("/v1/tenants/race", json={}).headers["etag"]

    def update(i):
        r = Registry(reg.base).put("/v1/tenants/race", json={"ext": {"writer": i}}, headers={"If-Match": etag})
        return r.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(update, range(16)))
    assert sorted(codes) == [204] + [412] * 15, codes


# ======================================================================================================== devices


def test_create_device_with_generated_id(reg):
    reg.create_tenant("dev-t")
    r = reg.post("/v1/devices/dev-t", json={"ext": {"k": "v"}})
    body = assert_json(r, 201)
    assert list(body) == ["id"] and UUID.match(body["id"]), body
    assert r.headers["location"] == f"/v1/devices/dev-t/{body['id']}"
    etag = assert_etag(r)
    got = reg.get(f"/v1/devices/dev-t/{body['id']}")
    assert assert_json(got)["ext"] == {"k": "v"}
    assert got.headers["etag"] == etag


def test_create_device_with_id_and_without_body(reg):
    reg.create_tenant("dev-t")
    r = reg.post("/v1/devices/dev-t/my-device:1=a.b_c")
    assert assert_json(r, 201) == {"id": "my-device:1=a.b_c"}
    assert r.headers["location"] == "/v1/devices/dev-t/my-device:1=a.b_c"
    doc = reg.device("dev-t", "my-device:1=a.b_c")
    assert doc.get("enabled", True) is True


def test_duplicate_device_is_409(reg):
    reg.create_tenant("dev-t")
    reg.create_device("dev-t", "twice")
    assert_error(reg.post("/v1/devices/dev-t/twice", json={}), 409)


def test_device_in_unknown_tenant_is_404(reg):
    assert_error(reg.post("/v1/devices/no-tenant"), 404)
    assert_error(reg.post("/v1/devices/no-tenant/d1", json={}), 404)
    assert_error(reg.get("/v1/devices/no-tenant/d1"), 404)


def test_device_in_invalid_tenant_id_is_400(reg):
    assert_error(reg.post("/v1/devices/bad!tenant/d1", json={}), 400)
    assert_error(reg.post("/v1/devices/bad%20tenant"), 400)


def test_deleting_a_device_of_a_deleted_tenant_is_204(reg):
    # spec §4.1: DELETE /v1/devices/{tenantId}/{deviceId} answers 204 also if the tenant no longer exists.
    reg.create_tenant("gone-tenant")
    reg.create_device("gone-tenant", "d1")
    assert reg.delete("/v1/tenants/gone-tenant").status_code == 204
    r = reg.delete("/v1/devices/gone-tenant/d1")
    assert r.status_code == 204, r.text


@pytest.mark.parametrize("bad_id", ["bad!dev", "bad%20dev", "bad%2Fdev", "bad%40dev"])
def test_invalid_device_id_is_400(reg, bad_id):
    reg.create_tenant("dev-t")
    assert_error(reg.post(f"/v1/devices/dev-t/{bad_id}", json={}), 400)


def test_device_status_created_and_updated(reg):
    reg.create_tenant("dev-t")
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    first = reg.post("/v1/devices/dev-t/st", json={"ext": {"v": 1}}).headers["etag"]
    doc = reg.device("dev-t", "st")
    created = doc["status"]["created"]
    assert rfc3339(created) >= before
    assert "updated" not in doc["status"], doc
    r = reg.put("/v1/devices/dev-t/st", json={"ext": {"v": 2}})
    assert r.status_code == 204, r.text
    assert r.text == ""
    second = assert_etag(r)
    assert second != first
    got = reg.get("/v1/devices/dev-t/st")
    doc = assert_json(got)
    assert got.headers["etag"] == second
    assert doc["ext"] == {"v": 2}
    assert doc["status"]["created"] == created
    assert rfc3339(doc["status"]["updated"]) >= rfc3339(created)


def test_put_device_replaces_it_and_ignores_a_status_in_the_body(reg):
    reg.create_tenant("dev-t")
    reg.create_device("dev-t", "ro", {"defaults": {"ttl": 30}, "ext": {"a": 1}})
    created = reg.device("dev-t", "ro")["status"]["created"]
    r = reg.put("/v1/devices/dev-t/ro", json={"ext": {"b": 2}, "status": {
        "created": "2000-01-01T00:00:00Z", "updated": "2000-01-02T00:00:00Z", "last-user": "mallory"}})
    assert r.status_code == 204, r.text
    doc = reg.device("dev-t", "ro")
    assert doc["ext"] == {"b": 2}
    assert "defaults" not in doc, "PUT is a full replace"
    assert doc["status"]["created"] == created
    assert doc["status"].get("updated") != "2000-01-02T00:00:00Z"
    assert "last-user" not in doc["status"] or doc["status"]["last-user"] != "mallory"
    # On create as well.
    reg.create_device("dev-t", "ro2", {"status": {"created": "2000-01-01T00:00:00Z"}})
    doc = reg.device("dev-t", "ro2")
    assert doc["status"]["created"] != "2000-01-01T00:00:00Z"
    assert "updated" not in doc["status"]


def test_device_if_match(reg):
    reg.create_tenant("dev-t")
    first = reg.post("/v1/devices/dev-t/v", json={}).headers["etag"]
    second = reg.put("/v1/devices/dev-t/v", json={"ext": {"n": 2}}).headers["etag"]
    assert_error(reg.put("/v1/devices/dev-t/v", json={"ext": {"n": 3}}, headers={"If-Match": first}), 412)
    assert_error(reg.delete("/v1/devices/dev-t/v", headers={"If-Match": first}), 412)
    assert reg.device("dev-t", "v")["ext"] == {"n": 2}
    r = reg.put("/v1/devices/dev-t/v", json={"ext": {"n": 3}}, headers={"If-Match": second})
    assert r.status_code == 204, r.text
    assert reg.delete("/v1/devices/dev-t/v", headers={"If-Match": r.headers["etag"]}).status_code == 204


def test_via_and_member_of_together_are_400(reg):
    reg.create_tenant("dev-t")
    assert_error(reg.post("/v1/devices/dev-t/both", json={"via": ["gw"], "memberOf": ["group1"]}), 400)
    assert_error(reg.post("/v1/devices/dev-t/both", json={"viaGroups": ["g"], "memberOf": ["group1"]}), 400)
    reg.create_device("dev-t", "both", {"via": ["gw"], "viaGroups": ["g"]})
    assert_error(reg.put("/v1/devices/dev-t/both", json={"via": ["gw"], "memberOf": ["group1"]}), 400)


@pytest.mark.parametrize("body", [
    {"enabled": "yes"},
    {"colour": "red"},
    {"via": "gw-1"},
    {"defaults": []},
    {"command-endpoint": {"uri": "https://x/{{deviceId}}", "method": "POST"}},
])
def test_bad_device_bodies_are_400(reg, body):
    reg.create_tenant("dev-t")
    assert_error(reg.post("/v1/devices/dev-t/bad", json=body), 400)
    assert reg.get("/v1/devices/dev-t/bad").status_code == 404


def test_full_device_document_round_trips(reg):
    reg.create_tenant("dev-t")
    body = {"enabled": False, "defaults": {"content-type": "application/vnd.bumlux", "ttl": 300, "importance": "high"},
            "via": ["gw-1"], "viaGroups": ["group1"], "authorities": ["auto-provisioning-enabled"],
            "downstream-message-mapper": "down", "upstream-message-mapper": "up",
            "command-endpoint": {"uri": "https://example.org/{{deviceId}}", "headers": {"a": "b"},
                                 "payload-properties": {"c": "d"}},
            "ext": {"nested": {"list": [1, 2, 3]}}}
    reg.create_device("dev-t", "full", body)
    doc = reg.device("dev-t", "full")
    for key, value in body.items():
        assert doc[key] == value, key


def test_delete_device(reg):
    reg.create_tenant("dev-t")
    reg.create_device("dev-t", "gone")
    reg.put_credentials("dev-t", "gone", [{"type": "psk", "auth-id": "gone-psk", "secrets": [{"key": "a2V5"}]}])
    r = reg.delete("/v1/devices/dev-t/gone")
    assert r.status_code == 204, r.text
    assert_error(reg.get("/v1/devices/dev-t/gone"), 404)
    assert_error(reg.get("/v1/credentials/dev-t/gone"), 404)
    assert_error(reg.delete("/v1/devices/dev-t/gone"), 404)
    assert_error(reg.delete("/v1/devices/dev-t/never-was"), 404)
    # A new device of the same id starts without the old credentials.
    reg.create_device("dev-t", "gone")
    assert reg.credentials("dev-t", "gone") == []


def test_delete_all_devices_of_a_tenant(reg):
    reg.create_tenant("dev-all")
    reg.create_tenant("dev-keep")
    for i in range(5):
        reg.create_device("dev-all", f"d{i}")
        reg.put_credentials("dev-all", f"d{i}", [{"type": "psk", "auth-id": f"psk-{i}", "secrets": [{"key": "a2V5"}]}])
    reg.create_device("dev-keep", "d0")
    r = reg.delete("/v1/devices/dev-all")
    assert r.status_code == 204, r.text
    for i in range(5):
        assert_error(reg.get(f"/v1/devices/dev-all/d{i}"), 404)
        assert_error(reg.get(f"/v1/credentials/dev-all/d{i}"), 404)
    assert_error(reg.get("/v1/devices/dev-all"), 404)
    assert reg.get("/v1/tenants/dev-all").status_code == 200
    assert reg.get("/v1/devices/dev-keep/d0").status_code == 200


def test_max_devices_registration_limit_is_403(reg):
    reg.create_tenant("limited", {"registration-limits": {"max-devices": 2}})
    reg.create_device("limited", "d1")
    reg.create_device("limited")
    assert_error(reg.post("/v1/devices/limited/d3"), 403)
    assert_error(reg.post("/v1/devices/limited"), 403)
    assert reg.get("/v1/devices/limited/d3").status_code == 404
    assert reg.delete("/v1/devices/limited/d1").status_code == 204
    reg.create_device("limited", "d3")


def test_max_devices_holds_under_concurrent_creates(reg):
    reg.create_tenant("limited-race", {"registration-limits": {"max-devices": 5}})

    def create(i):
        return Registry(reg.base).post(f"/v1/devices/limited-race/d{i}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(create, range(20)))
    assert sorted(codes) == [201] * 5 + [403] * 15, codes
    assert search(reg, "/v1/devices/limited-race")["total"] == 5


# ============================================================================================ content types / bodies


def test_non_json_content_type_is_400(reg):
    r = reg.post("/v1/tenants/ct", data='{"enabled": true}', headers={"content-type": "text/plain"})
    assert_error(r, 400)
    reg.create_tenant("ct")
    r = reg.post("/v1/devices/ct/d", data='{"enabled": true}', headers={"content-type": "application/xml"})
    assert_error(r, 400)
    reg.create_device("ct", "d")
    r = reg.put("/v1/credentials/ct/d", data="[]", headers={"content-type": "application/x-www-form-urlencoded"})
    assert_error(r, 400)


def test_json_content_type_with_charset_is_accepted(reg):
    r = reg.post("/v1/tenants/charset", data='{"enabled": true}',
                 headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text


def test_malformed_json_is_400(reg):
    for body in ('{"enabled": tru', '{"ext": {}', "not json", '{"a":1}{"b":2}'):
        assert_error(reg.post("/v1/tenants/malformed", data=body, headers={"content-type": "application/json"}), 400)
    reg.create_tenant("malformed")
    assert_error(reg.post("/v1/devices/malformed/d", data="{", headers={"content-type": "application/json"}), 400)
    reg.create_device("malformed", "d")
    assert_error(reg.put("/v1/credentials/malformed/d", data="[{]", headers={"content-type": "application/json"}), 400)


def test_non_empty_body_without_content_type_is_400(reg):
    r = reg.post("/v1/tenants/no-ct", data=b'{"enabled": true}')
    assert "content-type" not in {k.lower() for k in r.request.headers}
    assert_error(r, 400)
    reg.create_tenant("no-ct")
    assert_error(reg.post("/v1/devices/no-ct/d", data=b"{}"), 400)
    reg.create_device("no-ct", "d")
    assert_error(reg.put("/v1/credentials/no-ct/d", data=b"[]"), 400)


def test_empty_body_is_allowed_for_create(reg):
    r = reg.post("/v1/tenants")
    assert r.request.headers.get("content-length") == "0"
    tenant = assert_json(r, 201)["id"]
    assert reg.post(f"/v1/devices/{tenant}").status_code == 201
    assert reg.post(f"/v1/devices/{tenant}/explicit").status_code == 201
    assert reg.post("/v1/tenants/explicit").status_code == 201


def test_body_above_the_limit_is_413(reg):
    def sized(n):
        head, tail = '{"ext": {"pad": "', '"}}'
        return head + "x" * (n - len(head) - len(tail)) + tail

    r = reg.post("/v1/tenants/at-limit", data=sized(16000), headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    r = reg.post("/v1/tenants/too-big", data=sized(16001), headers={"content-type": "application/json"})
    assert_error(r, 413)
    assert reg.get("/v1/tenants/too-big").status_code == 404
    r = reg.post("/v1/tenants/much-too-big", data=sized(1_000_000), headers={"content-type": "application/json"})
    assert_error(r, 413)
    reg.create_device("at-limit", "d")
    r = reg.put("/v1/credentials/at-limit/d", headers={"content-type": "application/json"},
                data=json.dumps([{"type": "psk", "auth-id": "big",
                                  "secrets": [{"key": "a2V5", "comment": "c" * 17000}]}]))
    assert_error(r, 413)


def test_payload_limit_is_configurable(hub_factory):
    hub = hub_factory(args=["--registry.max-payload-bytes=1000"]).start()
    reg = registry(hub)
    assert_error(reg.post("/v1/tenants/big", json={"ext": {"pad": "x" * 1000}}), 413)
    assert reg.post("/v1/tenants/small", json={"ext": {"pad": "x" * 900}}).status_code == 201


def test_error_responses_are_json_with_an_error_string(reg):
    reg.create_tenant("errors")
    cases = [
        (reg.get("/v1/tenants/none"), 404),
        (reg.get("/v1/devices/errors/none"), 404),
        (reg.get("/v1/credentials/errors/none"), 404),
        (reg.get("/v1/devices/errors"), 404),
        (reg.post("/v1/tenants/errors"), 409),
        (reg.post("/v1/tenants/x", json={"nope": 1}), 400),
        (reg.get("/v1/devices/errors?pageSize=500"), 400),
        (reg.get("/v1/nothing-here"), 404),
    ]
    for response, status in cases:
        assert_error(response, status)


# ========================================================================================================== search


def make_search_devices(reg, tenant="search"):
    reg.create_tenant(tenant)
    for i in range(25):
        reg.create_device(tenant, f"dev-{i:02d}", {
            "enabled": i != 3,
            "defaults": {"importance": "high" if i % 3 == 0 else "low"},
            "ext": {"name": f"sensor-{i:02d}", "rank": i, "even": i % 2 == 0, "group": "a" if i < 10 else "b"},
        })
    return tenant


def search(reg, path, status=200, **params):
    r = reg.get(path, params=params)
    if status != 200:
        return assert_error(r, status)
    body = assert_json(r)
    assert set(body) == {"total", "result"}, body
    return body


def ids(body):
    return [item["id"] for item in body["result"]]


def test_search_devices_default_page(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}")
    assert body["total"] == 25
    assert sorted(ids(body)) == [f"dev-{i:02d}" for i in range(25)]
    item = next(d for d in body["result"] if d["id"] == "dev-07")
    assert item["ext"] == {"name": "sensor-07", "rank": 7, "even": False, "group": "a"}
    assert item["defaults"] == {"importance": "low"}
    assert "created" in item["status"]


def test_search_devices_pages_are_disjoint_and_complete(reg):
    tenant = make_search_devices(reg)
    seen = []
    for offset, size in ((0, 10), (10, 10), (20, 5)):
        body = search(reg, f"/v1/devices/{tenant}", pageSize=10, pageOffset=offset)
        assert body["total"] == 25
        assert len(body["result"]) == size
        seen += ids(body)
    assert sorted(seen) == [f"dev-{i:02d}" for i in range(25)]
    assert len(set(seen)) == 25
    # A page size of 7 walks the same set.
    seen = []
    for offset in range(0, 25, 7):
        seen += ids(search(reg, f"/v1/devices/{tenant}", pageSize=7, pageOffset=offset))
    assert sorted(seen) == [f"dev-{i:02d}" for i in range(25)]


def test_search_page_size_limits(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}", pageSize=0)
    assert body == {"total": 25, "result": []}
    assert len(search(reg, f"/v1/devices/{tenant}", pageSize=200)["result"]) == 25
    search(reg, f"/v1/devices/{tenant}", 400, pageSize=201)
    search(reg, f"/v1/devices/{tenant}", 400, pageSize=-1)
    search(reg, f"/v1/devices/{tenant}", 400, pageSize="ten")
    search(reg, f"/v1/devices/{tenant}", 400, pageOffset=-1)
    search(reg, f"/v1/devices/{tenant}", 400, pageOffset="x")


def test_search_filter_exact_string(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/ext/name", "op": "eq", "value": "sensor-07"}))
    assert body["total"] == 1
    assert ids(body) == ["dev-07"]
    # "op" may be left out; eq is the only operator.
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/ext/name", "value": "sensor-07"}))
    assert ids(body) == ["dev-07"]


@pytest.mark.parametrize("pattern, expected", [
    ("sensor-1*", [f"dev-{i}" for i in range(10, 20)]),
    ("sensor-?5", ["dev-05", "dev-15"]),
    ("*-2?", [f"dev-{i}" for i in range(20, 25)]),
    ("*", [f"dev-{i:02d}" for i in range(25)]),
    ("sensor-0?", [f"dev-0{i}" for i in range(10)]),
    ("sensor-?", []),
    ("sens*07", ["dev-07"]),
])
def test_search_filter_wildcards(reg, pattern, expected):
    tenant = make_search_devices(reg)
    filter_json = q({"field": "/ext/name", "value": pattern})
    if expected:
        body = search(reg, f"/v1/devices/{tenant}", filterJson=filter_json)
        assert body["total"] == len(expected)
        assert sorted(ids(body)) == expected
    else:
        search(reg, f"/v1/devices/{tenant}", 404, filterJson=filter_json)


def test_search_wildcards_do_not_treat_sql_characters_specially(reg):
    reg.create_tenant("like")
    for device, name in (("u", "a_b"), ("x", "axb"), ("p", "a%c"), ("y", "aYc"), ("s", "a\\d")):
        reg.create_device("like", device, {"ext": {"name": name}})
    assert ids(search(reg, "/v1/devices/like", filterJson=q({"field": "/ext/name", "value": "a_b"}))) == ["u"]
    assert ids(search(reg, "/v1/devices/like", filterJson=q({"field": "/ext/name", "value": "a%c"}))) == ["p"]
    assert ids(search(reg, "/v1/devices/like", filterJson=q({"field": "/ext/name", "value": "a\\d"}))) == ["s"]
    body = search(reg, "/v1/devices/like", filterJson=q({"field": "/ext/name", "value": "a?c"}))
    assert sorted(ids(body)) == ["p", "y"]
    assert len(search(reg, "/v1/devices/like", filterJson=q({"field": "/ext/name", "value": "a*"}))["result"]) == 5


def test_search_wildcards_as_in_honos_integration_tests(reg):
    reg.create_tenant("hono-wild")
    reg.create_device("hono-wild", "d1", {"enabled": False, "ext": {"id": "$id:1"}})
    reg.create_device("hono-wild", "d2", {"enabled": True, "ext": {"id": "$id:2"}})
    enabled = ("filterJson", q({"field": "/enabled", "value": True, "op": "eq"}))
    body = assert_json(reg.get("/v1/devices/hono-wild",
                               params=[enabled, ("filterJson", q({"field": "/ext/id", "value": "$id*"}))]))
    assert body["total"] == 1 and ids(body) == ["d2"]
    body = assert_json(reg.get("/v1/devices/hono-wild",
                               params=[enabled, ("filterJson", q({"field": "/ext/id", "value": "$id?2"}))]))
    assert body["total"] == 1 and ids(body) == ["d2"]
    search(reg, "/v1/devices/hono-wild", 404, filterJson=q({"field": "/ext/id", "value": "*id*3"}))
    search(reg, "/v1/devices/hono-wild", 404, filterJson=q({"field": "/ext/id", "value": "$id:?2"}))


def test_search_filter_boolean_and_number(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/ext/even", "value": True}))
    assert sorted(ids(body)) == [f"dev-{i:02d}" for i in range(0, 25, 2)]
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/ext/rank", "value": 7}))
    assert ids(body) == ["dev-07"]
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/enabled", "value": False}))
    assert ids(body) == ["dev-03"]
    assert search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/enabled", "value": True}))["total"] == 24
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/defaults/importance", "value": "high"}))
    assert sorted(ids(body)) == [f"dev-{i:02d}" for i in range(0, 25, 3)]
    # A number does not match a string and vice versa.
    search(reg, f"/v1/devices/{tenant}", 404, filterJson=q({"field": "/ext/rank", "value": "7"}))
    search(reg, f"/v1/devices/{tenant}", 404, filterJson=q({"field": "/ext/name", "value": 7}))


def test_search_two_filters_are_anded(reg):
    tenant = make_search_devices(reg)
    r = reg.get(f"/v1/devices/{tenant}", params=[
        ("filterJson", q({"field": "/ext/group", "value": "b"})),
        ("filterJson", q({"field": "/ext/even", "value": True})),
    ])
    body = assert_json(r)
    assert body["total"] == 8
    assert sorted(ids(body)) == [f"dev-{i}" for i in range(10, 25, 2)]


def test_search_unknown_field_or_no_match_is_404(reg):
    tenant = make_search_devices(reg)
    search(reg, f"/v1/devices/{tenant}", 404, filterJson=q({"field": "/ext/colour", "value": "red"}))
    search(reg, f"/v1/devices/{tenant}", 404, filterJson=q({"field": "/ext/name", "value": "nothing"}))
    search(reg, "/v1/devices/no-such-tenant", 404)


@pytest.mark.parametrize("param, value", [
    ("filterJson", "{not json"),
    ("filterJson", '{"field": "/ext/name"}'),
    ("filterJson", '{"field": "/ext/name", "op": "gt", "value": 1}'),
    ("filterJson", '["/ext/name", "x"]'),
    ("sortJson", "{not json"),
    ("sortJson", '{"field": "/ext/rank", "direction": "up"}'),
])
def test_search_invalid_filter_or_sort_is_400(reg, param, value):
    tenant = make_search_devices(reg)
    search(reg, f"/v1/devices/{tenant}", 400, **{param: value})


def test_search_sort(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}", pageSize=5, sortJson=q({"field": "/ext/rank", "direction": "desc"}))
    assert body["total"] == 25
    assert ids(body) == ["dev-24", "dev-23", "dev-22", "dev-21", "dev-20"]
    body = search(reg, f"/v1/devices/{tenant}", pageSize=5, sortJson=q({"field": "/ext/rank", "direction": "asc"}))
    assert ids(body) == ["dev-00", "dev-01", "dev-02", "dev-03", "dev-04"]
    body = search(reg, f"/v1/devices/{tenant}", pageSize=25, pageOffset=0,
                  sortJson=q({"field": "/ext/name", "direction": "desc"}))
    assert ids(body) == [f"dev-{i:02d}" for i in reversed(range(25))]
    # Sorting and paging together.
    body = search(reg, f"/v1/devices/{tenant}", pageSize=3, pageOffset=3,
                  sortJson=q({"field": "/ext/rank", "direction": "desc"}))
    assert ids(body) == ["dev-21", "dev-20", "dev-19"]
    # The default direction is ascending.
    body = search(reg, f"/v1/devices/{tenant}", pageSize=2, sortJson=q({"field": "/ext/rank"}))
    assert ids(body) == ["dev-00", "dev-01"]


def test_search_filter_and_sort_together(reg):
    tenant = make_search_devices(reg)
    body = search(reg, f"/v1/devices/{tenant}", filterJson=q({"field": "/ext/group", "value": "a"}),
                  sortJson=q({"field": "/ext/rank", "direction": "desc"}), pageSize=3)
    assert body["total"] == 10
    assert ids(body) == ["dev-09", "dev-08", "dev-07"]


def test_search_is_gateway(reg):
    reg.create_tenant("gws")
    reg.create_device("gws", "gw-a")
    reg.create_device("gws", "gw-b", {"memberOf": ["grp"]})
    reg.create_device("gws", "d1", {"via": ["gw-a"]})
    reg.create_device("gws", "d2", {"viaGroups": ["grp"]})
    reg.create_device("gws", "d3")
    reg.create_device("gws", "d4", {"memberOf": []})
    body = search(reg, "/v1/devices/gws", isGateway="true")
    assert body["total"] == 2
    assert sorted(ids(body)) == ["gw-a", "gw-b"]
    body = search(reg, "/v1/devices/gws", isGateway="false")
    assert body["total"] == 4
    assert sorted(ids(body)) == ["d1", "d2", "d3", "d4"]
    # filterJson is ignored when isGateway is used.
    body = search(reg, "/v1/devices/gws", isGateway="true",
                  filterJson=q({"field": "/ext/none", "value": "nothing"}))
    assert sorted(ids(body)) == ["gw-a", "gw-b"]


def test_search_tenants(reg):
    search(reg, "/v1/tenants", 404)  # a fresh registry has no tenants
    for i in range(6):
        reg.create_tenant(f"tenant-{i}", {"ext": {"colour": "blue" if i % 2 else "red", "rank": i,
                                                   "label": f"t-{i}"}})
    body = search(reg, "/v1/tenants")
    assert body["total"] == 6
    assert sorted(ids(body)) == [f"tenant-{i}" for i in range(6)]
    item = next(t for t in body["result"] if t["id"] == "tenant-3")
    assert item["ext"] == {"colour": "blue", "rank": 3, "label": "t-3"}
    body = search(reg, "/v1/tenants", filterJson=q({"field": "/ext/colour", "value": "blue"}))
    assert body["total"] == 3
    assert sorted(ids(body)) == ["tenant-1", "tenant-3", "tenant-5"]
    body = search(reg, "/v1/tenants", filterJson=q({"field": "/ext/label", "value": "t-?"}),
                  sortJson=q({"field": "/ext/rank", "direction": "desc"}), pageSize=2, pageOffset=1)
    assert body["total"] == 6
    assert ids(body) == ["tenant-4", "tenant-3"]
    body = search(reg, "/v1/tenants", filterJson=q({"field": "/ext/rank", "value": 2}))
    assert ids(body) == ["tenant-2"]
    search(reg, "/v1/tenants", 404, filterJson=q({"field": "/ext/colour", "value": "green"}))
    assert search(reg, "/v1/tenants", filterJson=q({"field": "/enabled", "value": True}))["total"] == 6
    search(reg, "/v1/tenants", 404, filterJson=q({"field": "/enabled", "value": False}))
    search(reg, "/v1/tenants", 404, filterJson=q({"field": "/ext/unknown", "value": "blue"}))
    search(reg, "/v1/tenants", 400, filterJson="{oops")
    search(reg, "/v1/tenants", 400, pageSize=201)
    search(reg, "/v1/tenants", 400, pageOffset=-1)
    assert search(reg, "/v1/tenants", pageSize=0) == {"total": 6, "result": []}


# ===================================================================================================== credentials


@pytest.fixture
def dev(reg):
    """A tenant `creds` with a device `d1`; returns the credentials path of d1."""
    reg.create_tenant("creds")
    reg.create_device("creds", "d1")
    return "/v1/credentials/creds/d1"


def test_credentials_of_a_new_device_are_empty(reg, dev):
    r = reg.get(dev)
    assert assert_json(r) == []
    assert_etag(r)


def test_credentials_of_unknown_device_or_tenant_are_404(reg, dev):
    assert_error(reg.get("/v1/credentials/creds/nobody"), 404)
    assert_error(reg.get("/v1/credentials/no-tenant/d1"), 404)
    pw = [{"type": "hashed-password", "auth-id": "x", "secrets": [{"pwd-plain": "p"}]}]
    assert_error(reg.put("/v1/credentials/creds/nobody", json=pw), 404)
    assert_error(reg.put("/v1/credentials/no-tenant/d1", json=pw), 404)


def test_hashed_password_with_pwd_plain(reg, dev):
    before = reg.get(dev).headers["etag"]
    r = reg.put(dev, json=[{"type": "hashed-password", "auth-id": "user-1", "ext": {"client-id": "MQTT-client-1"},
                            "secrets": [{"pwd-plain": "s3cret"}]}])
    assert r.status_code == 204, r.text
    assert r.text == ""
    etag = assert_etag(r)
    assert etag != before
    got = reg.get(dev)
    assert got.headers["etag"] == etag
    credentials = assert_json(got)
    assert len(credentials) == 1
    c = credentials[0]
    assert (c["type"], c["auth-id"], c.get("enabled", True)) == ("hashed-password", "user-1", True)
    assert c["ext"] == {"client-id": "MQTT-client-1"}
    assert len(c["secrets"]) == 1
    assert_no_confidential_fields(credentials)
    assert "s3cret" not in got.text


def test_hashed_password_with_sha_hashes(reg, dev):
    salt = b"\x01\x02salty"
    reg.put_credentials("creds", "d1", [
        {"type": "hashed-password", "auth-id": "sha256", "secrets": [
            {"hash-function": "sha-256", "pwd-hash": sha_hash("sha-256", "pw", salt),
             "salt": base64.b64encode(salt).decode()}]},
        {"type": "hashed-password", "auth-id": "sha512", "secrets": [
            {"hash-function": "sha-512", "pwd-hash": sha_hash("sha-512", "pw")}]},
    ])
    credentials = reg.credentials("creds", "d1")
    assert sorted(c["auth-id"] for c in credentials) == ["sha256", "sha512"]
    assert_no_confidential_fields(credentials)


def test_hashed_password_with_bcrypt_hash(reg, dev):
    hashed = bcrypt_hash("bcrypt-pw", cost=10)
    assert hashed.startswith("$2a$10$")
    reg.put_credentials("creds", "d1", [{"type": "hashed-password", "auth-id": "bc", "secrets": [
        {"hash-function": "bcrypt", "pwd-hash": hashed}]}])
    credentials = reg.credentials("creds", "d1")
    assert_no_confidential_fields(credentials)
    assert hashed not in json.dumps(credentials)


def test_bcrypt_cost_above_10_is_400(reg, dev):
    hashed = bcrypt_hash("costly", cost=12)
    assert hashed.startswith("$2a$12$")
    r = reg.put(dev, json=[{"type": "hashed-password", "auth-id": "bc", "secrets": [
        {"hash-function": "bcrypt", "pwd-hash": hashed}]}])
    assert_error(r, 400)
    assert reg.credentials("creds", "d1") == []


@pytest.mark.parametrize("secret", [
    {"hash-function": "rot13", "pwd-hash": "cj=="},
    {"hash-function": "bcrypt", "pwd-hash": "not a bcrypt hash"},
    {"hash-function": "sha-256", "pwd-hash": "!!not base64!!"},
    {"pwd-hash": base64.b64encode(b"x" * 32).decode()},
    {"hash-function": "sha-256"},
    {},
    {"pwd-plain": "p", "hash-function": "sha-256", "pwd-hash": base64.b64encode(b"x" * 32).decode()},
    {"pwd-plain": 5},
], ids=["unsupported-function", "bad-bcrypt", "bad-base64", "hash-without-function", "function-without-hash",
        "empty-secret", "plain-and-hash", "plain-not-string"])
def test_bad_hashed_password_secrets_are_400(reg, dev, secret):
    assert_error(reg.put(dev, json=[{"type": "hashed-password", "auth-id": "bad", "secrets": [secret]}]), 400)


def test_psk_credentials(reg, dev):
    reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "psk-id", "secrets": [{"key": "Y29hcC1zZWNyZXQ="}]}])
    credentials = reg.credentials("creds", "d1")
    assert [(c["type"], c["auth-id"]) for c in credentials] == [("psk", "psk-id")]
    assert_no_confidential_fields(credentials)
    assert "Y29hcC1zZWNyZXQ=" not in json.dumps(credentials)
    assert_error(reg.put(dev, json=[{"type": "psk", "auth-id": "psk-id", "secrets": [{}]}]), 400)
    assert_error(reg.put(dev, json=[{"type": "psk", "auth-id": "psk-id", "secrets": [{"key": "@@@"}]}]), 400)


def test_x509_credentials_have_exactly_one_secret(reg, dev):
    subject = "CN=Device 1,OU=Tests,O=Tributary"
    reg.put_credentials("creds", "d1", [{"type": "x509-cert", "auth-id": subject, "secrets": [{}]}])
    credentials = reg.credentials("creds", "d1")
    assert [(c["type"], c["auth-id"]) for c in credentials] == [("x509-cert", subject)]
    assert len(credentials[0]["secrets"]) == 1 and credentials[0]["secrets"][0]["id"]
    assert_error(reg.put(dev, json=[{"type": "x509-cert", "auth-id": subject, "secrets": [{}, {}]}]), 400)


def test_x509_credentials_from_a_cert(reg, dev):
    cert, subject = self_signed_cert_b64("Device From Cert")
    reg.put_credentials("creds", "d1", [{"type": "x509-cert", "auth-id": subject, "cert": cert}])
    credentials = reg.credentials("creds", "d1")
    assert [(c["type"], c["auth-id"]) for c in credentials] == [("x509-cert", subject)]
    assert "cert" not in credentials[0]
    assert len(credentials[0]["secrets"]) == 1
    secret = credentials[0]["secrets"][0]
    assert rfc3339(secret["not-before"]) < rfc3339(secret["not-after"]), "the validity period goes into the secret"
    assert_error(reg.put(dev, json=[{"type": "x509-cert", "auth-id": subject, "cert": "not a cert"}]), 400)


def test_x509_credentials_from_a_cert_use_the_issuing_cas_auth_id_template(reg):
    # spec §4.4: the x509-cert auth-id is the subject DN "or from the tenant's auth-id-template".
    ca_cert, device_cert, subject = ca_and_device_cert_b64("Template CA", "device-9", "sensors")
    reg.create_tenant("templated", {"trusted-ca": [{"cert": ca_cert,
                                                    "auth-id-template": "auth-{{subject-cn}}-{{subject-ou}}"}]})
    reg.create_device("templated", "d9")
    reg.put_credentials("templated", "d9", [{"type": "x509-cert", "auth-id": subject, "cert": device_cert}])
    credentials = reg.credentials("templated", "d9")
    assert [(c["type"], c["auth-id"]) for c in credentials] == [("x509-cert", "auth-device-9-sensors")]


def test_generic_credentials_keep_extension_properties(reg, dev):
    reg.put_credentials("creds", "d1", [{"type": "my-type", "auth-id": "x", "secrets": [{"foo": "bar"}],
                                          "client-id": "c1"}])
    credentials = reg.credentials("creds", "d1")
    assert len(credentials) == 1
    c = credentials[0]
    assert (c["type"], c["auth-id"]) == ("my-type", "x")
    assert c["client-id"] == "c1"
    assert len(c["secrets"]) == 1
    assert c["secrets"][0]["foo"] == "bar"
    assert isinstance(c["secrets"][0].get("id"), str) and c["secrets"][0]["id"]
    assert set(c) <= {"type", "auth-id", "enabled", "ext", "secrets", "client-id"}, c
    assert c.get("enabled", True) is True


@pytest.mark.parametrize("type_name", ["#illegal", "my type", "My_Type"])
def test_invalid_credentials_type_name_is_400(reg, dev, type_name):
    assert_error(reg.put(dev, json=[{"type": type_name, "auth-id": "x", "secrets": [{}]}]), 400)


@pytest.mark.parametrize("body", [
    [{"auth-id": "x", "secrets": [{"pwd-plain": "p"}]}],
    [{"type": "hashed-password", "secrets": [{"pwd-plain": "p"}]}],
    [{"type": "hashed-password", "auth-id": "x"}],
    [{"type": "hashed-password", "auth-id": "x", "secrets": []}],
    [{"type": "hashed-password", "auth-id": "x", "secrets": [{"pwd-plain": "p", "colour": "red"}]}],
    [{"type": "hashed-password", "auth-id": "x", "colour": "red", "secrets": [{"pwd-plain": "p"}]}],
    [{"type": "psk", "auth-id": "x", "secrets": [{"key": "a2V5", "colour": "red"}]}],
    [{"type": "hashed-password", "auth-id": "#illegal", "secrets": [{"pwd-plain": "p"}]}],
    [{"type": "hashed-password", "auth-id": "x", "enabled": "yes", "secrets": [{"pwd-plain": "p"}]}],
    [{"type": "hashed-password", "auth-id": "x", "secrets": [{"pwd-plain": "p", "not-before": "yesterday"}]}],
    {"type": "hashed-password", "auth-id": "x", "secrets": [{"pwd-plain": "p"}]},
    [{"type": "psk", "auth-id": "x", "secrets": [{"key": "a2V5"}]},
     {"type": "psk", "auth-id": "x", "secrets": [{"key": "a2V5"}]}],
], ids=["no-type", "no-auth-id", "no-secrets", "empty-secrets", "unknown-secret-property",
        "unknown-credential-property", "unknown-psk-secret-property", "illegal-auth-id", "enabled-not-bool",
        "bad-not-before", "not-an-array", "same-credential-twice"])
def test_bad_credentials_are_400(reg, dev, body):
    assert_error(reg.put(dev, json=body), 400)
    assert reg.credentials("creds", "d1") == []


def test_empty_credentials_body_is_400(reg, dev):
    assert_error(reg.put(dev), 400)
    assert_error(reg.put(dev, data=b"", headers={"content-type": "application/json"}), 400)


def test_secret_patch_semantics(reg, dev):
    reg.put_credentials("creds", "d1", [{"type": "hashed-password", "auth-id": "patch", "secrets": [
        {"pwd-plain": "one", "comment": "first"}, {"pwd-plain": "two", "comment": "second"}]}])
    secrets = secrets_of(reg.credentials("creds", "d1"), "hashed-password", "patch")
    assert [s["comment"] for s in secrets] == ["first", "second"]
    first, second = secrets[0]["id"], secrets[1]["id"]
    assert first != second

    reg.put_credentials("creds", "d1", [{"type": "hashed-password", "auth-id": "patch", "secrets": [
        {"id": first}, {"pwd-plain": "three", "comment": "third"}]}])
    secrets = secrets_of(reg.credentials("creds", "d1"), "hashed-password", "patch")
    assert len(secrets) == 2
    kept = [s for s in secrets if s["id"] == first]
    assert len(kept) == 1, secrets
    assert second not in [s["id"] for s in secrets]
    new = [s for s in secrets if s["id"] != first][0]
    assert new["id"] not in (first, second)
    assert new["comment"] == "third"
    assert_no_confidential_fields(reg.credentials("creds", "d1"))


def test_secret_patch_keeps_psk_key_and_updates_metadata(reg, dev):
    reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "pk", "secrets": [{"key": "a2V5"}]}])
    sid = secrets_of(reg.credentials("creds", "d1"), "psk", "pk")[0]["id"]
    reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "pk", "enabled": False,
                                          "secrets": [{"id": sid, "comment": "updated", "enabled": False}]}])
    credentials = reg.credentials("creds", "d1")
    assert credentials[0]["enabled"] is False
    assert secrets_of(credentials, "psk", "pk") == [{"id": sid, "comment": "updated", "enabled": False}]


def test_unknown_secret_id_is_400(reg, dev):
    # Even when the device has no credentials yet.
    assert_error(reg.put(dev, json=[{"type": "psk", "auth-id": "pk", "secrets": [{"id": "no-such-secret"}]}]), 400)
    reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "pk", "secrets": [{"key": "a2V5"}]}])
    sid = secrets_of(reg.credentials("creds", "d1"), "psk", "pk")[0]["id"]
    assert_error(reg.put(dev, json=[{"type": "psk", "auth-id": "pk", "secrets": [{"id": "no-such-secret"}]}]), 400)
    # A secret id of another credential of the device does not count.
    assert_error(reg.put(dev, json=[{"type": "psk", "auth-id": "pk", "secrets": [{"key": "a2V5"}]},
                                    {"type": "psk", "auth-id": "other", "secrets": [{"id": sid}]}]), 400)
    assert secrets_of(reg.credentials("creds", "d1"), "psk", "pk")[0]["id"] == sid


def test_credentials_left_out_are_removed(reg, dev):
    reg.put_credentials("creds", "d1", [
        {"type": "psk", "auth-id": "keep", "secrets": [{"key": "a2V5"}]},
        {"type": "hashed-password", "auth-id": "drop", "secrets": [{"pwd-plain": "p"}]},
    ])
    assert len(reg.credentials("creds", "d1")) == 2
    sid = secrets_of(reg.credentials("creds", "d1"), "psk", "keep")[0]["id"]
    reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "keep", "secrets": [{"id": sid}]}])
    credentials = reg.credentials("creds", "d1")
    assert [(c["type"], c["auth-id"]) for c in credentials] == [("psk", "keep")]
    assert credentials[0]["secrets"][0]["id"] == sid
    reg.put_credentials("creds", "d1", [])
    assert reg.credentials("creds", "d1") == []


def test_same_type_and_auth_id_on_two_devices_is_409(reg, dev):
    reg.create_device("creds", "d2")
    reg.put_credentials("creds", "d1", [
        {"type": "hashed-password", "auth-id": "shared", "secrets": [{"pwd-plain": "p"}]}])
    r = reg.put("/v1/credentials/creds/d2", json=[
        {"type": "hashed-password", "auth-id": "shared", "secrets": [{"pwd-plain": "q"}]}])
    assert_error(r, 409)
    assert reg.credentials("creds", "d2") == []
    # Another type with the same auth-id, and the same credential in another tenant, are fine.
    reg.put_credentials("creds", "d2", [{"type": "psk", "auth-id": "shared", "secrets": [{"key": "a2V5"}]}])
    reg.create_tenant("creds-2")
    reg.create_device("creds-2", "d1")
    reg.put_credentials("creds-2", "d1", [
        {"type": "hashed-password", "auth-id": "shared", "secrets": [{"pwd-plain": "p"}]}])


def test_credentials_if_match(reg, dev):
    first = reg.get(dev).headers["etag"]
    second = reg.put_credentials("creds", "d1", [{"type": "psk", "auth-id": "v", "secrets": [{"key": "a2V5"}]}],
                                 headers={"If-Match": first})
    assert second != first
    r = reg.put(dev, json=[], headers={"If-Match": first})
    assert_error(r, 412)
    assert len(reg.credentials("creds", "d1")) == 1
    third = reg.put_credentials("creds", "d1", [], headers={"If-Match": second})
    assert reg.get(dev).headers["etag"] == third


def test_rpk_credentials(reg, dev):
    key = ec_public_key_b64()
    cert, _ = self_signed_cert_b64("RPK Device")
    reg.put_credentials("creds", "d1", [
        {"type": "rpk", "auth-id": "rpk-key", "secrets": [{"key": key, "algorithm": "EC"}]},
        {"type": "rpk", "auth-id": "rpk-cert", "secrets": [{"cert": cert}]},
    ])
    credentials = reg.credentials("creds", "d1")
    assert sorted(c["auth-id"] for c in credentials) == ["rpk-cert", "rpk-key"]
    assert_no_confidential_fields(credentials)
    assert key not in json.dumps(credentials)
    for c in credentials:
        assert "cert" not in c and all("cert" not in secret for secret in c["secrets"]), c
    for bad in ({"key": "not base64!"}, {"key": base64.b64encode(b"not a key").decode()},
                {"cert": base64.b64encode(b"not a cert").decode()}):
        assert_error(reg.put(dev, json=[{"type": "rpk", "auth-id": "rpk-bad", "secrets": [bad]}]), 400)


def test_same_credentials_on_two_devices_concurrently_is_one_204_and_409s(reg, dev):
    for i in range(2, 9):
        reg.create_device("creds", f"d{i}")

    def put(i):
        return Registry(reg.base).put(f"/v1/credentials/creds/d{i}", json=[
            {"type": "psk", "auth-id": "contested", "secrets": [{"key": "a2V5"}]}]).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(put, range(1, 9)))
    assert sorted(codes) == [204] + [409] * 7, codes


def test_max_credentials_per_device_is_403(reg):
    reg.create_tenant("cred-limit", {"registration-limits": {"max-credentials-per-device": 2}})
    reg.create_device("cred-limit", "d")
    two = [{"type": "psk", "auth-id": "a", "secrets": [{"key": "a2V5"}]},
           {"type": "psk", "auth-id": "b", "secrets": [{"key": "a2V5"}]}]
    reg.put_credentials("cred-limit", "d", two)
    three = two + [{"type": "psk", "auth-id": "c", "secrets": [{"key": "a2V5"}]}]
    assert_error(reg.put("/v1/credentials/cred-limit/d", json=three), 403)
    assert sorted(c["auth-id"] for c in reg.credentials("cred-limit", "d")) == ["a", "b"]


# ========================================================================================================= --demo


@pytest.fixture
def demo(hub_factory):
    return hub_factory(args=["--demo"]).start()


def test_demo_default_tenant(demo):
    reg = registry(demo)
    tenant = reg.tenant("DEFAULT_TENANT")
    assert tenant.get("enabled", True) is True
    subjects = [ca["subject-dn"] for ca in tenant["trusted-ca"]]
    assert subjects == ["CN=DEFAULT_TENANT_CA,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA"]
    assert tenant["trusted-ca"][0]["algorithm"] == "EC"
    limits = tenant["resource-limits"]
    assert limits["max-connections"] == 100
    assert limits["max-ttl"] == 20
    assert limits["data-volume"]["max-bytes"] == 1000000000
    assert limits["data-volume"]["period"] == {"mode": "days", "no-of-days": 7}
    assert limits["data-volume"]["effective-since"].startswith("2020-01-01")


def test_demo_devices(demo):
    reg = registry(demo)
    d4711 = reg.device("DEFAULT_TENANT", "4711")
    assert d4711["defaults"]["content-type"] == "application/vnd.bumlux"
    assert d4711["defaults"]["importance"] == "high"
    assert d4711.get("enabled", True) is True
    assert reg.device("DEFAULT_TENANT", "4712")["via"] == ["gw-1"]
    assert reg.device("DEFAULT_TENANT", "gw-1").get("enabled", True) is True
    body = search(reg, "/v1/devices/DEFAULT_TENANT")
    assert sorted(ids(body)) == ["4711", "4712", "gw-1"]
    assert ids(search(reg, "/v1/devices/DEFAULT_TENANT", isGateway="true")) == ["gw-1"]


def test_demo_credentials(demo):
    reg = registry(demo)
    credentials = reg.credentials("DEFAULT_TENANT", "4711")
    assert sorted((c["type"], c["auth-id"]) for c in credentials) == [
        ("hashed-password", "sensor1"), ("psk", "sensor1"),
        ("x509-cert", "CN=Device 4711,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA")]
    assert_no_confidential_fields(credentials)
    assert reg.credentials("DEFAULT_TENANT", "4712") == []
    gw = reg.credentials("DEFAULT_TENANT", "gw-1")
    assert [(c["type"], c["auth-id"]) for c in gw] == [("hashed-password", "gw")]
    assert_no_confidential_fields(gw)


def test_demo_http_tenant(demo):
    tenant = registry(demo).tenant("HTTP_TENANT")
    assert tenant.get("enabled", True) is True
    adapters = {a["type"]: a for a in tenant["adapters"]}
    assert set(adapters) == {"hono-http", "hono-mqtt", "hono-kura", "hono-coap"}
    assert adapters["hono-http"]["enabled"] is True
    for disabled in ("hono-mqtt", "hono-kura", "hono-coap"):
        assert adapters[disabled].get("enabled", False) is False, disabled
    for a in adapters.values():
        assert a.get("device-authentication-required", True) is True, a


def test_demo_restart_keeps_user_changes(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    reg = registry(first)
    reg.create_device("DEFAULT_TENANT", "mine", {"ext": {"owner": "me"}})
    r = reg.put("/v1/devices/DEFAULT_TENANT/4711", json={"defaults": {"importance": "low"}})
    assert r.status_code == 204, r.text
    changed_etag = r.headers["etag"]
    reg.put_credentials("DEFAULT_TENANT", "mine", [{"type": "psk", "auth-id": "mine", "secrets": [{"key": "a2V5"}]}])
    r = reg.put("/v1/tenants/HTTP_TENANT", json={"ext": {"changed": True}})
    assert r.status_code == 204, r.text
    first.stop()

    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    reg = registry(second)
    assert reg.device("DEFAULT_TENANT", "mine")["ext"] == {"owner": "me"}
    got = reg.get("/v1/devices/DEFAULT_TENANT/4711")
    assert assert_json(got)["defaults"] == {"importance": "low"}
    assert got.headers["etag"] == changed_etag
    assert [c["auth-id"] for c in reg.credentials("DEFAULT_TENANT", "mine")] == ["mine"]
    http_tenant = reg.tenant("HTTP_TENANT")
    assert http_tenant["ext"] == {"changed": True}
    assert "adapters" not in http_tenant


def test_demo_restart_keeps_emptied_demo_credentials(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    registry(first).put_credentials("DEFAULT_TENANT", "gw-1", [])
    first.stop()
    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    assert registry(second).credentials("DEFAULT_TENANT", "gw-1") == []


def test_demo_restart_after_a_demo_auth_id_moved_to_another_device(hub_factory):
    first = hub_factory(args=["--demo"]).start()
    reg = registry(first)
    assert reg.delete("/v1/devices/DEFAULT_TENANT/4711").status_code == 204
    reg.create_device("DEFAULT_TENANT", "new-sensor")
    reg.put_credentials("DEFAULT_TENANT", "new-sensor", [
        {"type": "hashed-password", "auth-id": "sensor1", "secrets": [{"pwd-plain": "changed"}]}])
    first.stop()
    second = hub_factory(args=["--demo"], data_dir=first.data_dir).start()
    reg = registry(second)
    assert [(c["type"], c["auth-id"]) for c in reg.credentials("DEFAULT_TENANT", "new-sensor")] == [
        ("hashed-password", "sensor1")]


def test_without_demo_there_is_no_demo_data(reg):
    assert_error(reg.get("/v1/tenants/DEFAULT_TENANT"), 404)


# ==================================================================================================== persistence


def snapshot(reg, tenants, devices):
    """Every GET answer (status, ETag, body) for the given tenants and (tenant, device) pairs."""
    out = {}
    for t in tenants:
        r = reg.get(f"/v1/tenants/{t}")
        out[f"tenant {t}"] = (r.status_code, r.headers.get("etag"), r.json())
    for t, d in devices:
        for kind in ("devices", "credentials"):
            r = reg.get(f"/v1/{kind}/{t}/{d}")
            out[f"{kind} {t}/{d}"] = (r.status_code, r.headers.get("etag"), r.json())
    return out


def populate(reg, count):
    tenants, devices = [], []
    for i in range(count):
        tenant = reg.create_tenant(f"p-{i}", {"ext": {"i": i}, "alias": f"alias-{i}",
                                               "trusted-ca": [trust_anchor(f"CN=Persisted CA {i}")]})
        tenants.append(tenant)
        for j in range(3):
            device = reg.create_device(tenant, None, {"ext": {"j": j}, "via": ["gw"]} if j else {"ext": {"j": j}})
            reg.put_credentials(tenant, device, [
                {"type": "hashed-password", "auth-id": f"user-{i}-{j}", "secrets": [{"pwd-plain": "pw"}]},
                {"type": "psk", "auth-id": f"psk-{i}-{j}", "secrets": [{"key": "a2V5"}]}])
            devices.append((tenant, device))
        reg.put(f"/v1/devices/{tenant}/{devices[-1][1]}", json={"ext": {"updated": True}})
    return tenants, devices


def test_data_survives_a_restart(hub_factory):
    first = hub_factory().start()
    reg = registry(first)
    tenants, devices = populate(reg, 4)
    reg.delete(f"/v1/devices/{devices[0][0]}/{devices[0][1]}")
    assert reg.delete(f"/v1/tenants/{tenants[-1]}").status_code == 204
    before = snapshot(reg, tenants, devices)
    first.stop()

    second = hub_factory(data_dir=first.data_dir).start()
    reg = registry(second)
    assert snapshot(reg, tenants, devices) == before
    assert before[f"tenant {tenants[-1]}"][0] == 404
    assert before[f"devices {devices[0][0]}/{devices[0][1]}"][0] == 404
    assert search(reg, "/v1/tenants")["total"] == len(tenants) - 1
    # Uniqueness constraints survive too.
    assert_error(reg.post(f"/v1/tenants/{tenants[0]}"), 409)
    assert_error(reg.post("/v1/tenants/x", json={"alias": "alias-0"}), 409)
    assert_error(reg.post("/v1/tenants/y", json={"trusted-ca": [trust_anchor("CN=Persisted CA 0")]}), 409)
    t, d = devices[1]
    reg.create_device(t, "other")
    assert_error(reg.put(f"/v1/credentials/{t}/other", json=[
        {"type": "psk", "auth-id": "psk-0-1", "secrets": [{"key": "a2V5"}]}]), 409)


def test_data_survives_kill_9(hub_factory):
    first = hub_factory().start()
    reg = registry(first)
    tenants, devices = populate(reg, 3)
    before = snapshot(reg, tenants, devices)
    os.kill(first.proc.pid, signal.SIGKILL)
    assert first.wait_exit() == -signal.SIGKILL

    second = hub_factory(data_dir=first.data_dir).start()
    reg = registry(second)
    assert snapshot(reg, tenants, devices) == before


# ================================================================================================= authentication


def test_basic_authentication(hub_factory):
    hub = hub_factory(args=["--registry.users=admin:secret,ops:pw:with:colons"]).start()
    url = hub.registry_url + "/v1/tenants"
    r = requests.post(url + "/anon", json={}, timeout=30)
    assert_error(r, 401)
    assert r.headers.get("www-authenticate", "").lower().startswith("basic"), r.headers
    assert_error(requests.get(url + "/anon", timeout=30), 401)
    assert_error(requests.post(url + "/wrong", json={}, auth=("admin", "wrong"), timeout=30), 401)
    assert_error(requests.post(url + "/wrong", json={}, auth=("nobody", "secret"), timeout=30), 401)
    assert_error(requests.post(url + "/wrong", json={}, headers={"Authorization": "Basic !!!"}, timeout=30), 401)
    assert_error(requests.post(url + "/wrong", json={}, headers={"Authorization": "Bearer secret"}, timeout=30), 401)
    reg = registry(hub, auth=("admin", "secret"))
    reg.create_tenant("authed")
    assert reg.tenant("authed").get("enabled", True) is True
    assert requests.get(url + "/authed", auth=("ops", "pw:with:colons"), timeout=30).status_code == 200
    assert_error(registry(hub).get("/v1/tenants/authed"), 401)
    # The admin listener (health) is not the registry's business.
    assert hub.get("/health/ready")[0] == 200


def test_bearer_token_authentication(hub_factory):
    hub = hub_factory(args=["--registry.bearer-token=tok123"]).start()
    url = hub.registry_url + "/v1/tenants/bearer"
    r = requests.post(url, json={}, timeout=30)
    assert_error(r, 401)
    assert r.headers.get("www-authenticate")
    assert_error(requests.post(url, json={}, headers={"Authorization": "Bearer tok124"}, timeout=30), 401)
    assert_error(requests.post(url, json={}, headers={"Authorization": "Bearer tok1234"}, timeout=30), 401)
    assert_error(requests.post(url, json={}, auth=("tok123", "tok123"), timeout=30), 401)
    r = requests.post(url, json={}, headers={"Authorization": "Bearer tok123"}, timeout=30)
    assert r.status_code == 201, r.text
    assert requests.get(url, headers={"Authorization": "Bearer tok123"}, timeout=30).status_code == 200


def test_non_loopback_listener_without_authentication_is_refused(hub_factory):
    hub = hub_factory(args=["--registry.listen=0.0.0.0:0"]).start(wait_ready=False)
    listeners = hub.data_dir / "listeners.json"

    def exited_or_listening():
        if hub.proc.poll() is not None:
            return "exited"
        if listeners.exists() and json.loads(listeners.read_text())["pid"] == hub.proc.pid:
            return "listening"
        return None

    outcome = wait_for(exited_or_listening, "tributary to exit or to listen")
    assert outcome == "exited", "serve started a non-loopback registry listener without authentication"
    code = hub.wait_exit()
    assert code != 0
    log = hub.log()
    assert "registry.users" in log and "registry.bearer-token" in log, log
    assert "0.0.0.0" in log, log


def test_non_loopback_listener_with_users_starts(hub_factory):
    hub = hub_factory(args=["--registry.listen=0.0.0.0:0", "--registry.users=admin:secret"]).start()
    port = hub.addresses["registry"].rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    assert_error(requests.get(base + "/v1/tenants/x", timeout=30), 401)
    reg = registry(hub, auth=("admin", "secret"))
    reg.base = base
    reg.create_tenant("open")


def test_non_loopback_listener_with_bearer_token_starts(hub_factory):
    hub = hub_factory(args=["--registry.listen=0.0.0.0:0", "--registry.bearer-token=tok123"]).start()
    port = hub.addresses["registry"].rsplit(":", 1)[1]
    r = requests.post(f"http://127.0.0.1:{port}/v1/tenants", headers={"Authorization": "Bearer tok123"}, timeout=30)
    assert r.status_code == 201, r.text
