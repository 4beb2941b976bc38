import { describe } from 'vitest';
import { markdownLintDetector } from '../../../src/analysis/detectors/markdown-lint.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('markdown-lint detector', () => {
  describeDetectorContract(markdownLintDetector);
  describeFixtureTable(markdownLintDetector);
});
