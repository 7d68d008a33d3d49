"""Configuration: YAML file < TRIBUTARY_* environment < --section.key flags; bad input exits 2."""
import json
import re

import pytest

from hub import REPO, run_cli


def effective(*args, env=None):
    out = run_cli("config", *args, env=env)
    assert out.returncode == 0, out.stderr
    values = {}
    for line in out.stdout.splitlines():
        key, value = line.split(": ", 1)
        values[key] = value.strip("'")
    return values


def test_defaults_are_the_documented_ports_and_paths():
    values = effective()
    assert values["admin.listen"] == "127.0.0.1:8088"
    assert values["data-dir"] == "./data"
    assert values["log.level"] == "info"


def test_file_then_environment_then_flags(tmp_path):
    config = tmp_path / "hub.yaml"
    config.write_text("log:\n  level: debug\n  format: json\nadmin:\n  listen: 127.0.0.1:1001\nserver:\n  threads: 3\n")
    values = effective(f"--config={config}", "--admin.listen=127.0.0.1:1003",
                       env={"TRIBUTARY_LOG_LEVEL": "warn", "TRIBUTARY_ADMIN_LISTEN": "127.0.0.1:1002"})
    assert values["log.format"] == "json"  # only in the file
    assert values["server.threads"] == "3"
    assert values["log.level"] == "warn"  # environment beats file
    assert values["admin.listen"] == "127.0.0.1:1003"  # flag beats both


def test_effective_config_is_accepted_back_as_a_file(tmp_path):
    out = run_cli("config", "--log.level=trace")
    config = tmp_path / "roundtrip.yaml"
    config.write_text(out.stdout)
    assert effective(f"--config={config}")["log.level"] == "trace"


@pytest.mark.parametrize("args, env, expected", [
    (["--log.levle=debug"], {}, "--log.levle"),
    (["--server.threads=lots"], {},
     "invalid value 'lots' for 'server.threads' from flag --server.threads: must be an integer"),
    (["--server.threads=999"], {}, "must be in the range 0..256"),
    (["--admin.listen=localhost"], {}, "invalid value 'localhost' for 'admin.listen'"),
    (["--log.format=xml"], {}, "must be one of: text, json"),
    ([], {"TRIBUTARY_LOG_LEVL": "debug"},
     "environment variable TRIBUTARY_LOG_LEVL does not name a configuration key (did you mean 'TRIBUTARY_LOG_LEVEL'?)"),
    ([], {"TRIBUTARY_SERVER_SHUTDOWN_TIMEOUT_MS": "-5"},
     "invalid value '-5' for 'server.shutdown-timeout-ms' from environment variable "
     "TRIBUTARY_SERVER_SHUTDOWN_TIMEOUT_MS"),
])
def test_bad_flags_and_environment_exit_2_naming_key_value_and_reason(tmp_path, args, env, expected):
    out = run_cli("serve", f"--data-dir={tmp_path}/data", "--admin.listen=127.0.0.1:0", *args, env=env)
    assert out.returncode == 2, out.stderr
    assert expected in out.stderr
    assert not (tmp_path / "data").exists(), "a rejected configuration must not touch the data directory"


@pytest.mark.parametrize("yaml, expected", [
    ("log:\n  levle: debug\n", "unknown configuration key 'log.levle' in config file {file} (line 2) (did you mean 'log.level'?)"),
    ("admin:\n  listen: 127.0.0.1:99999\n", "invalid value '127.0.0.1:99999' for 'admin.listen' from config file {file} (line 2): port must be a number from 0 to 65535"),
    ("log: [debug\n", "config file {file} is not valid YAML"),
    ("log:\n  level: [debug, info]\n", "'log.level' must be a single value, not a list"),
    ("just a string\n", "must be a map of keys to values"),
])
def test_bad_config_file_exits_2(tmp_path, yaml, expected):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml)
    out = run_cli("serve", f"--config={config}", f"--data-dir={tmp_path}/data")
    assert out.returncode == 2, out.stderr
    assert expected.format(file=config) in out.stderr


def test_missing_config_file_exits_2(tmp_path):
    out = run_cli("serve", f"--config={tmp_path}/absent.yaml")
    assert out.returncode == 2
    assert "absent.yaml" in out.stderr


def test_every_subcommand_has_help_with_examples():
    for args in ([], ["serve"], ["config"], ["version"]):
        out = run_cli(*args, "--help")
        assert out.returncode == 0, out.stderr
        assert "Examples" in out.stdout or "Example:" in out.stdout, args


def test_no_subcommand_is_a_usage_error():
    out = run_cli()
    assert out.returncode == 2
    assert "subcommand" in out.stderr.lower()


def test_version():
    out = run_cli("version")
    assert out.returncode == 0
    assert re.fullmatch(r"tributary \d+\.\d+\.\d+ \(commit (unknown|[0-9a-f]+)\)\n", out.stdout), out.stdout


def test_readme_configuration_reference_matches_the_declared_keys():
    out = run_cli("config", "--reference")
    assert out.returncode == 0
    readme = (REPO / "README.md").read_text()
    match = re.search(r"<!-- config-reference:begin -->\n(.*?)<!-- config-reference:end -->", readme, re.S)
    assert match, "README.md lacks the config-reference markers"
    assert match.group(1) == out.stdout, (
        "README.md's configuration reference is out of date; regenerate it with scripts/update-readme")


def test_json_log_format_from_environment_and_flag_override(hub_factory):
    h = hub_factory(env={"TRIBUTARY_LOG_FORMAT": "json"}).start()
    log = h.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert any(line["msg"] == "ready" and line["level"] == "info" for line in lines), log
    assert all({"time", "level", "logger", "msg"} <= line.keys() for line in lines)

    h = hub_factory(args=["--log.format=text"], env={"TRIBUTARY_LOG_FORMAT": "json"}).start()
    log = h.stop()
    assert not log.lstrip().startswith("{"), log
    assert " ready" in log


def test_log_level_filters(hub_factory):
    h = hub_factory(args=["--log.level=warn"]).start()
    log = h.stop()
    assert "ready" not in log, log
