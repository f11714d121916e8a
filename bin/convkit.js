#!/usr/bin/env node
// The `convkit` command: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader at run time).
try {
  await import('../dist/cli/main.js');
} catch (error) {
  // Only failures to start land here (the CLI reports its own errors): a message, never a stack.
  process.stderr.write(`error: convkit could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
