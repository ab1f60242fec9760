/**
 * Client text quoted in an error detail is cut to a bounded length, so a 5 MB path or key does
 * not come back as a 5 MB error body.
 */
const MAX_QUOTED = 80;

/** `text` as is when short, else its first characters and the length it had. */
export function clip(text: string): string {
  return text.length <= MAX_QUOTED ? text : `${text.slice(0, MAX_QUOTED)}… (${String(text.length)} characters)`;
}
