"""The numeric core: sparse matrices in, frozen footprint results out.

Imports nothing of pcfhub but its error classes; no database, web or file code.
"""

from pcfhub.calc.contributions import Contribution
from pcfhub.calc.matrices import MatrixEntries
from pcfhub.calc.results import FootprintResult, ProcessFootprints
from pcfhub.calc.solver import FALLBACK_SOLVER, SOLVER, Factorization
from pcfhub.calc.system import FLOW_ORIGINS, Lca, ProductSystem

__all__ = [
    "FALLBACK_SOLVER",
    "FLOW_ORIGINS",
    "SOLVER",
    "Contribution",
    "Factorization",
    "FootprintResult",
    "Lca",
    "MatrixEntries",
    "ProcessFootprints",
    "ProductSystem",
]
