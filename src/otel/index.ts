// tasktree/otel: every task an OpenTelemetry span. The only module of tasktree that imports
// `@opentelemetry/api` (an optional peer dependency); it reaches the core through its tracing hook
// (`hooks.trace`): a task it follows carries its span, which the core calls to run the task's
// function and tells when the task settles.
export { instrumentTasks, type InstrumentOptions } from './instrument.js';
export {
  ATTR_TASK_ID,
  ATTR_TASK_PATH,
  ATTR_GROUP_NAME,
  ATTR_TASK_DAEMON,
  ATTR_TASK_QUEUED_MS,
  ATTR_TASK_OUTCOME,
  EVENT_CANCELLED,
  ATTR_CANCEL_KIND,
  ATTR_CANCEL_REASON,
  ATTR_CANCEL_TASK_ID,
  ATTR_CANCEL_SOURCE,
  ATTR_CANCEL_BY,
  ATTR_CANCEL_BY_TASK_ID,
  ATTR_CANCEL_SITE,
} from './attributes.js';
