"""A batch sharded over 8 simulated devices augments in place (subprocess: own device count)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def report():
    script = Path(__file__).with_name("sharded_check.py")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def by_name(report, name):
    return next(r for r in report["results"] if r["name"] == name)


def test_eight_devices_are_simulated(report):
    assert report["devices"] == 8


@pytest.mark.parametrize("name", ["xray", "ecg", "mixup_groups", "cutmix_groups", "tta"])
def test_sharded_batch_augments_in_place_without_gathering(report, name):
    r = by_name(report, name)
    assert r["same_values"] and r["output_sharded"]
    assert "all-gather" not in r["collectives"] and "all-to-all" not in r["collectives"]


def test_mixing_across_the_whole_batch_is_possible_and_correct(report):
    r = by_name(report, "mixup_batch")
    assert r["same_values"] and r["output_sharded"]
