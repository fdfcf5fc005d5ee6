import { describe, expect, it } from 'vitest';
import { exceptionFingerprint, exceptionType, normaliseStackFrames } from './fingerprint.js';

function caught(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function failOrder(orderId: number): never {
  throw new Error(`order ${orderId} failed for user 5f0c1c2e-8d3a-4b7e-9a55-3f2a1b9c7d10`);
}

function failPayment(orderId: number): never {
  throw new Error(`order ${orderId} failed for user 5f0c1c2e-8d3a-4b7e-9a55-3f2a1b9c7d10`);
}

function failWith(Kind: ErrorConstructor): never {
  throw new Kind('same message');
}

describe('exceptionFingerprint', () => {
  it('is 16 hex characters', () => {
    expect(exceptionFingerprint(new Error('x'))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('gives the same error thrown twice one fingerprint, even when the message carries different ids', () => {
    const first = caught(() => failOrder(1));
    const second = caught(() => failOrder(987654));
    expect((first as Error).message).not.toBe((second as Error).message);
    expect(exceptionFingerprint(first)).toBe(exceptionFingerprint(second));
  });

  it('is the same across repeated throws in a loop', () => {
    const prints = new Set<string>();
    for (let i = 0; i < 5; i++) prints.add(exceptionFingerprint(caught(() => failOrder(i))));
    expect(prints.size).toBe(1);
  });

  it('gives an error from a different site a different fingerprint', () => {
    expect(exceptionFingerprint(caught(() => failOrder(1)))).not.toBe(
      exceptionFingerprint(caught(() => failPayment(1))),
    );
  });

  it('gives a different type from the same site a different fingerprint', () => {
    const typeError = caught(() => failWith(TypeError));
    const rangeError = caught(() => failWith(RangeError));
    expect(exceptionType(typeError)).toBe('TypeError');
    expect(exceptionFingerprint(typeError)).not.toBe(exceptionFingerprint(rangeError));
  });

  it('ignores line numbers, install locations, file URLs and query strings', () => {
    const deployA = {
      name: 'TypeError',
      stack: [
        'TypeError: Cannot read properties of undefined (reading "id")',
        '    at loadUser (/srv/releases/41/src/users.js:10:15)',
        '    at async Layer.handle [as handle_request] (/srv/releases/41/node_modules/.pnpm/express@4.21.2/node_modules/express/lib/router/layer.js:95:5)',
        '    at file:///srv/releases/41/src/routes.mjs?v=123:7:3',
      ].join('\n'),
    };
    const deployB = {
      name: 'TypeError',
      stack: [
        'TypeError: Cannot read properties of undefined (reading "email")',
        '    at loadUser (/opt/app/src/users.js:12:9)',
        '    at async Layer.handle [as handle_request] (/opt/app/node_modules/express/lib/router/layer.js:97:12)',
        '    at file:///opt/app/src/routes.mjs:9:1',
      ].join('\n'),
    };
    // Paths outside node_modules keep their prefix unless it is the working directory, so give
    // both the same application prefix relative to their own cwd by normalising frames directly.
    expect(normaliseStackFrames(deployA.stack)[1]).toBe('Layer.handle@express/lib/router/layer.js');
    expect(normaliseStackFrames(deployB.stack)[1]).toBe('Layer.handle@express/lib/router/layer.js');
    const cwd = process.cwd().replace(/\\/g, '/');
    const inCwd = (stack: string, root: string): string => stack.split(root).join(cwd);
    expect(exceptionFingerprint({ ...deployA, stack: inCwd(deployA.stack, '/srv/releases/41') })).toBe(
      exceptionFingerprint({ ...deployB, stack: inCwd(deployB.stack, '/opt/app') }),
    );
  });

  it('reads percent-encoded file URLs as paths, so the working directory still comes off', () => {
    const cwd = process.cwd().replace(/\\/g, '/');
    const url = `file://${encodeURI(`${cwd}/my app/routes.mjs`)}`;
    expect(url).toContain('my%20app');
    expect(normaliseStackFrames(`Error: x\n    at handler (${url}:7:3)`)).toEqual([
      'handler@my app/routes.mjs',
    ]);
  });

  it('normalises each kind of V8 frame', () => {
    const cwd = process.cwd().replace(/\\/g, '/');
    const stack = [
      'Error: boom',
      `    at new Repository (${cwd}/src/repo.js:3:11)`,
      `    at ${cwd}/src/anonymous.js:4:2`,
      '    at Array.map (<anonymous>)',
      '    at async Promise.all (index 2)',
      '    at eval (eval at compile (/x/y.js:1:1), <anonymous>:1:1)',
    ].join('\n');
    expect(normaliseStackFrames(stack)).toEqual([
      'Repository@src/repo.js',
      '<anonymous>@src/anonymous.js',
      'Array.map@',
      'Promise.all@',
      'eval@eval',
    ]);
  });

  it('uses forward slashes for Windows paths', () => {
    const frames = normaliseStackFrames('Error: x\n    at run (C:\\app\\node_modules\\lib\\run.js:1:2)');
    expect(frames).toEqual(['run@lib/run.js']);
  });

  it('counts a run of identical frames once, so recursion depth does not matter', () => {
    function recurse(depth: number): never {
      if (depth === 0) throw new Error('bottom');
      return recurse(depth - 1);
    }
    // Within Error.stackTraceLimit (10): deeper recursion pushes the callers out of the stack.
    const shallow = caught(() => recurse(1));
    const deep = caught(() => recurse(4));
    expect(exceptionFingerprint(shallow)).toBe(exceptionFingerprint(deep));
  });

  it('takes the type from the constructor when a subclass never set name', () => {
    class PaymentDeclined extends Error {}
    expect(exceptionType(new PaymentDeclined('no'))).toBe('PaymentDeclined');
  });

  it('handles thrown non-errors by type and normalised message', () => {
    expect(exceptionType('boom')).toBe('string');
    expect(exceptionType(null)).toBe('null');
    expect(exceptionType(undefined)).toBe('undefined');
    expect(exceptionType(42)).toBe('number');
    expect(exceptionType({ message: 'x' })).toBe('Object');
    expect(exceptionFingerprint('timeout after 300 ms')).toBe(exceptionFingerprint('timeout after 5000 ms'));
    expect(exceptionFingerprint("user 'alice' not found")).toBe(exceptionFingerprint("user 'bob' not found"));
    expect(exceptionFingerprint('timeout')).not.toBe(exceptionFingerprint('refused'));
    expect(exceptionFingerprint('boom')).not.toBe(exceptionFingerprint(new Error('boom')));
    for (const value of [null, undefined, 0, Symbol('s'), 10n, () => 1, Object.create(null)]) {
      expect(exceptionFingerprint(value)).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('separates errors without application frames by message and code', () => {
    const enoent = { name: 'Error', code: 'ENOENT', message: "ENOENT: no such file or directory, open '/a'" };
    const eacces = { name: 'Error', code: 'EACCES', message: "EACCES: permission denied, open '/a'" };
    const enoentElsewhere = {
      name: 'Error',
      code: 'ENOENT',
      message: "ENOENT: no such file or directory, open '/b'",
    };
    expect(exceptionFingerprint(enoent)).toBe(exceptionFingerprint(enoentElsewhere));
    expect(exceptionFingerprint(enoent)).not.toBe(exceptionFingerprint(eacces));
  });

  it('never throws, even for hostile objects', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(exceptionFingerprint(hostile)).toMatch(/^[0-9a-f]{16}$/);
    expect(exceptionType(hostile)).toBe('Object');
  });
});
