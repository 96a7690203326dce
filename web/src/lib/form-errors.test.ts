import { describe, expect, it } from "vitest";

import { ApiProblem } from "../api/client";
import { formErrors } from "./form-errors";

const invalid = new ApiProblem({
  type: "urn:luna:problem:validation-failed",
  title: "Unprocessable Content",
  status: 422,
  detail: "The request has invalid fields; see errors.",
  errors: [
    { in: "body", pointer: "#/name", message: "Field required" },
    { in: "body", pointer: "#/internal", message: "Something the form does not show." },
  ],
});

describe("formErrors", () => {
  it("places field errors by the form's fields and the rest in the form's alert", () => {
    expect(formErrors(invalid, ["name"])).toEqual({
      fields: { name: "Field required" },
      message: "Something the form does not show.",
      requestId: null,
    });
  });

  it("shows the problem's detail when no field of the form is concerned", () => {
    expect(formErrors(invalid, []).message).toBe("The request has invalid fields; see errors.");
  });

  it("has nothing to show without an error, and a general message for a defect", () => {
    expect(formErrors(null, ["name"]).message).toBeNull();
    expect(formErrors(new Error("boom"), ["name"]).message).toBe(
      "Something went wrong. Please try again.",
    );
  });
});
