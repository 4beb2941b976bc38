import { describe, expect, it } from 'vitest';
import {
  distributionForModule,
  isValidDistributionName,
  normalizeDistributionName,
  parseRequirementLine,
  parseRequirements,
  PYTHON_STDLIB_MODULES,
} from '../../src/validate/python-packages.js';

describe('distributionForModule', () => {
  it.each([
    ['yaml', 'PyYAML'],
    ['sklearn', 'scikit-learn'],
    ['sklearn.linear_model', 'scikit-learn'],
    ['cv2', 'opencv-python'],
    ['PIL', 'Pillow'],
    ['PIL.Image', 'Pillow'],
    ['bs4', 'beautifulsoup4'],
    ['dateutil.parser', 'python-dateutil'],
    ['dotenv', 'python-dotenv'],
    ['jwt', 'PyJWT'],
    ['Crypto.Cipher', 'pycryptodome'],
    ['google.protobuf', 'protobuf'],
    ['google.protobuf.json_format', 'protobuf'],
    ['attr', 'attrs'],
    ['OpenSSL', 'pyOpenSSL'],
    ['serial', 'pyserial'],
    ['magic', 'python-magic'],
    ['skimage', 'scikit-image'],
    ['docx', 'python-docx'],
    ['fitz', 'PyMuPDF'],
    ['requests', 'requests'],
    ['numpy.linalg', 'numpy'],
    ['my_pkg', 'my_pkg'],
  ])('%s → %s', (module, distribution) => {
    expect(distributionForModule(module)).toMatchObject({ ok: true, distribution });
  });

  it.each([
    ['json', 'standard library'],
    ['os.path', 'standard library'],
    ['tomllib', 'standard library'],
    ['distutils', 'standard library'],
    ['google', 'namespace package'],
    ['google.cloud.unknown', 'namespace package'],
    ['x; rm -rf /', 'not a valid Python module name'],
    ['../evil', 'not a valid Python module name'],
    ['1abc', 'not a valid Python module name'],
    ['', 'not a valid Python module name'],
    ['a'.repeat(300), 'not a valid Python module name'],
  ])('refuses %j (%s)', (module, reason) => {
    const lookup = distributionForModule(module);
    expect(lookup.ok).toBe(false);
    if (!lookup.ok) expect(lookup.reason).toContain(reason);
  });

  it('knows the standard library of CPython 3.11', () => {
    expect(PYTHON_STDLIB_MODULES.size).toBeGreaterThan(300);
    for (const name of ['sys', 'asyncio', 'typing', 'unittest', '_thread']) expect(PYTHON_STDLIB_MODULES.has(name)).toBe(true);
    for (const name of ['yaml', 'requests', 'numpy']) expect(PYTHON_STDLIB_MODULES.has(name)).toBe(false);
  });
});

describe('names', () => {
  it.each([
    ['PyYAML', 'pyyaml'],
    ['Scikit_Learn', 'scikit-learn'],
    ['zope.interface', 'zope-interface'],
    ['a-_.b', 'a-b'],
  ])('normalises %s to %s (PEP 503)', (name, normalised) => {
    expect(normalizeDistributionName(name)).toBe(normalised);
  });

  it.each([
    ['PyYAML', true],
    ['ruamel.yaml', true],
    ['a', true],
    ['-bad', false],
    ['bad-', false],
    ['has space', false],
    ['semi;colon', false],
  ])('PEP 508 name %j valid: %s', (name, valid) => {
    expect(isValidDistributionName(name)).toBe(valid);
  });
});

describe('requirements lines', () => {
  it.each([
    ['requests==2.31.0', 'requests'],
    ['PyYAML>=6.0,<7  # comment', 'pyyaml'],
    ['uvicorn[standard]>=0.20', 'uvicorn'],
    ["pywin32; sys_platform == 'win32'", 'pywin32'],
    ['pkg @ https://example.com/pkg-1.0.tar.gz', 'pkg'],
    ['Django~=4.2', 'django'],
  ])('%j is the requirement %s', (line, normalized) => {
    expect(parseRequirementLine(line)).toMatchObject({ kind: 'requirement', normalized });
  });

  it('reads options, comments and continuations; flags garbage', () => {
    expect(parseRequirementLine('-r base.txt')).toEqual({ kind: 'option', text: '-r base.txt' });
    expect(parseRequirementLine('--index-url https://x')).toMatchObject({ kind: 'option' });
    expect(parseRequirementLine('  # only a comment')).toEqual({ kind: 'blank' });
    expect(parseRequirementLine('not a requirement !!')).toMatchObject({ kind: 'invalid' });
    expect(parseRequirements('numpy \\\n  >=1.0\r\nscipy').map((line) => line.kind)).toEqual(['requirement', 'requirement']);
  });
});
