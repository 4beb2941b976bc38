import { describe } from 'vitest';
import { pythonTracebackDetector } from '../../../src/analysis/detectors/python-traceback.js';
import { describeDetectorContract, describeFixtureTable } from './node-support.js';

describe('python-traceback detector', () => {
  describeDetectorContract(pythonTracebackDetector);
  describeFixtureTable(pythonTracebackDetector);
});
