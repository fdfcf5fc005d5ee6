import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A request the receiver got. */
export interface ReceivedRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** An HTTP server in a child process, for code that blocks this thread while it is being answered. */
export interface ReceiverProcess {
  /** Its base URL. */
  url: string;
  /** The requests it has got so far. */
  received: ReceivedRequest[];
  /** Resolves with the first `count` requests once it has got them (its reports come asynchronously). */
  requests(count: number): Promise<ReceivedRequest[]>;
  /** Stops it. */
  stop(): Promise<void>;
}

/** PEM files an https receiver serves with. */
export interface ReceiverTls {
  /** Path of the server's private key. */
  key: string;
  /** Path of the server's certificate. */
  cert: string;
}

/**
 * Answers `status` to every request (or never answers, with `'hang'`) from a child process and
 * reports each request back. A server in this process could not answer while a test blocks it.
 * With `tls` it speaks https.
 */
export async function startReceiverProcess(
  status: number | 'hang' = 200,
  tls?: ReceiverTls,
): Promise<ReceiverProcess> {
  const server = tls
    ? `require('node:https').createServer({
        key: require('node:fs').readFileSync(${JSON.stringify(tls.key)}),
        cert: require('node:fs').readFileSync(${JSON.stringify(tls.cert)}),
      }, `
    : `require('node:http').createServer(`;
  const program = `
    const server = ${server}(request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('base64');
        process.stdout.write(JSON.stringify({ url: request.url, headers: request.headers, body }) + '\\n');
        if (${JSON.stringify(status)} !== 'hang') response.writeHead(${Number(status) || 200}).end();
      });
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', program], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const received: ReceivedRequest[] = [];
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code}) before listening`)));
    lines.on('line', (line) => {
      if (line.startsWith('port ')) return resolve(line.slice(5));
      const { url, headers, body } = JSON.parse(line) as {
        url: string;
        headers: Record<string, string>;
        body: string;
      };
      received.push({ url, headers, body: Buffer.from(body, 'base64') });
    });
  });
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    received,
    requests: async (count) => {
      const deadline = Date.now() + 5000;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`the receiver got ${received.length} of ${count} requests`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return received.slice(0, count);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}
