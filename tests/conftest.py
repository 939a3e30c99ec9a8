"""Test settings: strict dtype and rank promotion, as equinox's tests run, so that jaxaug works
for users who turn them on; hypothesis kept small enough for a 2-core CI machine."""

import os

# Most of the suite's time is XLA compiling small programs; the backend's optimisation level 0
# compiles about a quarter faster (measured: 91 -> 63 CPU-s on the volume contract and policy
# tests) and keeps every result the tests check. A flag the user set wins. The README's
# reproducibility bounds are for the default level and are measured without this flag in a
# fresh process (test_contract.py).
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")

import jax  # noqa: E402  (after XLA_FLAGS, which jax reads when its backend starts)
import pytest
from hypothesis import HealthCheck, Phase, settings

jax.config.update("jax_numpy_dtype_promotion", "strict")
jax.config.update("jax_numpy_rank_promotion", "raise")

# Five draws per property keeps the suite within 12 minutes on a 2-core CI machine; they are
# new draws on every run (not derandomised), so the suite keeps exploring instead of re-checking
# five fixed inputs. HYPOTHESIS_PROFILE=thorough runs a deeper search before a release.
settings.register_profile(
    "ci",
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=50)
# HYPOTHESIS_PROFILE=triage: no shrinking, for a quick list of what fails.
settings.register_profile("triage", parent=settings.get_profile("ci"), phases=[Phase.explicit, Phase.generate])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def key():
    return jax.random.key(0)
