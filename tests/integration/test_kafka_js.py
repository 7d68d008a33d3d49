"""kafkajs, a third independent Kafka client (npm, installed by scripts/setup into tests/node_modules)."""
import json
import os
import subprocess
from pathlib import Path

from hub import DEADLINE, REPO

NODE_MODULES = REPO / "tests" / "node_modules"


def run_node(script, *args):
    assert (NODE_MODULES / "kafkajs").is_dir(), (
        f"kafkajs is not installed in {NODE_MODULES}; scripts/setup installs it (npm ci in tests/)")
    env = dict(os.environ, NODE_PATH=str(NODE_MODULES))
    return subprocess.run(["node", str(Path(__file__).parent / "js" / script), *args], capture_output=True, text=True,
                          env=env, timeout=DEADLINE * 2)


def test_kafkajs_produces_and_consumes_in_a_group(hub_factory):
    h = hub_factory(args=["--kafka.group-initial-rebalance-delay-ms=0"]).start()
    out = run_node("kafkajs_roundtrip.js", h.kafka, "kafkajs-topic", "50")
    assert out.returncode == 0, out.stderr
    received = json.loads(out.stdout.strip().splitlines()[-1])["received"]
    assert sorted(int(r["value"]) for r in received) == list(range(50))
    assert all(r["value"] == r["header"] for r in received)
