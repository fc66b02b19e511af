/**
 * ssekit's implementation: not API, may change in any release.
 */
package dev.ssekit.internal;
