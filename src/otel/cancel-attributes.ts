// The attributes of a cancelled task's `tasktree.cancelled` event: why (the reason's kind and
// sentence, the task it names).
import type { Attributes } from '@opentelemetry/api';
import type { CancelledError } from '../core/errors.js';
import { describeCancelReason } from '../core/internal.js';
import { ATTR_CANCEL_KIND, ATTR_CANCEL_REASON, ATTR_CANCEL_TASK_ID } from './attributes.js';

export function cancelAttributes(cancel: CancelledError): Attributes {
  const reason = cancel.reason;
  const out: Attributes = { [ATTR_CANCEL_KIND]: reason.kind, [ATTR_CANCEL_REASON]: describeCancelReason(reason) };
  if (reason.kind === 'sibling-failed') out[ATTR_CANCEL_TASK_ID] = reason.task.id;
  else if (reason.kind === 'parent-cancelled') out[ATTR_CANCEL_TASK_ID] = reason.parent.id;
  return out;
}
