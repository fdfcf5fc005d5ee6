import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/**
 * Whether the application's main module may load instrumented modules through `import`, so that
 * `@otelkit/node/register` has to install import-in-the-middle's ESM hooks.
 *
 * A CommonJS application loads them through `require()`, which the require hooks patch without
 * them; on Node's loader thread they cost about 150 ms of start-up (docs/performance.md). Only a
 * main module that is certainly CommonJS (`.cjs`, or `.js` or no extension outside a
 * `"type": "module"` package, with a source that never says `import` or `export`) returns `false`;
 * anything it cannot read or resolve returns `true`. Only the main module is read: a CommonJS
 * application whose other modules `import()` instrumented packages needs `OTELKIT_ESM_LOADER=always`.
 *
 * Without a main module (code given with `-e` or `-p`, on stdin, or typed into the REPL) the
 * hooks are installed only for input declared a module (`--input-type=module`): there
 * import-in-the-middle took a built-in that Node's own eval code requires for an entry point and
 * read it as a file, so `node --require @otelkit/node/register -e …`, a common container health
 * check once NODE_OPTIONS carries the flag, crashed on Node 22.22.3 and later.
 *
 * @param mainPath - the main module as given on the command line (`process.argv[1]`).
 * @param nodeArgs - Node's own options: `process.execArgv` and those in `NODE_OPTIONS`.
 */
export function mainNeedsEsmHooks(
  mainPath: string | undefined,
  nodeArgs: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): boolean {
  if (!hasMainModule(mainPath)) {
    // NODE_OPTIONS keeps the quotes a shell would have removed: --input-type="module".
    const isModule = (value: string | undefined) => /^["']?module["']?$/.test(value ?? '');
    return nodeArgs.some(
      (arg, i) =>
        (arg.startsWith('--input-type=') && isModule(arg.slice('--input-type='.length))) ||
        (arg === '--input-type' && isModule(nodeArgs[i + 1])),
    );
  }
  let file: string;
  try {
    file = createRequire(join(process.cwd(), 'noop.js')).resolve(mainPath);
  } catch {
    return true;
  }
  const extension = extname(file);
  if (extension === '.cjs') return false;
  // An extensionless file (`bin/www`, an npm bin) has a `.js` file's format.
  if ((extension !== '.js' && extension !== '') || packageType(dirname(file)) === 'module') return true;
  try {
    return /\b(?:import|export)\b/.test(readFileSync(file, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Whether Node runs a main module file: not for code given with `-e` or `-p`, read from stdin
 * (`node -` or a pipe) or typed into the REPL.
 *
 * @param mainPath - `process.argv[1]`.
 */
export function hasMainModule(mainPath: string | undefined): mainPath is string {
  return mainPath !== undefined && mainPath !== '' && mainPath !== '-';
}

/** The `type` of the nearest package.json above `directory`, as Node decides a `.js` file's format. */
function packageType(directory: string): string | undefined {
  for (let current = directory; ; ) {
    try {
      const manifest = JSON.parse(readFileSync(join(current, 'package.json'), 'utf8')) as { type?: unknown };
      return typeof manifest.type === 'string' ? manifest.type : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
