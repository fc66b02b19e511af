/**
 * A client's connection: its bounded queue and overflow policy, the writer threads that drain
 * queues (a writer stuck on one client is replaced), heartbeats, lifetimes and the clean end.
 * Knows nothing of topics or routing.
 */
package dev.ssekit.internal.conn;
