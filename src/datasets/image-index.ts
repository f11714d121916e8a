// Listing an image folder the way Keras's index_directory does: a class is a subfolder (sorted names, or the
// caller's `classNames` order), its images are found recursively (sorted), symlinked folders are entered only with
// followLinks (and a symlink loop is refused), then the list is optionally shuffled from a seed and split
// (the LAST validationSplit fraction is validation, so training and validation are disjoint).

import { readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ConfigError, IOError, invalid, NotFoundError, ValueError } from '../errors.js';
import { isErrnoError } from '../io/file-checks.js';
import { permutation } from '../training/data.js';

/** File endings read as images (lower-cased): Keras's list plus WebP. */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png', '.webp'] as const;

export interface ImageIndex {
  classNames: string[];
  filePaths: string[];
  /** Class index per file, aligned with filePaths. */
  labels: Int32Array;
}

const WHERE = 'imageDatasetFromDirectory';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Image files under `folder`, recursively, in sorted order. `seen` holds real paths of folders entered (loops). */
function imagesUnder(folder: string, followLinks: boolean, seen: Set<string>): string[] {
  const real = realpathSync(folder);
  if (seen.has(real)) {
    throw new IOError(
      invalid(
        WHERE,
        'directory',
        'a folder tree without symbolic-link loops',
        folder,
        `It leads back to ${real}; remove the link or set followLinks: false.`,
      ),
    );
  }
  seen.add(real);
  const out: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...imagesUnder(path, followLinks, seen));
    else if (entry.isSymbolicLink() && isDirectory(path)) {
      if (followLinks) out.push(...imagesUnder(path, followLinks, seen));
    } else if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  seen.delete(real);
  return out;
}

/** Classes and image files of `directory`; throws a clear error for a missing folder, no classes or no images. */
export function indexDirectory(directory: string, classNames: string[] | undefined, followLinks: boolean): ImageIndex {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(directory);
  } catch (error) {
    if (isErrnoError(error) && error.code === 'ENOENT') {
      throw new NotFoundError(
        invalid(
          WHERE,
          'directory',
          'an existing folder with one subfolder per class',
          directory,
          'No such folder; check the path.',
        ),
      );
    }
    throw error;
  }
  if (!stats.isDirectory()) {
    throw new IOError(invalid(WHERE, 'directory', 'a folder with one subfolder per class', directory, 'It is not a folder.'));
  }
  const found = readdirSync(directory)
    .filter((name) => isDirectory(join(directory, name)))
    .sort();
  let classes = found;
  if (classNames !== undefined) {
    const missing = classNames.filter((name) => !found.includes(name));
    if (missing.length > 0) {
      throw new ConfigError(
        invalid(
          WHERE,
          'classNames',
          `names of subfolders of ${directory} (${found.join(', ') || 'none'})`,
          missing,
          'Each class name must be a subfolder.',
        ),
      );
    }
    classes = classNames;
  }
  if (classes.length === 0) {
    throw new ValueError(
      invalid(
        WHERE,
        'directory',
        'a folder with one subfolder per class (e.g. train/cats, train/dogs)',
        `${directory} with no subfolders`,
        "Put each class's images in its own subfolder.",
      ),
    );
  }
  const filePaths: string[] = [];
  const labels: number[] = [];
  const empty: string[] = [];
  classes.forEach((name, label) => {
    const files = imagesUnder(join(directory, name), followLinks, new Set());
    if (files.length === 0) empty.push(name);
    for (const file of files) {
      filePaths.push(file);
      labels.push(label);
    }
  });
  if (empty.length > 0) {
    throw new ValueError(
      invalid(
        WHERE,
        'directory',
        `at least one image (${IMAGE_EXTENSIONS.join(', ')}) in every class folder`,
        `no images in ${empty.map((n) => join(directory, n)).join(', ')}`,
        'Remove the empty class folders or choose classes with classNames.',
      ),
    );
  }
  return { classNames: classes, filePaths, labels: Int32Array.from(labels) };
}

/** The index reordered by a seeded permutation (Keras shuffles the file list once, before splitting). */
export function shuffledIndex(index: ImageIndex, seed: number): ImageIndex {
  const order = permutation(new Int32Array(index.filePaths.length), seed);
  return {
    classNames: index.classNames,
    filePaths: Array.from(order, (i) => index.filePaths[i]!),
    labels: Int32Array.from(order, (i) => index.labels[i]!),
  };
}

/** Keras's split: the last floor(validationSplit * n) files are validation, the rest training. */
export function splitIndex(index: ImageIndex, validationSplit: number, subset: 'training' | 'validation'): ImageIndex {
  const n = index.filePaths.length;
  const validationCount = Math.floor(validationSplit * n);
  const [start, end] = subset === 'training' ? [0, n - validationCount] : [n - validationCount, n];
  if (end === start) {
    throw new ValueError(
      invalid(WHERE, 'validationSplit', `a fraction that leaves images in the ${subset} subset of ${n} images`, validationSplit),
    );
  }
  return { classNames: index.classNames, filePaths: index.filePaths.slice(start, end), labels: index.labels.slice(start, end) };
}
