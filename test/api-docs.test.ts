import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from '@otelkit/stack';
import { Application, Logger, type LogLevel } from 'typedoc';
import { describe, expect, it } from 'vitest';

const root = repoRoot();

/** Keeps every warning and error TypeDoc reports instead of printing it. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    // LogLevel is a const enum in TypeDoc's typings: 2 = Warn, 3 = Error.
    if (level >= 2) this.messages.push(stripVTControlCharacters(message));
  }
}

interface Report {
  /** Exported symbols (and their members) without a TSDoc comment. */
  undocumented: string[];
  /** Every other warning or error: unexported types in the public API, broken `{@link}`s, config. */
  other: string[];
}

/** Names of the packages a packages-mode TypeDoc config documents. */
function packageNames(configFile: string): string[] {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { entryPoints: string[] };
  return config.entryPoints.map((dir) => {
    const manifest = join(dirname(configFile), dir, 'package.json');
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name;
  });
}

/**
 * Converts, validates and renders the way `pnpm exec typedoc --options <configFile>` does, into a
 * temporary directory (some warnings, such as code-block languages, only appear while
 * rendering). The checks are forced here rather than trusted from the config, so that switching one off
 * there cannot make this test pass. `packagesRequiringDocumentation` matters: in packages mode
 * TypeDoc validates each package without `notDocumented` and then the merged project only for the
 * packages listed there (by default the root package, which exports nothing).
 */
async function documentationReport(configFile: string): Promise<Report> {
  const app = await Application.bootstrapWithPlugins({
    options: configFile,
    validation: { notExported: true, notDocumented: true, invalidLink: true },
    packagesRequiringDocumentation: packageNames(configFile),
  });
  // Option errors are printed by TypeDoc's own logger, which is replaced only after bootstrap.
  const bootstrapErrors = app.logger.hasErrors() ? ['TypeDoc could not read its options (see stderr)'] : [];
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  if (project) {
    app.validate(project);
    const out = mkdtempSync(join(tmpdir(), 'otelkit-api-docs-'));
    try {
      await app.generateDocs(project, out);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  } else {
    logger.messages.push('TypeDoc did not produce a project');
  }
  const messages = [...bootstrapErrors, ...new Set(logger.messages)];
  const isUndocumented = (m: string) => m.includes('does not have any documentation');
  return {
    undocumented: messages.filter(isUndocumented),
    other: messages.filter((m) => !isUndocumented(m)),
  };
}

describe('API reference (typedoc.json)', () => {
  it('documents every exported symbol of the public packages, with no other TypeDoc warning', async () => {
    const report = await documentationReport(join(root, 'typedoc.json'));
    expect(report.undocumented, 'exported symbols without a TSDoc comment').toEqual([]);
    expect(report.other, 'other TypeDoc warnings and errors').toEqual([]);
  });

  it('requires documentation of exactly the packages it documents', () => {
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as {
      packagesRequiringDocumentation?: string[];
    };
    // `pnpm exec typedoc` reads this list from the config (the test above forces it).
    expect(config.packagesRequiringDocumentation?.toSorted()).toEqual(
      packageNames(join(root, 'typedoc.json')).toSorted(),
    );
  });

  it('reports an exported symbol without TSDoc, and only that one (the checks above can fail)', async () => {
    const report = await documentationReport(join(root, 'test/fixtures/api-docs/typedoc.json'));
    expect(report.undocumented).toHaveLength(1);
    expect(report.undocumented[0]).toMatch(/\bundocumented\b.*does not have any documentation/);
    expect(report.other).toEqual([]);
  });
});
