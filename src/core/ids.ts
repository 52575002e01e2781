import { customAlphabet } from 'nanoid';

// One nanoid per process, then a counter: ids stay unique across processes (the prefix) at the
// cost of an integer increment per task (a nanoid per task costs ≈0.8 µs). Letters and digits
// only, so an id can be typed or double-clicked in a terminal.
const prefix = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 6)();

let counter = 0;

/** The next task sequence number (1, 2, 3, …), unique within this process. */
export function nextSeq(): number {
  return ++counter;
}

/** The public id of the task with sequence number `seq`: `<process prefix>.<seq in base 36>`. */
export function formatId(seq: number): string {
  return `${prefix}.${seq.toString(36)}`;
}
