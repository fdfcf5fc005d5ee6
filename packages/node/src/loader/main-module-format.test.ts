import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mainNeedsEsmHooks } from './main-module-format.js';

function app(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'otelkit-main-format-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('mainNeedsEsmHooks', () => {
  it('skips the loader thread only for a main module that is certainly CommonJS', () => {
    const root = app({
      'server.cjs': "require('express');",
      'server.mjs': "import express from 'express';",
      'plain/package.json': '{}',
      'plain/require.js': "const express = require('express');",
      'plain/import.js': "import express from 'express';",
      'plain/dynamic.js': "import('express');",
      'module/package.json': '{"type":"module"}',
      'module/require.js': "const express = require('express');",
      'cjs/package.json': '{"type":"commonjs"}',
      'cjs/require.js': "module.exports = require('express');",
      'plain/bin/www': "#!/usr/bin/env node\nrequire('../require.js');",
      'plain/bin/esm-tool': "#!/usr/bin/env node\nimport '../import.js';",
      'module/bin/tool': "#!/usr/bin/env node\nrequire('../require.js');",
    });
    expect(mainNeedsEsmHooks(join(root, 'server.cjs'))).toBe(false);
    expect(mainNeedsEsmHooks(join(root, 'cjs/require.js'))).toBe(false);
    expect(mainNeedsEsmHooks(join(root, 'plain/require.js'))).toBe(false);
    // Without an extension, resolved the way `node plain/require` resolves it.
    expect(mainNeedsEsmHooks(join(root, 'plain/require'))).toBe(false);
    // An npm bin or Express's bin/www: no extension, the format of a .js file there.
    expect(mainNeedsEsmHooks(join(root, 'plain/bin/www'))).toBe(false);
    expect(mainNeedsEsmHooks(join(root, 'plain/bin/esm-tool'))).toBe(true);
    expect(mainNeedsEsmHooks(join(root, 'module/bin/tool'))).toBe(true);
    expect(mainNeedsEsmHooks(join(root, 'server.mjs'))).toBe(true);
    expect(mainNeedsEsmHooks(join(root, 'plain/import.js'))).toBe(true);
    expect(mainNeedsEsmHooks(join(root, 'plain/dynamic.js'))).toBe(true);
    expect(mainNeedsEsmHooks(join(root, 'module/require.js'))).toBe(true);
  });

  it('keeps the hooks when it cannot tell which module is the main one', () => {
    expect(mainNeedsEsmHooks('/nonexistent/app.js')).toBe(true);
  });

  it('installs none for -e, -p, stdin or the REPL unless the input is declared a module', () => {
    expect(mainNeedsEsmHooks(undefined, ['--require', '@otelkit/node/register', '--eval'])).toBe(false);
    expect(mainNeedsEsmHooks(undefined, [])).toBe(false);
    expect(mainNeedsEsmHooks(undefined, ['--input-type=commonjs'])).toBe(false);
    expect(mainNeedsEsmHooks(undefined, ['--input-type=module'])).toBe(true);
    expect(mainNeedsEsmHooks(undefined, ['--input-type', 'module'])).toBe(true);
    // As NODE_OPTIONS='--input-type="module"' reaches the split, quotes kept.
    expect(mainNeedsEsmHooks(undefined, ['--input-type="module"'])).toBe(true);
    // `node - < app.js`: stdin, not a file named "-".
    expect(mainNeedsEsmHooks('-', [])).toBe(false);
  });
});
