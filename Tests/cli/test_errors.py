import json

from clihelpers import run


def error_lines(r):
    return [l for l in r.stderr.splitlines() if l.startswith("kie-image: error:")]


def test_usage_errors_exit_2():
    assert run(["generate", "--prompt", "x"]).returncode == 2          # --size missing
    assert run(["generate", "--size", "1:1", "--bogus"]).returncode == 2
    assert run(["nonsense"]).returncode == 2
    assert run(["status", "--simulate", "not a task id"]).returncode == 2


def test_missing_key_exits_3_before_any_network():
    r = run(["credits"])
    assert r.returncode == 3
    assert error_lines(r) == ["kie-image: error: AUTH: config: apiKey is missing (set apiKey or KIE_API_KEY): "
                              "pass --api-key, set KIE_API_KEY, or try --simulate"]


def test_unusable_key_exits_3_before_any_network():
    r = run(["credits", "--api-key", "two words"])
    assert r.returncode == 3
    (line,) = error_lines(r)
    assert line.startswith("kie-image: error: AUTH: config: apiKey holds characters an HTTP header cannot carry")
    assert "two words" not in r.stdout + r.stderr


def test_wrong_key_exits_3_and_never_prints_the_key(sim):
    secret = "sk-do-not-print-4242"
    r = run(["generate", "--prompt", "x", "--size", "1:1", "--api-key", secret, *sim.args()], env=sim.env())
    assert r.returncode == 3
    (line,) = error_lines(r)
    assert line.startswith("kie-image: error: AUTH:")
    assert secret not in r.stdout + r.stderr


def test_insufficient_credits_exits_4(sim):
    sim.configure(apiKeys={"poor-key": 0})
    r = run(["generate", "--prompt", "x", "--size", "1:1", *sim.args()], env=sim.env("poor-key"))
    assert r.returncode == 4
    (line,) = error_lines(r)
    assert line.startswith("kie-image: error: INSUFFICIENT_CREDITS:")


def test_validation_exits_5_naming_the_field():
    r = run(["generate", "--simulate", "--prompt", "x", "--size", "4:3"])
    assert r.returncode == 5
    assert error_lines(r) == ["kie-image: error: VALIDATION: size must be one of 1:1, 3:2, 2:3 [field: size]"]
    r = run(["generate", "--simulate", "--prompt", "x", "--size", "1:1", "--variants", "3"])
    assert r.returncode == 5 and "[field: nVariants]" in error_lines(r)[0]
    r = run(["generate", "--simulate", "--prompt", "x", "--size", "1:1", "--fallback", "DALL_E"])
    assert r.returncode == 5 and "[field: fallbackModel]" in error_lines(r)[0]


def test_validation_error_as_json_with_json_flag():
    r = run(["generate", "--simulate", "--prompt", "x", "--size", "4:3", "--json"])
    assert r.returncode == 5
    error = json.loads(r.stdout)["error"]
    assert error["name"] == "VALIDATION" and error["field"] == "size"


def test_failed_task_exits_6_with_its_message(sim):
    r = run(["generate", "--prompt", "x [sim:generate_failed=451]", "--size", "1:1", *sim.args()], env=sim.env())
    assert r.returncode == 6
    (line,) = error_lines(r)
    assert line.startswith("kie-image: error: TASK_FAILED:") and "errorCode 451" in line


def test_wait_deadline_exits_7(sim):
    sim.configure(generationMs=120000)
    r = run(["generate", "--prompt", "slow", "--size", "1:1", "--timeout", "2", *sim.args()], env=sim.env())
    assert r.returncode == 7
    assert error_lines(r)[0].startswith("kie-image: error: TIMEOUT:")


def test_generate_without_answer_exits_8_and_is_not_resent(sim):
    sim.configure(faults=[{"endpoint": "generate", "action": {"reset": "after"}}])
    r = run(["generate", "--prompt", "lost answer", "--size", "1:1", *sim.args()], env=sim.env())
    assert r.returncode == 8
    assert error_lines(r)[0].startswith("kie-image: error: UNKNOWN_OUTCOME:")
    assert sim.stats()["requests"]["generate"] == 1


def test_unknown_task_exits_1(sim):
    r = run(["status", "0123456789abcdef", *sim.args()], env=sim.env())
    assert r.returncode == 1
    assert error_lines(r)[0].startswith("kie-image: error: NOT_FOUND:")


def test_missing_local_image_is_reported_before_any_call(sim):
    r = run(["generate", "--prompt", "x", "--size", "1:1", "--image", "/nonexistent/photo.png", *sim.args()],
            env=sim.env())
    assert r.returncode == 1
    # The library's IO error (it reads and uploads local inputs), naming the file and the field.
    line = error_lines(r)[0]
    assert line.startswith("kie-image: error: IO:") and "/nonexistent/photo.png" in line and "filesUrl" in line
    assert sim.stats()["requests"].get("generate", 0) == 0 and sim.stats()["uploads"] == 0
