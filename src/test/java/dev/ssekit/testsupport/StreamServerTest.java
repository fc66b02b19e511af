package dev.ssekit.testsupport;

import dev.ssekit.Hub;
import dev.ssekit.SseKitFeature;

import jakarta.ws.rs.core.Application;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;
import org.glassfish.jersey.test.TestProperties;

/** A Jersey Test Framework server on Grizzly, on a free loopback port, serving a {@link StreamResource}. */
public abstract class StreamServerTest extends JerseyTest {
    protected StreamResource resource;
    protected Hub topics;

    /** @return the settings of the registry under test; called once per test, before the server starts */
    protected abstract Hub.Builder topicsBuilder();

    @Override
    protected final Application configure() {
        forceSet(TestProperties.CONTAINER_PORT, "0");
        topics = topicsBuilder().build();
        resource = new StreamResource(topics);
        return new ResourceConfig().registerInstances(resource).register(SseKitFeature.class);
    }

    @Override
    public void tearDown() throws Exception {
        resource.closeOwnHubs();
        topics.close();
        super.tearDown();
    }
}
