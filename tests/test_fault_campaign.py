"""The fault campaign (tests/fault_campaign.py): every API call clew makes ×
500, 502, 403 secondary rate limit, 429, 404, timeout, truncated JSON. For each:
no crash, the documented exit code, never a duplicate comment or note, never a
lost or doubled report commit; a transient fault is retried to the full result,
and a lasting one is reported to the user."""

from __future__ import annotations

import pytest

from tests.fault_campaign import CALLS, FAULTS, Call, run_case, transient

pytestmark = pytest.mark.slow  # minutes, not seconds: `pytest -m 'not slow'` leaves it out


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.surface}-{c.name}".replace(" ", "-"))
def test_fault(call: Call, fault: str) -> None:
    outcome = run_case(call, fault)
    assert not outcome.traceback
    assert outcome.sticky <= 1, "a duplicate comment or note"
    assert outcome.report_commits <= 1, "a doubled report commit"
    if call.surface.endswith("check"):
        assert outcome.code == 0, "checks fail open on API errors (on_api_error: warn) and the default pack only warns"
    else:
        assert outcome.code in (0, 2), "a report that cannot be read or committed exits 2, with nothing committed"
    if transient(call.surface, fault):
        assert outcome.expected_writes_done, "a transient fault is retried until the result is complete"
        assert outcome.code == 0
    else:
        assert outcome.expected_writes_done or outcome.told, "the user is told what was incomplete"
