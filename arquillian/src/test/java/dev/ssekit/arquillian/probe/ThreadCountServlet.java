package dev.ssekit.arquillian.probe;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;

/** Added to a WAR under test: answers the server's live thread count, as plain text. */
@WebServlet("/probe/threads")
public class ThreadCountServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(ManagementFactory.getThreadMXBean().getThreadCount());
    }
}
