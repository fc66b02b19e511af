package dev.ssekit.app.mercure;

import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.MercureClaims;
import dev.ssekit.app.security.SecuritySettings;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.Provider;

import java.net.URI;

/**
 * Discovery: every answer of the hub carries {@code Link: <hub>; rel="mercure"} (the hub's own demo
 * page is a publisher of it), and the hub serves its OAuth 2.0 protected resource metadata
 * (RFC 9728) at {@code /.well-known/oauth-protected-resource/.well-known/mercure}, which its
 * {@code WWW-Authenticate} challenges name in {@code resource_metadata}.
 */
@RequestScoped
@Path(".well-known/oauth-protected-resource/.well-known/mercure")
public class Discovery {
    @Inject
    HubSecurity security;

    @Inject
    ActiveSubscriptions subscriptions;

    /** @return the protected resource metadata */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String metadata(@Context UriInfo uri) {
        SecuritySettings.Protocol p = security.settings().protocol();
        StringBuilder json = new StringBuilder("{\"resource\":").append(JsonStrings.quote(p.resource(uri.getBaseUri())))
                .append(",\"authorization_details_types_supported\":[").append(JsonStrings.quote(MercureClaims.DETAIL_TYPE))
                .append("],\"bearer_methods_supported\":[\"header\"]");
        if (p.current()) {
            json.append(",\"mercure_cookie\":").append(JsonStrings.quote(HubSecurity.CURRENT_COOKIE));
        }
        if (subscriptions.enabled()) {
            json.append(",\"mercure_subscriptions\":true");
        }
        json.append(",\"mercure_matcher_types_supported\":[\"exact\",\"urlpattern\"]}");
        return json.toString();
    }


    /** Adds the hub link to every answer. */
    @Provider
    @ApplicationScoped
    public static class LinkHeader implements ContainerResponseFilter {
        @Inject
        HubSecurity security;

        @Override
        public void filter(ContainerRequestContext request, ContainerResponseContext response) {
            if (response.getHeaders().containsKey("Link")) {
                return; // the subscription API sets its own, with the reconciliation cursor
            }
            URI hub = security.settings().protocol().hubUrl(request.getUriInfo().getBaseUri());
            response.getHeaders().add("Link", link(hub));
        }

        /** @return the {@code Link} header every answer carries, naming {@code hub} */
        public static String link(URI hub) {
            return "<" + hub + ">; rel=\"mercure\"";
        }
    }
}
