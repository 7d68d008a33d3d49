"""The admin listener: health, readiness and Prometheus metrics."""
import json
import os
import socket

import requests

from hub import http_get


def test_live_is_up(hub):
    status, headers, body = hub.get("/health/live")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "UP"}


def test_ready_lists_every_service_up(hub):
    status, _, body = hub.get("/health/ready")
    assert status == 200
    ready = json.loads(body)
    assert ready["status"] == "UP"
    assert {"name": "admin", "status": "UP"} in ready["checks"]


def _cpu_ticks(pid):
    """utime + stime of the process, in clock ticks, as the kernel counts them (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state)
    return int(fields[14 - 3]) + int(fields[15 - 3])


def test_metrics_are_prometheus_text_with_process_metrics(hub):
    ticks_before = _cpu_ticks(hub.proc.pid)
    status, headers, body = hub.get("/metrics")
    ticks_after = _cpu_ticks(hub.proc.pid)
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    assert samples["process_resident_memory_bytes"] > 0
    assert samples["process_open_fds"] > 0
    # The kernel's count for the process, read just before and after the scrape.
    assert ticks_before <= round(samples["process_cpu_seconds_total"] * os.sysconf("SC_CLK_TCK")) <= ticks_after
    assert any(name.startswith("tributary_build_info{") for name in samples)
    assert "# TYPE process_cpu_seconds_total counter" in body


def test_unknown_path_and_wrong_method(hub):
    status, headers, body = hub.get("/nope")
    assert status == 404
    assert json.loads(body) == {"error": "no such resource: /nope"}
    r = requests.post(hub.admin_url + "/health/ready", timeout=10)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"


def test_keep_alive_serves_many_requests_on_one_connection(hub):
    host, port = hub.addresses["admin"].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        request = f"GET /health/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        s.sendall(request * 50)  # pipelined
        received = b""
        while received.count(b'{"status":"UP"}') < 50:
            chunk = s.recv(65536)
            assert chunk, f"connection closed after {received.count(b'HTTP/1.1 200')} responses"
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 50


def test_malformed_request_gets_400(hub):
    host, port = hub.addresses["admin"].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        response = b""
        while chunk := s.recv(4096):
            response += chunk
    assert response.startswith(b"HTTP/1.1 400")
    assert b'"error":"malformed HTTP request' in response


def test_admin_listener_binds_loopback_by_default(tmp_path):
    from hub import run_cli

    out = run_cli("config")
    assert out.returncode == 0, out.stderr
    assert "admin.listen: '127.0.0.1:8088'" in out.stdout
