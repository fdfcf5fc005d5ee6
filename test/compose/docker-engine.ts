import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Whether a Docker engine is reachable the way testcontainers looks for one, and why (not). */
export interface DockerEngine {
  available: boolean;
  reason: string;
}

/**
 * Finds a Docker engine without talking to it: DOCKER_HOST, a `docker.host` in
 * ~/.testcontainers.properties, or one of the sockets Docker (rootful, rootless, Desktop) creates.
 * A socket that exists but does not answer makes the suite fail, which is right: the engine is
 * there and broken.
 */
export function findDockerEngine(): DockerEngine {
  if (process.env.DOCKER_HOST) return { available: true, reason: `DOCKER_HOST=${process.env.DOCKER_HOST}` };
  const properties = join(homedir(), '.testcontainers.properties');
  if (existsSync(properties) && /^docker\.host\s*=/m.test(readFileSync(properties, 'utf8'))) {
    return { available: true, reason: `docker.host in ${properties}` };
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const sockets = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
    ...(uid !== undefined ? [`/run/user/${uid}/docker.sock`] : []),
  ];
  const found = sockets.find((socket) => existsSync(socket));
  if (found) return { available: true, reason: `socket ${found}` };
  return {
    available: false,
    reason: `no Docker engine (DOCKER_HOST unset, no docker.host in ~/.testcontainers.properties, none of ${sockets.join(', ')} exists)`,
  };
}
