/**
 * A connection to the target that dropped, and how often connecting starts again: shared by both
 * transports without loading the inspector's client (and Node's HTTP stack) for the socket.
 */

/** Thrown when the connection to the inspector (or the monitor socket) dropped. */
export class ConnectionLost extends Error {}

/**
 * Connecting starts again up to this many times (within the timeout) when the inspector closes
 * under it: each other `tasktree` call that opened it and finishes closes it once.
 */
export const MAX_CONNECT_ATTEMPTS = 5;
