"""The files of a data package, whether a zip archive or a folder, read the same way."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pcfhub.errors import DataFileError

MAX_MEMBER_BYTES = 256 * 1024 * 1024  # one file of a package, uncompressed
MAX_MEMBERS = 200_000


@dataclass(frozen=True)
class Package:
    """A zip file or a folder; member names are POSIX paths relative to its root."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def members(self) -> list[str]:
        if self.path.is_dir():
            names = [
                p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()
            ]
        elif zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
        elif self.path.exists():
            return [self.path.name]  # a single file
        else:
            raise DataFileError(f"{self.path}: no such file or folder.")
        if len(names) > MAX_MEMBERS:
            raise DataFileError(f"{self.name}: more than {MAX_MEMBERS} files.")
        return sorted(names)

    def read(self, member: str) -> bytes:
        if self.path.is_dir():
            target = (self.path / member).resolve()
            if self.path.resolve() not in target.parents:
                raise DataFileError(f"{self.name}: {member} lies outside the folder.")
            return target.read_bytes()
        if not zipfile.is_zipfile(self.path):
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            info = archive.getinfo(member)
            if info.file_size > MAX_MEMBER_BYTES:
                raise DataFileError(
                    f"{self.name}, {member}: {info.file_size} bytes uncompressed, more than "
                    f"{MAX_MEMBER_BYTES}."
                )
            return archive.read(info)

    def iter_read(self, members: list[str]) -> Iterator[tuple[str, bytes]]:
        """(name, bytes) of each member, opening a zip once."""
        if self.path.is_dir() or not zipfile.is_zipfile(self.path):
            for member in members:
                yield member, self.read(member)
            return
        with zipfile.ZipFile(self.path) as archive:
            for member in members:
                info = archive.getinfo(member)
                if info.file_size > MAX_MEMBER_BYTES:
                    raise DataFileError(
                        f"{self.name}, {member}: {info.file_size} bytes uncompressed, more than "
                        f"{MAX_MEMBER_BYTES}."
                    )
                yield member, archive.read(info)


def folder_of(member: str) -> str:
    """The top folder of a member ("processes/x.json" → "processes"), ignoring a wrapping
    folder some zips add ("USLCI/processes/x.json" → "processes")."""
    parts = PurePosixPath(member).parts
    return parts[-2] if len(parts) >= 2 else ""
