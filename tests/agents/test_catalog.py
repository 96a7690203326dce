"""The built-in agent catalog: every persona, its schema, the loader and the chains."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

from luna.agents.catalog import (
    PRESET_CHAINS,
    REQUIRED_SECTIONS,
    Catalog,
    CatalogAgent,
    CatalogError,
    builtin_catalog_directory,
    instruction_sections,
    load_catalog,
    read_catalog,
)
from luna.cli.agents import catalog_markdown_table
from luna.errors import NotFound

# The catalog table of the product brief: slug, name, category, plan, artifact, purpose.
# The task executor's artifact is the planner's implementation-plan.md, updated in place
# (the brief's "updated implementation-plan.md").
CATALOG_TABLE = [
    ("code-review", "Code Review", "quality", "starter", "code-review-report.md",
     "bugs, security flaws (injection, XSS, CSRF, auth bypass), performance (N+1, leaks), smells"),
    ("testing-validation", "Testing and Validation", "quality", "starter",
     "test-validation-report.md",
     "unit, integration and end-to-end test suites; validation against requirements"),
    ("documentation", "Documentation", "ship", "starter", "docs/", "API docs, README, guides"),
    ("deployment", "Deployment", "ship", "starter", "deployment-report.md",
     "CI/CD pipelines, containers, cloud deploy scripts, rollback"),
    ("requirements-analyzer", "Requirements Analyzer", "build", "starter", "requirements.md",
     "analyse and structure requirements into specs with stable ids and acceptance criteria"),
    ("design-architect", "Design Architect", "build", "starter", "design.md",
     "architecture, components, data flow, data models"),
    ("auth", "Authentication and Authorization", "quality", "growth", "auth-plan.md",
     "JWT, OAuth, sessions, RBAC"),
    ("database", "Database Schema and Migrations", "build", "growth", "database-plan.md",
     "schema design, migrations, query optimisation"),
    ("api-generator", "REST API Generator", "build", "growth", "api-design.md",
     "REST API scaffolding with OpenAPI"),
    ("cloudflare", "Cloudflare Deployment", "ship", "growth", "cloudflare-deployment.md",
     "Workers, D1, Pages, R2, domains"),
    ("docker", "Docker", "ship", "growth", "dockerization-plan.md",
     "containerisation, compose, multi-stage builds"),
    ("lemonsqueezy", "LemonSqueezy Integration", "ship", "growth", "billing-integration.md",
     "payments, SaaS billing, webhooks"),
    ("openai-app", "OpenAI App Generator", "intelligence", "growth", "openai-app-plan.md",
     "chat, assistants, embeddings, function calling apps"),
    ("365-security", "Microsoft 365 Security", "quality", "growth", "security-review.md",
     "zero trust, Entra ID, BFF session auth"),
    ("monitoring-observability", "Monitoring and Observability", "ship", "growth",
     "monitoring-observability-report.md", "monitoring, logging, alerting, dashboards"),
    ("post-launch-review", "Post-Launch Review", "ship", "growth", "post-launch-review.md",
     "production readiness and first-week audit"),
    ("rag-enhanced", "RAG Enhanced", "intelligence", "growth", "context-analysis.md",
     "context-aware code analysis through retrieval"),
    ("glm-vision", "GLM Vision", "build", "growth", "visual-analysis.md",
     "visual reasoning on screenshots, diagrams, UI mock-ups (vision models such as GLM-4.5V)"),
    ("rag", "RAG Builder", "intelligence", "growth", "rag-plan.md",
     "retrieval pipelines: chunk, embed, store, retrieve"),
    ("seo", "SEO and Performance", "intelligence", "growth", "seo-report.md",
     "meta tags, structured data, sitemap, Core Web Vitals"),
    ("hig", "Apple HIG Designer", "design", "growth", "hig-analysis.md",
     "Human Interface Guidelines compliance, accessibility"),
    ("ui-fix", "UI Fixer", "quality", "growth", "ui-fix-report.md",
     "CSS, layout, responsive and accessibility fixes"),
    ("ui-test", "UI/UX Testing", "quality", "growth", "ui-test-report.md",
     "visual regression, component and end-to-end UI tests with Playwright"),
    ("user-guide", "User Guide Generator", "design", "growth", "user-guide/",
     "end-user documentation (HTML and PDF)"),
    ("analytics", "Analytics and Monitoring", "intelligence", "growth", "analytics-plan.md",
     "product analytics and error tracking set-up"),
    ("task-planner", "Task Planner", "build", "growth", "implementation-plan.md",
     "ordered, dependency-tracked tasks of 1-4 hours from a design"),
    ("task-executor", "Task Executor", "build", "growth", "implementation-plan.md",
     "carries out the next open task of a plan and ticks it"),
    ("run", "Run and Test", "meta", "growth", "run-report.md",
     "runs the dev server and the tests, quick prototyping"),
]  # fmt: skip

STARTER_AGENTS = {
    "code-review",
    "testing-validation",
    "documentation",
    "deployment",
    "requirements-analyzer",
    "design-architect",
}

EXPECTED_CHAINS = {
    "full-review": ("code-review", "testing-validation", "documentation"),
    "new-feature": ("requirements-analyzer", "design-architect", "task-planner", "task-executor"),
    "deploy": ("code-review", "testing-validation", "deployment"),
    "security-audit": ("365-security", "code-review"),
    "api-design": ("api-generator", "database", "documentation"),
}

SLUGS = [row[0] for row in CATALOG_TABLE]
DOCS = Path(__file__).parents[2] / "docs" / "catalog.md"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_persona_file_validates_and_the_slugs_are_the_table(catalog: Catalog) -> None:
    files = sorted(
        p.name for p in builtin_catalog_directory().iterdir() if p.name.endswith(".yaml")
    )
    assert files == sorted(f"{slug}.yaml" for slug in SLUGS)
    assert len(catalog) == 28
    assert [agent.slug for agent in catalog] == sorted(SLUGS)


@pytest.mark.parametrize(("slug", "name", "category", "plan", "artifact", "purpose"), CATALOG_TABLE)
def test_persona_matches_the_catalog_table(
    catalog: Catalog, slug: str, name: str, category: str, plan: str, artifact: str, purpose: str
) -> None:
    agent = catalog.get(slug)
    assert (agent.name, agent.category, agent.plan) == (name, category, plan)
    assert (agent.artifact.name, agent.purpose) == (artifact, purpose)
    assert agent.artifact.format == ("directory" if artifact.endswith("/") else "markdown")


def test_the_task_executor_updates_the_planners_plan(catalog: Catalog) -> None:
    executor = catalog.get("task-executor")
    assert executor.artifact.name == catalog.get("task-planner").artifact.name
    assert "updated" in executor.artifact.description


def test_starter_sees_the_six_core_agents_and_paid_plans_see_all(catalog: Catalog) -> None:
    assert {agent.slug for agent in catalog.available_for("starter")} == STARTER_AGENTS
    assert {agent.slug for agent in catalog if agent.plan == "starter"} == STARTER_AGENTS
    for plan in ("growth", "scale", "enterprise"):
        assert len(catalog.available_for(plan)) == 28


def test_every_hand_off_names_an_agent_and_the_instructions_say_so(catalog: Catalog) -> None:
    for agent in catalog:
        for target in agent.hands_off_to:
            assert target in catalog, f"{agent.slug} hands off to unknown {target}"
            assert target in agent.instructions, f"{agent.slug} never mentions {target}"


def test_the_preset_chains_run_agents_that_hand_off_to_each_other(catalog: Catalog) -> None:
    assert {chain.name: chain.steps for chain in PRESET_CHAINS} == EXPECTED_CHAINS
    assert catalog.chains == PRESET_CHAINS
    for chain in PRESET_CHAINS:
        agents = catalog.chain(chain.name)
        for giver, taker in itertools.pairwise(agents):
            assert taker.slug in giver.hands_off_to, f"{chain.name}: {giver.slug} → {taker.slug}"
            assert giver.artifact.name in taker.instructions, f"{taker.slug} ignores its input"
    with pytest.raises(NotFound):
        catalog.chain("no-such-chain")


@pytest.mark.parametrize("slug", SLUGS)
def test_instructions_are_a_complete_system_prompt(catalog: Catalog, slug: str) -> None:
    agent = catalog.get(slug)
    headings = [h for h in instruction_sections(agent.instructions) if h in REQUIRED_SECTIONS]
    assert headings == list(REQUIRED_SECTIONS)
    assert 200 <= len(agent.instructions.split()) <= 650
    workflow = agent.instructions.split("## Workflow", 1)[1].split("## Artifact", 1)[0]
    assert len(re.findall(r"^\d+\. ", workflow, re.MULTILINE)) >= 5
    artifact_section = agent.instructions.split("## Artifact", 1)[1]
    assert agent.artifact.name in artifact_section
    assert len(agent.questions) >= 3 and agent.success_criteria and agent.constraints


@pytest.mark.parametrize(
    ("slug", "phrases"),
    [
        ("code-review", ["injection", "XSS", "CSRF", "authorisation bypass", "N+1", "leaks",
                         "critical", "path:line"]),
        ("requirements-analyzer", ["REQ-001", "Given", "When", "Then", "acceptance criteria"]),
        ("task-planner", ["one to four hours", "T-001", "Depends on", "- [ ]"]),
        ("task-executor", ["- [x]", "implementation-plan.md", "Progress log"]),
        ("testing-validation", ["unit", "integration", "end-to-end", "REQ"]),
        ("lemonsqueezy", ["HMAC-SHA256", "X-Signature", "idempotent"]),
        ("365-security", ["Entra ID", "PKCE", "Conditional Access", "__Host-"]),
    ],
)  # fmt: skip
def test_instructions_cover_their_domain(catalog: Catalog, slug: str, phrases: list[str]) -> None:
    instructions = catalog.get(slug).instructions
    for phrase in phrases:
        assert phrase in instructions, f"{slug} does not mention {phrase!r}"


def test_model_hints_and_tools_fit_the_agents(catalog: Catalog) -> None:
    assert catalog.get("glm-vision").model_hint.vision
    assert not catalog.get("code-review").model_hint.vision
    for slug in ("rag", "rag-enhanced"):
        assert "knowledge_search" in catalog.get(slug).tools


def test_lookups_and_search(catalog: Catalog) -> None:
    assert load_catalog() is catalog  # read once per process
    with pytest.raises(NotFound):
        catalog.get("no-such-agent")
    assert {a.slug for a in catalog.search(category="design")} == {"hig", "user-guide"}
    assert {a.slug for a in catalog.search(category="build", plan="starter")} == {
        "requirements-analyzer",
        "design-architect",
    }
    assert [a.slug for a in catalog.search(text="PLAYWRIGHT")] == ["ui-test"]
    assert "rag" in {a.slug for a in catalog.search(text="embeddings")}  # a tag
    assert catalog.search(text="nothing matches this") == ()


def _persona(slug: str = "code-review") -> dict[str, object]:
    path = builtin_catalog_directory().joinpath(f"{slug}.yaml")
    document: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def _write(directory: Path, name: str, document: object) -> None:
    (directory / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_a_directory_of_valid_personas_loads(tmp_path: Path) -> None:
    document = _persona() | {"hands_off_to": []}
    _write(tmp_path, "code-review.yaml", document)
    (tmp_path / "notes.txt").write_text("not a persona")
    catalog = read_catalog(tmp_path)
    assert [agent.slug for agent in catalog] == ["code-review"]
    assert catalog.chains == ()


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"category": "marketing"}, "category", "Input should be"),
        ({"plan": "scale"}, "plan", "Input should be 'starter' or 'growth'"),
        ({"tools": ["shell"]}, "tools.0", "Input should be"),
        ({"slug": "Code_Review"}, "slug", "pattern"),
        ({"summary": "First sentence. Second sentence."}, "summary", "single sentence"),
        ({"instructions": "## Role\nOnly a role."}, "instructions", "'## Workflow'"),
        ({"artifact": {"name": "out.md", "description": "d", "format": "directory"}},
         "artifact", "must end with '/'"),
        ({"inputs": [{"name": "code", "description": "d"}]}, "inputs.0.required", "required"),
        ({"owner": "someone"}, "owner", "Extra inputs are not permitted"),
        ({"tags": ["quality", "quality"]}, "tags", "duplicates"),
        ({"hands_off_to": ["code-review"]}, "hands_off_to", "cannot name the agent itself"),
    ],
)  # fmt: skip
def test_a_bad_persona_names_its_file_and_field(
    tmp_path: Path, change: dict[str, object], field: str, reason: str
) -> None:
    _write(tmp_path, "code-review.yaml", _persona() | {"hands_off_to": []} | change)
    with pytest.raises(CatalogError) as raised:
        read_catalog(tmp_path)
    message = raised.value.detail
    assert message.startswith("code-review.yaml: ")
    assert reason in message
    assert field in message


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    document = _persona()
    del document["success_criteria"]
    _write(tmp_path, "code-review.yaml", document)
    with pytest.raises(CatalogError, match=r"code-review.yaml: success_criteria: Field required"):
        read_catalog(tmp_path)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("slug: [unclosed", "not valid YAML"), ("- a list\n", "expected a mapping")],
)
def test_a_file_that_is_not_a_persona_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "broken.yaml").write_text(text)
    with pytest.raises(CatalogError, match=f"broken.yaml: {reason}"):
        read_catalog(tmp_path)


def test_the_file_name_must_be_the_slug(tmp_path: Path) -> None:
    _write(tmp_path, "reviewer.yaml", _persona() | {"hands_off_to": []})
    with pytest.raises(CatalogError, match=r"reviewer.yaml: .*needs the file name code-review"):
        read_catalog(tmp_path)


def test_hand_offs_must_exist_in_the_same_catalog(tmp_path: Path) -> None:
    _write(tmp_path, "code-review.yaml", _persona())  # hands off to testing-validation
    with pytest.raises(CatalogError, match=r"code-review: hands_off_to .*testing-validation"):
        read_catalog(tmp_path)


def test_duplicate_slugs_are_refused() -> None:
    agent = CatalogAgent.model_validate(_persona() | {"hands_off_to": []})
    with pytest.raises(CatalogError, match="code-review"):
        Catalog([agent, agent])


def test_the_docs_table_is_generated_from_the_persona_files(catalog: Catalog) -> None:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- catalog-table:start -->\n(.*?)\n<!-- catalog-table:end -->", text, re.DOTALL
    )
    assert match, "docs/catalog.md has lost its catalog-table markers"
    assert match.group(1).strip() == catalog_markdown_table(catalog), (
        "docs/catalog.md is out of date: regenerate the table with `luna agents list --markdown`"
    )
