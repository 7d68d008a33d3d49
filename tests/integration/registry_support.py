"""Helpers for the Device Registry Management API tests (spec/hono.md §4): a small client around
`requests`, checks of the error format, and generators for bcrypt hashes and X.509 keys/certificates."""
import base64
import datetime
import hashlib
import json
import re
import warnings

import requests

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CONFIDENTIAL = ("pwd-plain", "pwd-hash", "salt", "hash-function", "key")


def media_type(response):
    """The content type without parameters, lower case ("application/json; charset=utf-8" -> "application/json")."""
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def assert_error(response, status):
    """The response has `status`, content type application/json and a body {"error": "<non-empty string>", ...}."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert media_type(response) == "application/json", (
        f"error response content-type is {response.headers.get('content-type')!r}: {response.text}")
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], f"no non-empty error string: {body}"
    return body


def assert_json(response, status=200):
    """The response has `status` and an application/json body; returns the decoded body."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert media_type(response) == "application/json", response.headers
    return response.json()


def assert_etag(response):
    etag = response.headers.get("etag")
    assert etag, f"no ETag in {dict(response.headers)}"
    return etag


class Registry:
    """A client of one hub's management API: `reg.get("/v1/tenants/x")` and so on."""

    def __init__(self, base_url, auth=None, headers=None):
        self.base = base_url
        self.session = requests.Session()
        self.session.auth = auth
        if headers:
            self.session.headers.update(headers)

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    # --- helpers that expect success ---------------------------------------------------------------------------

    def create_tenant(self, tenant_id=None, body=None):
        path = "/v1/tenants" + (f"/{tenant_id}" if tenant_id else "")
        r = self.post(path, json=body) if body is not None else self.post(path)
        created = assert_json(r, 201)
        if tenant_id:
            assert created == {"id": tenant_id}
        assert r.headers.get("location") == f"/v1/tenants/{created['id']}"
        assert_etag(r)
        return created["id"]

    def create_device(self, tenant_id, device_id=None, body=None):
        path = f"/v1/devices/{tenant_id}" + (f"/{device_id}" if device_id else "")
        r = self.post(path, json=body) if body is not None else self.post(path)
        created = assert_json(r, 201)
        if device_id:
            assert created == {"id": device_id}
        assert r.headers.get("location") == f"/v1/devices/{tenant_id}/{created['id']}"
        assert_etag(r)
        return created["id"]

    def put_credentials(self, tenant_id, device_id, credentials, **kwargs):
        r = self.put(f"/v1/credentials/{tenant_id}/{device_id}", json=credentials, **kwargs)
        assert r.status_code == 204, f"expected 204, got {r.status_code}: {r.text}"
        return assert_etag(r)

    def tenant(self, tenant_id):
        return assert_json(self.get(f"/v1/tenants/{tenant_id}"))

    def device(self, tenant_id, device_id):
        return assert_json(self.get(f"/v1/devices/{tenant_id}/{device_id}"))

    def credentials(self, tenant_id, device_id):
        return assert_json(self.get(f"/v1/credentials/{tenant_id}/{device_id}"))


def registry(hub, **kwargs):
    return Registry(hub.registry_url, **kwargs)


def q(value):
    """A query parameter value that is JSON (filterJson / sortJson)."""
    return json.dumps(value, separators=(",", ":"))


def secrets_of(credentials, type_, auth_id):
    """The secrets of the credential (type, auth-id) in a GET /v1/credentials answer."""
    matching = [c for c in credentials if c["type"] == type_ and c["auth-id"] == auth_id]
    assert len(matching) == 1, f"({type_}, {auth_id}) not exactly once in {credentials}"
    return matching[0]["secrets"]


def assert_no_confidential_fields(credentials):
    for c in credentials:
        for s in c["secrets"]:
            leaked = [k for k in CONFIDENTIAL if k in s]
            assert not leaked, f"confidential field(s) {leaked} returned in {c}"
            assert isinstance(s.get("id"), str) and s["id"], f"secret without an id in {c}"


# --- passwords -------------------------------------------------------------------------------------------------

def bcrypt_hash(password, cost=10):
    """A `$2a$<cost>$...` bcrypt hash of `password` made with the C library (Python's crypt module)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt
    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** cost))
    assert hashed and hashed.startswith(f"$2b${cost:02d}$"), hashed
    return "$2a$" + hashed[4:]  # $2a$ and $2b$ hash ASCII passwords the same way


def sha_hash(function, password, salt=b""):
    """Base64 of hash(salt bytes + UTF-8 password), as Hono stores sha-256 / sha-512 pwd-hash values."""
    digest = hashlib.new(function.replace("-", ""), salt + password.encode()).digest()
    return base64.b64encode(digest).decode()


# --- X.509 -----------------------------------------------------------------------------------------------------

def ec_public_key_b64():
    """Base64 of a fresh EC P-256 public key (DER SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def trust_anchor(subject_dn, **extra):
    return {"subject-dn": subject_dn, "public-key": ec_public_key_b64(), **extra}


def self_signed_cert_b64(common_name):
    """(Base64 DER of a fresh self-signed EC certificate, its subject DN in RFC 2253 form)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tributary Tests")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(), name.rfc4514_string()


def ca_and_device_cert_b64(ca_cn, device_cn, device_ou):
    """(Base64 DER of a fresh EC CA certificate, Base64 DER of a device certificate it signed, the device's
    subject DN in RFC 2253 form)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, public_key, signing_key, ca):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        cert = builder.sign(signing_key, hashes.SHA256())
        return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    ca_key = ec.generate_private_key(ec.SECP256R1())
    device_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_cn),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tributary Tests")])
    device_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, device_cn),
                             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, device_ou),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tributary Tests")])
    return (build(ca_name, ca_name, ca_key.public_key(), ca_key, True),
            build(device_name, ca_name, device_key.public_key(), ca_key, False),
            device_name.rfc4514_string())
