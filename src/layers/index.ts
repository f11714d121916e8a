// The layer registry: every built-in Keras layer by class name (plus Keras's aliases MaxPool2D and AvgPool2D),
// registerLayer() for user layers, createLayer() to build one from a camelCase config. Explicit on purpose: no
// registration side effects in the layer modules.

import { describe, NotFoundError } from '../errors.js';
import { Activation } from './activation.js';
import { Add } from './add.js';
import { AveragePooling2D } from './average-pooling2d.js';
import { BatchNormalization } from './batch-normalization.js';
import { Concatenate } from './concatenate.js';
import { Conv2D } from './conv2d.js';
import { Cropping2D } from './cropping2d.js';
import { Dense } from './dense.js';
import { DepthwiseConv2D } from './depthwise-conv2d.js';
import { Dropout, SpatialDropout2D } from './dropout.js';
import { Flatten } from './flatten.js';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling2d.js';
import { InputLayer } from './input-layer.js';
import type { Layer } from './layer.js';
import { LeakyReLU } from './leaky-relu.js';
import { MaxPooling2D } from './max-pooling2d.js';
import { RandomBrightness } from './random-brightness.js';
import { RandomContrast } from './random-contrast.js';
import { RandomCrop } from './random-crop.js';
import { RandomFlip } from './random-flip.js';
import { RandomRotation } from './random-rotation.js';
import { RandomTranslation } from './random-translation.js';
import { RandomZoom } from './random-zoom.js';
import { ReLU } from './relu.js';
import { Rescaling } from './rescaling.js';
import { Reshape } from './reshape.js';
import { CenterCrop, Resizing } from './resizing.js';
import { SeparableConv2D } from './separable-conv2d.js';
import { Softmax } from './softmax.js';
import { ZeroPadding2D } from './zero-padding2d.js';

/** A layer class constructible from its camelCase config. */
// biome-ignore lint/suspicious/noExplicitAny: each layer class takes its own config type.
export type LayerClass = new (config: any) => Layer;

export const LAYERS: Record<string, LayerClass> = {
  InputLayer,
  Conv2D,
  DepthwiseConv2D,
  SeparableConv2D,
  MaxPooling2D,
  MaxPool2D: MaxPooling2D,
  AveragePooling2D,
  AvgPool2D: AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  ZeroPadding2D,
  Cropping2D,
  Flatten,
  Reshape,
  Dense,
  Dropout,
  SpatialDropout2D,
  BatchNormalization,
  Activation,
  ReLU,
  LeakyReLU,
  Softmax,
  Rescaling,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  RandomBrightness,
  RandomContrast,
  Resizing,
  CenterCrop,
  RandomCrop,
  Add,
  Concatenate,
};

/** Makes a user layer loadable by class name (from configs and Keras files). Replaces an existing entry. */
export function registerLayer(className: string, cls: LayerClass): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new NotFoundError(`registerLayer: invalid 'className'. Expected a non-empty string, received ${describe(className)}.`);
  }
  LAYERS[className] = cls;
}

/** The class registered under a Keras class name; NotFoundError listing the known names otherwise. */
export function getLayerClass(className: string): LayerClass {
  const cls = Object.hasOwn(LAYERS, className) ? LAYERS[className] : undefined;
  if (!cls) {
    throw new NotFoundError(
      `Unknown layer class ${describe(className)}. Known: ${Object.keys(LAYERS).sort().join(', ')}. Hint: registerLayer('${className}', MyLayer) makes a custom layer loadable.`,
    );
  }
  return cls;
}

/** Builds a layer from its class name and camelCase config: `createLayer('Dense', { units: 10 })`. */
export function createLayer(className: string, config: Record<string, unknown> = {}): Layer {
  return new (getLayerClass(className))(config);
}

export type { ActivationConfig } from './activation.js';
export type { BatchNormalizationConfig } from './batch-normalization.js';
export type { ConcatenateConfig } from './concatenate.js';
export type { Conv2DConfig } from './conv2d.js';
export type { Cropping2DConfig } from './cropping2d.js';
export type { DenseConfig } from './dense.js';
export type { DepthwiseConv2DConfig } from './depthwise-conv2d.js';
export type { DropoutConfig } from './dropout.js';
export type { GlobalPooling2DConfig } from './global-pooling2d.js';
export type { InputLayerConfig } from './input-layer.js';
export * from './layer.js';
export type { LeakyReLUConfig } from './leaky-relu.js';
export type { Pooling2DConfig } from './pooling2d.js';
export type { RandomBrightnessConfig } from './random-brightness.js';
export type { RandomContrastConfig } from './random-contrast.js';
export type { RandomCropConfig } from './random-crop.js';
export type { FlipMode, RandomFlipConfig } from './random-flip.js';
export type { Factor, FillMode, Interpolation } from './random-image-layer.js';
export type { RandomRotationConfig } from './random-rotation.js';
export type { RandomTranslationConfig } from './random-translation.js';
export type { RandomZoomConfig } from './random-zoom.js';
export type { ReLUConfig } from './relu.js';
export type { RescalingConfig } from './rescaling.js';
export type { ReshapeConfig } from './reshape.js';
export type { ResizingConfig } from './resizing.js';
export type { SeparableConv2DConfig } from './separable-conv2d.js';
export type { SoftmaxConfig } from './softmax.js';
export type { ZeroPadding2DConfig } from './zero-padding2d.js';
export {
  Activation,
  Add,
  AveragePooling2D,
  AveragePooling2D as AvgPool2D,
  BatchNormalization,
  CenterCrop,
  Concatenate,
  Conv2D,
  Cropping2D,
  Dense,
  DepthwiseConv2D,
  Dropout,
  Flatten,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  InputLayer,
  LeakyReLU,
  MaxPooling2D,
  MaxPooling2D as MaxPool2D,
  RandomBrightness,
  RandomContrast,
  RandomCrop,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
  ReLU,
  Rescaling,
  Reshape,
  Resizing,
  SeparableConv2D,
  Softmax,
  SpatialDropout2D,
  ZeroPadding2D,
};
