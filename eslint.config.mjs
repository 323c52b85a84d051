// One ESLint config for the whole monorepo: typescript-eslint's type-checked rules.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '.run*/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // The verifier's core, its wire contract and its web page run in the browser too (bundled by esbuild).
    files: ['verifier/src/core/**/*.ts', 'verifier/src/web/**/*.ts', 'verifier/src/wire.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        // Bare module names as paths (a pattern 'crypto' would also match a relative './crypto').
        paths: ['fs', 'path', 'crypto', 'http', 'https', 'express', '@hyperledger/fabric-gateway', '@poll-ledger/fabric-client'].map((name) => ({
          name,
          message: 'verifier core/, web/ and wire.ts run in the browser: no Node or Fabric client imports',
        })),
        patterns: [{
          group: ['node:*', '@grpc/*'],
          message: 'verifier core/, web/ and wire.ts run in the browser: no Node or Fabric client imports',
        }],
      }],
    },
  },
  {
    // chai's property assertions (expect(x).to.be.true) read as unused expressions.
    files: ['**/test/**/*.ts', '**/test-bft/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
