// ESLint flat config: `npm run lint` runs it with --max-warnings 0, then `prettier --check .`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    // Fixture logs, payloads and expected output: data compared byte for byte.
    '__tests__/__fixtures__/',
    // A fixture repository whose files are broken on purpose for the demo.
    'examples/demo-repo/',
    '.demo/',
  ]),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
  },
  {
    // The build and config scripts are plain ES modules run by Node.
    files: ['**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: { process: 'readonly', URL: 'readonly', console: 'readonly' },
    },
  },
);
