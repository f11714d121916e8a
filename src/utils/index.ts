// convkit's `utils` namespace (Node entry): Keras's keras.utils helpers that touch files or the network.

export { convkitHome, type GetFileOptions, getFile, hashFile } from './get-file.js';
