/**
 * The caller's JTA transaction, seen through the {@code TransactionSynchronizationRegistry}: the only
 * package that may use {@code jakarta.transaction}, which is optional at run time.
 */
package dev.ssekit.internal.tx;
