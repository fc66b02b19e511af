package dev.ssekit.testsupport;

import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.internal.cdi.PublishInterceptor;
import dev.ssekit.internal.cdi.SseKitExtension;
import dev.ssekit.internal.cdi.SubscribeInterceptor;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider;
import org.glassfish.jersey.ext.cdi1x.internal.ProcessAllAnnotatedTypes;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.weld.se.WeldRequestScope;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.net.URI;

/**
 * A CDI container for JAX-RS resources served by Jersey, as a Jakarta EE server sets one up:
 * ssekit's beans, interceptors and extension, and Jersey's CDI integration, so that Jersey takes
 * resources from CDI and the interceptors run. Discovery is off (a test names its beans), so no
 * extension is found by service loading: each is added here.
 */
public final class JerseyWeld {
    private JerseyWeld() {
    }

    /**
     * @param name  names the container (unique per test run: Weld keeps containers by name)
     * @param beans the application's beans: resources, and what they inject
     * @return the started container; the caller shuts it down
     */
    public static WeldContainer start(String name, Class<?>... beans) {
        return new Weld(name + "-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class, PublishInterceptor.class, SubscribeInterceptor.class,
                        WeldRequestScope.class) // Jersey's request scope on Weld
                .addBeanClasses(beans)
                .addExtension(new SseKitExtension()).addExtension(new CdiComponentProvider())
                .addExtension(new ProcessAllAnnotatedTypes()).initialize();
    }

    /**
     * An application served as a WAR of that context path would be: its beans in a container of
     * their own, its resources on Jersey + Grizzly on a free loopback port.
     *
     * @param name        names the container (see {@link #start})
     * @param contextPath the WAR's context path, "/" for none ("/shop/": the WAR "shop")
     * @param application the JAX-RS application (its {@code @ApplicationPath} is added to the path)
     * @param beans       the application's beans
     * @return the running application; close it to undeploy
     */
    public static Served serve(String name, String contextPath, ResourceConfig application, Class<?>... beans) {
        WeldContainer weld = start(name, beans);
        try {
            HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0" + contextPath),
                    application);
            return new Served(weld, server, URI.create("http://127.0.0.1:"
                    + server.getListeners().iterator().next().getPort() + contextPath));
        } catch (RuntimeException e) {
            weld.shutdown();
            throw e;
        }
    }

    /** A served application: {@code base} is its context path's URL. */
    public record Served(WeldContainer weld, HttpServer server, URI base) implements AutoCloseable {
        @Override
        public void close() {
            server.shutdownNow();
            weld.shutdown();
        }
    }
}
