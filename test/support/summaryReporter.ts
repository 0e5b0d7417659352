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
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // Errors of a file or suite itself (import, hooks), not of one of its tests.
      const suites: (TestModule | TestSuite)[] = [module, ...module.children.allSuites()];
      failed += suites.filter((suite) => suite.errors().length > 0).length;
    }
    failed += unhandledErrors.length;
    if (reason !== 'passed' && failed === 0) failed = 1;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
