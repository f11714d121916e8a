// The file I/O entry (Node only): .keras / .weights.h5 save and load, atomic writes, and the HDF5 helpers a
// Keras 2 legacy .h5 reader can reuse.

export { atomicWrite, atomicWriteBytes, readFileOrThrow, tempPathFor } from './atomic-write.js';
export { compileConfigOf, compileFromKeras, lossFromKeras, optimizerFromKeras } from './compile-config.js';
export { isHdf5, readH5Bytes, readH5File, writeH5Bytes, writeH5File } from './h5.js';
export { autoLayerNames, kerasSnakeCase, readKerasWeights, readOptimizerVars, writeKerasWeights } from './h5-weights.js';
export {
  kerasConfigOf,
  type LoadOptions,
  loadModel,
  loadStateInto,
  loadWeights,
  readKerasArchive,
  type SaveOptions,
  saveModel,
} from './keras-file.js';
export { type ExportOnnxOptions, exportOnnx, onnxModelOf } from './onnx-export.js';
export { type ExportTfjsOptions, exportTfjs } from './tfjs-export.js';
export { loadTfjsModel, tfjsModelJsonPath } from './tfjs-load.js';
