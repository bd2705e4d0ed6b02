/**
 * The names of a map in the order Go's encoding/json writes a map's keys: sorted by their UTF-8 bytes,
 * which is code point order. JavaScript's `<` compares UTF-16 code units, which differs from that only
 * where a surrogate (half of a character above U+FFFF) meets a character from U+E000 to U+FFFF.
 */
export function goSortedKeys(map: object): string[] {
  const names = Object.keys(map);
  if (anyAtOrAbove(names, SURROGATES_START)) return names.sort(compareCodePoints);
  if (names.length > INSERTION_SORT_MAX) return names.sort(compareCodeUnits);
  // Inlined `<` on a few names is several times faster than Array#sort calling a comparator.
  for (let i = 1; i < names.length; i++) {
    const name = names[i];
    let j = i - 1;
    while (j >= 0 && name < names[j]) {
      names[j + 1] = names[j];
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

const INSERTION_SORT_MAX = 24;
const SURROGATES_START = 0xd800;
const PRIVATE_USE_START = 0xe000;
const SURROGATES_SIZE = PRIVATE_USE_START - SURROGATES_START;
const ABOVE_SURROGATES = 0x10000 - PRIVATE_USE_START;

export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Moves surrogates above U+E000–U+FFFF, keeping every other code unit's order. */
function codePointRank(codeUnit: number): number {
  if (codeUnit < SURROGATES_START) return codeUnit;
  if (codeUnit < PRIVATE_USE_START) return codeUnit + ABOVE_SURROGATES;
  return codeUnit - SURROGATES_SIZE;
}

function anyAtOrAbove(names: string[], codeUnit: number): boolean {
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    for (let j = 0; j < name.length; j++) if (name.charCodeAt(j) >= codeUnit) return true;
  }
  return false;
}
