import { create } from "qrcode";
import { describe, expect, it } from "vitest";

import { qrCodeDataUrl, qrCodeSvg } from "./qr-code";

const URI = "otpauth://totp/Luna:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Luna";

/** The dark modules the SVG's path draws, as "row,column" pairs. */
function drawnModules(svg: string): Set<string> {
  const path = /stroke="#000000" d="([^"]*)"/.exec(svg)?.[1] ?? "";
  const drawn = new Set<string>();
  for (const [, x, y, length] of path.matchAll(/M(\d+) (\d+(?:\.5)?)h(\d+)/g)) {
    const row = Number(y) - 0.5 - 4;
    for (let column = Number(x) - 4; column < Number(x) - 4 + Number(length); column++) {
      drawn.add(`${row},${column}`);
    }
  }
  return drawn;
}

describe("qrCodeSvg", () => {
  it("draws exactly the dark modules of the code, inside a quiet zone", () => {
    const { modules } = create(URI, { errorCorrectionLevel: "M" });
    const svg = qrCodeSvg(URI);
    const side = modules.size + 8;
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);

    const dark = new Set<string>();
    for (let row = 0; row < modules.size; row++) {
      for (let column = 0; column < modules.size; column++) {
        if (modules.get(row, column)) {
          dark.add(`${row},${column}`);
        }
      }
    }
    expect(drawnModules(svg)).toEqual(dark);
    // The top-left finder pattern starts with a run of seven dark modules.
    expect(svg).toContain('d="M4 4.5h7');
  });

  it("makes an image address the page's CSP allows (data:)", () => {
    const url = qrCodeDataUrl(URI);
    expect(url.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(",") + 1))).toBe(qrCodeSvg(URI));
  });
});
