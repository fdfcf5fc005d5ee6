import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, ManagedProcess } from '@otelkit/stack';
import { assertInstalled } from './debian-server.js';

/** A throwaway RabbitMQ broker a test started. */
export interface RunningRabbitMq {
  /** `amqp://…` URL of its default vhost, as an application's `AMQP_URL`. */
  url: string;
  /** Stops the broker and its Erlang port mapper; its files go with the test's temporary directory. */
  stop: () => Promise<void>;
}

// Debian's rabbitmq-server package; scripts/bootstrap.sh installs it for the tests.
const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = '/usr/bin/epmd';

/**
 * Starts RabbitMQ on free loopback ports with its state in `dir`: no plugins, the default `guest`
 * user (allowed from loopback only). Erlang's port mapper (epmd) daemonises on a port of its own,
 * so `stop` ends it too rather than leaving it behind.
 */
export async function startRabbitMq(dir: string, logFile: string): Promise<RunningRabbitMq> {
  assertInstalled([SERVER, EPMD], 'rabbitmq-server', 'RabbitMQ');
  const state = join(dir, 'rabbitmq');
  mkdirSync(state, { recursive: true });
  const pluginsFile = join(state, 'enabled_plugins');
  writeFileSync(pluginsFile, '[].\n');
  // Three distinct ports: picked one at a time, the kernel may hand out the same one twice.
  const [port = 0, distPort = 0, epmdPort = 0] = await freePorts(3);
  const epmdEnv = { ERL_EPMD_PORT: String(epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1' };
  const broker = new ManagedProcess({
    name: 'rabbitmq',
    command: SERVER,
    args: [],
    env: {
      ...epmdEnv,
      // The Erlang cookie is written to $HOME.
      HOME: state,
      // Its script then execs the Erlang VM instead of running it as a child behind a shell that
      // traps signals: the process stopped (and, past the grace, killed) is the broker itself.
      RUNNING_UNDER_SYSTEMD: 'true',
      RABBITMQ_NODENAME: 'rabbit@localhost',
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      RABBITMQ_MNESIA_BASE: join(state, 'mnesia'),
      RABBITMQ_LOG_BASE: join(state, 'log'),
      RABBITMQ_LOGS: '-',
      RABBITMQ_CONFIG_FILE: join(state, 'rabbitmq'),
      RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
      RABBITMQ_PID_FILE: join(state, 'rabbitmq.pid'),
    },
    logFile,
    ready: { tcp: port },
  });
  const stopEpmd = () =>
    promisify(execFile)(EPMD, ['-kill'], { env: { ...process.env, ...epmdEnv } }).catch(() => undefined);
  try {
    await broker.start(90_000);
  } catch (error) {
    await broker.stop();
    await stopEpmd();
    throw error;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    stop: async () => {
      await broker.stop();
      await stopEpmd();
    },
  };
}
