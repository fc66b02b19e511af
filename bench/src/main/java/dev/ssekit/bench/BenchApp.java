package dev.ssekit.bench;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.Subscription;
import dev.ssekit.Topic;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bench server's resources, all in one JAX-RS application on one Grizzly server:
 * <ul>
 * <li>{@code GET /hub/{topic}}: ssekit, one {@link Topic}{@code <Payload>} per topic of one {@link Hub};</li>
 * <li>{@code GET /raw/{topic}}: the JAX-RS tutorial's way, one {@link SseBroadcaster} per topic and
 *     {@code sse.newEventBuilder().mediaType(APPLICATION_JSON).data(Payload.class, p)} per event;</li>
 * <li>{@code /admin/...}: publish, end a topic, heap after GC, and replay stores, driven by the client JVM.</li>
 * </ul>
 */
final class BenchApp {
    private BenchApp() {
    }

    /** State shared by the resources, which are registered as instances. */
    /** The registry key prefix of the large-history scenario's registries, per store. */
    static final String HISTORY = "history-";
    /** Hub the large history is spread over. */
    static final int HISTORY_TOPICS = 100;

    /** The side of the hub bound to the bench's OpenTelemetry ({@link State#instrumented()}). */
    static final String INSTRUMENTED = "hub-otel";

    static final class State {
        final Hub topics = Hub.builder().name("bench").build();
        final Map<String, Topic<Payload>> hubs = new ConcurrentHashMap<>();
        final Map<String, Queue<Conn>> conns = new ConcurrentHashMap<>();
        final Map<String, SseBroadcaster> raw = new ConcurrentHashMap<>();
        final AtomicInteger rawClients = new AtomicInteger();
        volatile Sse sse;
        final Map<String, Hub> replayTopics = new ConcurrentHashMap<>();
        /** Large histories being filled, before their hub is made ({@code Admin#fillHistory}). */
        final Map<String, HistoryStore> filling = new ConcurrentHashMap<>();
        final Map<String, Runnable> replayCleanups = new ConcurrentHashMap<>();
        final AtomicLong historySubscribers = new AtomicLong();
        /** Events the large history's subscriptions replayed ({@code Subscription.replayed}), summed. */
        final AtomicLong historyReplayed = new AtomicLong();
        final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-publisher");
            t.setDaemon(true);
            return t;
        });
        final AtomicLong tickPublished = new AtomicLong();
        /** The CPU time of the publishing requests, by side (the admin's publish). */
        final Map<String, LongAdder> publishCpu = new ConcurrentHashMap<>();
        /** The CPU time of every thread, by name; started on first use. */
        private ThreadCpu threadCpuSampler;

        synchronized ThreadCpu threadCpu() {
            if (threadCpuSampler == null) {
                threadCpuSampler = new ThreadCpu();
            }
            return threadCpuSampler;
        }
        volatile ScheduledFuture<?> ticking;
        /** The raw NIO baselines, by side ({@code nio}, {@code nio-batched}), started when first asked for. */
        final Map<String, RawNioServer> nio = new ConcurrentHashMap<>();

        RawNioServer nio(String side) {
            return nio.computeIfAbsent(side, s -> {
                try {
                    return new RawNioServer("nio-batched".equals(s));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        /**
         * Side {@code hub-otel}: a second hub, bound to the bench's OpenTelemetry (installed when first
         * asked for, which {@link #topics}, already built, does not bind to), so that one server runs
         * (a) with and without ssekit's instrumentation in turn: a pairing within one JVM. Run it
         * without --telemetry, which binds {@link #topics} as well.
         */
        private Hub instrumented;

        synchronized Hub instrumented() {
            if (instrumented == null) {
                // -Dbench.instrumented=false (BENCH_SERVER_OPTS): the same second hub with no binding, the
                // pairing's control (its ratios show what pairing two hubs measures by itself).
                instrumented = Hub.builder().name("bench-otel").metrics(Boolean.parseBoolean(
                        System.getProperty("bench.instrumented", "true"))
                        ? BenchTelemetry.installAndBind() : dev.ssekit.spi.MetricsBinding.NONE).build();
            }
            return instrumented;
        }

        /** @return the hub of an ssekit side: {@code hub} or {@code hub-otel} */
        Hub hubOf(String side) {
            return INSTRUMENTED.equals(side) ? instrumented() : topics;
        }

        /** @param topic a topic of one side only (the scenarios name topics by side) */
        Topic<Payload> hub(String side, String topic) {
            return hubs.computeIfAbsent(topic, t -> hubOf(side).topic(t, Payload.class));
        }

        SseBroadcaster broadcaster(String topic, Sse s) {
            if (sse == null) {
                sse = s;
            }
            return raw.computeIfAbsent(topic, t -> {
                SseBroadcaster b = s.newBroadcaster();
                b.onClose(sink -> rawClients.decrementAndGet());
                return b;
            });
        }

        void publish(String side, String topic, long seq) {
            publish(side, topic, seq, Payload.ITEM);
        }

        void publish(String side, String topic, long seq, String item) {
            publish(side, topic, seq, item, System.nanoTime());
        }

        /** @param sent the payload's timestamp: the scheduled time, so a late publish counts as lag */
        void publish(String side, String topic, long seq, String item, long sent) {
            Payload p = new Payload(seq, item);
            p.sent = sent;
            if ("hub".equals(side) || INSTRUMENTED.equals(side)) {
                hub(side, topic).publish(p);
            } else if (side.startsWith("nio")) {
                // The JSON the container's JSON-B writes for a Payload (properties in lexical order).
                nio(side).publish(seq, "{\"item\":\"" + p.item + "\",\"ok\":" + p.ok + ",\"price\":" + p.price
                        + ",\"qty\":" + p.qty + ",\"sent\":" + p.sent + ",\"seq\":" + p.seq + "}");
            } else {
                SseBroadcaster b = raw.get(topic);
                Sse s = sse;
                if (b == null || s == null) {
                    return; // nobody subscribed
                }
                // Exactly the tutorial's way: a builder per event, JSON written by the container per sink.
                OutboundSseEvent e = s.newEventBuilder()
                        .id(Long.toString(seq))
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(Payload.class, p)
                        .build();
                b.broadcast(e);
            }
        }
    }

    /** ssekit's side: {@code hub}, and {@code hub-otel} with its instrumentation on ({@link State#instrumented()}). */
    @Path("{side: hub|" + INSTRUMENTED + "}")
    public static final class HubStream {
        private final State state;

        HubStream(State state) {
            this.state = state;
        }

        @GET
        @Path("{topic}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void subscribe(@PathParam("side") String side, @PathParam("topic") String topic,
                              @HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink) {
            Topic<Payload> hub = state.hub(side, topic);
            Conn conn = state.hubOf(side).open(sink);
            state.conns.computeIfAbsent(topic, t -> new ConcurrentLinkedQueue<>()).add(conn);
            hub.subscribe(conn, lastEventId);
        }

        @GET
        @Path("replay/{store}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void replay(@PathParam("store") String store, @HeaderParam("Last-Event-ID") String lastEventId,
                           @Context SseEventSink sink, @Context Sse sse) {
            Hub t = state.replayTopics.get(store);
            Conn conn = t.open(sink);
            t.topic("replay", Payload.class).subscribe(conn, lastEventId);
        }

        /**
         * A subscriber of the large history ({@code Admin#fillHistory}): every other one takes
         * every topic (a {@code *} matcher), the others one topic of {@link #HISTORY_TOPICS}.
         */
        @GET
        @Path("history/{store}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void history(@PathParam("store") String store, @HeaderParam("Last-Event-ID") String lastEventId,
                            @Context SseEventSink sink, @Context Sse sse) {
            Hub t = state.replayTopics.get(HISTORY + store);
            Conn conn = t.open(sink);
            dev.ssekit.Subscription s = state.historySubscribers.getAndIncrement() % 2 == 0
                    ? t.subscribe(conn, java.util.List.of(), lastEventId, topics -> true)
                    : t.subscribe(conn, java.util.List.of("h-0"), lastEventId);
            state.historyReplayed.addAndGet(s.replayed());
        }
    }

    /** The plain JAX-RS side, as the JAX-RS tutorial writes it. */
    @Path("raw")
    public static final class RawStream {
        private final State state;

        RawStream(State state) {
            this.state = state;
        }

        @GET
        @Path("{topic}")
        @Produces(MediaType.SERVER_SENT_EVENTS)
        public void subscribe(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
            SseBroadcaster b = state.broadcaster(topic, sse);
            // The tutorial's welcome: it also commits the response headers, as ssekit's ": connected" does.
            sink.send(sse.newEvent("welcome"));
            b.register(sink);
            state.rawClients.incrementAndGet();
        }
    }

    /** Commands from the client JVM. */
    @Path("admin")
    @Produces(MediaType.TEXT_PLAIN)
    public static final class Admin {
        private final State state;

        Admin(State state) {
            this.state = state;
        }

        /** The hub's metrics in the Prometheus text format, when the server records them (--telemetry). */
        @GET
        @Path("metrics")
        public String metrics() throws java.io.IOException {
            String text = BenchTelemetry.scrape();
            if (text == null) {
                throw new NotFoundException("this bench server records no metrics: run it with --telemetry");
            }
            return text;
        }

        /**
         * Publishes {@code count} events numbered from {@code seq}, as fast as broadcast returns; the
         * publishing thread's CPU time is added to the side's ({@link #cpu}).
         */
        @POST
        @Path("publish/{side}/{topic}")
        public String publish(@PathParam("side") String side, @PathParam("topic") String topic,
                              @QueryParam("seq") long seq, @QueryParam("count") int count) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < count; i++) {
                state.publish(side, topic, seq + i);
            }
            state.publishCpu.computeIfAbsent(side, s -> new LongAdder()).add(threads.getCurrentThreadCpuTime() - cpu0);
            return "ok";
        }

        /**
         * CPU time so far, in nanoseconds, one {@code name value} line each: {@code process} (every
         * thread, the JVM's own included), {@code publish:SIDE} (the publishing requests of a side),
         * and {@code threads:NAME} for the threads by name without their trailing number (a hub's
         * writers, {@code bench-otel-writer-}; OpenTelemetry's span exporter), ended ones included
         * ({@link ThreadCpu}).
         */
        @GET
        @Path("cpu")
        public String cpu() {
            StringBuilder out = new StringBuilder();
            out.append("process ").append(((com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()).append('\n');
            state.publishCpu.forEach((side, nanos) -> out.append("publish:").append(side).append(' ')
                    .append(nanos.sum()).append('\n'));
            state.threadCpu().byName().forEach((name, nanos) -> out.append("threads:").append(name.replace(' ', '_'))
                    .append(' ').append(nanos).append('\n'));
            return out.toString();
        }

        /** Publishes {@code count} events at {@code rate} per second on the server's clock; answers at once. */
        @POST
        @Path("publish-rate/{side}/{topic}")
        public String publishRate(@PathParam("side") String side, @PathParam("topic") String topic,
                                  @QueryParam("count") int count, @QueryParam("rate") double rate,
                                  @QueryParam("size") int size) {
            // size: the filler's length in characters (the stalled-clients scenario's 16 KB events).
            String item = size > 0 ? "y".repeat(size) : Payload.ITEM;
            state.tickPublished.set(0);
            long periodNanos = (long) (1e9 / rate);
            long first = System.nanoTime();
            state.ticking = state.ticker.scheduleAtFixedRate(() -> {
                long n = state.tickPublished.get();
                if (n >= count) {
                    throw new java.util.concurrent.CancellationException("done"); // ends the schedule
                }
                // Stamped with the time it was due: a publish that a blocked broadcast delayed shows as lag.
                state.publish(side, topic, n, item, first + n * periodNanos);
                state.tickPublished.incrementAndGet();
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
            return "ok";
        }

        /** Stops a {@code publish-rate} that has not finished (a broadcast blocked by stalled clients). */
        @POST
        @Path("publish-rate-stop")
        public String publishRateStop() {
            ScheduledFuture<?> f = state.ticking;
            if (f != null) {
                f.cancel(false);
            }
            return Long.toString(state.tickPublished.get());
        }

        @GET
        @Path("published-rate")
        public String publishedRate() {
            return Long.toString(state.tickPublished.get());
        }

        /** Ends every stream of a topic on both sides, so the next scenario starts from nothing. */
        /** The raw NIO baseline's port for {@code side}, started on first use. */
        @GET
        @Path("nio-port/{side}")
        public String nioPort(@PathParam("side") String side) {
            return Integer.toString(state.nio(side).port());
        }

        @POST
        @Path("end/{topic}")
        public String end(@PathParam("topic") String topic) {
            for (Map.Entry<String, RawNioServer> e : state.nio.entrySet()) {
                if (topic.endsWith("-" + e.getKey())) {
                    e.getValue().endAll();
                }
            }
            state.hubs.remove(topic);
            Queue<Conn> opened = state.conns.remove(topic);
            if (opened != null) {
                opened.forEach(Conn::close); // the topic's streams end, as a reset between scenarios
            }
            SseBroadcaster b = state.raw.remove(topic);
            if (b != null) {
                b.close();
            }
            return "ok";
        }

        /**
         * Starts watching the heap for the reconnect storm: the used heap sampled every 5 ms, and the
         * heap left after each collection (the live set, as far as a collection found it), both maxima.
         */
        @POST
        @Path("heap-watch/start")
        public String heapWatchStart() {
            HeapWatch.start();
            return "ok";
        }

        /** @return {@code peakUsed=<bytes> peakAfterGc=<bytes> gcs=<n>} since the last start */
        @POST
        @Path("heap-watch/stop")
        public String heapWatchStop() {
            return HeapWatch.stop();
        }

        /** Heap used after a full GC, open file descriptors and their limit, subscriber counts. */
        @GET
        @Path("stats")
        public String stats(@QueryParam("gc") boolean gc) throws Exception {
            return dev.ssekit.bench.war.ProcessStats.line(gc) + " hubClients=" + state.topics.clients()
                    + " rawClients=" + state.rawClients.get();
        }

        /**
         * Makes a replay hub on {@code store} holding a marker event and then {@code events} events;
         * answers the marker's id, which a reconnecting client sends as its Last-Event-ID.
         */
        @POST
        @Path("replay/{store}")
        public String prepareReplay(@PathParam("store") String store, @QueryParam("events") int events) {
            Hub old = state.replayTopics.remove(store);
            if (old != null) {
                old.close();
            }
            HistoryStore history = open(store, events, state.replayCleanups);
            Hub t = Hub.builder().name("replay-" + store).history(history).build();
            state.replayTopics.put(store, t);
            Topic<Payload> hub = t.topic("replay", Payload.class);
            String marker = hub.publish(new Payload(-1)).id();
            for (int i = 0; i < events; i++) {
                hub.publish(new Payload(i));
            }
            return marker;
        }

        /**
         * Fills (from {@code from=0}) the history of a registry on {@code store} with events spread
         * over {@link #HISTORY_TOPICS} topics, appended straight to the store a thousand at a time
         * (the scenario is the replay, not the publish path), and makes the registry once the last
         * of the {@code total} events is in. Retention keeps {@code total} per topic. The registry
         * comes after the fill as a node starts on a store that has grown over time: made first, its
         * follow of a shared store would still be reading the million events appended behind it when
         * the clients come, and refuse them as behind (run Q).
         */
        @POST
        @Path("history/{store}/fill")
        public String fillHistory(@PathParam("store") String store, @QueryParam("from") int from,
                                  @QueryParam("count") int count, @QueryParam("total") int total) {
            String key = HISTORY + store;
            if (from == 0) {
                closeReplay(key);
                Map<String, Runnable> cleanup = new ConcurrentHashMap<>();
                state.filling.put(key, open(store, total, cleanup));
                cleanup.values().forEach(c -> state.replayCleanups.put(key, c));
                state.historySubscribers.set(0);
                state.historyReplayed.set(0);
            }
            HistoryStore history = state.filling.get(key);
            // A "sent" field (no "seq": events of many topics have no one order) makes the client count it.
            String data = "{\"sent\":0,\"item\":\"" + Payload.ITEM + "\"}";
            for (int i = from; i < from + count; i += 1000) {
                java.util.List<HistoryStore.Entry> batch = new java.util.ArrayList<>(1000);
                for (int j = i; j < Math.min(from + count, i + 1000); j++) {
                    batch.add(new HistoryStore.Entry(Set.of("h-" + (j % HISTORY_TOPICS)), dev.ssekit.Event.of(data)));
                }
                history.append(batch);
            }
            if (from + count >= total) {
                state.replayTopics.put(key, Hub.builder().name(key).history(state.filling.remove(key)).build());
            }
            return "ok";
        }

        /** @return the events the large history's subscriptions replayed so far, summed */
        @POST
        @Path("history/replayed")
        public String historyReplayed() {
            return String.valueOf(state.historyReplayed.get());
        }

        /** Publishes {@code count} events on one topic of the large history, one after another: their latencies. */
        @POST
        @Path("history/{store}/publish")
        public String timedPublish(@PathParam("store") String store, @QueryParam("count") int count) {
            Hub t = state.replayTopics.get(HISTORY + store);
            StringBuilder micros = new StringBuilder();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                t.publish(java.util.List.of("h-0"), dev.ssekit.Event.of("{\"sent\":" + start + ",\"item\":\"live\"}"));
                micros.append(i == 0 ? "" : " ").append((System.nanoTime() - start) / 1000);
            }
            return micros.toString();
        }

        @POST
        @Path("replay-close/{store}")
        public String closeReplay(@PathParam("store") String store) {
            Hub t = state.replayTopics.remove(store);
            if (t != null) {
                t.close();
                t.history().close();
            }
            Runnable cleanup = state.replayCleanups.remove(store);
            if (cleanup != null) {
                cleanup.run();
            }
            return "ok";
        }

        private static HistoryStore open(String store, int events, Map<String, Runnable> cleanups) {
            String unique = UUID.randomUUID().toString().substring(0, 8);
            switch (store) {
                case "memory":
                    return InMemoryHistoryStore.builder().maxEventsPerTopic(events * 2).maxEvents(events * 2).build();
                case "h2": {
                    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
                    ds.setURL("jdbc:h2:file:" + Paths.get("target", "bench-h2", unique).toAbsolutePath()
                            + ";DB_CLOSE_DELAY=-1");
                    return JdbcHistoryStore.builder(ds).maxEventsPerTopic(events * 2).pruneInterval(null).build();
                }
                case "postgresql": {
                    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
                    ds.setURL("jdbc:postgresql://127.0.0.1:5432/test");
                    ds.setUser("postgres");
                    String prefix = "ssekit_bench_" + unique + "_";
                    cleanups.put(store, () -> {
                        try (var c = ds.getConnection(); var st = c.createStatement()) {
                            for (String table : new String[]{"event_topic", "event", "topic", "meta"}) {
                                st.execute("DROP TABLE IF EXISTS " + prefix + table);
                            }
                        } catch (java.sql.SQLException e) {
                            System.err.println("could not drop the bench tables " + prefix + "*: " + e.getMessage());
                        }
                    });
                    // Pooled as the hub pools ssekit.history.jdbc.url (HikariCP, 10 connections by default):
                    // without a pool every store call opened a connection (a PostgreSQL backend, a login),
                    // and thread dumps of a replay storm showed most reads there rather than in a query.
                    com.zaxxer.hikari.HikariConfig pool = new com.zaxxer.hikari.HikariConfig();
                    pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/test");
                    pool.setUsername("postgres");
                    pool.setMaximumPoolSize(10);
                    pool.setPoolName("bench-" + unique);
                    return JdbcHistoryStore.builder(new com.zaxxer.hikari.HikariDataSource(pool)).tablePrefix(prefix)
                            .closesDataSource(true).maxEventsPerTopic(events * 2).pruneInterval(null).build();
                }
                case "redis": {
                    String prefix = "ssekit-bench:" + unique + ":";
                    cleanups.put(store, () -> {
                        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379");
                        try (var conn = client.connect()) {
                            var keys = io.lettuce.core.ScanIterator.scan(conn.sync(),
                                    io.lettuce.core.ScanArgs.Builder.matches("{" + prefix + "}*"));
                            while (keys.hasNext()) {
                                conn.sync().del(keys.next());
                            }
                        } finally {
                            client.shutdown();
                        }
                    });
                    return RedisHistoryStore.builder("redis://127.0.0.1:6379")
                            .keyPrefix(prefix).maxEventsPerTopic(events * 2).build();
                }
                default:
                    throw new IllegalArgumentException("store must be memory, h2, postgresql or redis, got " + store);
            }
        }

        static Set<String> stores() {
            return Set.of("memory", "h2", "postgresql", "redis");
        }
    }

    /**
     * Every thread's CPU time, read every 20 ms and kept after the thread ends: a hub's writer threads
     * come and go (a writer taken for stalled is replaced), and the JVM forgets an ended thread's time.
     * What a thread spent between its last reading and its end is missed (at most 20 ms each).
     */
    static final class ThreadCpu {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final Map<Long, String> names = new ConcurrentHashMap<>();
        private final Map<Long, Long> nanos = new ConcurrentHashMap<>();

        ThreadCpu() {
            Thread t = new Thread(() -> {
                while (true) {
                    read();
                    try {
                        Thread.sleep(20); // a sampling period, not a synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-cpu-sampler");
            t.setDaemon(true);
            t.start();
        }

        private synchronized void read() {
            for (long id : threads.getAllThreadIds()) {
                long cpu = threads.getThreadCpuTime(id);
                if (cpu > 0) {
                    if (!names.containsKey(id)) {
                        java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
                        if (info == null) {
                            continue;
                        }
                        names.put(id, info.getThreadName().replaceAll("[0-9]+$", ""));
                    }
                    nanos.put(id, cpu);
                }
            }
        }

        /** @return the CPU time of the threads so far, ended ones included, by name without a trailing number */
        synchronized Map<String, Long> byName() {
            read();
            Map<String, Long> out = new java.util.TreeMap<>();
            nanos.forEach((id, cpu) -> out.merge(names.get(id), cpu, Long::sum));
            return out;
        }
    }
}
