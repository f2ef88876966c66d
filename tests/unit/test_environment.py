"""The environment fails closed: without BILIN_ENV the service is production (development keys
refused, no test clock, the webhook egress guard on); the two README commands name their own
environment, so a newcomer never has to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.devrun import use_development_environment
from service.settings import Settings, UnsafeConfiguration, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_environment_is_production():
    settings = load_settings({})
    assert settings.environment == "production" and Settings().production
    assert not settings.test_clock_enabled and settings.webhook_guard


def test_production_by_default_refuses_the_development_keys():
    with pytest.raises(UnsafeConfiguration, match="BILIN_JWT_KEYS is the development key"):
        load_settings({"DATABASE_URL": "postgresql://db/bilin", "REDIS_URL": "redis://r"}).check()


def test_the_run_command_sets_development_unless_told_otherwise():
    environ: dict[str, str] = {}
    use_development_environment(environ)
    assert environ["BILIN_ENV"] == "development" and load_settings(environ).test_clock_enabled
    told = {"BILIN_ENV": "test"}
    use_development_environment(told)
    assert told["BILIN_ENV"] == "test"


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert match, target
    return match.group(1)


def test_make_run_goes_through_the_dev_entry_and_make_test_names_test():
    assert "-m service.cli dev" in recipe("run")
    assert "BILIN_ENV=test" in recipe("test")
