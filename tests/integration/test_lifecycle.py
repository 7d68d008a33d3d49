"""Start-up and shutdown: signals, the data-directory lock, taken ports."""
import json
import signal
import socket

import pytest

from hub import run_cli, wait_for


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_gracefully_with_exit_0(hub, sig):
    listeners = hub.data_dir / "listeners.json"
    assert listeners.exists()
    host, port = hub.addresses["admin"].rsplit(":", 1)
    # An idle keep-alive connection must not hold the shutdown up to its deadline.
    with socket.create_connection((host, int(port)), timeout=30) as idle:
        idle.sendall(f"GET /health/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        wait_for(lambda: b"UP" in idle.recv(4096), "a first response")
        log = hub.stop(sig)
        assert idle.recv(4096) == b"", "the idle connection should have been closed"
    name = "SIGTERM" if sig == signal.SIGTERM else "SIGINT"
    assert f"received {name}; shutting down" in log
    assert log.rstrip().endswith("stopped"), log
    assert not listeners.exists(), "listeners.json should be removed on a clean exit"


def test_second_instance_on_the_same_data_dir_is_refused(hub, hub_factory):
    second = hub_factory(data_dir=hub.data_dir).start(wait_ready=False)
    code = second.wait_exit()
    assert code == 1
    log = second.log()
    assert f"data directory {hub.data_dir} is in use by another tributary process (pid {hub.proc.pid})" in log
    # The first one is unharmed.
    assert hub.get("/health/ready")[0] == 200
    assert json.loads((hub.data_dir / "listeners.json").read_text())["listeners"] == hub.addresses


def test_kill_9_leaves_the_data_dir_usable(hub_factory):
    first = hub_factory().start()
    first.kill()
    second = hub_factory(data_dir=first.data_dir).start()
    assert second.get("/health/ready")[0] == 200


def test_taken_port_fails_start_with_the_address(hub, hub_factory, tmp_path):
    taken = hub.addresses["admin"]
    other = hub_factory(args=[f"--admin.listen={taken}"], data_dir=tmp_path / "other").start(wait_ready=False)
    assert other.wait_exit() == 1
    assert f"admin: cannot listen on {taken} (bind): Address already in use" in other.log()


def test_unwritable_data_dir_fails_start(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    out = run_cli("serve", f"--data-dir={blocker}/data", "--admin.listen=127.0.0.1:0")
    assert out.returncode == 1
    assert f"cannot create data directory {blocker}/data" in out.stderr


def test_log_is_opened_and_reported_ready(hub):
    ready = json.loads(hub.get("/health/ready")[2])
    assert {"name": "log", "status": "UP"} in ready["checks"]
    assert (hub.data_dir / "log").is_dir()


def test_damaged_log_metadata_stops_start_naming_the_file(tmp_path):
    data = tmp_path / "data"
    topic = data / "log" / "telemetry"
    topic.mkdir(parents=True)
    (topic / "topic.json").write_text("{not json")
    out = run_cli("serve", f"--data-dir={data}", "--admin.listen=127.0.0.1:0", "--kafka.listen=127.0.0.1:0")
    assert out.returncode == 1
    assert f"cannot open the log: topic metadata {topic}/topic.json: not a JSON object" in out.stderr


def test_torn_segment_tail_is_truncated_at_start(hub_factory, tmp_path):
    # A topic directory as the log writes it, with a half-written batch at the end of the segment.
    data = tmp_path / "data"
    partition = data / "log" / "t" / "0"
    partition.mkdir(parents=True)
    (data / "log" / "t" / "topic.json").write_text('{"name":"t","partitions":1,"configs":{}}')
    (partition / "00000000000000000000.log").write_bytes(bytes.fromhex("0000000000000000000000ff00000000"))
    h = hub_factory(data_dir=data).start()
    log = h.stop()
    assert "partition t-0: truncated 16 byte(s) of torn tail" in log
    assert (partition / "00000000000000000000.log").stat().st_size == 0
