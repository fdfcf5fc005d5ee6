import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run one backend. */
export interface ProcessSpec {
  /** Short component name, used in messages and log file names. */
  name: string;
  /** Absolute path of the executable. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory. Default: the current one. */
  cwd?: string;
  /** File that receives stdout and stderr, appended across restarts. */
  logFile: string;
  /** Ready once this URL answers 2xx (`http`) or this port accepts a connection (`tcp`). */
  ready:
    | {
        /** URL that answers 2xx once the process is ready, e.g. a `/-/ready` endpoint. */
        http: string;
      }
    | {
        /** Loopback port that accepts a connection once the process is ready. */
        tcp: number;
      };
  /** Survive the parent (for `otelkit up`); otherwise it is killed when the parent exits. */
  detached?: boolean;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every attached child synchronously if the parent exits without stopping them. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/**
 * One backend process: started, probed for readiness, stopped. It only ever signals the PID it
 * spawned itself.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  /** @param spec what to run. */
  constructor(readonly spec: ProcessSpec) {}

  /** PID of the running process, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the process and resolves once its readiness URL answers 2xx. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.running) return;
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const fd = openSync(this.spec.logFile, 'a');
    writeSync(
      fd,
      `\n--- ${new Date().toISOString()} start: ${this.spec.command} ${this.spec.args.join(' ')}\n`,
    );
    const detached = this.spec.detached ?? false;
    const child = spawn(this.spec.command, [...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      cwd: this.spec.cwd,
      stdio: ['ignore', fd, fd],
      detached,
    });
    closeSync(fd);
    this.child = child;
    this.exitStatus = undefined;
    if (detached) child.unref();
    else {
      installExitHook();
      children.add(child);
    }
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        children.delete(child);
        this.exitStatus = { code, signal };
        resolveExit();
      });
      child.once('error', () => {
        children.delete(child);
        resolveExit();
      });
    });
    await this.waitReady(timeoutMs);
  }

  /** Asks the process to stop (SIGTERM) and kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Resolves with the exit code or signal once the process has exited. */
  async exit(): Promise<{
    /** Exit code, or `null` when a signal ended the process. */
    code: number | null;
    /** The signal that ended the process, or `null` when it exited by itself. */
    signal: NodeJS.Signals | null;
  }> {
    await this.exited;
    return this.exitStatus ?? { code: null, signal: null };
  }

  /** Sends `signal` (e.g. SIGKILL to simulate a crash) and waits for the exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** The last `lines` lines of the process log, for error messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.spec.name} exited before it was ready (log ${this.spec.logFile}):\n${this.logTail()}`,
        );
      }
      if (await this.probe()) return;
      await sleep(100);
    }
    await this.stop(1000);
    const where = 'http' in this.spec.ready ? this.spec.ready.http : `127.0.0.1:${this.spec.ready.tcp}`;
    throw new Error(
      `${this.spec.name} not ready at ${where} after ${timeoutMs} ms (log ${this.spec.logFile}):\n${this.logTail()}`,
    );
  }

  private async probe(): Promise<boolean> {
    const ready = this.spec.ready;
    if ('http' in ready) {
      try {
        return (await fetch(ready.http, { signal: AbortSignal.timeout(1000) })).ok;
      } catch {
        return false;
      }
    }
    return new Promise((resolveProbe) => {
      const socket = connect(ready.tcp, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolveProbe(true);
      });
      socket.once('error', () => resolveProbe(false));
    });
  }
}
