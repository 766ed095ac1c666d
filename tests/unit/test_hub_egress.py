"""The servers' egress rules (containds_hub.egress; egress_namespaces on Swarm), as pure logic: tests/hub/test_egress.py
and tests/hub/test_swarm.py probe them for real."""

from __future__ import annotations

import pytest

from containds_hub.egress import METADATA, Allowed, Chains, jumps, rules
from containds_hub.egress_namespaces import CHAIN, Policy, public_addresses

CHAINS = Chains.of("containds")
SERVERS, HUB = "172.30.0.0/16", "172.30.0.2"


def verdicts(allowed: tuple[Allowed, ...] = ()) -> list[tuple[str, str]]:
    """(what a rule matches, its verdict), forward chain first, in order."""
    return [(" ".join(command[2:command.index("-j")]), command[command.index("-j") + 1])
            for command in rules(CHAINS, SERVERS, HUB, allowed)]


def test_replies_and_the_hub_pass_before_anything_is_refused() -> None:
    forward = [(match, verdict) for match, verdict in verdicts()][:5]
    assert forward[0] == ("-m conntrack --ctstate RELATED,ESTABLISHED", "RETURN")
    assert ("! -s " + SERVERS, "RETURN") in forward and (f"-s {HUB}/32", "RETURN") in forward
    hub_api = next(i for i, (match, _) in enumerate(verdicts()) if match.startswith(f"-d {HUB}/32"))
    first_refusal = next(i for i, (_, verdict) in enumerate(verdicts()) if verdict == "REJECT")
    assert hub_api < first_refusal


def test_metadata_other_servers_private_ranges_and_the_host_are_refused() -> None:
    refused = {match for match, verdict in verdicts() if verdict == "REJECT"}
    assert {f"-d {METADATA}", f"-d {SERVERS}", "-d 10.0.0.0/8", "-d 172.16.0.0/12", "-d 192.168.0.0/16",
            "-d 169.254.0.0/16"} <= refused
    host_rules = [c for c in rules(CHAINS, SERVERS, HUB, ()) if c[1] == CHAINS.input]
    assert host_rules[-1][-4:] == ["-j", "REJECT", "--reject-with", "icmp-admin-prohibited"]  # anything else


def test_an_operators_destination_passes_before_the_refusals() -> None:
    database = Allowed.parse("10.1.2.3:5432")
    order = verdicts((database,))
    allowed = order.index(("-d 10.1.2.3/32 -p tcp --dport 5432", "RETURN"))
    assert allowed < order.index(("-d 10.0.0.0/8", "REJECT"))


@pytest.mark.parametrize("text", ["db.internal", "10.1.2.3:99999", "10.1.2.3/40", "10.1.2.3:"])
def test_a_bad_destination_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Allowed.parse(text)


def test_chains_are_the_deployments_own_and_hook_in_once() -> None:
    assert Chains.of("a") != Chains.of("b") and len(CHAINS.forward) <= 28 and len(CHAINS.input) <= 28
    assert jumps(CHAINS, "br-x") == [["DOCKER-USER", "-j", CHAINS.forward], ["INPUT", "-i", "br-x", "-j",
                                                                           CHAINS.input]]


# On Swarm: the same policy as one chain inside each server's own network namespace (egress_namespaces).

NAMESPACE_POLICY = Policy(SERVERS, HUB, host_addresses=("203.0.113.7",))


def namespace_verdicts(policy: Policy = NAMESPACE_POLICY) -> list[tuple[str, str]]:
    return [(" ".join(rule[2:rule.index("-j")]), rule[rule.index("-j") + 1]) for rule in policy.rules()]


def test_in_a_servers_namespace_itself_replies_and_the_hub_pass_first() -> None:
    order = namespace_verdicts()
    assert order[:2] == [("-o lo", "RETURN"), ("-m conntrack --ctstate RELATED,ESTABLISHED", "RETURN")]
    hub_api = order.index((f"-d {HUB}/32 -p tcp -m multiport --dports 8081,8000", "RETURN"))
    assert hub_api < next(i for i, (_, verdict) in enumerate(order) if verdict == "REJECT")
    assert order[-1] == ("", "RETURN")  # public addresses


def test_in_a_servers_namespace_metadata_neighbours_the_host_and_private_ranges_are_refused() -> None:
    refused = {match for match, verdict in namespace_verdicts() if verdict == "REJECT"}
    assert {f"-d {METADATA}", f"-d {SERVERS}", "-d 203.0.113.7/32", "-d 10.0.0.0/8", "-d 172.16.0.0/12",
            "-d 192.168.0.0/16", "-d 169.254.0.0/16"} <= refused


def test_in_a_servers_namespace_an_operators_destination_passes_before_the_refusals() -> None:
    order = namespace_verdicts(Policy(SERVERS, HUB, allowed=(Allowed.parse("10.1.2.3:5432"),)))
    assert order.index(("-d 10.1.2.3/32 -p tcp --dport 5432", "RETURN")) < order.index(("-d 10.0.0.0/8", "REJECT"))


def test_the_namespace_rules_load_at_once_into_a_chain_of_their_own() -> None:
    lines = NAMESPACE_POLICY.restore_input().splitlines()
    assert lines[:2] == ["*filter", f":{CHAIN} - [0:0]"] and lines[-1] == "COMMIT"
    assert all(line.startswith(f"-A {CHAIN} ") for line in lines[2:-1])


def test_only_the_hosts_public_addresses_need_rules_of_their_own() -> None:
    assert public_addresses(["127.0.0.1", "10.0.0.5", "203.0.113.7", "", "::1", "203.0.113.7"]) == ("203.0.113.7",)
