/**
 * server.cjs as an ES module, for one figure only: start-up of an ESM application, where
 * `--import @otelkit/node/register` also installs import-in-the-middle's ESM hooks (on Node's
 * loader thread before Node 22.22.3 and 24.11.1). The load
 * rounds use server.cjs in every arm; keep the two servers the same application.
 */
import express from 'express';
import winston from 'winston';

const logPerRequest = process.env.BENCH_LOG !== 'none';
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

const port = Number(process.env.PORT);
app.listen(port, '127.0.0.1', (error) => {
  if (error) {
    process.stderr.write(`server: cannot listen on ${port}: ${error.message}\n`);
    process.exit(1);
  }
});
