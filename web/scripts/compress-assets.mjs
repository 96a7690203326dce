// Writes Brotli (.br) and gzip (.gz) copies next to each built text asset, so that Luna
// serves them compressed without compressing on every request (see docs/web.md).
import { readdir, readFile, writeFile } from "node:fs/promises";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const assets = new URL("../../src/luna/web/static/app/assets/", import.meta.url);
const COMPRESSIBLE = /\.(js|css|svg|json|txt|map)$/;
const MIN_BYTES = 1024;

let saved = 0;
for (const name of await readdir(assets)) {
  if (!COMPRESSIBLE.test(name)) {
    continue;
  }
  const original = await readFile(new URL(name, assets));
  if (original.length < MIN_BYTES) {
    continue;
  }
  const brotli = brotliCompressSync(original, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: original.length,
    },
  });
  const gzip = gzipSync(original, { level: 9 });
  await writeFile(new URL(`${name}.br`, assets), brotli);
  await writeFile(new URL(`${name}.gz`, assets), gzip);
  saved += original.length - brotli.length;
}
console.log(`Compressed the assets (Brotli saves ${Math.round(saved / 1024)} KiB).`);
