"""The wheel carries everything a plain ``pip install`` needs: bundled pack, schemas, templates."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("wheel")
    return Path(
        next(iter(WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])))
    )


def test_package_data_is_in_the_wheel(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        "checker/policy/schema.json",
        "checker/reports/templates/report.html.j2",
        "checker/reports/templates/report.css",
        "checker/reports/templates/report.js",
        *(f"checker/schemas/{p.name}" for p in (ROOT / "checker" / "schemas").glob("*.json")),
        *(f"checker/_bundled_policies/{p.name}" for p in (ROOT / "policies").glob("*.yaml")),
    ]
    assert len(expected) > 8
    assert not [name for name in expected if name not in names]


def test_installed_wheel_finds_its_bundled_pack(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import json, sys\n"
        "from checker.cli import main\n"
        "from checker.policy.loader import bundled_policy_dir\n"
        f"assert str(bundled_policy_dir()).startswith({str(site)!r}), bundled_policy_dir()\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "scan",
            "--input",
            str(EXAMPLES / "workforces.json"),
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["rules"] == 32
    assert "builtin/network.yaml" in report["policies"]


def make_venv_with_our_dependencies(venv: Path) -> None:
    """A clean venv that sees this environment's installed packages (the dependencies, without
    the network) through a ``.pth`` line, but not this checkout: a directory a ``.pth`` adds is
    not a site directory, so the editable install's own ``.pth`` there is never processed."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_dir = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    ours = [path for path in sys.path if Path(path).name in ("site-packages", "dist-packages")]
    (Path(site_dir) / "wfcheck-test-dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )


def test_python_m_build_makes_a_wheel_and_an_sdist_that_install_and_run(tmp_path: Path) -> None:
    """What a team does to ship wfcheck internally: build, install in a clean venv, run."""
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    assert any(name.endswith("LICENSE") for name in zipfile.ZipFile(wheels[0]).namelist())
    with tarfile.open(sdists[0]) as sdist:
        names = sdist.getnames()
    assert any(name.endswith("/LICENSE") for name in names)
    assert any(name.endswith("/policies/network.yaml") for name in names)
    for artifact in (wheels[0], sdists[0]):
        venv = tmp_path / f"venv-{artifact.suffix.strip('.')}"
        make_venv_with_our_dependencies(venv)
        installed = subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
             "--no-build-isolation", "--quiet", str(artifact)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert installed.returncode == 0, installed.stderr[-2000:]
        ran = subprocess.run(
            [str(venv / "bin" / "wfcheck"), "scan", str(EXAMPLES / "workforces.json"), "-f",
             "json", "--quiet"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert ran.returncode == 1, ran.stderr
        assert json.loads(ran.stdout)["summary"]["rules"] == 32
        where = subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import checker; print(checker.__file__)"],
            cwd=tmp_path, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert where.stdout.startswith(str(venv)), where.stdout
