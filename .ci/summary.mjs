// Adds up vitest's JSON reports into the one closing line CI reads: "vitest: N passed, N failed",
// and names every failed test with its file and first error line, so that the tail of a CI log
// (often all that is kept of it) says what broke, not only that something did.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${file}: no report (${error.message})`);
    failed += 1;
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  console.log(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed (${report.numTotalTestSuites} suites)`);
  for (const suite of report.testResults ?? []) {
    const where = suite.name.replace(process.cwd() + '/', '');
    const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    if (failedTests.length === 0 && suite.status === 'failed') {
      // A file that failed outside any test (an import error, a hook, a timeout in beforeAll).
      failures.push(`${file}: ${where}: ${firstLine(suite.message)}`);
    }
    for (const t of failedTests) {
      failures.push(`${file}: ${where} > ${t.fullName}: ${firstLine((t.failureMessages ?? [])[0])}`);
    }
  }
}
function firstLine(text) {
  return String(text ?? '').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? '';
}
for (const line of failures) console.log(`FAILED ${line}`);
if (passed + failed === 0) {
  console.log('no test ran');
  process.exit(1);
}
console.log(`vitest: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
