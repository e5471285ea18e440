"""The progress display: a redrawn bar on a terminal, plain lines in a pipe, both on stderr."""
import os
import pty
import re
import select
import subprocess

from clihelpers import kie_image, png_info, run

LINE = re.compile(r"^task [0-9a-f]{32} (submitted|GENERATING \d+% \d+\.\ds|SUCCESS 100% \d+\.\ds)$")


def test_pipe_gets_one_plain_line_per_change(tmp_path):
    r = run(["generate", "--simulate", "--sim-generation-ms", "2500", "--prompt", "piped", "--size", "1:1",
             "--out", str(tmp_path)])
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert "\r" not in r.stderr and "\x1b" not in r.stderr
    assert all(LINE.match(l) for l in lines), lines
    assert lines[0].endswith("submitted") and "SUCCESS 100%" in lines[-1]
    assert len(lines) == len(set(l.rsplit(" ", 1)[0] for l in lines)), "a line repeated without a change"
    # stdout stays clean for scripts: only the path.
    assert png_info(r.stdout.strip()) == (1024, 1024)


def run_in_pty(args, cwd):
    """Runs kie-image with stdin/stdout/stderr on a pseudo-terminal; returns (exit code, output)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([kie_image(), *args], stdin=follower, stdout=follower, stderr=follower, cwd=cwd,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"}, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=30), b"".join(chunks).decode()


def test_terminal_gets_a_redrawn_bar(tmp_path):
    code, output = run_in_pty(["generate", "--simulate", "--sim-generation-ms", "2500", "--prompt", "on a tty",
                               "--size", "3:2", "--out", "o"], cwd=tmp_path)
    assert code == 0, output
    frames = [f for f in output.split("\r") if "[" in f and "%" in f]
    assert len(frames) >= 3, output
    bar = re.compile(r"(\x1b\[2K)?[0-9a-f]{12} \[[#-]+\] \d+% [A-Z]+ \d+\.\ds")
    assert all(bar.search(f) for f in frames), frames
    assert "\x1b[2K" in output
    assert re.search(r"\[#+\] 100% SUCCESS", output)
    assert "task " not in output.replace("\r", "\n").split("\n")[0], "plain lines on a terminal"
    (png,) = list((tmp_path / "o").glob("*.png"))
    assert png_info(png) == (1536, 1024)


def test_batch_progress_is_one_redrawn_line_on_a_terminal_and_plain_lines_in_a_pipe(tmp_path):
    (tmp_path / "in.jsonl").write_text("".join(f'{{"prompt": "p{i}", "size": "1:1"}}\n' for i in range(3)))
    code, output = run_in_pty(["batch", "in.jsonl", "--out", "t", "--simulate", "--sim-generation-ms", "1500"],
                              cwd=tmp_path)
    assert code == 0, output
    frames = [f for f in output.split("\r") if "batch:" in f]
    assert len(frames) >= 3 and all(f.startswith("\x1b[2Kbatch: ") for f in frames), frames
    assert "3/3 done, 0 running, 0 failed, 0 queued" in frames[-1]
    assert "3 lines: 3 done, 0 failed" in output

    r = run(["batch", "in.jsonl", "--out", "p", "--simulate", "--sim-generation-ms", "1500"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr and "\x1b" not in r.stderr
    lines = r.stderr.splitlines()
    assert all(re.match(r"batch: \d+/3 done, \d+ running, \d+ failed, \d+ queued, ", l) for l in lines), lines
    assert sum("done p/" in l for l in lines) == 3
