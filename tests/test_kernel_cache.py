"""The compiled analysis loops: kept in the user's cache folder, built apart on the first
start, not again once built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smtdesk import kernel_cache


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/smtdesk/numba"),
    ("linux", {}, "HOME/.cache/smtdesk/numba"),
    ("darwin", {}, "HOME/Library/Caches/smtdesk/numba"),
    ("win32", {"LOCALAPPDATA": "/local"}, "/local/smtdesk/Cache/numba"),
])
def test_the_user_cache_folder_of_each_platform(monkeypatch, tmp_path, platform, env, expected):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert kernel_cache.user_cache_dir() == Path(expected.replace("HOME", str(tmp_path)))


def test_the_app_keeps_numba_s_cache_in_the_user_cache_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    code = "import smtdesk.app, numba; print(numba.config.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == str(tmp_path / "smtdesk" / "numba")


def test_a_cache_folder_the_user_chose_is_kept(monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/chosen")
    kernel_cache.use_user_cache()
    assert os.environ["NUMBA_CACHE_DIR"] == "/chosen"


def test_the_loops_are_built_apart_once(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    runs = []

    def run(command, **kw):
        runs.append(command)
        (tmp_path / kernel_cache._marker().name).touch()  # as the builder does when done
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(kernel_cache.subprocess, "run", run)
    kernel_cache.kernels_ready()
    assert runs == [[sys.executable, "-c", "from smtdesk.kernel_cache import main; main()"]]
    kernel_cache.kernels_ready()
    assert len(runs) == 1, "built once: the marker says the cache is complete"


def test_a_failed_build_leaves_the_loops_to_compile_in_the_app(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(kernel_cache.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(
        command, 1, "", "MemoryError"))
    kernel_cache.kernels_ready()
    assert "building the compiled analysis loops failed" in caplog.text and "MemoryError" in caplog.text
    assert not list(tmp_path.iterdir()), "no marker: the next start tries again"


def test_the_bundle_builds_the_loops_with_its_own_program(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/smtdesk/smtdesk")
    runs = []
    monkeypatch.setattr(kernel_cache.subprocess, "run", lambda command, **kw: runs.append(command)
                        or subprocess.CompletedProcess(command, 0, "", ""))
    kernel_cache.kernels_ready()
    assert runs == [["/opt/smtdesk/smtdesk", kernel_cache.BUILD_FLAG]]


def test_the_bundle_entry_builds_the_loops_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    launch = Path(__file__).resolve().parents[1] / "packaging" / "launch.py"
    subprocess.run([sys.executable, str(launch), kernel_cache.BUILD_FLAG], check=True, timeout=600,
                   env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)})
    assert (tmp_path / kernel_cache._marker().name).exists()
