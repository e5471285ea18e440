"""Client(max_credits=..., budget_since=..., proxy=...): the library's budget (docs/python.md,
"Budget"): BudgetError before anything is sent, submitted work finishes."""

import pytest

import kieimage
from kieimage import _errors


def test_budget_error_is_status_minus_20():
    assert _errors.error_class(-20) is kieimage.BudgetError
    assert kieimage.BudgetError.status == -20 and issubclass(kieimage.BudgetError, kieimage.KieError)
    assert "BudgetError" in kieimage.__all__


def test_a_budget_reached_mid_batch_stops_new_generates_and_lets_submitted_ones_finish(sim, client_factory):
    client = client_factory(max_credits=12)  # a 4o image costs 6 credits
    submitted = [client.generate(prompt=f"image {i}", size="1:1") for i in range(2)]
    with pytest.raises(kieimage.BudgetError) as info:
        client.generate(prompt="image 3", size="1:1")
    assert info.value.status == -20 and info.value.name == "BUDGET" and "12" in info.value.message
    assert sim.api_key not in str(info.value)
    assert sim.stats()["requests"].get("generate", 0) == 2, "the refused generate sent nothing"
    assert [client.wait(t).status.name for t in submitted] == ["SUCCESS", "SUCCESS"]
    with pytest.raises(kieimage.BudgetError):
        client.run(prompt="image 4", size="1:1")


def test_variants_count_against_the_budget(sim, client_factory):
    client = client_factory(max_credits=20)
    with pytest.raises(kieimage.BudgetError):
        client.generate(prompt="x", size="1:1", variants=4)  # 24 credits
    assert client.run(prompt="x", size="1:1", variants=2).status.name == "SUCCESS"  # 12


def test_budget_since_counts_only_work_after_it(sim, client_factory, tmp_path):
    journal = tmp_path / "journal.jsonl"
    client_factory(journal_path=journal).run(prompt="before", size="1:1")
    with pytest.raises(kieimage.BudgetError):
        client_factory(journal_path=journal, max_credits=6).generate(prompt="x", size="1:1")
    later = client_factory(journal_path=journal, max_credits=6, budget_since="2999-01-01")
    assert later.generate(prompt="x", size="1:1").task_id


@pytest.mark.parametrize("options,field", [({"proxy": "socks5://127.0.0.1:1080"}, "proxy"),
                                           ({"budget_since": "yesterday"}, "budgetSince"),
                                           ({"max_credits": -1}, "maxCredits")])
def test_bad_values_are_the_librarys_invalid_argument(sim, client_factory, options, field):
    with pytest.raises(kieimage.InvalidArgumentError) as info:
        client_factory(**options)
    assert info.value.field == field
    assert "socks5://127.0.0.1" not in str(info.value)


@pytest.mark.parametrize("name,value", [("max_credits", "10"), ("budget_since", 20261201), ("proxy", 8080)])
def test_python_types_are_checked(name, value):
    with pytest.raises(TypeError, match=name):
        kieimage.Client(api_key="k", **{name: value})


def test_a_proxy_that_is_down_is_a_network_error(sim, client_factory):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = client_factory(proxy=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(kieimage.NetworkError):
        client.generate(prompt="x", size="1:1")
    assert sim.stats()["requests"].get("generate", 0) == 0
