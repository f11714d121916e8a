// convkit.applications: ready-made architectures. The seed notes' small CNNs by name, and Keras Applications'
// MobileNet / MobileNetV2 (Keras layer names, so Keras weight files load) with their preprocessInput.

export * as mobilenet from './mobilenet.js';
export { MobileNet, type MobileNetOptions } from './mobilenet.js';
export * as mobilenetV2 from './mobilenet-v2.js';
export { MobileNetV2, type MobileNetV2Options } from './mobilenet-v2.js';
export * from './seed-models.js';
