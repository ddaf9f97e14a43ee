"""Every write on cases, in one place to import from: filing (cases.filing) and the state-machine
actions (cases.actions, declared in cases.transitions).

Each public function runs in one transaction. An action locks the case row, checks the
transition table, the actor's role and scope, applies the change, appends a CaseEvent and
an audit entry. Deadlines are computed by `workdays` and stored on the case.
"""

from .actions import perform
from .bundles import accept_bundle
from .filing import bundle_materials, file_bundle, file_case
from .signals import case_changed

__all__ = ["accept_bundle", "bundle_materials", "case_changed", "file_bundle", "file_case", "perform"]
