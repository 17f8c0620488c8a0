// The examples of the format contract run on the model: the Shape scenario (its dirty-cow quirk
// once the model implements it; until then the same scenario on the current kernel), with the
// result object the contract shows.
import { describe, expect, it } from 'vitest';
import { resultJson, verdictOf } from '../../../src/cli/report.js';
import { implementedQuirks } from '../../../src/kernel/quirks.js';
import { SHAPE_YAML } from '../fixtures.js';
import { run, scenario } from './helpers.js';

const CURRENT_KERNEL = SHAPE_YAML.replace('quirks: [dirty-cow]', 'quirks: []');

function shapeResult(text: string): Record<string, unknown> {
  const p = scenario(text, 'shape.yaml');
  const r = run(p);
  return resultJson(p, r.result, verdictOf(p, r.result)) as Record<string, unknown>;
}

describe('the Shape example of the contract', () => {
  it('runs on the current kernel: the R/O long-term pin stays coherent after fork', () => {
    const o = shapeResult(CURRENT_KERNEL);
    expect(o).toMatchObject({
      format: 'gupsim-result',
      version: 1,
      scenario: 'cow-ro-pin-shared-anon',
      verdict: 'pass',
      results: { parent: 'pid 1', child: 'pid 2', 'p.ret': 1 },
      violations: [],
    });
    expect((o['results'] as Record<string, unknown>)['buf']).toMatch(/^0x[0-9a-f]+$/);
    expect(o['expectations']).toEqual([
      { thread: 'main', step: 5, ok: true, message: 'p.ret == 1', where: 'shape.yaml:26:9' },
      { thread: 'main', step: 7, ok: true, message: 'pages p hold 0xff', where: 'shape.yaml:28:9' },
    ]);
  });

  it.skipIf(!implementedQuirks().includes('dirty-cow'))('runs verbatim, with dirty-cow', () => {
    expect(shapeResult(SHAPE_YAML)).toMatchObject({ scenario: 'cow-ro-pin-shared-anon' });
  });
});
