"""One root error for pcfhub, with exact subclasses.

Every error carries the HTTP status an API would answer with, so that one handler can turn any
of them into an RFC 9457 problem body. Messages say what is wrong, where, and what to do.
"""

from __future__ import annotations


class PcfhubError(Exception):
    """Root of every error pcfhub raises on purpose."""

    status: int = 500
    title: str = "Internal error"


class InvalidInputError(PcfhubError):
    """Input that can never be processed as given (wrong shape, type, or value)."""

    status = 422
    title = "Invalid input"


class UnitError(InvalidInputError):
    """An amount whose unit is unknown or cannot be converted to the unit asked for."""

    title = "Unit error"


class InvalidMatrixError(InvalidInputError):
    """Matrix index or value arrays that do not describe a valid product system."""

    title = "Invalid product system matrices"


class NoProductionError(InvalidMatrixError):
    """A process produces nothing: its diagonal entry in the technosphere matrix is zero."""

    title = "Process without production"


class SingularSystemError(InvalidMatrixError):
    """The technosphere matrix cannot be solved: some processes only consume each other."""

    title = "Singular product system"


class InvalidDemandError(InvalidInputError):
    """A demand that names no process of the system, or holds no finite amounts."""

    title = "Invalid demand"


class InvalidUncertaintyError(InvalidInputError):
    """Distribution parameters that do not define a distribution."""

    title = "Invalid uncertainty"


class ConvergenceError(PcfhubError):
    """An iterative calculation did not reach the accuracy it promised."""

    status = 500
    title = "Calculation did not converge"


class DataFileError(PcfhubError):
    """A shipped or imported data file is malformed; the message names the file and field."""

    status = 422
    title = "Malformed data file"
