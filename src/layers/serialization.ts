// A layer <-> its Keras JSON ({class_name, config} with snake_case keys). Writes the Keras 3 form (dtype
// policies, batch_shape on InputLayer, module/registered_name on initializers and regularizers) so our files load
// in Keras; reads both Keras 2 and Keras 3 forms. Keys Keras writes that convkit does not use (constraints,
// activity regularizers, sparse ...) are accepted when they hold their neutral value and rejected otherwise.
// Models (Sequential, Functional, build_config, inbound_nodes) are not handled here.

import { ConfigError, describe, FormatError, invalid } from '../errors.js';
import { getLayerClass, type LayerClass } from './index.js';
import type { Layer } from './layer.js';

/** A layer in Keras JSON. */
export interface KerasLayerJson {
  class_name: string;
  config: Record<string, unknown>;
  module?: string;
  registered_name?: string | null;
}

const BUILT_IN = new Set([
  'InputLayer',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'Flatten',
  'Reshape',
  'Dense',
  'Dropout',
  'SpatialDropout2D',
  'BatchNormalization',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'Softmax',
  'Rescaling',
  'RandomFlip',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'RandomBrightness',
  'RandomContrast',
  'Resizing',
  'CenterCrop',
  'RandomCrop',
  'Add',
  'Concatenate',
]);

/** Classes whose Keras config carries data_format. */
const DATA_FORMAT = new Set([
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'Flatten',
  'SpatialDropout2D',
  'RandomFlip',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'Resizing',
  'CenterCrop',
  'RandomCrop',
]);

/** Classes whose Keras config carries activity_regularizer. */
const ACTIVITY = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense']);

/** Keys Keras writes that convkit ignores, with the only values accepted for them. */
const NEUTRAL: Record<string, unknown[]> = {
  activity_regularizer: [null],
  noise_shape: [null],
  sparse: [false],
  ragged: [false],
  optional: [false],
  synchronized: [false],
  autocast: [true, false],
  batch_size: [null],
  input_dtype: [null],
};

const DTYPE_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

function toSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function kerasObject(module: string, spec: unknown): unknown {
  if (spec === null || spec === undefined) return null;
  const { className, config } = spec as { className: string; config: Record<string, unknown> };
  return { module, class_name: className, config: { ...config }, registered_name: null };
}

/**
 * A layer as Keras 3 JSON. Example: `layerToKeras(new Dense({ units: 10 }))` ->
 * `{ module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: {...}, units: 10, ... } }`.
 */
export function layerToKeras(layer: Layer): KerasLayerJson {
  const isInput = layer.className === 'InputLayer';
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(layer.getConfig())) {
    if (value === undefined) continue;
    if (key === 'batchInputShape') out[isInput ? 'batch_shape' : 'batch_input_shape'] = value;
    else if (key === 'dtype') out.dtype = isInput ? value : { ...DTYPE_POLICY, config: { name: value } };
    else if (key.endsWith('Initializer')) out[toSnake(key)] = kerasObject('keras.initializers', value);
    else if (key.endsWith('Regularizer')) {
      out[toSnake(key)] = kerasObject('keras.regularizers', value);
      out[toSnake(key).replace(/_regularizer$/, '_constraint')] = null;
    } else out[toSnake(key)] = value;
  }
  if (DATA_FORMAT.has(layer.className)) out.data_format = 'channels_last';
  if (ACTIVITY.has(layer.className)) out.activity_regularizer = null;
  if (layer.className === 'Dropout' || layer.className === 'SpatialDropout2D') out.noise_shape = null;
  if (isInput) Object.assign(out, { sparse: false, ragged: false });
  if (BUILT_IN.has(layer.className))
    return { module: 'keras.layers', class_name: layer.className, config: out, registered_name: null };
  return { class_name: layer.className, config: out, registered_name: layer.className };
}

function parseDtype(where: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const name = (value as { config?: { name?: unknown } }).config?.name;
  if (typeof name === 'string') return name;
  throw new ConfigError(invalid(where, 'dtype', "a dtype name or {class_name: 'DTypePolicy', config: {name}}", value));
}

/** Layer classes for one load only (Keras's custom_objects): looked up by class name, then registered_name. */
export type CustomObjects = Record<string, LayerClass>;

/**
 * Builds a layer from Keras 2 or Keras 3 JSON. Unknown class names throw NotFoundError (see registerLayer, or pass
 * `customObjects`); options that cannot be honoured (channels_first, constraints, activity regularizers) throw
 * ConfigError.
 */
export function layerFromKeras(json: unknown, customObjects?: CustomObjects): Layer {
  if (!json || typeof json !== 'object' || typeof (json as KerasLayerJson).class_name !== 'string') {
    throw new FormatError(invalid('layerFromKeras', 'json', 'a Keras layer object {class_name, config}', json));
  }
  const { class_name: className, config: raw = {} } = json as KerasLayerJson;
  if (!raw || typeof raw !== 'object') throw new FormatError(invalid('layerFromKeras', 'config', 'an object', raw));
  const registered = (json as KerasLayerJson).registered_name;
  const custom = customObjects && Object.hasOwn(customObjects, className) ? customObjects[className] : undefined;
  const customByRegistered =
    customObjects && typeof registered === 'string' && Object.hasOwn(customObjects, registered)
      ? customObjects[registered]
      : undefined;
  const cls = custom ?? customByRegistered ?? getLayerClass(className);
  const where = `layerFromKeras(${className} ${describe((raw as { name?: unknown }).name)})`;
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'batch_input_shape' || key === 'batch_shape') {
      if (value !== null) config.batchInputShape = value;
    } else if (key === 'dtype') {
      const dtype = parseDtype(where, value);
      if (dtype !== undefined) config.dtype = dtype;
    } else if (key === 'data_format') {
      if (value !== null && value !== 'channels_last') {
        throw new ConfigError(invalid(where, 'data_format', "'channels_last' (convkit computes NHWC only)", value));
      }
    } else if (key.endsWith('_constraint')) {
      if (value !== null) throw new ConfigError(invalid(where, key, 'null (weight constraints are not supported)', value));
    } else if (key in NEUTRAL) {
      if (!NEUTRAL[key]!.includes(value))
        throw new ConfigError(
          invalid(where, key, `${NEUTRAL[key]!.map(describe).join(' or ')} (not supported otherwise)`, value),
        );
    } else {
      config[toCamel(key)] = value;
    }
  }
  return new cls(config);
}
