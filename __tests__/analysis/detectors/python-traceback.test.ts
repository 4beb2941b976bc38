import { describe } from 'vitest';
import { pythonTracebackDetector } from '../../../src/analysis/detectors/python-traceback.js';
import { describeDetectorContract, describeFixtureTable } from './support.js';

describe('python-traceback detector', () => {
  describeDetectorContract(pythonTracebackDetector);
  describeFixtureTable(pythonTracebackDetector);
});
