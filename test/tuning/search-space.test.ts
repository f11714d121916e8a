// Search spaces: every kind of bad declaration is refused naming the parameter and the value; draws stay in range
// and follow the declared distribution; grids enumerate exactly the declared points; YAML and JSON files load.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkTemplateSpace } from '../../src/tuning/model-templates.js';
import { gridPoints, loadSearchSpace, sampleParams, searchSpace } from '../../src/tuning/search-space.js';

describe('search spaces', () => {
  test('bad declarations are refused naming the parameter and the value', () => {
    const cases: [unknown, RegExp][] = [
      [
        { lr: { type: 'logarithmic', min: 1, max: 2 } },
        /'lr.type'. Expected one of 'uniform', 'loguniform', 'int', 'choice', 'fixed', received "logarithmic"/,
      ],
      [{ lr: { type: 'uniform', min: 0.5, max: 0.1 } }, /'lr.min'. Expected a value <= max \(0.1\), received 0.5/],
      [{ dropout: { type: 'choice', values: [] } }, /'dropout.values'. Expected a non-empty list of options, received \[\]/],
      [{ lr: { type: 'loguniform', min: 0, max: 0.1 } }, /'lr.min'. Expected a value > 0 for a loguniform parameter, received 0/],
      [
        { units: { type: 'int', min: -1, max: 8, log: true } },
        /'units.min'. Expected a value > 0 for a log-scaled int, received -1/,
      ],
      [{ lr: { type: 'uniform', min: 0, Max: 1 } }, /space 'lr' \(uniform\): unknown option 'Max'. Did you mean 'max'\?/],
      [
        { lr: { type: 'uniform', min: 0, max: 1, stpes: 3 } },
        /space 'lr' \(uniform\): unknown option 'stpes'.* Accepted options: type, min, max, steps/,
      ],
      [{ filters: { type: 'int', min: 1.5, max: 8 } }, /'filters.min'. Expected an integer, received 1.5/],
      [{ filters: { type: 'int', min: 1, max: 8, step: 0 } }, /'filters.step'. Expected an integer >= 1, received 0/],
      [{ lr: { type: 'uniform', min: '0', max: 1 } }, /'lr.min'. Expected a finite number for a uniform parameter, received "0"/],
      [
        { dropout: [0, 0.3] },
        /'dropout'. Expected a parameter .* received \[0, 0.3\]. For a list of options write \{ "type": "choice"/,
      ],
      [{}, /Expected at least one parameter/],
    ];
    for (const [space, message] of cases) assert.throws(() => searchSpace(space as never), message, JSON.stringify(space));
  });

  test('draws stay in range; loguniform is uniform in log space; int steps are respected', () => {
    const space = searchSpace({
      lr: { type: 'loguniform', min: 1e-4, max: 1e-2 },
      d: { type: 'uniform', min: -1, max: 1 },
      f: { type: 'int', min: 8, max: 64, step: 8 },
      g: { type: 'int', min: 8, max: 64, step: 2, log: true },
      o: { type: 'choice', values: ['adam', 'sgd'] },
      k: 3,
    });
    let below1e3 = 0;
    const seen = new Set<unknown>();
    const gSeen = new Set<unknown>();
    for (let s = 0; s < 2000; s++) {
      const p = sampleParams(space, s);
      const lr = p.lr as number;
      assert.ok(lr >= 1e-4 && lr <= 1e-2);
      if (lr < 1e-3) below1e3++;
      assert.ok((p.d as number) >= -1 && (p.d as number) < 1);
      assert.equal((p.f as number) % 8, 0);
      seen.add(p.f);
      gSeen.add(p.g);
      assert.equal(p.k, 3);
      assert.ok(p.o === 'adam' || p.o === 'sgd');
    }
    // log-uniform over two decades puts half the draws below the geometric middle 1e-3.
    assert.ok(Math.abs(below1e3 / 2000 - 0.5) < 0.05, `${below1e3} of 2000 below 1e-3`);
    assert.deepEqual(
      [...seen].sort((a, b) => (a as number) - (b as number)),
      [8, 16, 24, 32, 40, 48, 56, 64],
    );
    assert.deepEqual(
      [...gSeen].sort((a, b) => (a as number) - (b as number)),
      [8, 16, 32, 64],
    );
    assert.deepEqual(sampleParams(space, 7), sampleParams(space, 7));
  });

  test('grid: the product of the declared values, first parameter slowest; continuous needs steps', () => {
    const grid = gridPoints(
      searchSpace({
        a: { type: 'choice', values: ['x', 'y'] },
        b: { type: 'int', min: 1, max: 3 },
        c: { type: 'loguniform', min: 1e-3, max: 1e-1, steps: 3 },
      }),
    );
    assert.equal(grid.length, 18);
    assert.deepEqual(grid[0], { a: 'x', b: 1, c: 1e-3 });
    assert.deepEqual(grid[1]!.b, 1);
    assert.ok(Math.abs((grid[1]!.c as number) - 1e-2) < 1e-15);
    assert.deepEqual(grid[17]!.a, 'y');
    assert.throws(
      () => gridPoints(searchSpace({ lr: { type: 'uniform', min: 0, max: 1 } })),
      /invalid 'lr'. Expected a parameter grid search can enumerate .* Add "steps": 5 to discretise it/,
    );
  });

  test('JSON and YAML files load to the same space; broken files say what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-space-'));
    try {
      writeFileSync(
        join(dir, 's.json'),
        '{"lr": {"type": "loguniform", "min": 0.0001, "max": 0.01}, "dropout": {"type": "choice", "values": [0, 0.3]}}',
      );
      writeFileSync(
        join(dir, 's.yaml'),
        'lr:\n  type: loguniform\n  min: 1.0e-4\n  max: 1.0e-2\ndropout:\n  type: choice\n  values: [0, 0.3]\n',
      );
      writeFileSync(join(dir, 'bad.json'), '{"lr": ');
      const a = await loadSearchSpace(join(dir, 's.json'));
      const b = await loadSearchSpace(join(dir, 's.yaml'));
      assert.deepEqual(a.parameters, b.parameters);
      await assert.rejects(loadSearchSpace(join(dir, 'bad.json')), /--space: '.*bad.json' is not valid JSON/);
      await assert.rejects(loadSearchSpace(join(dir, 'missing.json')), /missing.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a template refuses parameters it does not take and values it cannot use', () => {
    assert.throws(
      () => checkTemplateSpace('lenet5', searchSpace({ filters: { type: 'int', min: 4, max: 8 } })),
      /space: invalid 'filters'. Expected a parameter of the 'lenet5' template \(lr, optimizer, batchSize\), received "filters"/,
    );
    assert.throws(
      () => checkTemplateSpace('bn-dropout-cnn', searchSpace({ dropout: { type: 'uniform', min: 0, max: 1.5 } })),
      /invalid 'dropout'. Expected a rate in \[0, 1\) for the 'bn-dropout-cnn' template, received 1.5/,
    );
    assert.throws(
      () => checkTemplateSpace('mnist-cnn', searchSpace({ optimizer: { type: 'choice', values: ['adam', 'adagrad'] } })),
      /invalid 'optimizer'. Expected adam \| adamw \| sgd \| rmsprop .* received "adagrad"/,
    );
  });
});
