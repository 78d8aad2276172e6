"""The DMN files of the deployed bundles, for the designer's decision editor: which there are, the text of one,
and the bundle a changed table is deployed in (the deployment that holds it, every other file kept), so that a
new version goes through the repository's ordinary validate and deploy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import Engine
from engine.errors import InvalidInput, NotFound
from engine.models import Deployment, Resource

__all__ = ["DecisionFile", "DecisionTables", "MAX_DMN_BYTES"]

#: the largest DMN file the editor sends (the shipped and test tables take a few KB)
MAX_DMN_BYTES = 500_000


@dataclass(frozen=True)
class DecisionFile:
    """The newest deployed copy of one DMN file."""

    name: str
    #: the decisions it defines, by name (their id where they have none)
    decisions: tuple[str, ...]
    deployed_at: datetime


class DecisionTables:
    """Reads the deployed DMN files; never writes (deploying is the repository's)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def files(self) -> list[DecisionFile]:
        """Every DMN file name with its newest deployed copy, by name."""
        with self.engine.db.reading() as session:
            newest = select(func.max(Resource.id)).where(Resource.kind == "dmn").group_by(Resource.name)
            rows = session.scalars(select(Resource).where(Resource.id.in_(newest)).order_by(Resource.name))
            return [DecisionFile(r.name, _decision_names(r.content), r.deployment.deployed_at) for r in rows]

    def source(self, name: str) -> str:
        """The newest deployed text of the DMN file ``name``; NotFound if none is deployed."""
        with self.engine.db.reading() as session:
            return _newest(session, name).content

    def taken(self, key: str) -> bool:
        """Whether a deployed file defines the decision ``key`` or is named ``key.dmn`` (a new table may be
        neither: decisions are shared across bundles, so it would silently replace the other table)."""
        with self.engine.db.reading() as session:
            named = select(Resource.id).where(Resource.kind == "dmn", Resource.name == f"{key}.dmn").limit(1)
            if session.scalars(named).first() is not None:
                return True
        return key in self.engine.repository.deployed_names().decisions

    def bundle_with(self, name: str, xml: str) -> tuple[str, dict[str, bytes]]:
        """The deployment holding the newest ``name``, with that file replaced by ``xml``: its name and files.

        InvalidInput naming ``xml`` for an empty or oversized table; NotFound for a file never deployed.
        """
        if not xml.strip():
            raise InvalidInput("bảng quyết định trống", {"xml": ["không có nội dung"]})
        if len(xml.encode()) > MAX_DMN_BYTES:
            raise InvalidInput("bảng quyết định quá lớn", {"xml": [f"không được vượt quá {MAX_DMN_BYTES // 1000} KB"]})
        with self.engine.db.reading() as session:
            deployment: Deployment = _newest(session, name).deployment
            files = {r.name: r.content.encode() for r in deployment.resources}
            files[name] = xml.encode()
            return deployment.name, files


def _decision_names(xml: str) -> tuple[str, ...]:
    """The names of a deployed file's decisions (it passed deployment's checks, so it parses)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode(), parser)
    return tuple(d.get("name") or d.get("id") or "" for d in root.iter("{*}decision"))


def _newest(session: Session, name: str) -> Resource:
    found = session.scalars(
        select(Resource).where(Resource.kind == "dmn", Resource.name == name).order_by(Resource.id.desc()).limit(1)
    ).first()
    if found is None:
        raise NotFound(f"không có bảng quyết định {name!r} đã triển khai")
    return found
