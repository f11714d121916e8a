#!/usr/bin/env node
// The `convkit` command: registers the TypeScript loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
