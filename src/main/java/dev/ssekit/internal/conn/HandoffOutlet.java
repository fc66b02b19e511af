package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.wire.FramedEvent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The non-blocking transport: the stream's head goes through the JAX-RS sink, its body through the
 * container's {@link NonBlockingOutput}, so that a client that stops reading holds no thread.
 *
 * <p>Why the head through the sink: the JAX-RS runtime then writes the response's status and
 * headers, after every response filter (CORS, ssekit's own replay header, the application's), and
 * keeps its own state for the request consistent. The stream is handed off to the container's
 * output once both have happened, whichever comes last, and no write is on the sink then: the
 * runtime is done with the request ({@link NonBlockingOutput#whenServed}: a sink queues what it is
 * sent until the resource method returns, and a direct write before that would overtake the head),
 * and the sink's first write has completed (RESTEasy writes the head only with it). Not at a later
 * write: a stream that stays idle after its {@code : connected} comment is handed off all the same.
 * The handoff runs on the connection's writer threads, never on the thread that served the
 * request, which the container still holds. Until then writes go through the sink; every later
 * write goes straight to the container's output, which the sink wrote through before. Where the
 * container's output refuses a listener (the request is not asynchronous, or the JAX-RS runtime
 * listens to it itself), every write stays on the sink. The stream ends through the sink again,
 * once everything is written, so that the runtime finishes the response itself.
 *
 * <p>Where the container's output can {@linkplain NonBlockingOutput#detach detach} (the embedded hub
 * on Grizzly), the handoff also closes the sink: the container completes its request without
 * writing anything, and frees its request state and the JAX-RS runtime's (some 20 KB a stream);
 * the output then frames the body itself, and {@link #end()} goes to it.
 *
 * <p>Each write hands the container one batch and flushes it. The stage completes as soon as the
 * container has the bytes; the next write waits until the container says the client's socket can
 * take more. So what the container holds for a client that stopped reading is bounded by its own
 * readiness threshold plus one batch ({@link Connection#MAX_BATCH_BYTES}), and a cut drops it.
 */
final class HandoffOutlet implements Outlet, NonBlockingOutput.Listener {
    private static final Logger LOG = Logger.getLogger(HandoffOutlet.class.getName());

    private volatile SinkOutlet head; // null once the body has detached: the container's request is done
    private final NonBlockingOutput body;
    private final Runnable staysOnSink;
    private final Executor handoffs;
    private final AtomicLong writes = new AtomicLong();

    private final Object lock = new Object();
    // Guarded by lock.
    private volatile boolean handedOff; // read unlocked by neverBlocks
    private boolean served; // the JAX-RS runtime is done with the request
    private boolean headWritten; // the sink's first write has completed: the runtime has written the head
    private boolean onSink; // a write is on the sink: no handoff until it completes
    private boolean over; // ended or cut: nothing more to hand off
    private boolean sinkOnly; // the container's output refused us: every write through the sink
    private NonBlockingOutput.Detached detached; // set once the body ends the stream itself; the sink is closed
    private FramedEvent pending;
    private CompletableFuture<Void> pendingStage;
    private boolean needsFlush;
    private Throwable failure;

    /**
     * @param head     the JAX-RS sink, for the stream's head
     * @param body     the container's output, for what follows
     * @param handoffs where the handoff runs once it is due: the connection's writer threads
     */
    HandoffOutlet(SinkOutlet head, NonBlockingOutput body, Executor handoffs) {
        this(head, body, handoffs, () -> { });
    }

    /**
     * @param staysOnSink run once if the container's output turns out not to be ssekit's, so that
     *                    the stream's writes go on through the sink, which may block
     */
    HandoffOutlet(SinkOutlet head, NonBlockingOutput body, Executor handoffs, Runnable staysOnSink) {
        this.head = Checks.notNull(head, "head");
        this.body = Checks.notNull(body, "body");
        this.handoffs = Checks.notNull(handoffs, "handoffs");
        this.staysOnSink = Checks.notNull(staysOnSink, "staysOnSink");
        body.whenServed(this::served);
    }

    @Override
    public CompletionStage<?> write(FramedEvent frames) {
        SinkOutlet sink;
        boolean stays;
        CompletableFuture<Void> direct = null;
        synchronized (lock) {
            if (handedOff || handOffDueLocked() && handOffLocked()) {
                if (failure != null) {
                    return CompletableFuture.failedFuture(failure);
                }
                direct = new CompletableFuture<>();
                pending = frames;
                pendingStage = direct;
            }
            stays = sinkOnly;
            onSink = direct == null && !stays;
            sink = head;
        }
        if (direct != null) {
            // Outside the lock: the stage completes where the write ends, and whoever waits on it
            // (the connection's next write, a send's receipt) must not run under this lock.
            body.onWriteThread(this::onWritable);
            return direct;
        }
        // Outside the lock: a sink's write may block on its client, and a cut or the container's
        // callbacks must not wait for it. The head, and what the resource sends while the runtime
        // serves the request, go on the calling thread: the runtime's response filters run there.
        if (stays) {
            return body.sinkWrite(() -> sink.write(frames));
        }
        // The returned stage completes after sinkWritten: the connection's next write comes after it.
        return sink.write(frames).whenComplete((ok, error) -> sinkWritten(error));
    }

    /** The runtime is done with the request; called on the thread that served it. */
    private void served() {
        boolean due;
        synchronized (lock) {
            served = true;
            due = handOffDueLocked();
        }
        if (due) {
            handOffLater();
        }
    }

    /** A write through the sink has completed, or failed. */
    private void sinkWritten(Throwable error) {
        boolean due;
        synchronized (lock) {
            onSink = false;
            headWritten |= error == null;
            due = handOffDueLocked();
        }
        if (due) {
            handOffLater();
        }
    }

    private void handOffLater() {
        try {
            handoffs.execute(() -> {
                synchronized (lock) {
                    if (handOffDueLocked()) { // a write may have handed off meanwhile, or the stream ended
                        handOffLocked();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // The writer threads have stopped (the registry closed): the stream ends on the sink.
            LOG.log(Level.FINE, "ssekit: no writer thread for the handoff; the stream stays on the sink", e);
        }
    }

    /** @return true if the stream is to be handed off to the container's output now */
    private boolean handOffDueLocked() {
        return served && headWritten && !onSink && !handedOff && !sinkOnly && !over && failure == null;
    }

    /** Once handed off, every write goes to the container's non-blocking output. */
    @Override
    public boolean neverBlocks() {
        return handedOff;
    }

    /** @return false if the container's output refused a listener: the stream stays on the sink */
    private boolean handOffLocked() {
        try {
            body.listen(this);
            SinkOutlet sink = head;
            // Closing the sink completes the container's request (it writes nothing more once
            // detached) and frees what the container and the JAX-RS runtime kept for it.
            detached = body.detach(sink::end).orElse(null);
            if (detached != null) {
                head = null;
            }
        } catch (IllegalStateException e) {
            // Not asynchronous, or the JAX-RS runtime listens to the output itself (RESTEasy).
            LOG.log(Level.FINE, "ssekit: the container's output is not ours; the stream stays on the sink", e);
            sinkOnly = true;
            staysOnSink.run();
            return false;
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        handedOff = true;
        return true;
    }

    /**
     * Writes what is pending while the container can take it; called under the lock.
     *
     * @return the stage of the write it made, for the caller to complete once out of the lock; or null
     */
    private CompletableFuture<Void> pump() {
        CompletableFuture<Void> written = null;
        try {
            while (failure == null) {
                if (!body.isReady()) {
                    break; // onWritable comes when the client's socket can take more
                }
                if (needsFlush) {
                    needsFlush = false;
                    body.flush();
                    continue;
                }
                if (pending == null) {
                    break;
                }
                FramedEvent frames = pending;
                written = pendingStage;
                pending = null;
                pendingStage = null;
                List<byte[]> parts = new ArrayList<>(1);
                frames.forEachFrame(parts::add); // a batch's shared frames, not joined
                body.write(parts);
                writes.incrementAndGet();
                needsFlush = true;
            }
        } catch (IOException | RuntimeException e) {
            failLocked(e);
        }
        return written;
    }

    private void failLocked(Throwable e) {
        if (failure == null) {
            failure = e;
            LOG.log(Level.FINE, "ssekit: the client's output failed; the client is gone", e);
        }
        if (pendingStage != null) {
            CompletableFuture<Void> stage = pendingStage;
            pending = null;
            pendingStage = null;
            stage.completeExceptionally(e);
        }
    }

    @Override
    public void onWritable() {
        CompletableFuture<Void> written;
        synchronized (lock) {
            written = pump();
        }
        if (written != null) {
            written.complete(null);
        }
    }

    @Override
    public void onError(Throwable error) {
        synchronized (lock) {
            failLocked(error);
        }
    }

    @Override
    public void end() {
        SinkOutlet sink;
        synchronized (lock) {
            over = true;
            if (detached != null) {
                if (failure == null) {
                    detached.end();
                }
                return;
            }
            sink = head;
        }
        sink.end();
    }

    @Override
    public void cut() {
        boolean closed;
        SinkOutlet sink;
        synchronized (lock) {
            over = true;
            failLocked(new IOException("the stream was cut"));
            // On the sink too, once the head is out: the container's connection is the same.
            closed = (handedOff || sinkOnly) && body.terminate();
            sink = head;
        }
        if (!closed && sink != null) {
            sink.cut();
        }
    }

    @Override
    public boolean isClosed() {
        SinkOutlet sink = head;
        synchronized (lock) {
            return failure != null || detached == null && sink != null && sink.isClosed();
        }
    }

    /** @return the writes handed to the container's output: one per batch */
    long writes() {
        return writes.get();
    }

    @Override
    public String toString() {
        return "HandoffOutlet{" + body + ", writes=" + writes + "}";
    }
}
