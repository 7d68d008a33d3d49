"""Starts and stops the real `tributary` binary for integration tests.

A Hub runs `tributary serve` on free ports (every listener on port 0) with its own temporary data
directory, learns the bound addresses from <data-dir>/listeners.json (once its pid is the one in
the file), and waits for
/health/ready. Stopping checks the exit code and that no sanitizer reported anything.
Every wait has a generous deadline and polls a condition; nothing sleeps a fixed time.
"""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("TEST_TRIBUTARY_BIN", str(REPO / "build" / "sanitize" / "tributary"))
DEADLINE = float(os.environ.get("TEST_DEADLINE_SECONDS", "60"))

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
)


def sanitizer_env():
    """The environment for the binary: ours, minus any TRIBUTARY_* (the binary rejects unknown ones)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIBUTARY_")}
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def wait_for(condition, what, deadline=DEADLINE, interval=0.05):
    """Polls condition() until it returns a truthy value; fails with `what` after the deadline."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline:.0f}s waiting for {what}")
        time.sleep(interval)


def run_cli(*args, env=None, timeout=DEADLINE):
    """Runs the binary to completion (config, version, a serve expected to fail)."""
    full_env = sanitizer_env()
    full_env.update(env or {})
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def http_get(url, timeout=10):
    """(status, headers, body) of a GET, also for 4xx/5xx answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


class Hub:
    def __init__(self, tmp_path, args=(), env=None, config_yaml=None, data_dir=None):
        self.data_dir = Path(data_dir) if data_dir else tmp_path / "data"
        self.stderr_path = tmp_path / f"tributary-{time.monotonic_ns()}.log"
        self.args = [BINARY, "serve", f"--data-dir={self.data_dir}", "--admin.listen=127.0.0.1:0",
                     "--kafka.listen=127.0.0.1:0", "--kafka.sasl-listen=127.0.0.1:0",
                     "--registry.listen=127.0.0.1:0", "--mqtt.listen=127.0.0.1:0",
                     "--mqtt.tls-listen=127.0.0.1:0", "--http.listen=127.0.0.1:0",
                     "--http.tls-listen=127.0.0.1:0", "--restproxy.listen=127.0.0.1:0",
                     "--schema-registry.listen=127.0.0.1:0", *args]
        if config_yaml is not None:
            config_file = tmp_path / "tributary.yaml"
            config_file.write_text(config_yaml)
            self.args.insert(2, f"--config={config_file}")
        self.env = sanitizer_env()
        self.env.update(env or {})
        self.proc = None
        self.addresses = {}

    def start(self, wait_ready=True):
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=self._stderr, env=self.env)
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self):
        listeners = self.data_dir / "listeners.json"

        def bound():
            if self.proc.poll() is not None:
                raise AssertionError(f"tributary exited with {self.proc.returncode}:\n{self.log()}")
            try:
                written = json.loads(listeners.read_text())
            except FileNotFoundError:  # not written yet, or a killed predecessor's being removed at start-up
                return None
            return written["pid"] == self.proc.pid and written["listeners"]

        self.addresses = wait_for(bound, "listeners.json written by this process")
        wait_for(lambda: self.get("/health/ready")[0] == 200, "/health/ready = 200")

    @property
    def admin_url(self):
        return f"http://{self.addresses['admin']}"

    @property
    def registry_url(self):
        """Base URL of the Device Registry Management API (append /v1/...)."""
        return f"http://{self.addresses['registry']}"

    @property
    def restproxy_url(self):
        """Base URL of the Kafka REST Proxy."""
        return f"http://{self.addresses['restproxy']}"

    @property
    def schema_registry_url(self):
        """Base URL of the schema registry."""
        return f"http://{self.addresses['schema-registry']}"

    @property
    def kafka(self):
        """bootstrap.servers for Kafka clients."""
        return self.addresses["kafka"]

    def get(self, path):
        try:
            return http_get(self.admin_url + path)
        except OSError:
            return (None, {}, "")

    def log(self):
        return self.stderr_path.read_text() if self.stderr_path.exists() else ""

    def wait_exit(self, deadline=DEADLINE):
        try:
            return self.proc.wait(timeout=deadline)
        finally:
            self._stderr.close()

    def stop(self, sig=signal.SIGTERM, expect_code=0):
        """Stops the hub and checks a clean exit; returns the log."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.wait_exit()
        log = self.log()
        assert code == expect_code, f"tributary exited with {code}, expected {expect_code}:\n{log}"
        self.assert_no_sanitizer_report()
        return log

    def assert_no_sanitizer_report(self):
        log = self.log()
        for marker in SANITIZER_MARKERS:
            assert marker not in log, f"sanitizer report in tributary's output:\n{log}"

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.wait_exit()
