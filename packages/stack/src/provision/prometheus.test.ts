import { describe, expect, it } from 'vitest';
import { prometheusModuleVersion } from '../versions.js';
import { wrapperGoMod } from './prometheus.js';

describe('Prometheus build module', () => {
  it('maps Prometheus 3.x.y to Go module v0.(300+x).y', () => {
    expect(prometheusModuleVersion(15, 0)).toBe('v0.315.0');
    expect(prometheusModuleVersion(5, 2)).toBe('v0.305.2');
  });

  it("repeats upstream's go, exclude and replace directives, single-line and blocks", () => {
    const upstream = `module github.com/prometheus/prometheus

go 1.26.0

require (
\tgithub.com/foo/bar v1.0.0
)

exclude github.com/linode/linodego v1.0.0

exclude (
\tgithub.com/grpc-ecosystem/grpc-gateway v1.14.7
\tgoogle.golang.org/api v0.30.0
)

replace cloud.google.com/go => cloud.google.com/go v0.123.0
`;
    const mod = wrapperGoMod(upstream, 'v0.315.0');
    expect(mod).toContain('go 1.26.0');
    expect(mod).toContain('require github.com/prometheus/prometheus v0.315.0');
    expect(mod).toContain('exclude github.com/linode/linodego v1.0.0');
    expect(mod).toContain(
      'exclude (\n\tgithub.com/grpc-ecosystem/grpc-gateway v1.14.7\n\tgoogle.golang.org/api v0.30.0\n)',
    );
    expect(mod).toContain('replace cloud.google.com/go => cloud.google.com/go v0.123.0');
    expect(mod).not.toContain('github.com/foo/bar');
  });
});
