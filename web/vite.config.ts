import { fileURLToPath } from "node:url";

import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app is served by Luna under /app (see docs/web.md); the build goes straight into the
// Python package so that `luna serve` serves it.
const outDir = fileURLToPath(new URL("../src/luna/web/static/app", import.meta.url));

export default defineConfig({
  base: "/app/",
  plugins: [react(), tailwindcss()],
  build: {
    outDir,
    emptyOutDir: true,
    // No data: URLs: every asset is a hashed file the CSP allows as 'self'.
    assetsInlineLimit: 0,
    target: "es2022",
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate files stay cached across deploys.
        codeSplitting: {
          groups: [
            {
              name: "react",
              test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/,
            },
            { name: "tanstack", test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a `luna serve` on the default port.
    proxy: { "/api": { target: "http://127.0.0.1:8000", changeOrigin: false } },
  },
  test: {
    environment: "jsdom",
    // One jsdom per worker, not per file: building it took a minute of the suite's
    // ninety seconds. Each test cleans its DOM, mocks and globals (setup, below), and
    // the suite passes in shuffled orders.
    isolate: false,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
