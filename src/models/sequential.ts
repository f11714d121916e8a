// Keras Sequential: a stack of single-input layers. It is a functional Model whose graph is (re)wired from
// the layer list once the input shape is known: from an Input/InputLayer, the first layer's inputShape, or the
// first batch of data (lazy build). Not supported: pop(), multi-input layers.

import { ConfigError, invalid } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { checkOptions } from '../options.js';
import type { Shape } from '../tensor.js';
import { callLayer, Input, inputTensorOf, isInputLayer, releaseLayer, SymbolicTensor } from './input.js';
import { Model } from './model.js';

export interface SequentialArgs {
  name?: string;
  trainable?: boolean;
}

/**
 * A linear stack of layers.
 * @example
 * const model = new Sequential([
 *   Input({ shape: [28, 28, 1] }),
 *   new Conv2D(32, 3, { activation: 'relu' }),
 *   new Flatten(),
 *   new Dense(10, { activation: 'softmax' }),
 * ]);
 */
export class Sequential extends Model {
  override readonly className: string = 'Sequential';
  private stack: Layer[] = [];
  private inputLayer: Layer | null = null;

  protected static override readonly nameBase: string = 'sequential';

  constructor(layers: (Layer | SymbolicTensor)[] = [], args: SequentialArgs = {}) {
    super(checkOptions<SequentialArgs>('Sequential', args, ['name', 'trainable']));
    if (!Array.isArray(layers)) throw new ConfigError(invalid('Sequential', 'layers', 'an array of layers', layers));
    for (const layer of layers) this.add(layer);
  }

  /** The layers, without the InputLayer (as Keras lists them). */
  override get layers(): Layer[] {
    return [...this.stack];
  }

  /** Appends a layer; builds it now when the input shape is known. */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor) {
      if (!isInputLayer(layer.layer))
        throw new ConfigError(invalid(`${this.name}.add`, 'layer', 'a Layer or Input()', layer.name));
      this.setInput(layer.layer);
      return;
    }
    if (isInputLayer(layer)) {
      this.setInput(layer);
      return;
    }
    if (this.stack.includes(layer))
      throw new ConfigError(invalid(`${this.name}.add`, 'layer', 'a layer not already in the model', layer.name));
    this.stack.push(layer);
    if (this.built) {
      const out = callLayer(layer, this.outputTensors[0]!);
      this.setGraph(this.inputTensors, out);
      return;
    }
    const declared =
      this.inputLayer?.declaredBatchInputShape() ?? (this.stack.length === 1 ? layer.declaredBatchInputShape() : null);
    if (declared) this.buildFor(declared);
  }

  private setInput(layer: Layer): void {
    if (this.stack.length > 0 || this.inputLayer) {
      throw new ConfigError(
        `${this.name}.add: an Input/InputLayer must come first. Expected it before any layer, received it at position ${this.stack.length}.`,
      );
    }
    this.inputLayer = layer;
  }

  /** Wires the graph for an input shape (batch first). Called by add() or with the first batch's shape. */
  buildFor(batchShape: Shape): void {
    if (this.stack.length === 0) {
      throw new ConfigError(
        `${this.name}: the model has no layers. Add layers with model.add(layer) before building or fitting.`,
      );
    }
    const x = this.inputLayer ? inputTensorOf(this.inputLayer) : Input({ batchShape });
    let out = x;
    for (const layer of this.stack) {
      releaseLayer(layer);
      out = callLayer(layer, out);
    }
    this.setGraph(x, out);
  }

  override build(inputShape: Shape | Shape[]): void {
    if (!this.built) this.buildFor(inputShape as Shape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    if (!this.built) this.buildFor(inputShape as Shape);
    return super.computeOutputShape(inputShape);
  }
}
