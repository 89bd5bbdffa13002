/**
 * {@code RingTaskQueues}: keyed, non-blocking serial task queues over a bounded ring of value
 * slots, for per-item work that must run in order without blocking an event loop.
 *
 * <p>May import: no other {@code io.consensus} package.
 */
package io.consensus.ring;
