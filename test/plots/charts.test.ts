// The Vega-Lite charts rendered to SVG and PNG: each SVG parses as well-formed XML with the expected labels and
// number of marks (counted from vega's mark groups), renders without vega warnings, and rasterises to a PNG of the
// expected size whose pixels show the expected colours where they are known.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { confusionMatrixSpec, normalizeMatrix } from '../../src/plots/confusion-matrix.js';
import { curveFacts, learningCurvesSpec } from '../../src/plots/learning-curves.js';
import { probabilityBarsSpec } from '../../src/plots/probability-bars.js';
import { type Plot, renderPng, renderSvg, renderSvgWithWarnings, savePlot } from '../../src/plots/render.js';
import { trueVsPredictedSpec } from '../../src/plots/true-vs-predicted.js';
import { History } from '../../src/training/history.js';
import { parseXml, texts, vegaMarks, type XmlElement } from '../helpers/svg.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-plots-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function svgOf(plot: Plot): Promise<XmlElement> {
  const { svg, warnings } = await renderSvgWithWarnings(plot);
  assert.deepEqual(warnings, [], 'vega warnings');
  return parseXml(svg);
}

/** RGB of the PNG pixel at (x, y). */
async function pixel(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

function history(): History {
  const h = new History();
  h.setParams({ epochs: 20, steps: 10, verbose: 0, initialEpoch: 0 });
  const loss = [1.2, 0.8, 0.6, 0.5, 0.45, 0.4, 0.37, 0.35];
  const valLoss = [1.1, 0.85, 0.7, 0.65, 0.66, 0.64, 0.67, Number.NaN];
  const lr = [1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 2.5e-4];
  loss.forEach((l, e) => {
    void h.onEpochEnd(e, {
      loss: l,
      accuracy: 1 - l / 2,
      val_loss: valLoss[e]!,
      val_accuracy: 1 - valLoss[e]! / 2,
      learning_rate: lr[e]!,
    });
  });
  return h;
}

describe('plots: learning curves', () => {
  test('facts: best epoch (NaN ignored), learning-rate drops and the early stop, 1-based', () => {
    const facts = curveFacts(history());
    assert.deepEqual(facts.metrics, ['loss', 'accuracy']);
    assert.equal(facts.monitor, 'val_loss');
    assert.equal(facts.bestEpoch, 6);
    assert.deepEqual(facts.lrDrops, [
      { epoch: 4, from: 1e-3, to: 5e-4 },
      { epoch: 7, from: 5e-4, to: 2.5e-4 },
    ]);
    assert.equal(facts.earlyStop, 8);
    assert.equal(curveFacts(history(), { monitor: 'val_accuracy' }).bestEpoch, 6);
    assert.equal(curveFacts(history(), { monitor: 'accuracy' }).bestEpoch, 8, "'auto' mode is max for accuracy");
    assert.equal(curveFacts(history(), { epochs: 8 }).earlyStop, null);
    assert.equal(curveFacts({ loss: [3, 2, 1] }).bestEpoch, 3);
  });

  test('SVG: a panel per metric, two lines each, points per epoch, markers and their labels', async () => {
    const svg = await svgOf(learningCurvesSpec(history()));
    assert.equal(svg.name, 'svg');
    assert.equal(vegaMarks(svg, 'line').length, 4, 'training and validation lines in 2 panels');
    // 8 training points + 7 finite validation points, per panel (the NaN epoch draws nothing).
    assert.equal(vegaMarks(svg, 'symbol').length, 2 * 15);
    assert.equal(vegaMarks(svg, 'rule').length, 2 * 4, 'best, two lr drops and the stop, on both panels');
    const words = texts(svg);
    for (const label of ['loss', 'accuracy', 'epoch', 'training', 'validation', 'best', 'lr ↓', 'stop', 'Learning curves']) {
      assert.ok(words.includes(label), `label '${label}' missing from ${JSON.stringify(words)}`);
    }
    assert.ok(words.includes('Learning rate lowered after epochs 4 (1e-3 → 5e-4), 7 (5e-4 → 2.5e-4).'), JSON.stringify(words));
    assert.ok(words.includes('Stopped early after epoch 8.'));
  });

  test('bad input names the argument', () => {
    assert.throws(() => learningCurvesSpec({ epoch: [0, 1] }), /at least one metric such as loss/);
    assert.throws(() => learningCurvesSpec({ loss: [1, 2] }, { monitor: 'val_loss' }), /invalid 'monitor'. Expected one of loss/);
    assert.throws(() => learningCurvesSpec({ loss: ['1'] as unknown as number[] }), /invalid 'history.loss'/);
    assert.throws(
      () => learningCurvesSpec({ loss: [1] }, { monitr: 'loss' } as never),
      /unknown option 'monitr'. Did you mean 'monitor'/,
    );
  });
});

describe('plots: confusion matrix', () => {
  const matrix = [
    [5, 1, 0],
    [2, 7, 1],
    [0, 0, 0],
  ];
  const classNames = ['cat', 'dog', 'bird'];

  test('SVG: classes² cells, each labelled with its count, names on both axes', async () => {
    const svg = await svgOf(confusionMatrixSpec(matrix, { classNames }));
    assert.equal(vegaMarks(svg, 'rect').length, 9);
    const cellTexts = vegaMarks(svg, 'text').map((t) => t.text);
    assert.deepEqual(cellTexts, ['5', '1', '0', '2', '7', '1', '0', '0', '0']);
    const words = texts(svg);
    for (const label of ['cat', 'dog', 'bird', 'true class', 'predicted class', 'Confusion matrix'])
      assert.ok(words.includes(label), label);
  });

  test('normalised over true classes: rows sum to 1, an empty row is 0 (no NaN), as sklearn', async () => {
    assert.deepEqual(normalizeMatrix(matrix, 'true'), [
      [5 / 6, 1 / 6, 0],
      [0.2, 0.7, 0.1],
      [0, 0, 0],
    ]);
    assert.deepEqual(normalizeMatrix(matrix, 'pred')[0], [5 / 7, 1 / 8, 0]);
    assert.deepEqual(normalizeMatrix(matrix, 'all')[1], [2 / 16, 7 / 16, 1 / 16]);
    const svg = await svgOf(confusionMatrixSpec(matrix, { classNames, normalize: 'true' }));
    assert.deepEqual(
      vegaMarks(svg, 'text').map((t) => t.text),
      ['0.83', '0.17', '0', '0.20', '0.70', '0.10', '0', '0', '0'],
    );
  });

  test('PNG: twice the SVG size; the largest count is the darkest cell', async () => {
    const spec = confusionMatrixSpec(matrix, { classNames, cellSize: 50 });
    const svg = await svgOf(spec);
    const png = await renderPng(spec);
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, 2 * Number(svg.attributes.width));
    assert.equal(meta.height, 2 * Number(svg.attributes.height));
    // Cell centres from the rect marks' paths ("M x,y h w v h ..."), inside the plot group's translation.
    const rects = vegaMarks(svg, 'rect');
    const group = parseTranslate(svg);
    const centre = (i: number) => {
      const [x, y] = /M(-?[\d.]+),(-?[\d.]+)/.exec(rects[i]!.attributes.d!)!.slice(1).map(Number) as [number, number];
      const [tx, ty] = parseTranslate(rects[i]!) ?? [0, 0];
      return [2 * (group[0] + tx + x + 8), 2 * (group[1] + ty + y + 8)] as const;
    };
    const brightness = async (i: number) => (await pixel(png, ...centre(i))).reduce((a, b) => a + b, 0);
    assert.ok((await brightness(4)) < (await brightness(0)), 'count 7 darker than 5');
    assert.ok((await brightness(0)) < (await brightness(8)), 'count 5 darker than 0');
  });

  test('bad input', () => {
    assert.throws(() => confusionMatrixSpec([[1, 2]]), /a square K x K array/);
    assert.throws(
      () =>
        confusionMatrixSpec([
          [1, -1],
          [0, 1],
        ]),
      /non-negative counts/,
    );
    assert.throws(() => confusionMatrixSpec(matrix, { classNames: ['a', 'b'] }), /3 distinct names/);
    assert.throws(() => confusionMatrixSpec(matrix, { normalize: 'rows' as never }), /'true', 'pred' or 'all'/);
  });
});

/** The translation of an element's transform attribute, or of the first translated group inside the SVG. */
function parseTranslate(e: XmlElement): [number, number] {
  const m = /translate\((-?[\d.]+),\s*(-?[\d.]+)\)/.exec(e.attributes.transform ?? '');
  if (m) return [Number(m[1]), Number(m[2])];
  for (const child of e.children) {
    const inner = /translate\((-?[\d.]+),\s*(-?[\d.]+)\)/.exec(child.attributes.transform ?? '');
    if (inner) return [Number(inner[1]), Number(inner[2])];
  }
  return [0, 0];
}

describe('plots: true vs predicted, probability bars', () => {
  test('one dot per sample, coloured right/wrong; large sets thinned evenly with a subtitle', async () => {
    const yTrue = [0, 0, 1, 1, 2, 2, 2, 0, 1, 2];
    const yPred = [0, 1, 1, 1, 2, 0, 2, 0, 1, 2];
    const svg = await svgOf(trueVsPredictedSpec(yTrue, yPred, { classNames: ['a', 'b', 'c'] }));
    const dots = vegaMarks(svg, 'symbol');
    assert.equal(dots.length, 10);
    assert.equal(dots.filter((d) => d.attributes.fill === '#cf222e').length, 2, 'two wrong predictions in red');
    const words = texts(svg);
    for (const label of ['a', 'b', 'c', 'true class', 'predicted class', 'right', 'wrong', '10 samples'])
      assert.ok(words.includes(label), label);
    const many = Array.from({ length: 5000 }, (_, i) => i % 3);
    const thinned = await svgOf(trueVsPredictedSpec(many, many, { maxPoints: 1000 }));
    assert.equal(vegaMarks(thinned, 'symbol').length, 1000);
    assert.ok(texts(thinned).includes('1,000 of 5,000 samples shown'));
    assert.throws(() => trueVsPredictedSpec([0, 1], [0]), /invalid 'yPred'. Expected as many classes as yTrue \(2\), received 1/);
    assert.throws(() => trueVsPredictedSpec([0, 1.5], [0, 1]), /class indices/);
  });

  test('one bar per class; the predicted bar green when right, red when wrong; the true bar outlined', async () => {
    const right = await svgOf(probabilityBarsSpec([0.1, 0.7, 0.2], { classNames: ['a', 'b', 'c'], trueClass: 1 }));
    const bars = vegaMarks(right, 'rect');
    assert.equal(bars.length, 3);
    assert.deepEqual(
      bars.map((b) => b.attributes.fill),
      ['#afb8c1', '#1a7f37', '#afb8c1'],
    );
    assert.deepEqual(
      vegaMarks(right, 'text').map((t) => t.text),
      ['10.0%', '70.0%', '20.0%'],
    );
    assert.ok(texts(right).includes('Predicted: b (true: b)'));
    const wrong = await svgOf(probabilityBarsSpec([0.3], { classNames: ['cat', 'dog'], trueClass: 1 }));
    const pair = vegaMarks(wrong, 'rect');
    assert.deepEqual(
      pair.map((b) => b.attributes.fill),
      ['#cf222e', '#afb8c1'],
      'one sigmoid unit read as [1 - p, p]',
    );
    assert.equal(pair[1]!.attributes.stroke, '#1a7f37');
    assert.throws(() => probabilityBarsSpec([0.5, 0.5], { trueClass: 2 }), /invalid 'trueClass'/);
  });
});

describe('plots: files', () => {
  test('savePlot writes SVG and PNG atomically, by suffix; nothing else is accepted', async () => {
    const spec = probabilityBarsSpec([0.2, 0.8]);
    await savePlot(spec, join(dir, 'bars.svg'));
    await savePlot(spec, join(dir, 'sub', 'bars.png'));
    parseXml(readFileSync(join(dir, 'bars.svg'), 'utf8'));
    assert.equal((await sharp(join(dir, 'sub', 'bars.png')).metadata()).format, 'png');
    await assert.rejects(savePlot(spec, join(dir, 'bars.jpg')), /Expected a name ending in '.svg' or '.png'/);
    assert.ok(!existsSync(join(dir, 'bars.jpg')));
    assert.deepEqual(readdirSync(dir).sort(), ['bars.svg', 'sub'], 'no temp files left');
  });

  test('rendering never loads URLs; a string must be an SVG document', async () => {
    const remote = { data: { url: 'https://example.com/data.json' }, mark: 'point' } as const;
    await assert.rejects(renderSvg(remote), /asks to load 'https:\/\/example.com\/data.json'. Expected inline data/);
    await assert.rejects(renderSvg('hello'), /Expected a Vega-Lite spec or an SVG document/);
  });
});
