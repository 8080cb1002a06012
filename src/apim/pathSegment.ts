/**
 * Percent-decodes one URL path segment, as APIM does before it compares a path
 * with an API, an operation template or a management resource path. A malformed
 * escape leaves the segment as received rather than failing the request.
 */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
