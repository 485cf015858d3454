import numpy as np
import pytest

from pcfhub.calc import ProductSystem
from pcfhub.errors import (
    InvalidMatrixError,
    NoProductionError,
    PcfhubError,
    SingularSystemError,
)

LABELS = ["coal", "electricity", "steel"]


def build(tech, bio=([0], [0], [1.0]), **kwargs) -> ProductSystem:
    return ProductSystem.from_arrays(
        technosphere=tech, biosphere=bio, characterization=[1.0], **kwargs
    )


def test_shape_mismatch_names_the_lengths() -> None:
    with pytest.raises(InvalidMatrixError, match="same length; got 2, 1 and 2"):
        build(([0, 1], [0], [1.0, 1.0]))


def test_two_dimensional_index_array_is_refused() -> None:
    with pytest.raises(InvalidMatrixError, match="one-dimensional"):
        build((np.zeros((2, 2)), [0, 1], [1.0, 1.0]))


def test_index_outside_the_system_names_the_entry() -> None:
    with pytest.raises(InvalidMatrixError, match=r"outside 0\.\.2.*entry 3 with index 7"):
        build(([0, 1, 2, 7], [0, 1, 2, 0], [1, 1, 1, -1]), process_labels=LABELS)


def test_nan_value_names_the_process() -> None:
    with pytest.raises(InvalidMatrixError, match="NaN or infinite.*'steel'"):
        build(([0, 1, 2, 0], [0, 1, 2, 2], [1, 1, 1, np.inf]), process_labels=LABELS)


def test_process_without_production_is_named() -> None:
    with pytest.raises(NoProductionError, match="'electricity' \\(#1\\)"):
        build(([0, 2, 0], [0, 2, 1], [1.0, 1.0, -1.0]), process_labels=LABELS)


def test_production_cancelled_by_duplicates_counts_as_missing() -> None:
    with pytest.raises(NoProductionError, match="#0"):
        build(([0, 0], [0, 0], [1.0, -1.0]), n_processes=1)


def test_singular_loop_names_its_processes() -> None:
    # Coal and electricity each consume the other's entire output: no net product.
    tech = ([0, 1, 2, 0, 1], [0, 1, 2, 1, 0], [1.0, 1.0, 1.0, -1.0, -1.0])
    system = build(tech, process_labels=LABELS)
    with pytest.raises(
        SingularSystemError, match="'coal' \\(#0\\), 'electricity' \\(#1\\)"
    ) as error:
        system.factorize()
    assert "steel" not in str(error.value)
    assert error.value.status == 422


def test_biosphere_and_characterization_checks() -> None:
    with pytest.raises(InvalidMatrixError, match="Biosphere.*row index"):
        build(([0], [0], [1.0]), bio=([3], [0], [1.0]), n_flows=1)
    with pytest.raises(InvalidMatrixError, match="2 factors for 1 flows"):
        ProductSystem.from_arrays(
            technosphere=([0], [0], [1.0]), biosphere=([0], [0], [1.0]), characterization=[1, 2]
        )
    with pytest.raises(InvalidMatrixError, match="Unknown flow origins"):
        build(([0], [0], [1.0]), flow_origins=["geothermal"])
    with pytest.raises(InvalidMatrixError, match="process_labels has 2 items"):
        build(([0], [0], [1.0]), process_labels=["a", "b"], n_processes=1)


def test_every_error_is_a_pcfhub_error_with_a_status() -> None:
    for cls in (InvalidMatrixError, NoProductionError, SingularSystemError):
        assert issubclass(cls, PcfhubError)
        assert 400 <= cls.status < 500


def test_many_processes_are_summarised_in_messages() -> None:
    n = 15
    with pytest.raises(NoProductionError, match="#10 and 4 more"):
        build(([0], [0], [1.0]), n_processes=n)


def test_non_integer_or_text_indices_are_refused() -> None:
    with pytest.raises(InvalidMatrixError, match="whole-number"):
        build(([0.5], [0], [1.0]), n_processes=1)
    with pytest.raises(InvalidMatrixError, match="whole-number"):
        build((["a"], [0], [1.0]), n_processes=1)
    # Whole floats are accepted as indices.
    assert build(([0.0], [0.0], [2.0])).n_processes == 1


def test_singular_large_loop_is_named() -> None:
    # 70 processes in a ring, each consuming the whole output of the next: the dense core.
    n = 70
    ring = np.arange(n)
    system = build(
        (
            np.concatenate([ring, (ring + 1) % n]),
            np.concatenate([ring, ring]),
            np.concatenate([np.ones(n), -np.ones(n)]),
        ),
        bio=([0], [0], [1.0]),
    )
    with pytest.raises(SingularSystemError, match="#0, #1, .* and 60 more"):
        system.factorize()


def test_solver_paths_agree() -> None:
    from pcfhub.calc.synthetic import synthetic_system

    syn = synthetic_system(1500, seed=4)
    system = syn.product_system()
    lca = system.factorize()
    a, b = lca.factorization.bounds
    assert b - a == lca.factorization.loop_sizes[0] > 64
    rhs = np.random.default_rng(0).random((1500, 3))
    matrix = system.technosphere_matrix
    np.testing.assert_allclose(matrix @ lca.factorization.solve(rhs), rhs, atol=1e-10)
    np.testing.assert_allclose(matrix.T @ lca.factorization.solve_transposed(rhs), rhs, atol=1e-10)
    np.testing.assert_allclose(matrix @ lca.factorization.solve(rhs[:, 0]), rhs[:, 0], atol=1e-10)
