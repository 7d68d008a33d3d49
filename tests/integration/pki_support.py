"""Certificates for the TLS tests, made with the openssl command at test time: EC P-256 CAs and certificates
valid for two days, in a directory of <name>.pem / <name>.key files."""
import base64
import subprocess


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory, name, subject):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", subject, cwd=directory)


def make_cert(directory, name, subject, ca, extensions=None):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    args = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2"]
    if extensions:
        (directory / f"{name}.ext").write_text(extensions)
        args += ["-extfile", f"{name}.ext"]
    openssl(*args, cwd=directory)


def der_b64(directory, name):
    out = subprocess.run(["openssl", "x509", "-in", f"{name}.pem", "-outform", "DER"], cwd=directory, check=True,
                         capture_output=True)
    return base64.b64encode(out.stdout).decode()


def make_pki(directory):
    """A server certificate for 127.0.0.1/localhost (CA server-ca), a tenant CA with a device certificate
    (CN=device-1,OU=sensors,O=Tributary Tests), and a stranger with the same subject from another CA."""
    directory.mkdir(exist_ok=True)
    make_ca(directory, "server-ca", "/CN=Test Server CA")
    make_cert(directory, "server", "/CN=localhost", "server-ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    make_ca(directory, "tenant-ca", "/O=Tributary Tests/CN=Tenant CA")
    make_cert(directory, "device", "/O=Tributary Tests/OU=sensors/CN=device-1", "tenant-ca")
    make_ca(directory, "other-ca", "/O=Elsewhere/CN=Other CA")
    make_cert(directory, "stranger", "/O=Tributary Tests/OU=sensors/CN=device-1", "other-ca")
    return directory
