package dev.ssekit.app;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** {@code GET /}: a page that subscribes with the browser's EventSource and publishes from a form. */
@Path("")
public class DemoPage {
    private static final String PAGE = load();

    private static String load() {
        try (InputStream in = DemoPage.class.getResourceAsStream("demo.html")) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the demo page */
    @GET
    @Produces(MediaType.TEXT_HTML + ";charset=utf-8")
    public String page() {
        if (PAGE == null) {
            throw new NotFoundException("the demo page is missing from the build");
        }
        return PAGE;
    }
}
