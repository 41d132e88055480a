// XML 1.0's Char production: anything else (control characters, lone surrogates) is an error even
// as a character reference, so a stray one in a name would make the whole document unreadable.
const isXmlChar = (cp: number) =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd) ||
  cp >= 0x10000;

/** `value` without the characters XML 1.0 cannot hold (the API's text fields refuse only NUL). */
export function xmlChars(value: string): string {
  // Iterating a string yields code points, and a lone surrogate on its own.
  return Array.from(value)
    .filter((c) => isXmlChar(c.codePointAt(0) ?? 0))
    .join('');
}

/**
 * Text safe in XML (or HTML) character data and in quoted attribute values: shown as written,
 * never markup.
 */
export function escapeXml(value: string): string {
  return xmlChars(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
