/** A value at the end of a path in a record as Lambda sees it: what filter operators compare. */
export type LeafValue = string | number | boolean | null;
