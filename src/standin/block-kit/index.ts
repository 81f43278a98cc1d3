/** The stand-in's Block Kit rules: Slack's limits, the field table tied to @slack/types, and the validators. */
export { BLOCK_TYPES, LIMITS, type BlockType, type Surface, type ViewType } from './limits.js';
export { ACCESSORY_ELEMENTS, ACTIONS_ELEMENTS, BLOCK_SHAPES, COMPOSITION_SHAPES, CONTEXT_ELEMENTS, ELEMENT_SHAPES, INPUT_ELEMENTS, TEXT_SHAPES, VIEW_SHAPES } from './shapes.js';
export { shape, allOf, type Fields, type Rule, type Shape, type Value } from './rules.js';
export { validateBlocks, validateView } from './validate.js';
