/** Debian's Chromium (`apt-get install -y chromium`), or `OTELKIT_CHROMIUM`; nothing is downloaded. */
export const CHROMIUM_PATH = process.env.OTELKIT_CHROMIUM ?? '/usr/bin/chromium';

/** The options playwright-core's `launchPersistentContext` takes for otelkit's Chromium. */
export interface ChromiumLaunchOptions {
  /** The Chromium binary: {@link CHROMIUM_PATH}. */
  executablePath: string;
  /** Always headless: tests and benchmarks run without a display. */
  headless: true;
  /** Command-line flags. */
  args: string[];
}

/**
 * How the browser tests and bench/web-overhead launch Chromium through playwright-core
 * (`chromium.launchPersistentContext(freshUserDataDir, chromiumLaunchOptions())`): headless, no
 * sandbox or GPU, and none of Chromium's own background traffic, so only the page talks.
 */
export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  return {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
