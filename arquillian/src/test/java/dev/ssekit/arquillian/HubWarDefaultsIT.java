package dev.ssekit.arquillian;

import dev.ssekit.testsupport.MercureClient;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hub WAR exactly as built, with no configuration at all: safe by default, nobody may publish. */
@ExtendWith(ArquillianExtension.class)
class HubWarDefaultsIT {
    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive unconfiguredHubWar() {
        return ShrinkWrap.create(WebArchive.class, "hub-defaults.war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war"))));
    }

    @Test
    void publishWithoutKeyOrAnonymousSetting_isRefusedWith401() throws Exception {
        URI hub = URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
        HttpResponse<String> r = MercureClient.post(hub, "topic=orders&data=x");
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("publish: this hub accepts no publisher: no JWT key is configured (ssekit.hub.jwt.secret or "
                + "ssekit.hub.jwt.publicKey) and ssekit.hub.anonymous.publish is not true\n", r.body());
    }
}
