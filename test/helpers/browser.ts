import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH, chromiumLaunchOptions } from '@otelkit/stack';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** A headless Chromium with a fresh profile, removed again by `close()`. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with a throwaway user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'otelkit-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, chromiumLaunchOptions());
    return {
      context,
      close: async () => {
        await context.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(
      `cannot start Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium): ${(error as Error).message}`,
    );
  }
}

/** What a page said on its own: uncaught errors and console messages. */
export interface PageDiagnostics {
  /** Uncaught exceptions and unhandled rejections (`pageerror`). */
  pageErrors: string[];
  /** `console.error` calls by scripts, without the browser's own network log lines. */
  consoleErrors: string[];
  /** `console.warn` calls. */
  consoleWarnings: string[];
}

// Chromium logs failed requests and CORS refusals itself, as console errors no script wrote.
const BROWSER_NETWORK_LOG = /^(Failed to load resource|Access to fetch at|Access to XMLHttpRequest at)/;

/**
 * Opens a new tab with `window.OTELKIT_CONFIG` set before any page script runs (how the example
 * page learns the test Collector's URL), recording what the page reports.
 */
export async function openPage(
  context: BrowserContext,
  config: Record<string, unknown>,
): Promise<{ page: Page; diagnostics: PageDiagnostics }> {
  const page = await context.newPage();
  const diagnostics: PageDiagnostics = { pageErrors: [], consoleErrors: [], consoleWarnings: [] };
  page.on('pageerror', (error) => diagnostics.pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !BROWSER_NETWORK_LOG.test(message.text())) {
      diagnostics.consoleErrors.push(message.text());
    }
    if (message.type() === 'warning') diagnostics.consoleWarnings.push(message.text());
  });
  await page.addInitScript((value) => {
    (globalThis as unknown as { OTELKIT_CONFIG: unknown }).OTELKIT_CONFIG = value;
  }, config);
  return { page, diagnostics };
}
