import pytest

from nnlab import budget
from nnlab.config import TrainConfig


def test_work_estimate_counts_weights_epochs_and_examples():
    c = TrainConfig(hidden_units=(10, 5), num_epochs=100)
    assert budget.estimate_work(c, 300) == 3 * 100 * 300 * (2 * 10 + 10 * 5 + 5 * 1)


def test_course_reproduction_fits_the_default_budget():
    c = TrainConfig(hidden_units=(10, 5), num_epochs=15000)
    assert budget.check_budget(c, 300) < budget.DEFAULT_MAX_WORK


def test_over_budget_run_is_a_clear_error_and_env_lifts_it():
    c = TrainConfig(hidden_units=(512,) * 40, num_epochs=1000)
    with pytest.raises(budget.BudgetError, match="billion multiply-adds.*NNLAB_MAX_WORK=inf"):
        budget.check_budget(c, 300)
    assert budget.check_budget(c, 300, limit=budget.max_work({"NNLAB_MAX_WORK": "inf"})) > 0


@pytest.mark.parametrize("raw", ["lots", "-1", "0", "nan"])
def test_bad_env_value_is_named(raw):
    with pytest.raises(ValueError, match="NNLAB_MAX_WORK"):
        budget.max_work({"NNLAB_MAX_WORK": raw})


def test_expected_train_size_matches_the_split():
    from nnlab.train import make_dataset

    for c in (TrainConfig(n_samples=301, fractions=(0.5, 0.3, 0.2)), TrainConfig(),
              TrainConfig(dataset="football")):
        assert budget.expected_train_size(c) == make_dataset(c).m_train
