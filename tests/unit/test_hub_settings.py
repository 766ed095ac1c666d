"""The hub's settings (containds_hub.settings): every bad value is one line naming the variable, its value and what
is expected, all at once, before the hub starts; tests/hub/test_faults.py checks the few faults that need an engine."""

from __future__ import annotations

import pytest

from containds_hub.settings import HubSettings, SettingsError, env_name, load_settings


@pytest.mark.parametrize(("environment", "message"), [
    ({"CDS_AUTHENTICATOR": "ldap"}, "CDS_AUTHENTICATOR='ldap': one of native, dummy expected"),
    ({"CDS_HUB_PORT": "99999"}, "CDS_HUB_PORT='99999': a port number from 1 to 65535 expected"),
    ({"CDS_HUB_PORT": "80a"}, "CDS_HUB_PORT='80a': a port number from 1 to 65535 expected"),
    ({"CDS_AUTHENTICATOR": "dummy"}, "CDS_AUTHENTICATOR=dummy needs CDS_DUMMY_PASSWORD"),
    ({"CDS_HOME_VOLUME": "containds-home"},
     "CDS_HOME_VOLUME='containds-home': a volume name with {username} once expected (one volume per user)"),
    ({"CDS_HOME_VOLUME": "{username}-{username}"}, "a volume name with {username} once expected"),
    ({"CDS_CONTAINER_PREFIX": "-x"}, "CDS_CONTAINER_PREFIX='-x': letters, digits and . _ - expected"),
    ({"CDS_MEM_LIMIT": "lots"}, "CDS_MEM_LIMIT='lots': a size such as 512M or 2G expected, or none"),
    ({"CDS_CPU_LIMIT": "0"}, "CDS_CPU_LIMIT='0': a number of CPUs such as 0.5 or 2 expected, or none"),
    ({"CDS_PIDS_LIMIT": "0"}, "CDS_PIDS_LIMIT='0': a whole number of processes expected, or none"),
    ({"CDS_AUTH_CACHE_SECONDS": "soon"}, "CDS_AUTH_CACHE_SECONDS='soon': a whole number of seconds expected"),
    ({"CDS_SPAWNER": "kubernetes"},
     "CDS_SPAWNER='kubernetes': docker (containers on this engine) or swarm (Swarm services) expected"),
    ({"CDS_SWARM_CONSTRAINTS": "node.role==worker"}, "CDS_SWARM_CONSTRAINTS is set but CDS_SPAWNER is not swarm"),
    ({"CDS_SWARM_DASHBOARD_CONSTRAINTS": "node.role==worker"},
     "CDS_SWARM_DASHBOARD_CONSTRAINTS is set but CDS_SPAWNER is not swarm"),
    ({"CDS_SPAWNER": "swarm", "CDS_HOME_VOLUME_OPTIONS": "type=nfs device"},
     "CDS_HOME_VOLUME_OPTIONS='type=nfs device': 'device': key=value items separated by spaces expected"),
], ids=lambda value: value if isinstance(value, str) else ",".join(value))
def test_a_bad_value_is_one_line_naming_it(environment: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environment)
    assert len(raised.value.problems) == 1, raised.value.problems
    assert message in raised.value.problems[0]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"CDS_HUB_PORT": "0", "CDS_MEM_LIMIT": "lots", "CDS_AUTHENTICATOR": "ldap"})
    assert sorted(line.split("=")[0] for line in raised.value.problems) == [
        "CDS_AUTHENTICATOR", "CDS_HUB_PORT", "CDS_MEM_LIMIT"]


def test_unset_and_empty_variables_take_the_defaults() -> None:
    """Compose passes every variable it lists, empty when the operator set none."""
    empty = {env_name(field): "" for field in HubSettings.model_fields}
    assert load_settings(empty) == load_settings({}) == HubSettings()
    assert load_settings(empty).model_fields_set == set()


def test_values_are_typed_and_limits_can_be_turned_off() -> None:
    settings = load_settings({"CDS_ADMIN_USERS": " alice, bob ,,", "CDS_MEM_LIMIT": "none", "CDS_CPU_LIMIT": "0.5",
                              "CDS_PIDS_LIMIT": "NONE", "CDS_HUB_PORT": "8081", "CDS_SPAWNER": "swarm",
                              "CDS_SWARM_CONSTRAINTS": "node.role==worker,node.labels.x==y"})
    assert settings.admin_users == ["alice", "bob"]
    assert (settings.mem_limit, settings.cpu_limit, settings.pids_limit) == (None, 0.5, None)
    assert settings.hub_port == 8081
    assert settings.swarm_constraints == ["node.role==worker", "node.labels.x==y"]
    assert settings.model_fields_set >= {"admin_users", "mem_limit", "spawner"}


def test_home_volume_options_are_the_local_drivers_and_keep_the_users_placeholder() -> None:
    settings = load_settings({"CDS_SPAWNER": "swarm", "CDS_SWARM_DASHBOARD_CONSTRAINTS": "node.labels.d==yes",
                              "CDS_HOME_VOLUME_OPTIONS": " type=nfs  o=addr=10.0.0.5,rw device=:/homes/{username} "})
    assert settings.home_volume_options == {"type": "nfs", "o": "addr=10.0.0.5,rw", "device": ":/homes/{username}"}
    assert settings.swarm_dashboard_constraints == ["node.labels.d==yes"]


def test_values_given_in_python_win_over_the_environment() -> None:
    settings = load_settings({"CDS_DOCKER_NETWORK": "from-env"}, docker_network="from-config")
    assert settings.docker_network == "from-config"


def test_the_dummy_password_is_never_shown() -> None:
    settings = load_settings({"CDS_AUTHENTICATOR": "dummy", "CDS_DUMMY_PASSWORD": "s3cret"})
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings)
    assert settings.dummy_password is not None and settings.dummy_password.get_secret_value() == "s3cret"
