"""The five preset chains: the catalog's lifecycle agents handing their artifacts on."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from luna.chains.definition import ROOT_PROMPT, ChainDefinition, ChainEdge, ChainNode

# What every node after the first is asked: the request, and the artifact handed to it.
HAND_OFF_PROMPT: Final = (
    "The request:\n\n{{input}}\n\nWhat the previous agent produced, for you to build on:"
    "\n\n{{prev}}"
)


@dataclass(frozen=True)
class Preset:
    """A chain ready to copy into a workspace: its catalog agents in order."""

    slug: str
    name: str
    description: str
    steps: tuple[tuple[str, str], ...]  # (node id, catalog template), first to last

    def definition(self) -> ChainDefinition:
        """The preset as a chain of template nodes, each feeding the next."""
        nodes = [
            ChainNode(
                id=node_id,
                template=template,
                prompt=ROOT_PROMPT if index == 0 else HAND_OFF_PROMPT,
            )
            for index, (node_id, template) in enumerate(self.steps)
        ]
        edges = [
            ChainEdge(source=before[0], target=after[0]) for before, after in pairwise(self.steps)
        ]
        return ChainDefinition(nodes=nodes, edges=edges)


PRESETS: Final = {
    preset.slug: preset
    for preset in (
        Preset(
            "full-review",
            "Full review",
            "Review a change, test it, then document it.",
            (
                ("review", "code-review"),
                ("test", "testing-validation"),
                ("document", "documentation"),
            ),
        ),
        Preset(
            "new-feature",
            "New feature",
            "From a feature request to requirements, a design, a plan and the code.",
            (
                ("requirements", "requirements-analyzer"),
                ("design", "design-architect"),
                ("plan", "task-planner"),
                ("build", "task-executor"),
            ),
        ),
        Preset(
            "deploy",
            "Deploy",
            "Review and test a change, then ship it.",
            (
                ("review", "code-review"),
                ("test", "testing-validation"),
                ("deploy", "deployment"),
            ),
        ),
        Preset(
            "security-audit",
            "Security audit",
            "Audit the security of a codebase, then review the code the audit points at.",
            (("audit", "365-security"), ("review", "code-review")),
        ),
        Preset(
            "api-design",
            "API design",
            "Design an API, its database, then its documentation.",
            (
                ("api", "api-generator"),
                ("database", "database"),
                ("document", "documentation"),
            ),
        ),
    )
}
