"""Everything about statuses lives in consultations.workflow: no other module or template compares a status with a
literal, and the rules it states hold."""

import re
from pathlib import Path

from consultations import workflow
from consultations.enums import Status
from consultations.workflow import Party

ROOT = Path(__file__).resolve().parents[2]
STATUS_VALUES = "|".join(status.value for status in Status)
# A status compared, assigned or listed as a string: `== "closed"`, `status="draft"`, `in ("answered", ...`.
PY_LITERAL = re.compile(
    rf"""((==|!=|\bin\b\s*[(\[{{]?|status\w*\s*=)\s*["']({STATUS_VALUES})["'])|(["']({STATUS_VALUES})["']\s*(==|!=|,))"""
)
TEMPLATE_COMPARISON = re.compile(rf"""status\s*(==|!=|in)\s*["']({STATUS_VALUES})["']""")


def _python_files():
    for app in ("consultations", "accounts", "municipalities", "specialists", "notifications", "dxshare", "demo"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name in ("enums.py", "workflow.py"):
                continue
            yield path


def test_no_status_literal_outside_the_workflow():
    offenders = []
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if PY_LITERAL.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEMPLATE_COMPARISON.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "status literals outside consultations.workflow:\n" + "\n".join(offenders)


def test_every_status_reads_for_every_side_and_every_action_has_a_rule():
    for status in Status:
        for parties in ({Party.REQUESTER}, {Party.ASSIGNEE}, {Party.CENTRE}, set()):
            state = workflow.viewer_state(status, parties)
            assert state.label and state.turn in workflow.Turn.values
            for action in workflow.status_actions(status, parties):
                assert workflow.allowed(status, action.to_status, parties)
                assert action.needs_reason == workflow.reason_required(status, action.to_status)
                assert workflow.action_for(status, action.kind, parties) == action
                # Withdrawing, closing without an answer and reopening always ask for a reason.
                assert action.needs_reason


def test_the_reply_buttons_only_offer_what_the_table_allows():
    for status in Status:
        for parties in ({Party.REQUESTER}, {Party.ASSIGNEE}, {Party.CENTRE}):
            buttons = workflow.reply_buttons(status, parties)
            assert buttons[0].then == "" and sum(b.primary for b in buttons) == 1
            for button in buttons[1:]:
                assert workflow.statuses_after_reply(status, parties, button.then)[-1] == button.then
    assert [b.then for b in workflow.reply_buttons(Status.ROUTED, {Party.REQUESTER})] == [""]


def test_replies_move_the_request_as_the_table_allows():
    for status in Status:
        for parties in ({Party.REQUESTER}, {Party.ASSIGNEE}, {Party.CENTRE}):
            for then in ("", Status.WAITING, Status.ANSWERED):
                current = status
                for step in workflow.statuses_after_reply(status, parties, then):
                    assert workflow.allowed(current, step, parties), (status, parties, then, step)
                    current = step


def test_hand_back_is_the_assignees_alone():
    for status in workflow.WORKLOAD_STATUSES:
        assert workflow.may_hand_back(status, {Party.ASSIGNEE})
        assert not workflow.may_hand_back(status, {Party.CENTRE, Party.REQUESTER})
        assert workflow.reason_required(status, Status.SUBMITTED)
    assert not workflow.may_hand_back(Status.ANSWERED, {Party.ASSIGNEE})
    assert not workflow.may_hand_back(Status.DRAFT, {Party.ASSIGNEE, Party.REQUESTER})
