/**
 * The deployable hub app: the Mercure-subset endpoints and the demo page, as CDI-managed JAX-RS
 * resources. Packaged in the hub WAR, left out of the library jar.
 */
package dev.ssekit.app;
