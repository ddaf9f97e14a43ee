"""The whole API against its own OpenAPI document (schemathesis, all checks), as an applicant,
a window clerk, a supervisor and unauthenticated; bounded (a few examples per operation) so
the suite stays within minutes on two cores.

One check is configured: a schema-valid request may also be answered 400 (positive data
acceptance), because some rules cannot be written in a schema — which channel a role may file
through, whether a date like 2026-02-30 exists, whether a code is in the catalogue. Every such
400 is still checked against the documented error schema; a 5xx or an undocumented status
fails."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from onewindow.accounts.services import issue_token
from onewindow.cases.tests.factories import make_world

EXAMPLES = 6


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's WSGI handler closes the connection when a request finishes, which would end the
    test's transaction; the test client disconnects the same signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db):
    w = make_world()
    tokens = {name: issue_token(user) for name, user in
              (("applicant", w.citizen), ("clerk", w.clerk), ("supervisor", w.supervisor))}
    return {"anonymous": {}, **{name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}}


# The OpenAPI document is read once, at collection (it touches no database).
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                     phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(db, case, callers):
    for headers in callers.values():
        case.call_and_validate(headers=headers)
