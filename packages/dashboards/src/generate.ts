/**
 * Writes every dashboard to grafana/dashboards/<uid>.json (or to the directory given as the first
 * argument, which the drift test uses): `pnpm exec tsx packages/dashboards/src/generate.ts [dir]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboards } from './index.js';

const GENERATED_MARKER = 'by packages/dashboards (src/generate.ts); do not edit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const outDir = resolve(process.argv[2] ?? join(root, 'grafana/dashboards'));
mkdirSync(outDir, { recursive: true });
for (const board of buildDashboards()) {
  if (!board.uid) throw new Error(`dashboard "${board.title}" has no uid`);
  const json = `${JSON.stringify({ __generated: GENERATED_MARKER, ...board }, null, 2)}\n`;
  writeFileSync(join(outDir, `${board.uid}.json`), json);
  console.log(`wrote ${join(outDir, `${board.uid}.json`)}`);
}
