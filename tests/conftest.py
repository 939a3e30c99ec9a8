"""Test settings: strict dtype and rank promotion, as equinox's tests run, so that jaxaug works
for users who turn them on; hypothesis kept small enough for a 2-core CI machine."""

import os


import jax
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
