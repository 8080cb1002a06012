/** Pieces of management API paths. */

/** A path segment. */
export const seg = (text: string): string => encodeURIComponent(text);

/** An OData string literal. */
export const odata = (text: string): string => `'${String(text).replace(/'/g, "''")}'`;
