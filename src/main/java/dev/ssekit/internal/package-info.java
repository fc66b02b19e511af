/**
 * ssekit's implementation: not API, may change in any release. One concern a package:
 * {@code conn} (a client's connection: its queue, writer threads, heartbeats and end),
 * {@code wire} (events framed as bytes once, and the writer that puts them on the stream),
 * {@code dispatch} (the engine: subscriptions, group-commit publishing, fan-out in history order,
 * replay hand-off, following a shared store, admission), {@code tx} (the caller's JTA transaction),
 * {@code cdi}, {@code config}, {@code health}, {@code metrics} and {@code servlet}. What is left here
 * are small shared checks, limits and settings.
 */
package dev.ssekit.internal;
