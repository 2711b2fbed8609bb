#!/usr/bin/env node
// The `etender` command run from its TypeScript source through tsx's loader: what the tests and
// `npm run walkthrough` use, so they need no build. The installed bin is the compiled
// dist/server/cli.js (`npm run build`), which runs on plain node.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
