// Prints vitest's totals as the plain line "N passed, N failed" (CI reads it), from its JSON report.
// A missing or unreadable report counts as a failure, so a run that executed nothing cannot pass.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 1;
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numTotalTests === 0 ? 1 : 0);
  skipped = report.numPendingTests + (report.numTodoTests ?? 0);
} catch (e) {
  console.error(`test-summary: no vitest report at ${process.argv[2]}: ${e.message}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
