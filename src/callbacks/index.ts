// The callbacks entry: the contract and every Keras callback convkit implements.

export { Callback, type Logs, type TrainParams, type TrainingTarget } from './callback.js';
export { MonitorCallback, autoMode, type MonitorMode, type MonitorOptions } from './monitor.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export { formatFilepath } from './filepath-template.js';
export { CSVLogger, type CSVLoggerOptions } from './csv-logger.js';
export { LearningRateScheduler, type LearningRateSchedule } from './learning-rate-scheduler.js';
export { TerminateOnNaN } from './terminate-on-nan.js';
export { BackupAndRestore, type BackupAndRestoreOptions } from './backup-and-restore.js';
