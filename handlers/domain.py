"""The award domain, built at boot next to the engine: its services, and its listeners subscribed.

The web layer and the command line reach the domain only through this object (as they reach the engine
through :class:`engine.Engine`), and translate HTTP, pages and arguments to its calls.
"""

from __future__ import annotations

from engine import Engine
from handlers import appointments, council_guard
from handlers.award_reports import AwardReportService
from handlers.cluster_service import ClusterService
from handlers.consultation_service import ConsultationService
from handlers.council_service import CouncilService
from handlers.decision_tables import DecisionTables
from handlers.document_template_service import DocumentTemplateService
from handlers.dossier_service import DossierService
from handlers.groups import Groups
from handlers.published_decisions import PublishedDecisions
from handlers.ruleset_service import RuleSetService
from handlers.storage import Store
from handlers.units import Units

__all__ = ["Domain"]


class Domain:
    """The domain services over one engine and one file store."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store
        self.dossiers = DossierService(engine, store)
        self.council = CouncilService(engine)
        self.consultation = ConsultationService(engine, store)
        self.published_decisions = PublishedDecisions(engine.db)
        self.reports = AwardReportService(engine.db)
        self.document_templates = DocumentTemplateService(engine)
        self.rulesets = RuleSetService(engine)
        self.decisions = DecisionTables(engine)
        self.units = Units.load()
        self.groups = Groups.load()
        self.clusters = ClusterService(engine, store, self.dossiers, self.units)
        appointments.subscribe(engine.listeners, store)
        council_guard.subscribe(engine.listeners, engine.settings.time_zone)
