package dev.ssekit.internal.config;

import dev.ssekit.HistoryStoreException;
import dev.ssekit.Hub;
import dev.ssekit.OverflowPolicy;
import dev.ssekit.SseKitException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.Settings;
import dev.ssekit.internal.conn.ConnSettings;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Every ssekit setting, read and checked at once, so that a bad value stops the application at
 * start-up with a message naming the key and the value. The keys, their defaults and their meaning
 * are listed in docs/configuration.md; an unset key keeps the library's default.
 *
 * @param heartbeat                {@code ssekit.heartbeat}
 * @param queueCapacity            {@code ssekit.queue.capacity}
 * @param queueMaxBytes            {@code ssekit.queue.max.bytes}
 * @param queueMaxDelay            {@code ssekit.queue.max.delay}
 * @param overflowPolicy           {@code ssekit.overflow.policy}
 * @param writeTimeout             {@code ssekit.write.timeout}
 * @param maxLifetime              {@code ssekit.max.lifetime}, null for none
 * @param maxEventSize             {@code ssekit.max.event.size}
 * @param maxSubscribersPerTopic   {@code ssekit.max.subscribers.per.topic}, 0 for no limit
 * @param maxSubscribers           {@code ssekit.max.subscribers}, 0 for no limit
 * @param maxTopicsPerSubscription {@code ssekit.max.topics.per.subscription}
 * @param maxStalledWriters        {@code ssekit.max.stalled.writers}
 * @param maxReplayEvents          {@code ssekit.replay.max.events}
 * @param shutdownRetry            {@code ssekit.shutdown.retry}
 * @param publishTimeout           {@code ssekit.publish.timeout}
 * @param shutdownTimeout          {@code ssekit.shutdown.timeout}
 * @param reconnectWindow          {@code ssekit.reconnect.window}
 * @param store                    {@code ssekit.history.store}: memory, jdbc or redis
 * @param retention                the {@code ssekit.history.*} retention keys that are set
 * @param values                   where the store's connection keys are read when it is opened
 */
public record SseKitConfig(Duration heartbeat, int queueCapacity, long queueMaxBytes, Duration queueMaxDelay,
                           OverflowPolicy overflowPolicy, Duration writeTimeout,
                           Duration maxLifetime, int maxEventSize, int maxSubscribersPerTopic, int maxSubscribers,
                           int maxTopicsPerSubscription, int maxStalledWriters, int maxReplayEvents,
                           Duration shutdownRetry, Duration publishTimeout, Duration shutdownTimeout,
                           Duration reconnectWindow, String store,
                           Retention retention, Settings values) {
    /**
     * Retention settings, each null when unset (the store's default applies).
     *
     * @param maxEventsPerTopic {@code ssekit.history.max.events.per.topic}
     * @param maxAge            {@code ssekit.history.max.age}
     * @param memoryMaxEvents   {@code ssekit.history.memory.max.events}
     * @param memoryMaxBytes    {@code ssekit.history.memory.max.bytes}
     */
    public record Retention(Integer maxEventsPerTopic, Duration maxAge, Integer memoryMaxEvents, Long memoryMaxBytes) {
        static Retention read(Settings v) {
            Long bytes = v.raw(MEMORY_MAX_BYTES) == null ? null : v.bytes(MEMORY_MAX_BYTES, 0);
            if (bytes != null && bytes < 1024) {
                throw Settings.invalid(MEMORY_MAX_BYTES, v.raw(MEMORY_MAX_BYTES), "at least 1KiB");
            }
            return new Retention(v.raw(MAX_EVENTS_PER_TOPIC) == null ? null : v.integer(MAX_EVENTS_PER_TOPIC, 0, 1),
                    v.duration(MAX_AGE, null),
                    v.raw(MEMORY_MAX_EVENTS) == null ? null : v.integer(MEMORY_MAX_EVENTS, 0, 1), bytes);
        }
    }

    public static final String HEARTBEAT = "ssekit.heartbeat";
    public static final String QUEUE_CAPACITY = "ssekit.queue.capacity";
    public static final String QUEUE_MAX_BYTES = "ssekit.queue.max.bytes";
    public static final String QUEUE_MAX_DELAY = "ssekit.queue.max.delay";
    public static final String MAX_STALLED_WRITERS = "ssekit.max.stalled.writers";
    public static final String REPLAY_MAX_EVENTS = "ssekit.replay.max.events";
    public static final String OVERFLOW_POLICY = "ssekit.overflow.policy";
    public static final String WRITE_TIMEOUT = "ssekit.write.timeout";
    public static final String MAX_LIFETIME = "ssekit.max.lifetime";
    public static final String MAX_EVENT_SIZE = "ssekit.max.event.size";
    public static final String MAX_SUBSCRIBERS_PER_TOPIC = "ssekit.max.subscribers.per.topic";
    public static final String MAX_SUBSCRIBERS = "ssekit.max.subscribers";
    public static final String MAX_TOPICS_PER_SUBSCRIPTION = "ssekit.max.topics.per.subscription";
    public static final String SHUTDOWN_RETRY = "ssekit.shutdown.retry";
    /** The topics metrics report one by one, comma-separated; see {@code Hub.Builder#meteredTopics}. */
    public static final String METRICS_TOPICS = "ssekit.metrics.topics";
    public static final String PUBLISH_TIMEOUT = "ssekit.publish.timeout";
    public static final String SHUTDOWN_TIMEOUT = "ssekit.shutdown.timeout";
    public static final String RECONNECT_WINDOW = "ssekit.reconnect.window";
    public static final String STORE = "ssekit.history.store";
    public static final String MAX_EVENTS_PER_TOPIC = "ssekit.history.max.events.per.topic";
    public static final String MAX_AGE = "ssekit.history.max.age";
    public static final String MEMORY_MAX_EVENTS = "ssekit.history.memory.max.events";
    public static final String MEMORY_MAX_BYTES = "ssekit.history.memory.max.bytes";
    public static final String JDBC_DATASOURCE = "ssekit.history.jdbc.datasource";
    public static final String JDBC_URL = "ssekit.history.jdbc.url";
    /** The H2 file of the embedded hub's durable history when {@link #JDBC_URL} is unset. */
    public static final String DEFAULT_JDBC_URL = "jdbc:h2:file:./ssekit-history";
    public static final String JDBC_USER = "ssekit.history.jdbc.user";
    public static final String JDBC_PASSWORD = "ssekit.history.jdbc.password";
    public static final String JDBC_TABLE_PREFIX = "ssekit.history.jdbc.table.prefix";
    public static final String JDBC_POOL_SIZE = "ssekit.history.jdbc.pool.size";
    /** The pool size of the URL configuration when {@link #JDBC_POOL_SIZE} is unset. */
    public static final int DEFAULT_JDBC_POOL_SIZE = 10;
    /** The smallest pool of the URL configuration: one connection is the follow's, held while it runs. */
    static final int MIN_JDBC_POOL_SIZE = 2;
    public static final String JDBC_STATEMENT_TIMEOUT = "ssekit.history.jdbc.statement.timeout";
    public static final String JDBC_NETWORK_TIMEOUT = "ssekit.history.jdbc.network.timeout";
    public static final String JDBC_POLL_INTERVAL = "ssekit.history.jdbc.poll.interval";
    public static final String REDIS_URI = "ssekit.history.redis.uri";
    public static final String REDIS_COMMAND_TIMEOUT = "ssekit.history.redis.command.timeout";
    /** Lettuce's command timeout when {@link #REDIS_COMMAND_TIMEOUT} is unset. */
    public static final Duration DEFAULT_REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    public static final String REDIS_KEY_PREFIX = "ssekit.history.redis.key.prefix";
    public static final String REDIS_WAIT_REPLICAS = "ssekit.history.redis.wait.replicas";
    /** How many partitions (hash tags) a Redis store spreads its events over; see {@code RedisHistoryStore.Builder.partitions}. */
    public static final String REDIS_PARTITIONS = "ssekit.history.redis.partitions";

    private static final Map<String, OverflowPolicy> POLICIES = new LinkedHashMap<>();
    private static final Map<String, String> STORES = new LinkedHashMap<>();

    static {
        POLICIES.put("disconnect", OverflowPolicy.DISCONNECT);
        POLICIES.put("drop-oldest", OverflowPolicy.DROP_OLDEST);
        for (String s : new String[] {"memory", "jdbc", "redis"}) {
            STORES.put(s, s);
        }
    }

    /** @return the application's settings ({@link Settings#current()}), checked */
    public static SseKitConfig current() {
        return read(Settings.current());
    }

    /**
     * Reads and checks every setting except the store's connection, which {@link #openStore()}
     * checks by opening it.
     *
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    public static SseKitConfig read(Settings v) {
        long maxEventSize = v.bytes(MAX_EVENT_SIZE, Limits.DEFAULTS.maxEventSize());
        if (maxEventSize > Integer.MAX_VALUE) {
            throw Settings.invalid(MAX_EVENT_SIZE, v.raw(MAX_EVENT_SIZE), "a size below 2GiB");
        }
        SseKitConfig config = new SseKitConfig(
                v.duration(HEARTBEAT, Duration.ofSeconds(20)),
                v.integer(QUEUE_CAPACITY, ConnSettings.DEFAULTS.queueCapacity(), 1),
                v.bytes(QUEUE_MAX_BYTES, ConnSettings.DEFAULTS.queueMaxBytes()),
                v.duration(QUEUE_MAX_DELAY, ConnSettings.DEFAULTS.queueMaxDelay()),
                v.choice(OVERFLOW_POLICY, OverflowPolicy.DISCONNECT, POLICIES),
                v.duration(WRITE_TIMEOUT, Duration.ofSeconds(10)),
                v.duration(MAX_LIFETIME, null),
                (int) maxEventSize,
                v.integer(MAX_SUBSCRIBERS_PER_TOPIC, 0, 1),
                v.integer(MAX_SUBSCRIBERS, 0, 1),
                v.integer(MAX_TOPICS_PER_SUBSCRIPTION, Limits.DEFAULTS.maxTopicsPerSubscription(), 1),
                v.integer(MAX_STALLED_WRITERS, Limits.DEFAULTS.maxStalledWriters(), 0),
                v.integer(REPLAY_MAX_EVENTS, Limits.DEFAULT_MAX_REPLAY_EVENTS, 0),
                v.duration(SHUTDOWN_RETRY, ConnSettings.DEFAULT_SHUTDOWN_RETRY),
                v.duration(PUBLISH_TIMEOUT, Limits.DEFAULT_PUBLISH_TIMEOUT),
                v.duration(SHUTDOWN_TIMEOUT, Limits.DEFAULT_SHUTDOWN_TIMEOUT),
                v.duration(RECONNECT_WINDOW, Limits.DEFAULT_RECONNECT_WINDOW),
                v.choice(STORE, "memory", STORES),
                Retention.read(v), // checked now, not when the store opens
                v);
        String url = v.raw(JDBC_URL);
        if (url != null && !url.startsWith("jdbc:")) {
            throw Settings.invalid(JDBC_URL, url, "a JDBC URL (jdbc:...)");
        }
        v.integer(JDBC_POOL_SIZE, DEFAULT_JDBC_POOL_SIZE, MIN_JDBC_POOL_SIZE); // checked now, used when the store opens
        Duration statement = v.duration(JDBC_STATEMENT_TIMEOUT, JdbcHistoryStore.DEFAULT_STATEMENT_TIMEOUT);
        Duration network = v.duration(JDBC_NETWORK_TIMEOUT, JdbcHistoryStore.DEFAULT_NETWORK_TIMEOUT);
        if (network.compareTo(statement) <= 0) {
            throw Settings.invalid(JDBC_NETWORK_TIMEOUT, v.raw(JDBC_NETWORK_TIMEOUT) == null ? network.toString()
                    : v.raw(JDBC_NETWORK_TIMEOUT), "a duration greater than " + JDBC_STATEMENT_TIMEOUT + " ("
                    + statement + ")");
        }
        v.duration(JDBC_POLL_INTERVAL, null);
        v.duration(REDIS_COMMAND_TIMEOUT, DEFAULT_REDIS_COMMAND_TIMEOUT);
        meteredTopics(v); // checked now, applied by applyTo
        return config;
    }

    /**
     * @return the topics of {@code ssekit.metrics.topics}, or null when it is not set
     * @throws IllegalArgumentException if an entry of the list is empty, naming the key and value
     */
    public static Set<String> meteredTopics(Settings v) {
        String raw = v.raw(METRICS_TOPICS);
        if (raw == null) {
            return null;
        }
        Set<String> topics = new java.util.LinkedHashSet<>();
        for (String t : raw.split(",", -1)) {
            if (t.isBlank()) {
                throw Settings.invalid(METRICS_TOPICS, raw, "a comma-separated list of topics, none empty");
            }
            topics.add(t.trim());
        }
        return topics;
    }

    /**
     * @param builder a registry builder
     * @return the builder with these connection settings and limits
     */
    public Hub.Builder applyTo(Hub.Builder builder) {
        builder.heartbeat(heartbeat).queueCapacity(queueCapacity).queueMaxBytes(queueMaxBytes)
                .queueMaxDelay(queueMaxDelay).overflowPolicy(overflowPolicy)
                .writeTimeout(writeTimeout).maxEventSize(maxEventSize).maxStalledWriters(maxStalledWriters)
                .maxReplayEvents(maxReplayEvents)
                .maxTopicsPerSubscription(maxTopicsPerSubscription).shutdownRetry(shutdownRetry)
                .publishTimeout(publishTimeout).shutdownTimeout(shutdownTimeout).reconnectWindow(reconnectWindow);
        if (maxLifetime != null) {
            builder.maxLifetime(maxLifetime);
        }
        if (maxSubscribersPerTopic > 0) {
            builder.maxSubscribersPerTopic(maxSubscribersPerTopic);
        }
        if (maxSubscribers > 0) {
            builder.maxSubscribers(maxSubscribers);
        }
        Set<String> metered = meteredTopics(values);
        if (metered != null) {
            builder.meteredTopics(metered);
        }
        return builder;
    }

    /**
     * @return the history store the settings ask for, connected; the caller closes it
     * @throws IllegalArgumentException naming the key and value when a store setting is invalid
     * @throws SseKitException when the store cannot be reached
     */
    public HistoryStore openStore() {
        switch (store) {
            case "jdbc": {
                String prefix = values.raw(JDBC_TABLE_PREFIX);
                String jndi = values.raw(JDBC_DATASOURCE);
                if (jndi != null) {
                    // A server's DataSource joins the caller's JTA transaction: events published in
                    // one go through the store's outbox, atomically with the caller's data.
                    return jdbcStore(lookup(jndi), false, prefix, true);
                }
                OwnedPool pool = pool(values.string(JDBC_URL, DEFAULT_JDBC_URL));
                try {
                    return jdbcStore(pool.dataSource(), true, prefix, false);
                } catch (RuntimeException e) {
                    pool.close();
                    throw e;
                }
            }
            case "redis": {
                try {
                    Class.forName("io.lettuce.core.RedisClient", false, SseKitConfig.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IllegalArgumentException(STORE + "=redis needs io.lettuce:lettuce-core on the class path", e);
                }
                String uri = values.string(REDIS_URI, "redis://127.0.0.1:6379");
                RedisHistoryStore.Builder b;
                try {
                    b = RedisHistoryStore.builder(uri);
                } catch (IllegalArgumentException e) {
                    throw Settings.invalid(REDIS_URI, uri, "a Redis URI such as redis://127.0.0.1:6379, or several, comma-separated, "
                            + "of one Redis Cluster");
                }
                partitions(b, values).keyPrefix(values.string(REDIS_KEY_PREFIX, "ssekit:"))
                        .waitReplicas(values.integer(REDIS_WAIT_REPLICAS, 0, 0))
                        .commandTimeout(values.duration(REDIS_COMMAND_TIMEOUT, DEFAULT_REDIS_COMMAND_TIMEOUT));
                retention(b::maxEventsPerTopic, b::maxAge);
                return b.build();
            }
            default: {
                InMemoryHistoryStore.Builder b = InMemoryHistoryStore.builder();
                if (retention.memoryMaxEvents() != null) {
                    b.maxEvents(retention.memoryMaxEvents());
                }
                if (retention.memoryMaxBytes() != null) {
                    b.maxBytes(retention.memoryMaxBytes());
                }
                retention(b::maxEventsPerTopic, b::maxAge);
                return b.build();
            }
        }
    }

    /** {@link #REDIS_PARTITIONS} set on {@code b}: a count the store refuses names the setting. */
    private static RedisHistoryStore.Builder partitions(RedisHistoryStore.Builder b, Settings values) {
        int n = values.integer(REDIS_PARTITIONS, 1, 1);
        try {
            return b.partitions(n);
        } catch (IllegalArgumentException e) {
            throw Settings.invalid(REDIS_PARTITIONS, String.valueOf(n), "a count the Redis store accepts (" + e.getMessage() + ")");
        }
    }

    private JdbcHistoryStore jdbcStore(DataSource ds, boolean ownsDataSource, String prefix, boolean joinsTransactions) {
        JdbcHistoryStore.Builder b = JdbcHistoryStore.builder(ds).closesDataSource(ownsDataSource)
                .joinsTransactions(joinsTransactions)
                .statementTimeout(values.duration(JDBC_STATEMENT_TIMEOUT, JdbcHistoryStore.DEFAULT_STATEMENT_TIMEOUT))
                .networkTimeout(values.duration(JDBC_NETWORK_TIMEOUT, JdbcHistoryStore.DEFAULT_NETWORK_TIMEOUT));
        Duration pollInterval = values.duration(JDBC_POLL_INTERVAL, null);
        if (pollInterval != null) { // unset: the builder's default
            b.pollInterval(pollInterval);
        }
        if (prefix != null) {
            try {
                b.tablePrefix(prefix);
            } catch (IllegalArgumentException e) {
                throw Settings.invalid(JDBC_TABLE_PREFIX, prefix, "a letter or _, then up to 30 letters, digits or _");
            }
        }
        retention(b::maxEventsPerTopic, b::maxAge);
        return b.build();
    }

    /** A pool the store will own; closed here only if the store could not be made. */
    private record OwnedPool(DataSource dataSource) {
        void close() {
            try {
                ((AutoCloseable) dataSource).close();
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(SseKitConfig.class.getName())
                        .log(java.util.logging.Level.FINE, "ssekit: closing the history pool failed", e);
            }
        }
    }

    /**
     * The URL configuration's pool. For H2 files it adds what durable history needs unless the URL
     * sets it: DB_CLOSE_DELAY=-1 (H2 would otherwise close the database with its last connection),
     * WRITE_DELAY=0 (every commit written to the file before it returns; H2's default writes
     * commits up to 500 ms later, so a crash lost acknowledged events and their ids were given again)
     * and DB_CLOSE_ON_EXIT=FALSE (H2's own shutdown hook closed the database as soon as the JVM began
     * to exit, beside ssekit's stop, whose following of the history to its end then failed: a
     * SIGTERM lost the last acknowledged events of live streams, CrashDurabilityTest).
     */
    private OwnedPool pool(String url) {
        try {
            Class.forName("com.zaxxer.hikari.HikariDataSource", false, SseKitConfig.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(JDBC_URL + " needs com.zaxxer:HikariCP on the class path (its connection "
                    + "pool), or a server DataSource named by " + JDBC_DATASOURCE, e);
        }
        if (url.startsWith("jdbc:h2:")) {
            String upper = url.toUpperCase(Locale.ROOT);
            if (!upper.contains("DB_CLOSE_DELAY")) {
                url = url + ";DB_CLOSE_DELAY=-1";
            }
            if (!upper.contains("WRITE_DELAY") && !upper.startsWith("JDBC:H2:MEM:")) {
                url = url + ";WRITE_DELAY=0";
            }
            if (!upper.contains("DB_CLOSE_ON_EXIT")) {
                url = url + ";DB_CLOSE_ON_EXIT=FALSE";
            }
        }
        try {
            return new OwnedPool(JdbcPool.open(url, values.raw(JDBC_USER), values.raw(JDBC_PASSWORD),
                    values.integer(JDBC_POOL_SIZE, DEFAULT_JDBC_POOL_SIZE, MIN_JDBC_POOL_SIZE),
                    values.duration(JDBC_NETWORK_TIMEOUT, JdbcHistoryStore.DEFAULT_NETWORK_TIMEOUT)));
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException: the database is unreachable or refused the login.
            // The URL is not repeated: it may hold a password.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new HistoryStoreException("history database unreachable (" + cause.getMessage() + ")", e);
        }
    }

    /** The configured retention, through the two setters every store's builder has. */
    private void retention(IntConsumer maxEventsPerTopic, Consumer<Duration> maxAge) {
        if (retention.maxEventsPerTopic() != null) {
            maxEventsPerTopic.accept(retention.maxEventsPerTopic());
        }
        if (retention.maxAge() != null) {
            maxAge.accept(retention.maxAge());
        }
    }

    private static DataSource lookup(String name) {
        Object found;
        try {
            found = new InitialContext().lookup(name);
        } catch (NamingException e) {
            throw new HistoryStoreException(JDBC_DATASOURCE + ": no DataSource at JNDI name \"" + name + "\" ("
                    + e.getMessage() + ")", e);
        }
        if (found instanceof DataSource ds) {
            return ds;
        }
        throw new IllegalArgumentException(JDBC_DATASOURCE + ": JNDI name \"" + name + "\" holds a "
                + (found == null ? "null" : found.getClass().getName()) + ", not a javax.sql.DataSource");
    }
}
