package dev.ssekit.app;

import dev.ssekit.app.mercure.ClientQuota;
import dev.ssekit.app.security.HubSecurity;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import java.util.logging.Logger;

/**
 * Opens the hub's registry and history store, and reads its security settings, when the application
 * starts, so that a store that cannot be reached or an invalid setting stops the deployment rather
 * than the first request.
 */
@ApplicationScoped
public class HubStartup {
    private static final Logger LOG = Logger.getLogger(HubStartup.class.getName());

    void start(@Observes @Initialized(ApplicationScoped.class) Object started, HubRegistry registry,
               HubSecurity security, ClientQuota quota) {
        security.settings();
        quota.max();
        LOG.info(() -> "ssekit hub ready: Mercure endpoint at /.well-known/mercure, history " + registry.hub().history());
    }
}
