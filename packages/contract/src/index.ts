export * from './errors.js';
export * from './types.js';
export * from './sizes.js';
export * from './app-name.js';
export * from './procfile.js';
export * from './stable-id.js';
export * from './environments.js';
export * from './scheduler.js';
