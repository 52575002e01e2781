/**
 * A streaming parser for V8's heap snapshot format (the JSON that `HeapProfiler.takeHeapSnapshot`
 * sends in chunks). The large integer arrays (`nodes`, `edges`, `locations`) go straight into typed
 * arrays as the chunks arrive, so a 100 MB snapshot never exists as one string or as JS arrays of
 * numbers; only the string table is parsed with `JSON.parse`, at the end.
 */

/** A parsed snapshot: flat arrays described by `meta`, as V8 writes them. */
export interface HeapSnapshot {
  readonly nodeFields: readonly string[];
  readonly edgeFields: readonly string[];
  /** The names of node types (`nodeTypes[k]` for type value k). */
  readonly nodeTypes: readonly string[];
  /** The names of edge types. */
  readonly edgeTypes: readonly string[];
  readonly nodes: Uint32Array;
  readonly edges: Uint32Array;
  /** `[nodeIndex * nodeFields.length, scriptId, line, column]` per located function (0-based). */
  readonly locations: Uint32Array;
  readonly strings: readonly string[];
}

interface Meta {
  readonly node_fields: string[];
  readonly node_types: [string[], ...unknown[]];
  readonly edge_fields: string[];
  readonly edge_types: [string[], ...unknown[]];
  readonly location_fields?: string[];
}

interface Header {
  readonly meta: Meta;
  readonly node_count: number;
  readonly edge_count: number;
}

const HEADER = 0;
const SEEK = 1;
const NUMBERS = 2;
const STRINGS = 3;

/** Feed it the snapshot's chunks in order with {@link push}, then call {@link end}. */
export class HeapSnapshotParser {
  private phase = HEADER;
  /** Text kept between chunks: the header, or a partial `"key":[`. */
  private text = '';
  private strings: string[] = [];
  private header: Header | undefined;
  private key = '';
  private array: Uint32Array = new Uint32Array(0);
  private length = 0;
  /** The digits of a number cut by a chunk boundary, or -1. */
  private partial = -1;
  private readonly arrays = new Map<string, Uint32Array>();

  push(chunk: string): void {
    let rest: string | undefined = chunk;
    while (rest !== undefined) rest = this.step(rest);
  }

  /** Consumes what it can of `chunk`; returns what is left for the next phase, if anything. */
  private step(chunk: string): string | undefined {
    switch (this.phase) {
      case HEADER: {
        this.text += chunk;
        const at = this.text.indexOf('"nodes":[');
        if (at === -1) return undefined;
        // `{"snapshot":{…},"nodes":[` → the snapshot object is everything before `,"nodes"`.
        const head = this.text.slice(0, this.text.lastIndexOf(',', at));
        this.header = (JSON.parse(`${head}}`) as { snapshot: Header }).snapshot;
        const rest = this.text.slice(at + '"nodes":['.length);
        this.text = '';
        this.startArray('nodes');
        return rest;
      }
      case SEEK: {
        this.text += chunk;
        const match = /"(\w+)":\[/.exec(this.text);
        if (match === null) {
          if (this.text.length > 256) this.text = this.text.slice(-64);
          return undefined;
        }
        const rest = this.text.slice(match.index + match[0].length);
        this.text = '';
        if (match[1] === 'strings') {
          this.phase = STRINGS;
          this.strings.push(rest);
          return undefined;
        }
        this.startArray(match[1] as string);
        return rest;
      }
      case NUMBERS:
        return this.numbers(chunk);
      default:
        this.strings.push(chunk);
        return undefined;
    }
  }

  private startArray(key: string): void {
    const header = this.header as Header;
    const size =
      key === 'nodes'
        ? header.node_count * header.meta.node_fields.length
        : key === 'edges'
          ? header.edge_count * header.meta.edge_fields.length
          : 1024;
    this.key = key;
    this.array = new Uint32Array(size);
    this.length = 0;
    this.partial = -1;
    this.phase = NUMBERS;
  }

  /** Reads integers up to the array's closing `]`; returns the text after it. */
  private numbers(chunk: string): string | undefined {
    let value = this.partial;
    let array = this.array;
    let length = this.length;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        value = value < 0 ? c - 48 : value * 10 + (c - 48);
        continue;
      }
      if (value >= 0) {
        if (length === array.length) array = grow(array);
        array[length++] = value;
        value = -1;
      }
      if (c === 93 /* ] */) {
        this.arrays.set(this.key, array.subarray(0, length));
        this.phase = SEEK;
        this.partial = -1;
        return chunk.slice(i + 1);
      }
    }
    this.partial = value;
    this.array = array;
    this.length = length;
    return undefined;
  }

  /** The whole snapshot. Throws if the input ended early or is not a V8 heap snapshot. */
  end(): HeapSnapshot {
    const header = this.header;
    if (header === undefined || this.phase !== STRINGS) {
      throw new Error('heap snapshot: the input ended before the string table');
    }
    const text = this.strings.join('');
    this.strings = [];
    const strings = JSON.parse(`[${text.slice(0, text.lastIndexOf(']'))}]`) as string[];
    const nodes = this.arrays.get('nodes');
    const edges = this.arrays.get('edges');
    if (nodes === undefined || edges === undefined) throw new Error('heap snapshot: no nodes or edges');
    return {
      nodeFields: header.meta.node_fields,
      edgeFields: header.meta.edge_fields,
      nodeTypes: header.meta.node_types[0],
      edgeTypes: header.meta.edge_types[0],
      nodes,
      edges,
      locations: this.arrays.get('locations') ?? new Uint32Array(0),
      strings,
    };
  }
}

function grow(array: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(array.length * 2 + 1024);
  bigger.set(array);
  return bigger;
}
