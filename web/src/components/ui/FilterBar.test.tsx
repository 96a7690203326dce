import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { FilterBar } from "./FilterBar";
import { SelectField } from "./SelectField";

describe("FilterBar", () => {
  it("is a search landmark named after what it filters, holding the filters", () => {
    render(
      <FilterBar label="Runs">
        <SelectField label="Status">
          <option value="">All</option>
        </SelectField>
      </FilterBar>,
    );
    const search = screen.getByRole("search", { name: "Runs" });
    expect(within(search).getByLabelText("Status")).toBeInTheDocument();
  });
});
