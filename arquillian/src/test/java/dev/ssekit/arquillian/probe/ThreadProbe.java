package dev.ssekit.arquillian.probe;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Collection;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Deployed beside the application under test, without ssekit: lists the server's ssekit threads, and
 * on Payara Micro (whose Arquillian adapter runs one application per server process) deploys and
 * undeploys applications in its own server through Payara Micro's runtime API.
 */
@Path("")
public class ThreadProbe {
    /** @return the names of the live threads whose name starts with "ssekit", one per line */
    @GET
    @Path("threads")
    @Produces(MediaType.TEXT_PLAIN)
    public String ssekitThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ssekit")).sorted().collect(Collectors.joining("\n"));
    }

    /** Deploys the WAR in the body at context root {@code /name} (Payara Micro only). */
    @PUT
    @Path("deployments/{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response deploy(@PathParam("name") String name, InputStream war) throws Exception {
        Object accepted = payaraRuntime("deploy", String.class, String.class, InputStream.class)
                .invoke(payaraRuntime(), name, "/" + name, war);
        // deploy() can answer true for an application that then failed to load: ask what runs.
        Collection<?> running = (Collection<?>) payaraRuntime("getDeployedApplicationNames").invoke(payaraRuntime());
        boolean deployed = Boolean.TRUE.equals(accepted) && running.contains(name);
        return Response.status(deployed ? 201 : 500).entity("running: " + running).build();
    }

    /** Undeploys an application (Payara Micro only). */
    @DELETE
    @Path("deployments/{name}")
    public Response undeploy(@PathParam("name") String name) throws Exception {
        payaraRuntime("undeploy", String.class).invoke(payaraRuntime(), name);
        return Response.noContent().build();
    }

    private static Object payaraRuntime() throws Exception {
        Class<?> micro = Class.forName("fish.payara.micro.PayaraMicro");
        return micro.getMethod("getRuntime").invoke(micro.getMethod("getInstance").invoke(null));
    }

    private static Method payaraRuntime(String name, Class<?>... parameters) throws Exception {
        return Class.forName("fish.payara.micro.PayaraMicroRuntime").getMethod(name, parameters);
    }

    /** The probe's JAX-RS application. */
    @ApplicationPath("")
    public static class ProbeApplication extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(ThreadProbe.class);
        }
    }
}
