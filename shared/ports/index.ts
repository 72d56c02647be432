/**
 * The ports the use cases need, by topic. Adapters in `shared/adapters/aws` implement them with
 * AWS SDK v3 clients; tests may substitute in-memory fakes. This module only re-exports them.
 */
export type * from './artifacts.js';
export type * from './configuration.js';
export type * from './health.js';
export type * from './lambda.js';
export type * from './records.js';
export type * from './outcomes.js';
export type * from './synthetic.js';
