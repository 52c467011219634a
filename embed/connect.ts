// connect.js, served at /embed/v1/connect.js: defines the components and exports loadConnect.
import { defineComponents } from './define-components.ts';

defineComponents();

export { loadConnect } from './load-connect.ts';
export type * from './public-types.ts';
