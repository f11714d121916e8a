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
  /** Class index per file, aligned with filePaths; null when the dataset has no labels (labels: null). */
  labels: Int32Array | null;
  /** True when labels came as a list: classNames are the distinct label values, not label positions. */
  labelsAreValues?: boolean;
}

/** Keras's `labels`: 'inferred' (from subfolders), null (no labels), or one integer per file in sorted order. */
export type LabelSource = 'inferred' | null | readonly number[] | Int32Array;

const WHERE = 'imageDatasetFromDirectory';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Image files under `folder` in Keras's order: folders sorted by path (as `sorted(os.walk(folder))`), each one's
 * files sorted by name, so a folder's own files come before its subfolders'. `seen` holds the real paths of the
 * folders on the way down (a link back to one of them is a loop).
 */
function imagesUnder(folder: string, followLinks: boolean): string[] {
  const folders: [string, string[]][] = [];
  const walk = (dir: string, seen: Set<string>) => {
    const real = realpathSync(dir);
    if (seen.has(real)) {
      throw new IOError(
        invalid(
          WHERE,
          'directory',
          'a folder tree without symbolic-link loops',
          dir,
          `It leads back to ${real}; remove the link or set followLinks: false.`,
        ),
      );
    }
    seen.add(real);
    const files: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, seen);
      else if (entry.isSymbolicLink() && isDirectory(path)) {
        if (followLinks) walk(path, seen);
      } else if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())) files.push(path);
    }
    seen.delete(real);
    folders.push([dir, files.sort(byCodeUnit)]);
  };
  walk(folder, new Set());
  return folders.sort((a, b) => byCodeUnit(a[0], b[0])).flatMap(([, files]) => files);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Classes and image files of `directory`; throws a clear error for a missing folder, no classes or no images.
 * With labels null or a list, every image under `directory` is a sample (Keras's order) and there are no classes
 * from folders: a list gives each file its label and the classes are its distinct values.
 */
export function indexDirectory(
  directory: string,
  classNames: string[] | undefined,
  followLinks: boolean,
  labels: LabelSource = 'inferred',
): ImageIndex {
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
  if (labels !== 'inferred') return indexWithoutFolders(directory, followLinks, labels);
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
  const classOfFile: number[] = [];
  const empty: string[] = [];
  classes.forEach((name, label) => {
    const files = imagesUnder(join(directory, name), followLinks);
    if (files.length === 0) empty.push(name);
    for (const file of files) {
      filePaths.push(file);
      classOfFile.push(label);
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
  return { classNames: classes, filePaths, labels: Int32Array.from(classOfFile) };
}

function indexWithoutFolders(directory: string, followLinks: boolean, labels: null | readonly number[] | Int32Array): ImageIndex {
  const filePaths = imagesUnder(directory, followLinks);
  if (filePaths.length === 0) {
    throw new ValueError(
      invalid(WHERE, 'directory', `a folder with images (${IMAGE_EXTENSIONS.join(', ')})`, `${directory} with none`),
    );
  }
  if (labels === null) return { classNames: [], filePaths, labels: null };
  if (labels.length !== filePaths.length) {
    throw new ValueError(
      invalid(
        WHERE,
        'labels',
        `one label per image file (${filePaths.length} found under ${directory})`,
        `${labels.length} labels`,
        `Labels follow the files in sorted order: folders by path, files by name (first: ${filePaths[0]}).`,
      ),
    );
  }
  const values = [...new Set(labels)].sort((a, b) => a - b);
  return { classNames: values.map(String), filePaths, labels: Int32Array.from(labels), labelsAreValues: true };
}

/** The index reordered by a seeded permutation (Keras shuffles the file list once, before splitting). */
export function shuffledIndex(index: ImageIndex, seed: number): ImageIndex {
  const order = permutation(new Int32Array(index.filePaths.length), seed);
  return {
    classNames: index.classNames,
    filePaths: Array.from(order, (i) => index.filePaths[i]!),
    labels: index.labels && Int32Array.from(order, (i) => index.labels![i]!),
    ...(index.labelsAreValues ? { labelsAreValues: true } : {}),
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
  return {
    classNames: index.classNames,
    filePaths: index.filePaths.slice(start, end),
    labels: index.labels?.slice(start, end) ?? null,
    ...(index.labelsAreValues ? { labelsAreValues: true } : {}),
  };
}
