'use strict';
/**
 * The server every arm of bench/node-overhead runs, unchanged: hello-world Express 5 on
 * 127.0.0.1:$PORT, one JSON route and one winston log line per request.
 *
 * CommonJS so that all three arms load it the same way: `node server.cjs`, `node --require
 * @opentelemetry/auto-instrumentations-node/register server.cjs` (upstream's ESM support needs a
 * second loader flag) and `node --import @otelkit/node/register server.cjs`.
 *
 * The log line is there because the instrumented arms run "all three signals": without it the
 * logs pipeline would sit idle and cost nothing. Both instrumentations correlate winston records
 * and send them over OTLP. BENCH_LOG=none drops the line, for the classic hello-world comparison.
 */
const express = require('express');

const winston = require('winston');

const logPerRequest = process.env.BENCH_LOG !== 'none';
// The bench sends this process's stdout to /dev/null, so the Console transport costs the same
// formatting and write in every arm and nothing else.
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  transports: [new winston.transports.Console()],
});

const app = express();
app.get('/hello/:name', (req, res) => {
  if (logPerRequest) logger.info('said hello', { name: req.params.name });
  res.json({ hello: req.params.name });
});

// Only under `--cpu-prof` (run.ts --cpu-prof-dir): Node writes the profile on a normal exit, which
// SIGTERM does not give in either instrumented arm (upstream never exits on it).
if (process.execArgv.includes('--cpu-prof')) process.on('SIGUSR2', () => process.exit(0));

const port = Number(process.env.PORT);
app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    process.stderr.write(`server: cannot listen on ${port}: ${error.message}\n`);
    process.exit(1);
  }
});
