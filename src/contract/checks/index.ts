// The pure check functions, one module per rule group.
export * from './common.js';
export * from './api.js';
export * from './stages.js';
export * from './planning.js';
export * from './execution.js';
export * from './execution-lifecycle.js';
export * from './callbacks.js';
export * from './process.js';
export * from './config.js';
export * from './livestate.js';
export * from './planpreview.js';
