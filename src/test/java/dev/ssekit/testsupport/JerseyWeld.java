package dev.ssekit.testsupport;

import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.internal.cdi.PublishInterceptor;
import dev.ssekit.internal.cdi.SseKitExtension;
import dev.ssekit.internal.cdi.SubscribeInterceptor;

import org.glassfish.jersey.ext.cdi1x.internal.CdiComponentProvider;
import org.glassfish.jersey.ext.cdi1x.internal.ProcessAllAnnotatedTypes;
import org.glassfish.jersey.weld.se.WeldRequestScope;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

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
}
