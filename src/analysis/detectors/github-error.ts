import type { Category, Detector, LogLine } from '../types.js';

/**
 * `##[error]` annotations (and `::error …::` commands) that no specific detector explains: an
 * action's own failure message, a problem-matcher hit, a script's `echo "::error::…"`. The text is
 * free-form, so the category is a guess from keywords and the confidence is low; `classify` drops
 * the ones that restate a specific hit. The runner's `Process completed with exit code N` line is
 * left to the `exit-code` detector.
 */

// Checked in order; the first that matches names the category. Linear patterns, no nesting.
const KEYWORDS: ReadonlyArray<{ pattern: RegExp; category: Category }> = [
  { pattern: /\bSyntaxError\b|\bsyntax error\b|\bparse error\b|\bunexpected token\b/i, category: 'syntax_error' },
  {
    pattern:
      /\bNo module named\b|\bModuleNotFoundError\b|\bCannot find module\b|\bcommand not found\b|\bis not installed\b|\bis required\b/i,
    category: 'import_missing_module',
  },
  { pattern: /\bNo such file or directory\b|\bENOENT\b|\bfile not found\b|\bdoes not exist\b|\bnot found: /i, category: 'missing_file' },
  {
    pattern:
      /\btimed? ?out\b|\bcancel(?:l)?ed\b|\bnetwork\b|\bconnection\b|\brate limit\b|\bECONNRESET\b|\bETIMEDOUT\b|\b(?:401|403|429|500|502|503|504)\b|\bpermission\b|\bunauthori[sz]ed\b|\bcredentials?\b|\bno space left\b|\bout of memory\b|\bdisk\b/i,
    category: 'network_infra_timeout',
  },
  {
    pattern: /\bresolv(?:e|ing|ution)\b.*\bdependenc|\bdependenc.*\bresolv|\bversion conflict\b|\bno matching version\b|\bunsatisfiable\b/i,
    category: 'dependency_resolution',
  },
  { pattern: /\btype ?check|\bmypy\b|\bpyright\b|\berror TS\d/i, category: 'type_check' },
  {
    pattern: /\blint|\bformat(?:ting|ted|ter)?\b|\bprettier\b|\beslint\b|\bflake8\b|\bruff\b|\bblack\b|\bstyle\b/i,
    category: 'lint_format',
  },
  { pattern: /\bcompil(?:e|ation|er)\b|\bbuild failed\b|\blinker?\b|\bundefined reference\b/i, category: 'compilation_error' },
  { pattern: /\btests?\b|\bassert(?:ion)?\b|\bspec\b|\bsnapshot\b/i, category: 'test_failure' },
];

const EXIT_CODE_LINE = /^Process completed with exit code \d/;

export function categoryFromKeywords(text: string): Category | undefined {
  for (const { pattern, category } of KEYWORDS) if (pattern.test(text)) return category;
  return undefined;
}

export const githubErrorDetector: Detector = {
  id: 'github-error',
  description:
    'GitHub Actions `##[error]` / `::error::` annotations that no specific detector explains; category guessed from keywords, low confidence.',
  categories: [
    'other',
    'syntax_error',
    'import_missing_module',
    'missing_file',
    'network_infra_timeout',
    'dependency_resolution',
    'type_check',
    'lint_format',
    'compilation_error',
    'test_failure',
  ],
  example: '##[error]The `python-version` input is not valid: 3.13-dev',
  // Annotations are recognised by their workflow command, which is not in the text.
  trigger: /^(?!)/,
  commands: ['error'],
  start() {
    return {
      line(line: LogLine, ctx) {
        if (line.command !== 'error') return;
        const message = line.text.trim();
        if (message === '' || EXIT_CODE_LINE.test(message)) return;
        const category = categoryFromKeywords(message.slice(0, 1000));
        ctx.report({
          category: category ?? 'other',
          tool: 'github-actions',
          message,
          logLines: [line.n, line.n],
          confidence: category ? 0.35 : 0.25,
        });
      },
    };
  },
};
