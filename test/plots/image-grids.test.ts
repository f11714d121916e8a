// The picture grids (predictions, top losses, explanations) and the heatmap overlay: well-formed SVG with one
// embedded picture per image, the captions and frame colours expected from hand-made predictions, and PNGs whose
// pixels show those frame colours, the images' grey levels and the colormap's ends where they are known.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { gradCam } from '../../src/explain/grad-cam.js';
import { saliencyMap } from '../../src/explain/saliency.js';
import { Conv2D, Dense, GlobalAveragePooling2D } from '../../src/layers/index.js';
import { Input } from '../../src/models/input.js';
import { Sequential } from '../../src/models/sequential.js';
import { explanationFigure, heatmapOverlayPng } from '../../src/plots/explanation-figure.js';
import { predictionGrid, topLossesGrid } from '../../src/plots/prediction-grid.js';
import { renderPng } from '../../src/plots/render.js';
import { findAll, parseXml, texts, type XmlElement } from '../helpers/svg.js';

const RIGHT: [number, number, number] = [0x1a, 0x7f, 0x37];
const WRONG: [number, number, number] = [0xcf, 0x22, 0x2e];

/** Four 8x8 gray images, image i at level i / 4 (values in [0, 1]). */
const images = { data: new Float32Array(4 * 64).map((_, k) => Math.floor(k / 64) / 4), shape: [4, 8, 8, 1] };
const probabilities = {
  data: Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.1, 0.6, 0.2, 0.2, 0.6]),
  shape: [4, 3],
};
const labels = [0, 1, 0, 2];
const classNames = ['cat', 'dog', 'bird'];

async function rgbAt(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.round(y) * info.width + Math.round(x)) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

function near(actual: number[], expected: number[], tol: number, what: string): void {
  assert.ok(
    actual.every((v, i) => Math.abs(v - expected[i]!) <= tol),
    `${what}: got [${actual}], expected about [${expected}]`,
  );
}

const frames = (svg: XmlElement) => findAll(svg, (e) => e.name === 'rect' && e.attributes.class === 'frame');
const pictures = (svg: XmlElement) => findAll(svg, (e) => e.name === 'image');

describe('plots: prediction and top-loss grids', () => {
  test('SVG: one picture per image, captions with class and confidence, green right and red wrong', async () => {
    const svg = parseXml(await predictionGrid(images, probabilities, labels, { classNames, title: 'Predictions' }));
    assert.equal(pictures(svg).length, 4);
    assert.ok(pictures(svg).every((p) => p.attributes.href!.startsWith('data:image/png;base64,')));
    assert.deepEqual(
      frames(svg).map((f) => f.attributes.stroke),
      ['#1a7f37', '#1a7f37', '#cf222e', '#1a7f37'],
    );
    assert.deepEqual(texts(svg), [
      'Predictions',
      '✓ cat 70%',
      'true: cat',
      '✓ dog 80%',
      'true: dog',
      '✗ bird 60%',
      'true: cat',
      '✓ bird 60%',
      'true: bird',
    ]);
  });

  test('PNG: frame pixels are green or red, picture pixels show the gray levels', async () => {
    const svgText = await predictionGrid(images, probabilities, labels, { classNames, tileSize: 40 });
    const svg = parseXml(svgText);
    const png = await renderPng(svgText);
    const meta = await sharp(png).metadata();
    assert.equal(meta.width, 2 * Number(svg.attributes.width));
    for (const [i, frame] of frames(svg).entries()) {
      const x = 2 * (Number(frame.attributes.x) + Number(frame.attributes.width) / 2);
      const y = 2 * Number(frame.attributes.y);
      near(await rgbAt(png, x, y), i === 2 ? WRONG : RIGHT, 12, `frame ${i}`);
    }
    for (const [i, picture] of pictures(svg).entries()) {
      const x = 2 * (Number(picture.attributes.x) + Number(picture.attributes.width) / 2);
      const y = 2 * (Number(picture.attributes.y) + Number(picture.attributes.height) / 2);
      const level = Math.round((255 * i) / 4);
      near(await rgbAt(png, x, y), [level, level, level], 2, `picture ${i}`);
    }
  });

  test('without labels: the prediction only, no frames; limit; uint8 images are 0..255; binary outputs', async () => {
    const svg = parseXml(await predictionGrid(images, probabilities, null, { classNames, limit: 2 }));
    assert.equal(pictures(svg).length, 2);
    assert.equal(frames(svg).length, 0);
    assert.deepEqual(texts(svg), ['cat 70%', 'dog 80%']);
    const bytes = { data: Uint8Array.from({ length: 64 }, () => 255), shape: [1, 8, 8, 1] };
    const png = await renderPng(
      await predictionGrid(bytes, { data: Float32Array.from([0.9]), shape: [1, 1] }, [1], { tileSize: 40 }),
    );
    const grid = parseXml(await predictionGrid(bytes, { data: Float32Array.from([0.9]), shape: [1, 1] }, [1], { tileSize: 40 }));
    const p = pictures(grid)[0]!;
    near(
      await rgbAt(png, 2 * (Number(p.attributes.x) + 20), 2 * (Number(p.attributes.y) + 20)),
      [255, 255, 255],
      1,
      'uint8 255 is white',
    );
    assert.deepEqual(texts(grid), ['✓ 1 90%', 'true: 1']);
  });

  test('top losses: prediction, true class and loss; rows picked by index', async () => {
    const examples = [
      { index: 2, trueClass: 0, predictedClass: 2, confidence: 0.6, loss: 2.3 },
      { index: 3, trueClass: 2, predictedClass: 2, confidence: 0.6, loss: 0.5108 },
    ];
    const svg = parseXml(await topLossesGrid(images, examples, { classNames, columns: 2 }));
    assert.equal(pictures(svg).length, 2);
    assert.deepEqual(texts(svg), ['✗ bird 60%', 'true: cat', 'loss 2.30', '✓ bird 60%', 'true: bird', 'loss 0.51']);
    await assert.rejects(
      topLossesGrid(images, [{ ...examples[0]!, index: 4 }]),
      /invalid 'examples\[\].index'. Expected a row of images in 0..3, received 4/,
    );
    await assert.rejects(topLossesGrid(images, []), /a non-empty array/);
  });

  test('bad input names the argument', async () => {
    await assert.rejects(
      predictionGrid({ data: new Float32Array(64), shape: [8, 8] }, probabilities),
      /invalid 'images'. Expected an \(N, H, W, C\) image batch/,
    );
    await assert.rejects(predictionGrid(images, probabilities, [0, 1]), /invalid 'labels'. Expected 4 rows/);
    await assert.rejects(predictionGrid(images, { data: new Float32Array(4), shape: [4] }), /invalid 'probabilities'/);
    await assert.rejects(
      predictionGrid(images, probabilities, labels, { columns: 0 }),
      /invalid 'columns'. Expected an integer in 1..100/,
    );
    await assert.rejects(predictionGrid(images, probabilities, labels, { valueRange: [1, 0] }), /invalid 'valueRange'/);
    await assert.rejects(
      predictionGrid(images, probabilities, labels, { colums: 2 } as never),
      /unknown option 'colums'. Did you mean 'columns'/,
    );
  });
});

describe('plots: heatmap overlays and the explanation figure', () => {
  test('overlay PNG: the colormap ends (blue for 0, dark red for 1) over a black image, at the asked size', async () => {
    const black = { data: new Float32Array(64), shape: [8, 8, 1] };
    const heat = { data: Float32Array.from([0, 1]), shape: [1, 2] };
    const png = await heatmapOverlayPng(black, heat, { alpha: 1, size: 8 });
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 8, 8]);
    assert.deepEqual(await rgbAt(png, 0, 4), [0, 0, 128]);
    assert.deepEqual(await rgbAt(png, 7, 4), [128, 0, 0]);
    const half = await heatmapOverlayPng(black, heat, { alpha: 0.5, size: 8 });
    assert.deepEqual(await rgbAt(half, 7, 4), [64, 0, 0], 'alpha blends with the black image');
    const small = await heatmapOverlayPng(black, heat);
    assert.equal((await sharp(small).metadata()).width, 224, 'small images are enlarged to 224 px');
    await assert.rejects(heatmapOverlayPng(black, heat, { alpha: 2 }), /invalid 'alpha'. Expected a number in \[0, 1\]/);
  });

  test('figure: image, Grad-CAM and saliency per row, with the class and layer', async () => {
    const model = new Sequential([
      Input({ shape: [8, 8, 1] }),
      new Conv2D(2, 3, { activation: 'relu', padding: 'same', name: 'features' }),
      new GlobalAveragePooling2D(),
      new Dense(3, { activation: 'softmax' }),
    ]);
    const rows = [0, 3].map((i) => {
      const image = { data: images.data.slice(i * 64, (i + 1) * 64), shape: [8, 8, 1] };
      return { image, gradCam: gradCam(model, image, { classIndex: 1 }), saliency: saliencyMap(model, image, { classIndex: 1 }) };
    });
    const svg = parseXml(await explanationFigure(rows, { classNames, size: 32 }));
    assert.equal(pictures(svg).length, 6);
    assert.deepEqual(texts(svg).slice(0, 5), ['image', 'Grad-CAM: dog', 'layer features', 'saliency: dog', 'gradient magnitude']);
    const camOnly = parseXml(
      await explanationFigure([{ image: rows[0]!.image, gradCam: rows[0]!.gradCam }, rows[1]!], { size: 32 }),
    );
    assert.equal(pictures(camOnly).length, 5, 'a row without saliency leaves its cell blank');
  });
});
