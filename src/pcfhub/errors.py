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


class ConfigurationError(PcfhubError):
    """Settings that are missing, malformed or unsafe for the environment they run in."""

    status = 500
    title = "Configuration error"


class NotFoundError(PcfhubError):
    """An object that does not exist, or that the caller may not know exists."""

    status = 404
    title = "Not found"


class ConflictError(PcfhubError):
    """A change that clashes with the stored state (a duplicate name, a stale version)."""

    status = 409
    title = "Conflict"


class AuthenticationError(PcfhubError):
    """Missing, wrong, expired or revoked credentials."""

    status = 401
    title = "Authentication required"


class AccountLockedError(AuthenticationError):
    """Too many failed sign-ins in a row; the account is locked for a while."""

    status = 429
    title = "Account locked"


class UpstreamError(PcfhubError):
    """Another system pcfhub called (a PACT partner) failed or refused."""

    title = "Partner system error"
    status = 502


class PermissionDeniedError(PcfhubError):
    """The caller is known but its role or grants do not allow the action."""

    status = 403
    title = "Permission denied"


class CsrfError(PermissionDeniedError):
    """A form post whose CSRF token is missing or does not match the session."""

    title = "CSRF check failed"


class LedgerError(PcfhubError):
    """The tamper-evident ledger does not verify: a proof, signature or entry is wrong."""

    status = 409
    title = "Ledger verification failed"


class InvalidProofError(LedgerError):
    """An inclusion or consistency proof that does not lead to the signed root hash."""

    status = 422
    title = "Invalid Merkle proof"


class InvalidSignatureError(LedgerError):
    """A signed tree head whose Ed25519 signature does not verify with the public key."""

    status = 422
    title = "Invalid signature"
