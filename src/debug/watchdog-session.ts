// Int32[2] of the watchdog's shared buffer: whether its thread holds an inspector session to the
// main thread. Node prints `Waiting for the debugger to disconnect...` when the process exits with
// any session connected, so the main thread's exit waits for the thread to disconnect
// (watchdog.ts), and a thread told to stop before it connected never connects.

export const SESSION_NONE = 0;
export const SESSION_CONNECTED = 1;
export const SESSION_CLOSED = 2;
/** Set by the main thread before the thread connected: it must not connect any more. */
export const SESSION_REFUSED = 3;
