import { describe, expect, it } from "vitest";

import { routeEmailLinkIntoApp } from "./email-links";

function at(url: string) {
  window.history.replaceState(null, "", url);
  routeEmailLinkIntoApp(window.location, window.history, "/app/");
  return window.location.pathname + window.location.search + window.location.hash;
}

describe("routeEmailLinkIntoApp", () => {
  it("moves emailed links under the app, keeping the token", () => {
    expect(at("/reset-password?token=abc123")).toBe("/app/reset-password?token=abc123");
    expect(at("/verify-email?token=xyz#top")).toBe("/app/verify-email?token=xyz#top");
    expect(at("/invitations/accept/?token=t")).toBe("/app/invitations/accept?token=t");
  });

  it("leaves every other address alone", () => {
    expect(at("/app/sign-in?next=%2Fw%2Fws_1")).toBe("/app/sign-in?next=%2Fw%2Fws_1");
    expect(at("/reset-password-help")).toBe("/reset-password-help");
  });
});
