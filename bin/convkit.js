#!/usr/bin/env node
// The `convkit` command: runs the compiled CLI in dist/ (plain JavaScript, no TypeScript loader at run time).
import '../dist/cli/main.js';
