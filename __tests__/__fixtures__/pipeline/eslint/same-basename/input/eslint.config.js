export default [
  {
    files: ['**/*.js'],
    rules: { 'prefer-const': 'error', 'no-var': 'error', 'no-unused-vars': 'error' },
  },
];
