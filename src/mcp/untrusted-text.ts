/**
 * Text an MCP server wrote (an error, its stderr) on its way into an error message, a
 * journal or an LLM prompt: control characters (terminal escapes included) become spaces,
 * and it is cut to `max` characters, saying so, so a server cannot flood or restyle them.
 */
export function untrustedText(text: string, max: number): string {
  const clean = text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
    ' ',
  );
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max)}… (cut, ${clean.length} characters in all)`;
}
