package dev.ssekit.app.embedded;

import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpEvents;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.utils.IdleTimeoutFilter;

import java.util.concurrent.TimeUnit;

/**
 * Lets a stream outlive its Grizzly request: once the stream's head is out, {@link GrizzlyOutput}
 * completes the request (Grizzly and Jersey then free what they kept for it, some 20 KB) and writes
 * the chunked body on the connection itself.
 *
 * <p>Grizzly, when a response completes, hands the connection back to its keep-alive handling,
 * which closes it after the keep-alive idle timeout unless another request comes. For a detached
 * stream this filter, placed just below Grizzly's HTTP server filter, holds that "response
 * complete" back, and the connection's idle timeout is lifted until the stream ends; then the
 * connection is an idle keep-alive connection like any other.
 */
final class DetachedStreams extends BaseFilter implements AddOn {
    private static final Attribute<Boolean> DETACHED =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(DetachedStreams.class.getName() + ".detached");

    private volatile long idleSeconds = -1;

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        idleSeconds = listener.getKeepAlive().getIdleTimeoutInSeconds();
        builder.add(builder.indexOfType(HttpServerFilter.class), this);
    }

    /** @return the filter in {@code connection}'s chain, or null where it was not installed */
    static DetachedStreams of(Connection<?> connection) {
        if (connection.getProcessor() instanceof FilterChain chain) {
            int index = chain.indexOfType(DetachedStreams.class);
            if (index >= 0) {
                return (DetachedStreams) chain.get(index);
            }
        }
        return null;
    }

    /** From now on, {@code connection}'s request completes without ending the connection's stream. */
    void detach(Connection<?> connection) {
        DETACHED.set(connection, Boolean.TRUE);
        IdleTimeoutFilter.setCustomTimeout(connection, -1, TimeUnit.SECONDS);
    }

    /** The stream on {@code connection} has ended: an idle keep-alive connection again. */
    void reattach(Connection<?> connection) {
        DETACHED.remove(connection);
        IdleTimeoutFilter.setCustomTimeout(connection, idleSeconds, TimeUnit.SECONDS);
    }

    @Override
    public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) {
        if (event.type() == HttpEvents.ResponseCompleteEvent.TYPE && DETACHED.isSet(ctx.getConnection())) {
            return ctx.getStopAction(); // the stream goes on: no keep-alive timer, no close
        }
        return ctx.getInvokeAction();
    }
}
