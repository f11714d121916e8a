// Model templates for `convkit tune`: how a trial's hyperparameters reach a model. Each seed model is a template
// taking the training parameters (lr, optimizer, batchSize); the CNN families also take architecture parameters
// (filters, dropout, denseUnits, l2, kernelSize). At their defaults the templates build exactly the seed models,
// so the baseline of a search is the template with no parameters. A space naming a parameter the template does
// not take is refused before any training. Library users write their own buildModel(hp) instead.

import { buildSeedModel, SEED_MODELS } from '../applications/seed-models.js';
import { ConfigError, describe, invalid } from '../errors.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import { MaxPooling2D } from '../layers/max-pooling2d.js';
import type { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import { L2 } from '../regularizers.js';
import { type Params, type ParamValue, SearchSpace } from './search-space.js';

export interface TemplateShape {
  inputShape: [number, number, number];
  numClasses: number;
}

export interface ParamRule {
  check: (v: ParamValue) => boolean;
  expected: string;
}

const positiveInt: ParamRule = { check: (v) => Number.isInteger(v) && (v as number) >= 1, expected: 'an integer >= 1' };
const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'];
/** The training parameters every template (and a model file, tune --model file.keras) takes. */
export const TRAINING_RULES: Record<string, ParamRule> = {
  lr: { check: (v) => typeof v === 'number' && v > 0, expected: 'a learning rate > 0' },
  optimizer: { check: (v) => OPTIMIZERS.includes(String(v).toLowerCase()), expected: OPTIMIZERS.join(' | ') },
  batchSize: positiveInt,
};
const ARCHITECTURE: Record<string, ParamRule> = {
  filters: positiveInt,
  dropout: { check: (v) => typeof v === 'number' && v >= 0 && v < 1, expected: 'a rate in [0, 1)' },
  denseUnits: positiveInt,
  l2: { check: (v) => typeof v === 'number' && v >= 0, expected: 'a factor >= 0' },
  kernelSize: positiveInt,
};

/** Seed 003's BatchNorm + Dropout CNN with its widths, dropout, dense units and L2 as parameters. */
function bnDropoutFamily(p: Params, shape: TemplateShape): Sequential {
  const f = (p.filters as number | undefined) ?? 32;
  const k = (p.kernelSize as number | undefined) ?? 3;
  const l2 = (p.l2 as number | undefined) ?? 0;
  const reg = l2 > 0 ? { kernelRegularizer: new L2(l2) } : {};
  return new Sequential(
    [
      new Conv2D(f, k, { activation: 'relu', padding: 'same', inputShape: shape.inputShape, ...reg }),
      new BatchNormalization(),
      new Conv2D(2 * f, k, { activation: 'relu', padding: 'same', ...reg }),
      new BatchNormalization(),
      new MaxPooling2D(2),
      new Conv2D(4 * f, k, { activation: 'relu', padding: 'same', ...reg }),
      new BatchNormalization(),
      new MaxPooling2D(2),
      new Flatten(),
      new Dense((p.denseUnits as number | undefined) ?? 256, { activation: 'relu', ...reg }),
      new Dropout((p.dropout as number | undefined) ?? 0.5),
      new Dense(shape.numClasses, { activation: 'softmax' }),
    ],
    { name: 'bn_dropout_cnn' },
  );
}

/** The seeds' MNIST CNN with its widths, dense units, L2 and an optional dropout before the classifier. */
function mnistFamily(p: Params, shape: TemplateShape): Sequential {
  const f = (p.filters as number | undefined) ?? 32;
  const k = (p.kernelSize as number | undefined) ?? 3;
  const l2 = (p.l2 as number | undefined) ?? 0;
  const dropout = (p.dropout as number | undefined) ?? 0;
  const reg = l2 > 0 ? { kernelRegularizer: new L2(l2) } : {};
  return new Sequential(
    [
      new Conv2D(f, k, { activation: 'relu', inputShape: shape.inputShape, ...reg }),
      new MaxPooling2D(2),
      new Conv2D(2 * f, k, { activation: 'relu', ...reg }),
      new MaxPooling2D(2),
      new Flatten(),
      new Dense((p.denseUnits as number | undefined) ?? 128, { activation: 'relu', ...reg }),
      ...(dropout > 0 ? [new Dropout(dropout)] : []),
      new Dense(shape.numClasses, { activation: 'softmax' }),
    ],
    { name: 'mnist_cnn' },
  );
}

const FAMILIES: Record<string, (p: Params, shape: TemplateShape) => Sequential> = {
  'bn-dropout-cnn': bnDropoutFamily,
  'mnist-cnn': mnistFamily,
};

/** Template names: every seed model. */
export const TEMPLATE_NAMES = Object.keys(SEED_MODELS);

/** The parameters a template takes (training parameters for all; architecture ones for the CNN families). */
export function templateParameters(template: string): string[] {
  checkTemplate(template);
  return [...Object.keys(TRAINING_RULES), ...(FAMILIES[template] ? Object.keys(ARCHITECTURE) : [])];
}

function checkTemplate(template: string): void {
  if (!TEMPLATE_NAMES.includes(template)) {
    throw new ConfigError(invalid('--model', 'template', `one of ${TEMPLATE_NAMES.join(', ')}`, template));
  }
}

/** Every value a space can give a parameter (null for a continuous range: its bounds are checked instead). */
function possibleValues(spec: SearchSpace['parameters'][number]['spec']): ParamValue[] {
  if (spec.type === 'fixed') return [spec.value];
  if (spec.type === 'choice') return spec.values;
  return [spec.min, spec.max];
}

/** Refuses a space the template cannot use (unknown parameter, impossible value), before any training. */
export function checkTemplateSpace(template: string, space: SearchSpace): void {
  const accepted = templateParameters(template);
  for (const { name, spec } of space.parameters) {
    if (!accepted.includes(name)) {
      throw new ConfigError(
        invalid(
          'space',
          name,
          `a parameter of the '${template}' template (${accepted.join(', ')})`,
          name,
          'Remove it or pick another template.',
        ),
      );
    }
    const rule = TRAINING_RULES[name] ?? ARCHITECTURE[name]!;
    for (const value of possibleValues(spec)) {
      if (!rule.check(value))
        throw new ConfigError(invalid('space', name, `${rule.expected} for the '${template}' template`, value));
    }
  }
}

/** Checks one trial's parameters (the same rules as the space, for code that builds params itself). */
export function checkTemplateParams(template: string, params: Params): void {
  checkTemplateSpace(
    template,
    new SearchSpace(Object.entries(params).map(([name, value]) => ({ name, spec: { type: 'fixed' as const, value } }))),
  );
}

/**
 * The compiled model of a trial: the template at these parameters, Adam (or `optimizer`) at `lr`, sparse
 * categorical cross-entropy and accuracy. Returns the batch size to train with too (default 64, as convkit train).
 */
export function buildTemplateModel(template: string, params: Params, shape: TemplateShape): { model: Model; batchSize: number } {
  checkTemplateParams(template, params);
  const family = FAMILIES[template];
  const model = family ? family(params, shape) : buildSeedModel(template, shape);
  const optimizer = String(params.optimizer ?? 'adam').toLowerCase();
  model.compile({
    optimizer: params.lr === undefined ? optimizer : { name: optimizer, learningRate: params.lr as number },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return { model, batchSize: (params.batchSize as number | undefined) ?? 64 };
}

/** For messages: a trial's parameters as `lr=0.0031 dropout=0.3`. */
export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : describe(v).replace(/^"|"$/g, '')}`,
    )
    .join(' ');
}
