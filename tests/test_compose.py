"""The production files (docker-compose.yml, Dockerfile, .env.example) agree with the code.

Reads files only: no database and no Docker engine needed.
"""

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")
# Variables .env.example may name although settings.py does not read them: they are
# interpolated by docker-compose.yml itself.
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}


@cache
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def service(name):
    return compose()["services"][name]


def command(name):
    cmd = service(name).get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def environment(name):
    env = service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def without_interpolation(value):
    """``${NAME}`` / ``${NAME:?message}`` replaced by a placeholder, so URLs parse."""
    return re.sub(r"\$\{[^}]*\}", "placeholder", value)


@cache
def settings_variables():
    """Every NAME in ``env("NAME"``, ``env_bool("NAME"``, ``env_int(`` or ``env_list(``."""
    source = (ROOT / "familien" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"\benv(?:_bool|_int|_list)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


@cache
def example_variables():
    """Names assigned in .env.example: True when set, False when optional (``# NAME=value``)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return {
        match.group(2): match.group(1) is None
        for match in re.finditer(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)
    }


def example_values():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.MULTILINE))


def dockerfile_cmd():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", "")
    return json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, flags=re.MULTILINE).group(1))


def test_all_services_exist():
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(compose()["services"])


def test_exactly_one_beat():
    beats = [name for name in compose()["services"] if "celery -A familien beat" in command(name)]
    assert beats == ["beat"]
    assert command("beat").startswith("celery -A familien beat")
    assert service("beat").get("deploy", {}).get("replicas", 1) == 1
    # A worker with an embedded beat (-B / --beat) would be a second beat.
    for name in compose()["services"]:
        assert not re.search(r"\s(-B|--beat)\b", command(name)), name


def test_worker_runs_celery_worker_and_can_scale():
    assert command("worker").startswith("celery -A familien worker")
    # --scale worker=N fails with a fixed container name or a published host port.
    assert "container_name" not in service("worker")
    assert "ports" not in service("worker")


def test_web_runs_gunicorn_like_the_image_default():
    assert command("web").startswith("gunicorn familien.wsgi:application")
    assert service("web")["command"] == dockerfile_cmd()
    assert any(str(port).endswith(":8000") for port in service("web")["ports"])


def test_migrate_runs_once_before_the_app():
    assert command("migrate") == "python manage.py migrate --noinput"
    assert service("migrate")["restart"] == "no"
    assert service("migrate")["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = service(name)["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_healthchecks(name):
    check = service(name).get("healthcheck")
    assert check, f"{name} has no healthcheck"
    assert not check.get("disable")
    assert check["test"][0] in {"CMD", "CMD-SHELL"}


def test_web_healthcheck_asks_only_for_the_database():
    test = service("web")["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3]
    compile(code, "healthcheck", "exec")  # the folded YAML is still valid Python
    assert "/healthz?checks=database" in code
    assert '"Host"' in code and "ALLOWED_HOSTS" in code


def test_worker_healthcheck_pings_its_own_node():
    assert "celery -A familien inspect ping" in " ".join(service("worker")["healthcheck"]["test"])


def test_redis_keeps_an_append_only_file():
    assert "--appendonly yes" in command("redis")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_restart_policies(name):
    assert service(name)["restart"] in {"always", "unless-stopped"}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_point_at_the_compose_postgres_and_redis(name):
    assert service(name)["env_file"] in (".env", [".env"])
    env = environment(name)
    database = urlsplit(without_interpolation(env["DATABASE_URL"]))
    broker = urlsplit(without_interpolation(env["CELERY_BROKER_URL"]))
    assert database.scheme.startswith("postgres")
    assert database.hostname == "postgres"
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"


def test_named_volumes_are_declared_and_used():
    declared = set(compose().get("volumes") or {})
    assert {"postgres-data", "redis-data", "beat-schedule"} <= declared
    for name, spec in compose()["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} mounts undeclared volume {source}"
    assert "postgres-data:/var/lib/postgresql/data" in service("postgres")["volumes"]
    assert "redis-data:/data" in service("redis")["volumes"]


def test_beat_schedule_file_lives_on_a_volume():
    schedule = environment("beat")["CELERY_BEAT_SCHEDULE_FILENAME"]
    mounts = [volume.split(":")[1] for volume in service("beat")["volumes"]]
    assert any(schedule.startswith(mount.rstrip("/") + "/") for mount in mounts)


def test_every_setting_is_in_env_example():
    missing = settings_variables() - set(example_variables())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_names_only_variables_that_are_read():
    compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in example_variables():
        if name in COMPOSE_ONLY:
            assert "${" + name in compose_text, f"{name} is not used by docker-compose.yml"
        else:
            assert name in settings_variables(), f"{name} is not read by familien/settings.py"


def test_compose_interpolates_only_documented_variables():
    compose_text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", compose_text))
    assert used <= {name for name, active in example_variables().items() if active}


def test_env_example_holds_no_real_secrets():
    values = example_values()
    assert values["FAMILIEN_MODE"] == "production"
    assert values["DEBUG"] == "false"
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD", "SMS_GATEWAY_TOKEN"):
        assert values[name].startswith("change-me"), name


def test_dockerfile_installs_from_the_lock_and_runs_unprivileged():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, flags=re.MULTILINE)
    assert "pip install --require-hashes -r requirements.lock" in text
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}


def test_dockerignore_keeps_secrets_and_local_state_out():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "data"} <= ignored
