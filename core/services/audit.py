"""Reading and verifying the audit chain."""

from __future__ import annotations

from core.audit import ChainReport, verify_chain
from core.models import User
from core.permissions import Action, require
from core.services.base import Service


class AuditService(Service):
    """Supervisors and admins check that nobody rewrote the record."""

    def verify(self, actor: User) -> ChainReport:
        """Recompute every link of the chain; the first bad entry is reported."""
        require(actor, Action.VIEW_AUDIT)
        return verify_chain(self.store.audit.entries())
