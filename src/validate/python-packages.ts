/**
 * Python package names: import name → distribution name, PEP 508 / PEP 503 validation, and a
 * small requirements.txt reader. Module names come from log text, so every name is validated
 * before it is written anywhere.
 */

/** `sys.stdlib_module_names` of CPython 3.11 (a superset of older versions' top-level modules). */
// Packed table of ~300 names: kept as written rather than one name per line.
// prettier-ignore
export const PYTHON_STDLIB_MODULES: ReadonlySet<string> = new Set([
  '__future__', '_abc', '_aix_support', '_ast', '_asyncio', '_bisect', '_blake2', '_bootsubprocess', '_bz2',
  '_codecs', '_codecs_cn', '_codecs_hk', '_codecs_iso2022', '_codecs_jp', '_codecs_kr', '_codecs_tw', '_collections',
  '_collections_abc', '_compat_pickle', '_compression', '_contextvars', '_crypt', '_csv', '_ctypes', '_curses',
  '_curses_panel', '_datetime', '_dbm', '_decimal', '_elementtree', '_frozen_importlib', '_frozen_importlib_external',
  '_functools', '_gdbm', '_hashlib', '_heapq', '_imp', '_io', '_json', '_locale', '_lsprof', '_lzma', '_markupbase',
  '_md5', '_msi', '_multibytecodec', '_multiprocessing', '_opcode', '_operator', '_osx_support', '_overlapped',
  '_pickle', '_posixshmem', '_posixsubprocess', '_py_abc', '_pydecimal', '_pyio', '_queue', '_random', '_scproxy',
  '_sha1', '_sha256', '_sha3', '_sha512', '_signal', '_sitebuiltins', '_socket', '_sqlite3', '_sre', '_ssl', '_stat',
  '_statistics', '_string', '_strptime', '_struct', '_symtable', '_thread', '_threading_local', '_tkinter',
  '_tokenize', '_tracemalloc', '_typing', '_uuid', '_warnings', '_weakref', '_weakrefset', '_winapi', '_zoneinfo',
  'abc', 'aifc', 'antigravity', 'argparse', 'array', 'ast', 'asynchat', 'asyncio', 'asyncore', 'atexit', 'audioop',
  'base64', 'bdb', 'binascii', 'bisect', 'builtins', 'bz2', 'cProfile', 'calendar', 'cgi', 'cgitb', 'chunk', 'cmath',
  'cmd', 'code', 'codecs', 'codeop', 'collections', 'colorsys', 'compileall', 'concurrent', 'configparser',
  'contextlib', 'contextvars', 'copy', 'copyreg', 'crypt', 'csv', 'ctypes', 'curses', 'dataclasses', 'datetime',
  'dbm', 'decimal', 'difflib', 'dis', 'distutils', 'doctest', 'email', 'encodings', 'ensurepip', 'enum', 'errno',
  'faulthandler', 'fcntl', 'filecmp', 'fileinput', 'fnmatch', 'fractions', 'ftplib', 'functools', 'gc', 'genericpath',
  'getopt', 'getpass', 'gettext', 'glob', 'graphlib', 'grp', 'gzip', 'hashlib', 'heapq', 'hmac', 'html', 'http',
  'idlelib', 'imaplib', 'imghdr', 'imp', 'importlib', 'inspect', 'io', 'ipaddress', 'itertools', 'json', 'keyword',
  'lib2to3', 'linecache', 'locale', 'logging', 'lzma', 'mailbox', 'mailcap', 'marshal', 'math', 'mimetypes', 'mmap',
  'modulefinder', 'msilib', 'msvcrt', 'multiprocessing', 'netrc', 'nis', 'nntplib', 'nt', 'ntpath', 'nturl2path',
  'numbers', 'opcode', 'operator', 'optparse', 'os', 'ossaudiodev', 'pathlib', 'pdb', 'pickle', 'pickletools',
  'pipes', 'pkgutil', 'platform', 'plistlib', 'poplib', 'posix', 'posixpath', 'pprint', 'profile', 'pstats', 'pty',
  'pwd', 'py_compile', 'pyclbr', 'pydoc', 'pydoc_data', 'pyexpat', 'queue', 'quopri', 'random', 're', 'readline',
  'reprlib', 'resource', 'rlcompleter', 'runpy', 'sched', 'secrets', 'select', 'selectors', 'shelve', 'shlex',
  'shutil', 'signal', 'site', 'smtpd', 'smtplib', 'sndhdr', 'socket', 'socketserver', 'spwd', 'sqlite3',
  'sre_compile', 'sre_constants', 'sre_parse', 'ssl', 'stat', 'statistics', 'string', 'stringprep', 'struct',
  'subprocess', 'sunau', 'symtable', 'sys', 'sysconfig', 'syslog', 'tabnanny', 'tarfile', 'telnetlib', 'tempfile',
  'termios', 'textwrap', 'this', 'threading', 'time', 'timeit', 'tkinter', 'token', 'tokenize', 'tomllib', 'trace',
  'traceback', 'tracemalloc', 'tty', 'turtle', 'turtledemo', 'types', 'typing', 'unicodedata', 'unittest', 'urllib',
  'uu', 'uuid', 'venv', 'warnings', 'wave', 'weakref', 'webbrowser', 'winreg', 'winsound', 'wsgiref', 'xdrlib', 'xml',
  'xmlrpc', 'zipapp', 'zipfile', 'zipimport', 'zlib', 'zoneinfo',
  // Removed from the standard library later, but a log of an older Python may still name them.
  'asynchat', 'asyncore', 'distutils', 'imp', 'smtpd',
]);

/**
 * Import names whose distribution on PyPI has another name. Keys are full dotted module names
 * (matched first) or top-level names.
 */
export const IMPORT_TO_DISTRIBUTION: Readonly<Record<string, string>> = {
  yaml: 'PyYAML',
  sklearn: 'scikit-learn',
  skimage: 'scikit-image',
  cv2: 'opencv-python',
  PIL: 'Pillow',
  bs4: 'beautifulsoup4',
  dateutil: 'python-dateutil',
  dotenv: 'python-dotenv',
  jwt: 'PyJWT',
  Crypto: 'pycryptodome',
  Cryptodome: 'pycryptodomex',
  'google.protobuf': 'protobuf',
  'google.cloud.storage': 'google-cloud-storage',
  'google.cloud.bigquery': 'google-cloud-bigquery',
  attr: 'attrs',
  OpenSSL: 'pyOpenSSL',
  serial: 'pyserial',
  magic: 'python-magic',
  docx: 'python-docx',
  pptx: 'python-pptx',
  fitz: 'PyMuPDF',
  git: 'GitPython',
  github: 'PyGithub',
  gi: 'PyGObject',
  usb: 'pyusb',
  MySQLdb: 'mysqlclient',
  psycopg2: 'psycopg2-binary',
  ldap: 'python-ldap',
  Levenshtein: 'python-Levenshtein',
  slugify: 'python-slugify',
  multipart: 'python-multipart',
  telegram: 'python-telegram-bot',
  socketio: 'python-socketio',
  engineio: 'python-engineio',
  jose: 'python-jose',
  zmq: 'pyzmq',
  win32api: 'pywin32',
  win32con: 'pywin32',
  wx: 'wxPython',
  Bio: 'biopython',
  sklearn_crfsuite: 'sklearn-crfsuite',
  markdown: 'Markdown',
  jinja2: 'Jinja2',
  mpl_toolkits: 'matplotlib',
  pkg_resources: 'setuptools',
  setuptools: 'setuptools',
  google_auth_oauthlib: 'google-auth-oauthlib',
  googleapiclient: 'google-api-python-client',
  kafka: 'kafka-python',
  memcache: 'python-memcached',
  nacl: 'PyNaCl',
  pythoncom: 'pywin32',
  ruamel: 'ruamel.yaml',
  'ruamel.yaml': 'ruamel.yaml',
  tensorflow_hub: 'tensorflow-hub',
  Xlib: 'python-xlib',
  yaml_include: 'pyyaml-include',
  dns: 'dnspython',
  websocket: 'websocket-client',
  faiss: 'faiss-cpu',
  umap: 'umap-learn',
  typing_extensions: 'typing-extensions',
};

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** PEP 508 distribution name (case-insensitive). */
const DISTRIBUTION_NAME = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

export function isValidModuleName(name: string): boolean {
  return name.length <= 200 && MODULE_NAME.test(name);
}

export function isValidDistributionName(name: string): boolean {
  return name.length <= 200 && DISTRIBUTION_NAME.test(name);
}

/** PEP 503 normalised form: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeDistributionName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export type DistributionLookup =
  { ok: true; module: string; topLevel: string; distribution: string; mapped: boolean } | { ok: false; module: string; reason: string };

/**
 * The distribution that provides `module`. Refuses invalid names and the standard library. Whether
 * the module is a local package of the repository is the caller's question (it needs the disk).
 */
export function distributionForModule(module: string): DistributionLookup {
  if (!isValidModuleName(module)) {
    return { ok: false, module, reason: `${JSON.stringify(module.slice(0, 100))} is not a valid Python module name` };
  }
  const parts = module.split('.');
  const topLevel = parts[0] as string;
  if (PYTHON_STDLIB_MODULES.has(topLevel)) {
    return { ok: false, module, reason: `'${topLevel}' is in the Python standard library; a requirement will not provide it` };
  }
  for (let length = parts.length; length >= 1; length -= 1) {
    const mapped = IMPORT_TO_DISTRIBUTION[parts.slice(0, length).join('.')];
    if (mapped !== undefined) return { ok: true, module, topLevel, distribution: mapped, mapped: true };
  }
  if (topLevel === 'google') {
    return { ok: false, module, reason: `'${module}' is a google namespace package whose distribution cannot be told from the name` };
  }
  // Unmapped names are used as they are: pip treats `foo_bar` and `foo-bar` as the same project.
  if (!isValidDistributionName(topLevel)) {
    return { ok: false, module, reason: `'${topLevel}' is not a valid distribution name` };
  }
  return { ok: true, module, topLevel, distribution: topLevel, mapped: false };
}

export type RequirementLine =
  | { kind: 'blank' }
  | { kind: 'option'; text: string }
  | { kind: 'requirement'; name: string; normalized: string }
  | { kind: 'invalid'; text: string };

const REQUIREMENT =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[\s*[A-Za-z0-9._-]+(?:\s*,\s*[A-Za-z0-9._-]+)*\s*\])?\s*(?:@\s*\S+\s*|(?:(?:===|~=|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*(?:,\s*(?:===|~=|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+\s*)*)|\(\s*[^)]*\)\s*)?(?:;.*)?$/;

/** Reads one line of a pip requirements file (the subset that matters for finding names). */
export function parseRequirementLine(raw: string): RequirementLine {
  // A comment starts at '#' at the line start or after whitespace (pip's rule).
  const text = raw.replace(/(^|\s)#.*$/, '').trim();
  if (text === '') return { kind: 'blank' };
  if (text.startsWith('-')) return { kind: 'option', text };
  // URLs and local paths are valid pip lines without a name we can compare.
  if (/^(?:[a-z][a-z0-9+.-]*:\/\/|\.{0,2}\/)/i.test(text)) return { kind: 'option', text };
  const match = REQUIREMENT.exec(text);
  if (!match) return { kind: 'invalid', text };
  const name = match[1] as string;
  return { kind: 'requirement', name, normalized: normalizeDistributionName(name) };
}

export function parseRequirements(content: string): RequirementLine[] {
  // Backslash continuations join lines, as pip does.
  return content
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map(parseRequirementLine);
}
