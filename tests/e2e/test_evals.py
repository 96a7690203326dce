"""Evaluations in the web app: a suite made and filled from a CSV file, run against two
versions of an agent on the local model stand-in, the results and the comparison read
case by case; checked at desktop and phone widths."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import WatchedPage, add_local_provider, signed_in
from tests.e2e.test_run_story import no_overflow
from tests.standins import OpenAIStandin, Turn

CASES = 6


def adder(body: dict[str, Any]) -> Turn:
    """Version 1 adds right; version 2 gets every even first number wrong."""
    messages = body["messages"]
    system = " ".join(
        str(m.get("content")) for m in messages if m["role"] in ("system", "developer")
    )
    question = str(messages[-1]["content"])
    left, right = (int(n) for n in question.removeprefix("Add ").split(" and "))
    total = left + right + (1 if "Version 2." in system and left % 2 == 0 else 0)
    return Turn(text=str(total))


def test_a_suite_compares_two_versions_case_by_case(watched_page: WatchedPage, tmp_path) -> None:
    watched, page = watched_page, watched_page.page
    workspace = signed_in(watched, "eva@example.com", "Eva Lu")
    origin = {"Origin": watched.server.base_url}
    with OpenAIStandin() as model:
        model.respond_with(adder)
        add_local_provider(watched, workspace, model.base_url)
        base = f"/api/v1/workspaces/{workspace}/agents"
        agent = page.request.post(
            base, headers=origin, data={"name": "Adder", "definition": {"instructions": "Add."}}
        ).json()
        changed = page.request.patch(
            f"{base}/{agent['id']}",
            headers=origin,
            data={"definition": {"instructions": "Version 2."}},
        )
        assert changed.ok, changed.text()

        watched.goto(f"/app/w/{workspace}/agents/{agent['id']}")
        page.get_by_role("link", name="Evaluations").click()
        expect(page.get_by_role("heading", name="Evaluations")).to_be_visible()
        page.get_by_role("button", name="Create a suite").click()
        dialog = page.get_by_role("dialog", name="New suite")
        dialog.get_by_label("Name").fill("Sums")
        dialog.get_by_role("button", name="Create suite").click()
        expect(page.get_by_role("heading", name="Sums")).to_be_visible()

        rows = "\n".join(f"sum {n},Add {n} and 10,{n + 10}" for n in range(CASES))
        csv_file = tmp_path / "sums.csv"
        csv_file.write_text(f"name,input,expected_output\n{rows}\n")
        page.get_by_role("button", name="Import").click()
        importing = page.get_by_role("dialog", name="Import cases")
        importing.get_by_label("CSV or JSON Lines file").set_input_files(csv_file)
        importing.get_by_role("button", name="Import").click()
        expect(page.get_by_text(f"{CASES} cases imported into Sums.")).to_be_visible()
        expect(page.get_by_role("cell", name="Add 5 and 10")).to_be_visible()
        watched.check("evals-suite")

        page.get_by_role("button", name="Run evaluation").click()
        running = page.get_by_role("dialog", name="Run evaluation")
        running.get_by_label("Target").select_option(label="v1")
        running.get_by_label("Compare with").select_option(label="v2")
        running.get_by_role("button", name="Start").click()

        expect(page.get_by_text("Finished")).to_be_visible(timeout=90_000)
        summary = page.get_by_test_id("comparison-summary")
        expect(summary).to_have_text(f"3 regressed, 0 improved, 3 differing of {CASES} cases.")
        page.get_by_role("group", name="Show cases").get_by_role("button", name="Regressed").click()
        case = page.get_by_role("button", name="sum 2 v1 Passed v2 Failed")
        case.click()
        expect(case).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_text("-12", exact=True)).to_be_visible()
        expect(page.get_by_text("+13", exact=True)).to_be_visible()
        no_overflow(page)
        watched.check("evals-comparison")

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        expect(page.get_by_test_id("comparison-summary")).to_be_visible()
        no_overflow(page)
        watched.check("evals-comparison-phone")

        # A run of a case goes back into the suite as a case of its own.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="sum 2 v1 Passed v2 Failed").click()
        page.get_by_role("link", name="Run of sum 2 on v1").first.click()
        page.get_by_role("button", name="Add to eval suite").click()
        adding = page.get_by_role("dialog", name="Add to eval suite")
        adding.get_by_label("Case name").fill("twelve")
        watched.check("evals-add-run")
        adding.get_by_role("button", name="Add case").click()
        expect(page.get_by_text("twelve is added to Sums.")).to_be_visible()
        page.get_by_role("link", name="Open the suite").click()
        expect(page.get_by_role("rowheader", name="twelve")).to_be_visible()

        # Production splits its runs between the two versions; the agent's page reads
        # the two side by side.
        production = f"{base}/{agent['id']}/environments/production"
        page.request.put(production, headers=origin, data={"version": 1})
        split = page.request.put(
            f"{production}/split", headers=origin, data={"version": 2, "percent": 50}
        )
        assert split.ok, split.text()
        for number in range(4):
            ran = page.request.post(
                f"{base}/{agent['id']}@production/runs",
                headers=origin,
                data={"input": f"Add {number} and 1", "mode": "wait"},
                timeout=130_000,
            )
            assert ran.ok and ran.json()["status"] == "succeeded", ran.text()
        watched.goto(f"/app/w/{workspace}/agents/{agent['id']}")
        page.get_by_role("button", name="Results of production's split").click()
        expect(page.get_by_role("columnheader", name="v1 (main)")).to_be_visible()
        expect(page.get_by_role("columnheader", name="v2 (split)")).to_be_visible()
        expect(page.get_by_role("rowheader", name="Runs")).to_be_visible()
        watched.check("environments-split")
