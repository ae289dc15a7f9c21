"""The agent: turns a goal into connector tool calls, runs them as jobs, and reports each step.

Planning is deterministic by default; with an LLM configured the model chooses from the same tool
list (function calling), and whatever it returns is validated against that list before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from common.connectors.base import TOOL_JOB_TYPES, ConnectorRegistry
from common.core.service import publish_ingest
from common.errors import InvalidRequest
from common.models import AgentResult, AgentRunRequest, JobStatus, JobType, PlanStep, ToolSpec
from common.ports import LLM, Database, LLMToolCall, Publisher

DEFAULT_MONTHS = 12
_MONTHS = re.compile(r"(\d{1,3})\s*(?:months?|mo\b)", re.IGNORECASE)
_YEARS = re.compile(r"(\d{1,2})\s*years?", re.IGNORECASE)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "six": 6, "twelve": 12, "eighteen": 18, "twenty-four": 24}


def deterministic_plan(goal: str, tools: Sequence[ToolSpec]) -> list[LLMToolCall]:
    """Read the goal's window and data kinds; ask for both kinds when it names neither."""
    text = goal.lower()
    months = DEFAULT_MONTHS
    if match := _MONTHS.search(text):
        months = int(match.group(1))
    elif match := _YEARS.search(text):
        months = 12 * int(match.group(1))
    else:
        for word, value in _WORD_NUMBERS.items():
            if re.search(rf"\b{word}\s+months?\b", text):
                months = value
    months = max(1, min(months, 120))
    wants_bills = "bill" in text or "invoice" in text or "statement" in text
    wants_intervals = any(w in text for w in ("interval", "usage", "green button", "meter data", "load"))
    available = {t.name for t in tools}
    names = [n for n, wanted in (("fetch_bills", wants_bills), ("fetch_intervals", wants_intervals)) if wanted]
    if not names:
        names = ["fetch_bills", "fetch_intervals"]
    return [LLMToolCall(name=n, arguments={"months": months}) for n in names if n in available]


def _validated_step(call: LLMToolCall, tools: Sequence[ToolSpec]) -> PlanStep:
    if call.name not in {t.name for t in tools}:
        raise InvalidRequest(f"planner chose unknown tool {call.name!r}", "agent_bad_plan")
    arguments: dict[str, Any] = {}
    months = call.arguments.get("months", DEFAULT_MONTHS)
    try:
        arguments["months"] = max(1, min(int(months), 120))
    except (TypeError, ValueError):
        raise InvalidRequest(f"planner gave months={months!r}", "agent_bad_plan") from None
    if since := call.arguments.get("since_date"):
        try:
            arguments["since_date"] = date.fromisoformat(str(since)).isoformat()
        except ValueError:
            raise InvalidRequest(f"planner gave since_date={since!r}", "agent_bad_plan") from None
    return PlanStep(tool=call.name, arguments=arguments, reason=f"{call.name} for the goal")


def run_agent(
    db: Database,
    publisher: Publisher,
    topic: str,
    registry: ConnectorRegistry,
    llm: LLM | None,
    body: AgentRunRequest,
) -> AgentResult:
    account = db.get_account(body.utility_account_id)
    tools = registry.for_provider(account.provider).tools()
    if llm is not None:
        planner = llm.name
        calls = llm.plan(body.goal, {"provider": account.provider, "account_id": account.id}, tools)
    else:
        planner = "deterministic"
        calls = deterministic_plan(body.goal, tools)
    steps = [_validated_step(c, tools) for c in calls]
    if not steps:
        raise InvalidRequest("the planner found nothing to do for this goal", "agent_empty_plan")
    agent_job, _ = db.create_job(account, JobType.AGENT)
    db.transition_job(agent_job.id, [JobStatus.PENDING], JobStatus.RUNNING)
    for step in steps:
        since = date.fromisoformat(step.arguments["since_date"]) if "since_date" in step.arguments else None
        child, _ = db.create_job(account, TOOL_JOB_TYPES[step.tool], since)
        publish_ingest(publisher, topic, child, account, step.arguments["months"])
        step.outcome = {"job_id": child.id, "status": child.status.value}
    db.save_agent_run(agent_job.id, body.goal, planner, steps)
    return agent_result(db, agent_job.id)


_SEVERITY = {JobStatus.SUCCEEDED: 0, JobStatus.NEEDS_REVIEW: 1, JobStatus.FAILED: 2}


def agent_result(db: Database, job_id: str) -> AgentResult:
    """Each step's outcome is its job's; the agent's job ends with its worst step."""
    job = db.get_job(job_id)
    if job.job_type is not JobType.AGENT:
        raise InvalidRequest(f"job {job_id} is not an agent run", "not_an_agent_job")
    goal, planner, plan = db.get_agent_run(job_id)
    finals: list[JobStatus] = []
    for step in plan:
        child = db.get_job(step.outcome["job_id"])
        step.outcome = {
            "job_id": child.id,
            "status": child.status.value,
            "artifacts": len(db.list_job_artifacts(child.id)),
            "errors": [e.model_dump(mode="json") for e in child.errors],
        }
        if child.status.terminal:
            step.status = "failed" if child.status is JobStatus.FAILED else "done"
            finals.append(child.status)
    status = job.status
    if len(finals) == len(plan) and not status.terminal:
        target = max(finals, key=_SEVERITY.__getitem__)
        db.transition_job(job_id, [JobStatus.RUNNING, JobStatus.PENDING], target)
        status = db.get_job(job_id).status
    return AgentResult(
        job_id=job_id, utility_account_id=job.utility_account_id, goal=goal, planner=planner, status=status, plan=plan
    )
