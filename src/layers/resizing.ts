// Keras Resizing and CenterCrop: fixed image-size changes applied in training and inference alike, on the
// backend's resizeImages kernel (tf.image.resize semantics). Resizing may first crop the largest centred window
// with the target aspect ratio (cropToAspectRatio); padToAspectRatio is not supported. Their input gradient (the
// transpose of the crop and resize, resize-gradient.ts) serves saliency maps through models that start with them.

import type { ResizeAttrs } from '../backend/backend.js';
import { ConfigError, invalid, ShapeError } from '../errors.js';
import { formatShape, type Shape, type Tensor } from '../tensor.js';
import { bool, checkKeys, expectRank, type Given, layerArgs, positiveInt, reuse } from './common.js';
import { type BaseLayerConfig, type CallContext, Layer, singleInput, singleShape } from './layer.js';
import { cropBackward, resizeImagesBackward } from './resize-gradient.js';

export interface ResizingConfig extends BaseLayerConfig {
  height: number;
  width: number;
  /** 'bilinear' (default), 'nearest' or 'area'. */
  interpolation?: ResizeAttrs['method'];
  /** Crop the largest centred window with the target aspect ratio before resizing (no distortion). */
  cropToAspectRatio?: boolean;
  /** Keras's padding alternative; only false is supported. */
  padToAspectRatio?: false;
  /** Keras writes these for padToAspectRatio; only the neutral values are accepted. */
  fillMode?: 'constant';
  fillValue?: 0;
}

/** (top, left, height, width) of the window a layer reads from an H x W image. */
type Window = [number, number, number, number];

/** Copies window `win` of every image of x (N, H, W, C) into a new (N, h, w, C) array. */
function cropWindow(x: Tensor, win: Window): Float32Array {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [top, left, ch, cw] = win;
  const out = new Float32Array(n * ch * cw * c);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < ch; r++) {
      const from = ((i * h + top + r) * w + left) * c;
      out.set(x.data.subarray(from, from + cw * c), (i * ch + r) * cw * c);
    }
  return out;
}

abstract class ImageSizeLayer extends Layer {
  readonly height: number;
  readonly width: number;
  private y: Float32Array | null = null;
  /** The latest forward's input shape and window, for backward. */
  private latest: { shape: [number, number, number, number]; win: Window } | null = null;

  constructor(config: { height: number; width: number } & BaseLayerConfig, where: string, nameBase: string) {
    super(config, nameBase);
    this.height = positiveInt(where, 'height', config.height);
    this.width = positiveInt(where, 'width', config.width);
  }

  /** The window of an H x W image that becomes the output. */
  protected abstract window(h: number, w: number): Window;
  protected abstract method(): ResizeAttrs['method'];

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(this.name, inputShape);
    const [h, w, c] = expectRank(this.name, shape, 4, '(batch, height, width, channels)') as [number, number, number];
    this.window(h, w);
    return [shape[0] ?? null, this.height, this.width, c];
  }

  forward(inputs: Tensor[], ctx: CallContext): Tensor {
    const x = singleInput(this.name, inputs);
    if (x.shape.length !== 4)
      throw new ShapeError(`${this.name}: invalid 'inputs'. Expected rank 4 (N, H, W, C), received rank ${x.shape.length}.`);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const win = this.window(h, w);
    const whole = win[0] === 0 && win[1] === 0 && win[2] === h && win[3] === w;
    const source = whole ? x.data : cropWindow(x, win);
    const y = (this.y = reuse(this.y, n * this.height * this.width * c));
    const attrs = { batch: n, channels: c, outHeight: this.height, outWidth: this.width, method: this.method() };
    ctx.backend.resizeImages(y, source, { ...attrs, inHeight: win[2], inWidth: win[3] });
    this.latest = { shape: [n, h, w, c], win };
    return { data: y, shape: [n, this.height, this.width, c] };
  }

  backward(dy: Tensor, ctx: CallContext): (Tensor | null)[] {
    if (!ctx.needsInputGrad) return [null];
    if (!this.latest) throw new ConfigError(`${this.name}.backward: called before forward. Expected a forward pass first.`);
    const [n, h, w, c] = this.latest.shape;
    const [top, left, wh, ww] = this.latest.win;
    const windowGrad = new Float32Array(n * wh * ww * c);
    const attrs = { batch: n, channels: c, outHeight: this.height, outWidth: this.width, inHeight: wh, inWidth: ww };
    resizeImagesBackward(windowGrad, dy.data as Float32Array, { ...attrs, method: this.method() });
    if (wh === h && ww === w) return [{ data: windowGrad, shape: [n, h, w, c] }];
    const dx = new Float32Array(n * h * w * c);
    cropBackward(dx, windowGrad, { n, height: h, width: w, channels: c, top, left, h: wh, w: ww });
    return [{ data: dx, shape: [n, h, w, c] }];
  }
}

/** (N, H, W, C) -> (N, height, width, C). Example: `new Resizing(64, 64)` or `new Resizing(64, 64, { cropToAspectRatio: true })`. */
export class Resizing extends ImageSizeLayer {
  readonly className: string = 'Resizing';
  readonly interpolation: ResizeAttrs['method'];
  readonly cropToAspectRatio: boolean;

  constructor(
    height: Given<ResizingConfig, 'height'>,
    width: Given<ResizingConfig, 'width'>,
    options?: Omit<ResizingConfig, 'height' | 'width'>,
  );
  constructor(config: ResizingConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<ResizingConfig>('Resizing', args, ['height', 'width']);
    checkKeys('Resizing', config, [
      'height',
      'width',
      'interpolation',
      'cropToAspectRatio',
      'padToAspectRatio',
      'fillMode',
      'fillValue',
    ]);
    super(config, 'Resizing', 'resizing');
    const method = config.interpolation ?? 'bilinear';
    if (!['bilinear', 'nearest', 'area'].includes(method)) {
      throw new ConfigError(invalid('Resizing', 'interpolation', "'bilinear', 'nearest' or 'area'", method));
    }
    this.interpolation = method;
    this.cropToAspectRatio = bool('Resizing', 'cropToAspectRatio', config.cropToAspectRatio, false);
    const neutral: [string, unknown, unknown][] = [
      ['padToAspectRatio', config.padToAspectRatio, false],
      ['fillMode', config.fillMode, 'constant'],
      ['fillValue', config.fillValue, 0],
    ];
    for (const [arg, value, only] of neutral) {
      if (value !== undefined && value !== only)
        throw new ConfigError(
          invalid(
            'Resizing',
            arg,
            `${JSON.stringify(only)} (padding to the aspect ratio is not supported)`,
            value,
            'cropToAspectRatio: true keeps the aspect ratio by cropping instead.',
          ),
        );
    }
  }

  protected window(h: number, w: number): Window {
    if (!this.cropToAspectRatio) return [0, 0, h, w];
    // Keras: the largest centred window with the target aspect ratio.
    const cropH = Math.min(h, Math.trunc((w * this.height) / this.width));
    const cropW = Math.min(w, Math.trunc((h * this.width) / this.height));
    return [Math.trunc((h - cropH) / 2), Math.trunc((w - cropW) / 2), cropH, cropW];
  }

  protected method(): ResizeAttrs['method'] {
    return this.interpolation;
  }

  protected layerConfig(): Record<string, unknown> {
    return {
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: false,
      fillMode: 'constant',
      fillValue: 0,
    };
  }
}

/** (N, H, W, C) -> the centred (N, height, width, C) window. Example: `new CenterCrop(24, 24)`. */
export class CenterCrop extends ImageSizeLayer {
  readonly className: string = 'CenterCrop';

  constructor(height: number, width: number, options?: BaseLayerConfig);
  constructor(config: { height: number; width: number } & BaseLayerConfig);
  constructor(...args: unknown[]) {
    const config = layerArgs<{ height: number; width: number } & BaseLayerConfig>('CenterCrop', args, ['height', 'width']);
    checkKeys('CenterCrop', config, ['height', 'width']);
    super(config, 'CenterCrop', 'center_crop');
  }

  protected window(h: number, w: number): Window {
    if (h < this.height || w < this.width) {
      throw new ShapeError(
        `${this.name}: invalid 'inputs'. Expected images of at least ${this.height} x ${this.width}, received ${formatShape([null, h, w])}. Hint: put Resizing first to enlarge smaller images.`,
      );
    }
    // Keras: start at (H - height) // 2; a crop of the whole size is the identity.
    return [Math.trunc((h - this.height) / 2), Math.trunc((w - this.width) / 2), this.height, this.width];
  }

  protected method(): ResizeAttrs['method'] {
    return 'nearest';
  }

  protected layerConfig(): Record<string, unknown> {
    return { height: this.height, width: this.width };
  }
}
