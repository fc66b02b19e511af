/**
 * The text/event-stream wire: events framed once per publish, the retry hint of a closing hub,
 * the writer that puts pre-framed bytes on a container's stream, and the stream's response headers.
 */
package dev.ssekit.internal.wire;
