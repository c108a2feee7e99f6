"""`rapport.html`: the French evidence report, one self-contained page (inline CSS, screenshots
embedded), built from the scenario results and the journal records, never from logs.

Per requirement: the verdict and the scenarios that verify it; per scenario: the steps, each exchange
pretty-printed (SOAP indented, certificates summarised), the findings with the rule that produced
them and their requirement ids, and the screenshots; for the run: the fidelity of every operation
touched and the bench version.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from reports.evidence import BodyStore
from reports.model import (
    RESULT_LABELS_FR,
    Attachment,
    ExchangeRecord,
    FindingRecord,
    RunResults,
    ScenarioResult,
    Screenshot,
)
from reports.pretty import RenderedBody, render_body
from reports.verdict import requirement_verdict, run_verdict

PARIS = ZoneInfo("Europe/Paris")
FIDELITY_LABELS_FR = {
    "public-spec": "spécification publique",
    "bench-contract": "contrat du banc (simulé)",
}
SEVERITY_LABELS_FR = {"error": "erreur", "warning": "avertissement", "info": "information"}
MAX_SCREENSHOT_BYTES = 5_000_000


@dataclass(frozen=True)
class RequirementInfo:
    """What the report shows of a REM row; `known` False when the catalogue has no such id."""

    bench_id: str
    title: str
    obligation: str
    theme: str
    known: bool = True


RequirementLookup = Callable[[str], RequirementInfo]


def catalogue_lookup(bench_id: str) -> RequirementInfo:
    """Titles from the REM catalogue (scenarios.rem); an unknown id is shown, flagged."""
    from scenarios.rem import RemCatalogueError, UnknownRequirement, get_row

    try:
        row = get_row(bench_id)
    except (UnknownRequirement, RemCatalogueError):
        return RequirementInfo(bench_id, "exigence absente du catalogue REM", "?", "?", known=False)
    return RequirementInfo(row.bench_id, row.title_fr, row.obligation, row.theme)


@dataclass
class MessageView:
    label: str
    line: str
    headers: dict[str, str]
    body: RenderedBody
    raw_file: str | None


@dataclass
class ExchangeView:
    record: ExchangeRecord
    anchor: str
    title: str
    fidelity: str | None
    request: MessageView
    response: MessageView
    findings: list[FindingRecord]


@dataclass
class ScreenshotView:
    shot: Screenshot
    data_uri: str | None
    note: str | None


@dataclass
class AttachmentView:
    attachment: Attachment
    link: str | None  # relative to the run directory, None when the file is absent
    note: str | None


@dataclass
class ScenarioView:
    scenario: ScenarioResult
    anchor: str
    exchanges: list[ExchangeView]
    screenshots: list[ScreenshotView]
    findings: list[tuple[ExchangeView, FindingRecord]]
    missing_exchanges: list[str] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)

    @property
    def specimen(self) -> bool:
        """The scenario's proof rests on a bench specimen: not probatory."""
        return any(view.attachment.specimen for view in self.attachments)


@dataclass
class RequirementView:
    info: RequirementInfo
    verdict: str
    scenarios: list[ScenarioView]

    @property
    def specimen(self) -> bool:
        return any(view.specimen for view in self.scenarios)


@dataclass
class OperationView:
    service: str
    operation: str
    fidelity: str | None
    exchanges: int


def _paris(value: datetime) -> str:
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paris"] = _paris
    env.filters["seconds"] = _seconds
    env.globals["RESULT"] = RESULT_LABELS_FR
    env.globals["FIDELITY"] = FIDELITY_LABELS_FR
    env.globals["SEVERITY"] = SEVERITY_LABELS_FR
    return env


class _Builder:
    def __init__(self, results: RunResults, records: Iterable[ExchangeRecord], run_dir: Path) -> None:
        self.results = results
        self.records = {record.id: record for record in records}
        self.run_dir = run_dir
        self.bodies = BodyStore(run_dir)
        self.fidelity = {
            (service, operation): level
            for service, ops in results.services.items()
            for operation, level in ops.operations.items()
        }

    def message(self, record: ExchangeRecord, which: str) -> MessageView:
        message = record.request if which == "request" else record.response
        sha = message.body_sha256
        data = self.bodies.read(sha) if sha else None
        body = render_body(data, message.content_type())
        if sha and data is None:
            body.note = "corps absent du dossier du run"
        raw = self.bodies.path(sha) if sha else None
        if which == "request":
            label = "Requête"
            line = " ".join(x for x in (message.method, message.path) if x)
        else:
            label = "Réponse"
            # APDUs and connection records have a body but no HTTP status.
            no_status = "" if sha else "sans réponse"
            line = f"statut {message.status}" if message.status is not None else no_status
        relative = raw.relative_to(self.run_dir).as_posix() if raw is not None else None
        return MessageView(label, line, message.headers, body, relative)

    def exchange(self, record: ExchangeRecord) -> ExchangeView:
        request, response = self.message(record, "request"), self.message(record, "response")
        parts = [record.service, record.operation or "opération non reconnue"]
        if record.response.status is not None:
            parts.append(str(record.response.status))
        if response.body.soap_fault:
            parts.append(f"faute SOAP {response.body.soap_fault}")
        fidelity = self.fidelity.get((record.service, record.operation or ""))
        return ExchangeView(
            record,
            f"echange-{record.id}",
            " · ".join(parts),
            fidelity,
            request,
            response,
            record.findings,
        )

    def screenshot(self, shot: Screenshot) -> ScreenshotView:
        if shot.file is None:
            return ScreenshotView(shot, None, shot.note or "capture non disponible pour cette cible")
        path = (self.run_dir / shot.file).resolve()
        if not path.is_relative_to(self.run_dir.resolve()) or not path.is_file():
            return ScreenshotView(shot, None, f"fichier de capture absent : {shot.file}")
        data = path.read_bytes()
        if len(data) > MAX_SCREENSHOT_BYTES:
            return ScreenshotView(shot, None, f"capture trop lourde pour être incluse : {shot.file}")
        encoded = base64.b64encode(data).decode("ascii")
        return ScreenshotView(shot, f"data:image/png;base64,{encoded}", shot.note)

    def attachment(self, attachment: Attachment) -> AttachmentView:
        if attachment.file is None:
            return AttachmentView(attachment, None, attachment.note or "pièce non conservée")
        path = (self.run_dir / attachment.file).resolve()
        if not path.is_relative_to(self.run_dir.resolve()) or not path.is_file():
            return AttachmentView(attachment, None, f"fichier de la pièce absent : {attachment.file}")
        return AttachmentView(attachment, attachment.file, attachment.note)

    def scenario(self, index: int, scenario: ScenarioResult) -> ScenarioView:
        exchanges = []
        missing = []
        for exchange_id in scenario.exchange_ids:
            record = self.records.get(exchange_id)
            if record is None:
                missing.append(exchange_id)
            else:
                exchanges.append(self.exchange(record))
        exchanges.sort(key=lambda view: view.record.started_at)
        findings = [(view, finding) for view in exchanges for finding in view.findings]
        shots = [self.screenshot(shot) for shot in scenario.screenshots]
        attachments = [self.attachment(item) for item in scenario.attachments]
        return ScenarioView(scenario, f"scenario-{index}", exchanges, shots, findings, missing, attachments)

    def operations(self, views: Iterable[ScenarioView]) -> list[OperationView]:
        touched: dict[tuple[str, str], int] = {}
        for view in views:
            for exchange in view.exchanges:
                key = (exchange.record.service, exchange.record.operation or "")
                touched[key] = touched.get(key, 0) + 1
        return [
            OperationView(service, operation, self.fidelity.get((service, operation)), count)
            for (service, operation), count in sorted(touched.items())
        ]


def build_html(
    results: RunResults,
    records: Iterable[ExchangeRecord],
    run_dir: Path,
    *,
    lookup: RequirementLookup = catalogue_lookup,
) -> str:
    builder = _Builder(results, records, run_dir)
    scenarios = [builder.scenario(i, s) for i, s in enumerate(results.scenarios, start=1)]
    requirements: dict[str, list[ScenarioView]] = {}
    for view in scenarios:
        for requirement in view.scenario.requirement_ids:
            requirements.setdefault(requirement, []).append(view)
    requirement_views = [
        RequirementView(lookup(rid), requirement_verdict([v.scenario.result for v in views]), views)
        for rid, views in sorted(requirements.items())
    ]
    unlinked = [view for view in scenarios if not view.scenario.requirement_ids]
    template = _environment().get_template("rapport.html")
    return template.render(
        results=results,
        counts=results.counts(),
        verdict=run_verdict([s.result for s in results.scenarios]),
        requirements=requirement_views,
        scenarios=scenarios,
        unlinked=unlinked,
        operations=builder.operations(scenarios),
        bench_contract=any(
            level == "bench-contract" for op in builder.operations(scenarios) for level in [op.fidelity]
        ),
        specimen=any(view.specimen for view in scenarios),
    )
