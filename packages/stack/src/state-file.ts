import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEndpoints, StackPorts } from './stack.js';

/** What `otelkit up` leaves behind for `otelkit status` and `otelkit down`. */
export interface StackState {
  /** When the stack was started (ISO 8601). */
  startedAt: string;
  /** The ports in use. */
  ports: StackPorts;
  /** Where to reach each backend. */
  endpoints: StackEndpoints;
  /** PIDs this CLI started, with the executable each was started from. */
  processes: Record<string, { pid: number; command: string; logFile: string }>;
}

const FILE = 'stack.json';

/** Writes the state of a started stack, whole or not at all (a crash mid-write leaves the old one). */
export function writeState(stateDir: string, state: StackState): void {
  const path = join(stateDir, FILE);
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(partial, path);
}

/** Reads the state of the stack started in `stateDir`, if any. */
export function readState(stateDir: string): StackState | undefined {
  const path = join(stateDir, FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StackState;
  } catch (error) {
    throw new Error(
      `${path} is not the state otelkit wrote (${(error as Error).message}); delete it and start again. ` +
        'What it listed may still run: "ss -ltnp" shows what listens on otelkit\'s ports.',
    );
  }
}

/** Forgets the stack started in `stateDir`. */
export function clearState(stateDir: string): void {
  rmSync(join(stateDir, FILE), { force: true });
}

/**
 * Whether `pid` is alive and still runs `command`: a PID recorded earlier may have been reused
 * by an unrelated process, which must never be signalled.
 */
export function isOurProcess(pid: number, command: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((part) => part === command);
  } catch {
    return false;
  }
}
