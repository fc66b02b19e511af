package floor;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The floor: an async request holding an SSE stream, nothing else. */
@WebServlet(urlPatterns = "/.well-known/mercure", asyncSupported = true)
public class Floor extends HttpServlet {
    private static final byte[] CONNECTED = ": connected\n\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AsyncContext async = req.startAsync();
        async.setTimeout(0);
        resp.setContentType("text/event-stream");
        resp.setHeader("Cache-Control", "no-cache");
        ServletOutputStream out = resp.getOutputStream();
        out.write(CONNECTED);
        out.flush();
    }
}
