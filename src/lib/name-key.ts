import anyAscii from 'any-ascii';

// The search key of a name: every script folded to one Latin spelling, so that a query typed in
// any script or romanisation meets every stored name on the same ground (Токаев, Тоқаев, Tokayev,
// Tokaiev and Toqaev all fold to "tokaev"). Transliteration is any-ascii's (Unicode to ASCII for
// every script, Kazakh letters included: қ → q, ұ → u, ә → a); the rules after it fold the common
// English romanisations of Kazakh and Russian names onto one another (docs/decisions.md, "Names and
// search"). Trigram similarity (pg_trgm) does the rest: typos, partial words, word order.

const RULES: [RegExp, string][] = [
  // Russian е at the start of a word is "ye" in English news (Yespayeva, Есп → esp).
  [/\bye/g, 'e'],
  // "ay(e)v", "aiev", "oyev": the й or the softening before е between vowels is dropped (Tokayev,
  // Токаєв → tokaev), as it is in the Russian spelling's plain transliteration.
  [/([aeiou])[yi]e/g, '$1e'],
  [/dzh|zh|j/g, 'j'],
  [/kh/g, 'h'],
  [/q/g, 'k'],
  [/w/g, 'v'],
  [/y/g, 'i'],
  // Doubled letters (Kassym, Turssynbekova) count once.
  [/([a-z])\1+/g, '$1'],
];

/**
 * The folded form of a name or a query: lower-case ASCII words of letters and digits, single
 * spaces between them, "" when nothing is left.
 */
export function nameKey(text: string): string {
  let key = anyAscii(text.normalize('NFC'))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  for (const [pattern, replacement] of RULES) key = key.replace(pattern, replacement);
  return key;
}
