// Makes the CLI entry executable after tsc (npm does this on install, but not for a checkout's own build).
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
