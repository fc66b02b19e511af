package dev.ssekit.app;

import dev.ssekit.SseKitFeature;
import dev.ssekit.app.mercure.ActiveSubscriptions;
import dev.ssekit.app.mercure.Discovery;
import dev.ssekit.app.security.CorsFilter;
import dev.ssekit.app.security.PublishFilter;
import dev.ssekit.app.security.QueryBodyFilter;
import dev.ssekit.app.security.RequestSyntaxFilter;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/**
 * The hub app: the Mercure endpoints, the demo page, the event-stream headers, and the security
 * filters (CORS, query checks, the publisher's token and form limits, QUERY bodies) with plain-text errors.
 */
@ApplicationPath("")
public class HubApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(MercureResource.class, ActiveSubscriptions.class, Discovery.class, Discovery.LinkHeader.class,
                DemoPage.class, SseKitFeature.class, CorsFilter.class, RequestSyntaxFilter.class, QueryBodyFilter.class,
                PublishFilter.class, TextErrors.class);
    }
}
