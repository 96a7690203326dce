import { create } from "qrcode";

/** Light modules around the code, as the QR specification asks for. */
const QUIET_ZONE = 4;

/**
 * The dark modules as one SVG path: a horizontal run per row of adjacent dark modules,
 * drawn as a one-unit-wide stroke along the row's middle.
 */
function modulesPath(size: number, isDark: (row: number, column: number) => boolean): string {
  const parts: string[] = [];
  for (let row = 0; row < size; row++) {
    let column = 0;
    while (column < size) {
      if (!isDark(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < size && isDark(row, column)) {
        column++;
      }
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE + 0.5}h${column - start}`);
    }
  }
  return parts.join("");
}

/** `text` as a QR code in an SVG document: dark modules on white, scalable. */
export function qrCodeSvg(text: string): string {
  const { modules } = create(text, { errorCorrectionLevel: "M" });
  const side = modules.size + QUIET_ZONE * 2;
  const path = modulesPath(modules.size, (row, column) => Boolean(modules.get(row, column)));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges">` +
    `<path fill="#ffffff" d="M0 0h${side}v${side}H0z"/>` +
    `<path stroke="#000000" d="${path}"/></svg>`
  );
}

/**
 * `text` as a QR code image address. The page's CSP allows `data:` images (img-src
 * 'self' data:), and an image cannot run script, so this is safe to put in an <img>.
 */
export function qrCodeDataUrl(text: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrCodeSvg(text))}`;
}
