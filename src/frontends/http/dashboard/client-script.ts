// Where the server finds the dashboard's browser script: `npm run build`
// compiles src/frontends/http/dashboard/client/ (tsconfig.dashboard.json) and
// bundles it (build-client.ts) into client-bundle.js next to this module in
// dist/src, which the runtime image carries. Read once, then kept.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLIENT_BUNDLE_FILE = 'client-bundle.js';

/** The bundle's path beside this compiled module. */
export function clientBundlePath(): string {
  return fileURLToPath(new URL(CLIENT_BUNDLE_FILE, import.meta.url));
}

let cached: string | null = null;

/** The bundled dashboard script; throws (naming the fix) when the build did not produce it. */
export function clientScript(): string {
  if (cached === null) {
    const file = clientBundlePath();
    try {
      cached = fs.readFileSync(file, 'utf8');
    } catch {
      throw new Error(`the dashboard script ${file} is missing: build with \`npm run build\`, which bundles it`);
    }
  }
  return cached;
}
