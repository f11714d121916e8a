// The callbacks entry: the contract and every Keras callback convkit implements.

export { BackupAndRestore, type BackupAndRestoreOptions } from './backup-and-restore.js';
export { Callback, type Logs, type TrainingTarget, type TrainParams } from './callback.js';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { formatFilepath } from './filepath-template.js';
export { type LearningRateSchedule, LearningRateScheduler } from './learning-rate-scheduler.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export { autoMode, MonitorCallback, type MonitorMode, type MonitorOptions } from './monitor.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
