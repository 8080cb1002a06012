/**
 * The record builders every test uses: `builders.api({ path: 'x' })`,
 * `builders.subscription({ scope: '/products/p' })`. They live in src/catalog so
 * that the lab seed and the bench build records with the same defaults.
 */
export { builders } from '../../src/catalog/recordBuilders';
