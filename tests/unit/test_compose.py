"""docker-compose.yml stays a valid production shape (checked without a Docker engine)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from service.cli import main as cli_main
from service.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_has_the_production_services():
    assert {"postgres", "redis", "migrate", "api", "worker"} <= set(SERVICES)
    major = int(re.match(r"postgres:(\d+)", SERVICES["postgres"]["image"]).group(1))
    assert major >= 15  # the official image ships contrib, so btree_gist is there
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["minio"]["image"].startswith("minio/minio:") and "latest" not in SERVICES["minio"]["image"]


def test_dependencies_are_ordered_and_exist():
    for name, service in SERVICES.items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            assert condition["condition"] in {"service_healthy", "service_completed_successfully", "service_started"}
    assert SERVICES["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", ["migrate", "api", "worker"])
def test_commands_exist_in_the_cli(name, capsys):
    command = SERVICES[name]["command"]
    assert command[:3] == ["python", "-m", "service.cli"]
    with pytest.raises(SystemExit) as exited:
        cli_main([*command[3:], "--help"])
    assert exited.value.code == 0


@pytest.mark.parametrize("name", ["api", "worker"])
def test_the_service_would_start_in_production_with_the_compose_environment(name):
    environment = {key: str(value) for key, value in SERVICES[name]["environment"].items()}
    for key, value in environment.items():  # stand-ins for the ${…} secrets an operator supplies
        value = re.sub(r"\$\{[^}:]+:-([^}]*)\}", r"\1", value)  # ${NAME:-default}: the default
        environment[key] = value
        if "${" in value:
            environment[key] = re.sub(r"\$\{[^}]+\}", {
                "BILIN_JWT_KEYS": "k1:" + "cHJvZHVjdGlvbi1rZXktcHJvZHVjdGlvbi1rZXktMDE=",
                "BILIN_DATA_KEY": "cHJvZHVjdGlvbi1kYXRhLWtleS0wMDAwMDAwMDAwMDA=",
            }.get(key, "secret"), value)
    settings = load_settings(environment)
    assert settings.production
    settings.check()


def test_the_image_builds_from_files_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.M):
        assert (ROOT / source).exists(), source
    for name in ("migrate", "api", "worker"):
        assert SERVICES[name]["build"] == "."
    assert "COPY worker" in dockerfile
    assert "--frozen" in dockerfile and "USER" in dockerfile


def test_the_worker_is_checked_by_its_heartbeat():
    worker = SERVICES["worker"]
    heartbeat = worker["command"][worker["command"].index("--heartbeat-file") + 1]
    assert heartbeat in " ".join(worker["healthcheck"]["test"])
    assert "ports" not in worker  # it serves nothing


def test_the_image_holds_every_package_the_service_imports():
    import ast

    copied = set(re.findall(r"^COPY (\w+) ", (ROOT / "Dockerfile").read_text(), flags=re.M))
    first_party = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"tests"}
    needed: set[str] = set()
    for package in copied & first_party:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    needed.add(node.module.split(".")[0])
                elif isinstance(node, ast.Import):
                    needed.update(alias.name.split(".")[0] for alias in node.names)
    # devservices is the local-run helper, imported only by `service.cli dev`, never in the image's commands
    missing = (needed & first_party) - copied - {"devservices"}
    assert not missing, f"the Dockerfile does not copy {sorted(missing)}"


def test_the_api_trusts_forwarded_addresses_from_its_own_network_only():
    import ipaddress

    subnets = [ipaddress.ip_network(entry["subnet"])
               for entry in COMPOSE["networks"]["default"]["ipam"]["config"]]
    trusted = load_settings({"BILIN_TRUSTED_PROXIES": SERVICES["api"]["environment"]["BILIN_TRUSTED_PROXIES"]})
    assert trusted.trusted_proxies
    for entry in trusted.trusted_proxies:
        assert any(ipaddress.ip_network(entry).subnet_of(subnet) for subnet in subnets), entry


@pytest.mark.parametrize("name", ["api", "worker"])
def test_photos_go_to_the_bucket_the_init_service_creates(name):
    environment = SERVICES[name]["environment"]
    settings = load_settings({key: str(value) for key, value in environment.items() if "${" not in str(value)})
    assert settings.s3_bucket and settings.s3_endpoint == "http://minio:9000"
    assert settings.s3_access_key == "bilin-service" and "BILIN_S3_SECRET_KEY" in environment
    init = SERVICES["minio-init"]
    script = " ".join(init["command"])
    assert f"mc mb --ignore-existing local/{settings.s3_bucket}" in script
    assert f"mc anonymous set none local/{settings.s3_bucket}" in script  # private: URLs are signed
    assert f"user add local {settings.s3_access_key}" in script
    assert SERVICES[name]["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    assert init["depends_on"]["minio"]["condition"] == "service_healthy" and init["restart"] == "no"
