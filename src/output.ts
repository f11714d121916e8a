// Where progress text goes: process.stdout under Node, console.log in a browser (which has no process).

const stdout = typeof process !== 'undefined' ? process.stdout : undefined;

/** Writes text as is (Node) or line by line (browser console). */
export function writeOut(text: string): void {
  if (stdout) stdout.write(text);
  else if (text.trim()) console.log(text.replace(/\r|\n$/g, ''));
}

/** True when output is a terminal that can redraw a progress bar in place. */
export function outputIsInteractive(): boolean {
  return Boolean(stdout?.isTTY);
}
