import { relative } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';

/**
 * Ends every run with one plain line CI reads: "tests: N passed, M failed[, K skipped]".
 * A run that did not pass never reads "0 failed": besides failed tests, a
 * failure is a file that failed to load, a beforeAll/afterAll that threw
 * (its tests then count as skipped), an unhandled error, or a run that ended
 * failed with nothing to show for it (globalSetup threw before any file ran).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    // What failed, repeated just above the summary: CI logs are often read from the end.
    const failures: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed += 1;
        else if (result.state === 'failed') {
          failed += 1;
          failures.push(failureLine(module.moduleId, test.fullName, result.errors));
        } else skipped += 1;
      }
      // Errors of a file or suite itself (import, hooks), not of one of its tests.
      const suites: (TestModule | TestSuite)[] = [module, ...module.children.allSuites()];
      for (const suite of suites.filter((candidate) => candidate.errors().length > 0)) {
        failed += 1;
        failures.push(failureLine(module.moduleId, suite.type === 'suite' ? suite.fullName : '(file)', suite.errors()));
      }
    }
    failed += unhandledErrors.length;
    for (const error of unhandledErrors) failures.push(failureLine('', '(unhandled error)', [error]));
    if (reason !== 'passed' && failed === 0) failed = 1;
    const list = failures.map((line) => `${line}\n`).join('');
    process.stdout.write(`\n${list}tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}

function failureLine(file: string, name: string, errors: ReadonlyArray<SerializedError> | undefined): string {
  const where = file ? `${relative(process.cwd(), file)} > ` : '';
  const message = (errors?.[0]?.message ?? '').split('\n')[0]?.slice(0, 300) ?? '';
  return `failed: ${where}${name}${message ? `: ${message}` : ''}`;
}
