// What to try for each diagnosis verdict, in seed 002's terms (its "COMO RESOLVER" / "O que ajustar" lists),
// written as convkit code. Text only; diagnose.ts decides which list applies.

import type { DiagnosisFacts, Verdict } from './diagnose.js';

/** Seed 002's fixes for the verdict, with the run's own numbers where they help (the best epoch). */
export function remediesFor(verdict: Verdict, f: DiagnosisFacts): string[] {
  switch (verdict) {
    case 'overfitting':
      return [
        'More training data, or data augmentation: variations of the images (new RandomFlip(), new RandomRotation(0.1), new RandomZoom(0.1) at the start of the model).',
        'Dropout: add it or raise it, e.g. new Dropout(0.5) before the last Dense layers.',
        'L2 regularization: new Dense(64, { kernelRegularizer: regularizers.l2(0.01) }) penalises large weights.',
        'A smaller model: fewer layers or units, so it cannot memorise the training set.',
        `Early stopping: new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true })${f.bestEpoch ? ` (the best epoch here was ${f.bestEpoch})` : ''}.`,
        'A lower learning rate, e.g. new Adam(1e-4).',
      ];
    case 'underfitting':
      return [
        'A bigger model: more layers or units (more Conv2D filters, a wider Dense layer), or a deeper architecture.',
        'More epochs: the loss may still be high after a few epochs.',
        'Less dropout or regularization, e.g. Dropout(0.2) instead of 0.5, a smaller L2 factor.',
        'A higher learning rate (not too high: that makes training unstable).',
        'Check the normalisation: pixels scaled to [0, 1] (normalize(), or a Rescaling(1 / 255) layer) and labels that match the loss.',
      ];
    case 'not yet converged':
      return [
        'Train for more epochs; add EarlyStopping({ monitor: "val_loss", patience: 3, restoreBestWeights: true }) so it stops at the right time.',
        'If progress is slow, a somewhat higher learning rate or a schedule (ReduceLROnPlateau) can get there sooner.',
      ];
    case 'diverging':
      return [
        'Lower the learning rate (try 10x smaller, e.g. new Adam(1e-4)).',
        'Clip gradients: new Adam({ learningRate: 1e-3, clipnorm: 1 }).',
        'Check the inputs: no NaN or infinite values, pixels normalised to [0, 1], labels valid for the loss.',
        'Add new TerminateOnNaN() to stop at the first NaN loss; BatchNormalization layers also steady training.',
      ];
    case 'healthy':
      return [
        'Nothing urgent. To keep the best weights, save with new ModelCheckpoint("best.keras", { monitor: "val_loss", saveBestOnly: true }).',
      ];
  }
}
