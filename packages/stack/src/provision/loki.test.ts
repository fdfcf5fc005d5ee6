import { describe, expect, it } from 'vitest';
import { requiredVersion } from './loki.js';

describe('requiredVersion', () => {
  it('reads a requirement from a require block and from a single-line require', () => {
    const goMod = [
      'module github.com/grafana/loki/v3',
      '',
      'require (',
      '\tgithub.com/grafana/loki/pkg/push v0.0.0-20240924133635-758364c7775f',
      '\tgithub.com/grafana/loki/pkg/pushx v9.9.9',
      ')',
      'require github.com/other/mod v1.2.3 // indirect',
      'replace github.com/grafana/loki/pkg/push => ./pkg/push',
    ].join('\n');
    expect(requiredVersion(goMod, 'github.com/grafana/loki/pkg/push')).toBe(
      'v0.0.0-20240924133635-758364c7775f',
    );
    expect(requiredVersion(goMod, 'github.com/other/mod')).toBe('v1.2.3');
  });

  it('names the module when go.mod does not require it', () => {
    expect(() => requiredVersion('module x\n', 'github.com/grafana/loki/pkg/push')).toThrow(
      "Loki's go.mod requires no version of github.com/grafana/loki/pkg/push",
    );
  });
});
