"""Market requests from Python (model=...): presets validated before sending, tasks with family,
model and credits consumed (docs/models.md)."""

import asyncio

import pytest

import kieimage

MODEL = "gpt-image-2-text-to-image"


def test_run_a_market_model(sim, client):
    task = client.run(model=MODEL, prompt="a lighthouse", aspect_ratio="16:9", resolution="1K", tag="item-1")
    assert task.succeeded and task.result_urls
    assert task.family == "market" and task.model == MODEL and task.tag in ("item-1", None)
    assert task.credits_consumed is None or task.credits_consumed > 0


def test_market_generate_then_wait(client):
    submitted = client.generate(model=MODEL, prompt="two steps")
    assert submitted.task_id and submitted.family == "market"
    done = client.wait(submitted)
    assert done.succeeded
    # raw is the record as kie.ai wrote it (docs/c-api.md §4): the simulator, as recorded traffic,
    # writes creditsConsumed 6.0, and raw keeps it a float; the normalized field is a number too.
    for task in (done, client.task(submitted.task_id)):
        assert isinstance(task.raw["creditsConsumed"], float) and task.raw["creditsConsumed"] == task.credits_consumed
        assert isinstance(task.raw["param"], str) and task.request["input"]["prompt"] == "two steps"


def test_a_preset_names_the_input_field_and_the_keyword(sim, client):
    with pytest.raises(kieimage.ValidationError) as info:
        client.generate(model=MODEL, prompt="x", aspect_ratio="7:5")
    assert info.value.field == "input.aspect_ratio" and info.value.argument == "aspect_ratio"
    with pytest.raises(kieimage.ValidationError) as info:
        client.generate(model="gpt-image-2-image-to-image", prompt="x")
    assert info.value.argument == "images"
    assert sim.tasks() == []


def test_request_body_of_a_market_request_leaves_out_the_tag():
    body = kieimage.request_body(model=MODEL, prompt="x", aspect_ratio="1:1", tag="mine", nsfw_checker=False)
    assert body["model"] == MODEL and body["input"]["prompt"] == "x" and "tag" not in body
    assert body["input"]["nsfw_checker"] is False


def test_arguments_of_the_other_family_are_type_errors(client):
    with pytest.raises(TypeError):
        client.generate(model=MODEL, prompt="x", size="1:1")
    with pytest.raises(TypeError):
        client.generate(prompt="x", size="1:1", aspect_ratio="1:1")


def test_market_models_lists_the_presets():
    ids = {m["model"] for m in kieimage.market_models()}
    assert MODEL in ids and "gpt-image/1.5-text-to-image" in ids


def test_run_and_run_async_tasks_carry_the_submissions_warnings(client):
    submitted = client.generate(model=MODEL, prompt="x", undocumented_field=1)
    assert any("undocumented_field" in w for w in submitted.warnings)
    task = client.run(model=MODEL, prompt="x", undocumented_field=1)
    assert task.succeeded and task.warnings == submitted.warnings
    task = asyncio.run(client.run_async(model=MODEL, prompt="x", undocumented_field=1))
    assert task.succeeded and task.warnings == submitted.warnings


def test_the_other_familys_argument_is_the_librarys_reason_as_a_type_error():
    with pytest.raises(TypeError, match="^variants: .*nVariants"):
        kieimage.build_request(model=MODEL, prompt="x", variants=2)
    with pytest.raises(TypeError, match="^quality, images: .*model"):
        kieimage.build_request(prompt="x", size="1:1", images=["https://example.com/a.png"], quality="high")
