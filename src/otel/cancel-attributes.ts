// The attributes of a cancelled task's `tasktree.cancelled` event: why (the reason's kind and
// sentence, the task it names) and who asked (read as `tasktree where` reads it).
import type { Attributes } from '@opentelemetry/api';
import type { CancelledError } from '../core/errors.js';
import { describeCancelReason } from '../core/internal.js';
import { originOf } from '../inspect/cancel-info.js';
import {
  ATTR_CANCEL_BY,
  ATTR_CANCEL_BY_TASK_ID,
  ATTR_CANCEL_KIND,
  ATTR_CANCEL_REASON,
  ATTR_CANCEL_SITE,
  ATTR_CANCEL_SOURCE,
  ATTR_CANCEL_TASK_ID,
} from './attributes.js';

export function cancelAttributes(cancel: CancelledError): Attributes {
  const reason = cancel.reason;
  const out: Attributes = { [ATTR_CANCEL_KIND]: reason.kind, [ATTR_CANCEL_REASON]: describeCancelReason(reason) };
  if (reason.kind === 'sibling-failed') out[ATTR_CANCEL_TASK_ID] = reason.task.id;
  else if (reason.kind === 'parent-cancelled') out[ATTR_CANCEL_TASK_ID] = reason.parent.id;
  const by = originOf(cancel);
  if (by !== null) {
    out[ATTR_CANCEL_SOURCE] = by.source;
    out[ATTR_CANCEL_BY] = by.message;
    if (by.task !== null) out[ATTR_CANCEL_BY_TASK_ID] = by.task.id;
    if (by.site !== null) out[ATTR_CANCEL_SITE] = [...by.site];
  }
  return out;
}
