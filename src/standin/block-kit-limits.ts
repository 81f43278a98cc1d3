/**
 * Moved to ./block-kit/ (limits, the field table tied to @slack/types, and the validators).
 * Kept so imports of this path keep working; import from './index.js' (or './block-kit/index.js').
 */
export * from './block-kit/index.js';
