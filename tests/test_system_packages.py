"""``scripts/system-packages.sh``, which ``make test`` runs first: it installs what the tests
need from the system (Chromium, WeasyPrint's Pango) with apt-get when the user may, and
otherwise stops with the one command to run.

The system is stood in for by small programs on ``PATH`` (``id``, ``ldconfig``, ``apt-get``,
``sudo``) that record how they were called, so nothing is installed for real.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "system-packages.sh"
PANGO = "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/libpango-1.0.so.0\n" \
        "\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/libpangoft2-1.0.so.0\n" \
        "\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/libharfbuzz-subset.so.0\n"


class FakeSystem:
    """A ``PATH`` of stand-in programs, and the log of the calls made to them."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "calls.log"
        self.log.touch()
        self.chromium = root / "chromium"
        self.program("sh", 'exec /bin/sh "$@"', log=False)
        for name in ("grep", "env", "true"):
            self.program(name, f'exec /usr/bin/{name} "$@"', log=False)

    def program(self, name: str, body: str, log: bool = True) -> None:
        path = self.bin / name
        record = f'echo "{name} $*" >> {self.log}\n' if log else ""
        path.write_text(f"#!/bin/sh\n{record}{body}\n")
        path.chmod(0o755)

    def machine(self, uid: int, chromium: bool, pango: bool, sudo: bool | None = None) -> None:
        self.program("id", f"echo {uid}", log=False)
        listing = PANGO if pango else ""
        self.program("ldconfig", f"printf '{listing}'", log=False)
        self.program("apt-get", "exit 0")
        if sudo is not None:
            self.program("sudo", '[ "$1" = -n ] && shift; exec "$@"' if sudo else "exit 1")
        if chromium:
            self.chromium.write_text("#!/bin/sh\n")
            self.chromium.chmod(0o755)

    def run(self, *needs: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["/bin/sh", str(SCRIPT), *needs], capture_output=True, text=True,
                              env={"PATH": str(self.bin), "IPFLOW_CHROMIUM": str(self.chromium)},
                              check=False)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture()
def system(tmp_path: Path) -> FakeSystem:
    return FakeSystem(tmp_path)


def test_nothing_is_installed_when_everything_is_there(system: FakeSystem) -> None:
    system.machine(uid=1000, chromium=True, pango=True)
    result = system.run()
    assert result.returncode == 0, result.stderr
    assert system.calls() == []


def test_root_installs_what_is_missing_with_apt_get(system: FakeSystem) -> None:
    system.machine(uid=0, chromium=False, pango=False)
    result = system.run()
    assert result.returncode == 0, result.stderr
    assert system.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
    ]


def test_a_user_with_passwordless_sudo_installs_through_sudo(system: FakeSystem) -> None:
    system.machine(uid=1000, chromium=False, pango=True, sudo=True)
    result = system.run()
    assert result.returncode == 0, result.stderr
    assert system.calls() == [
        "sudo -n true",
        "sudo apt-get update -qq",
        "apt-get update -qq",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
        "apt-get install -y -qq chromium",
    ]


def test_a_user_who_may_not_install_is_told_the_one_command(system: FakeSystem) -> None:
    system.machine(uid=1000, chromium=True, pango=False, sudo=False)
    result = system.run()
    assert result.returncode == 1
    assert ("sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
            in result.stderr)
    assert [call for call in system.calls() if "apt-get" in call] == []


def test_make_install_asks_only_for_pango_which_the_app_itself_needs(system: FakeSystem) -> None:
    system.machine(uid=0, chromium=False, pango=False)
    result = system.run("pango")
    assert result.returncode == 0, result.stderr
    assert system.calls() == [
        "apt-get update -qq",
        "apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
    ]


def test_pango_present_and_chromium_missing_is_enough_for_make_install(system: FakeSystem) -> None:
    system.machine(uid=1000, chromium=False, pango=True, sudo=False)
    result = system.run("pango")
    assert result.returncode == 0, result.stderr
    assert system.calls() == []
