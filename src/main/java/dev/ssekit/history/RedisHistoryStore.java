package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.SseKitException;
import dev.ssekit.internal.Checks;
import dev.ssekit.spi.TopicMatcher;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A {@link HistoryStore} on Redis Streams (Lettuce), shared by every node that uses the same Redis.
 *
 * <h2>Keys</h2>
 * Every key is the key prefix as a hash tag, then its name. With the default prefix {@code ssekit:}:
 * one stream per topic, {@code {ssekit:}topic:<topic>}; the last id assigned, {@code {ssekit:}lastid},
 * and the id of the newest event, {@code {ssekit:}lastevent}; and, for events published with an id of
 * their own, {@code {ssekit:}id:<id>} holding the stream id (expiring with the history). (Before
 * Redis Cluster support the keys were the bare prefix and name, {@code ssekit:topic:<topic>}: a store
 * of this version does not read what an older one wrote.)
 *
 * <h2>Redis Cluster</h2>
 * Given several URIs, comma-separated, or one URI of a node that reports {@code cluster_enabled:1},
 * the store uses Lettuce's cluster client: it follows {@code MOVED} and {@code ASK} redirections and
 * reloads the cluster's layout every 10 s and whenever a node redirects it or stays unreachable (at
 * most once a second). Since the prefix is the hash tag, every key of one store lies in one slot,
 * so each script and each read touches one node, and the scripts work on a cluster as on one Redis.
 * That slot's primary holds the whole store: its history, its feed, and every node's follow, unless
 * the store has several {@link Builder#partitions partitions} (below).
 * When that primary dies, calls fail (a {@link HistoryStoreException} naming Redis) until a replica
 * is promoted and the client has learned so (the cluster's node timeout, plus about a second); what
 * the replica had not received is lost, as on a failover of one Redis (see Time, below).
 *
 * <h2>Partitions</h2>
 * With {@link Builder#partitions} N above 1, the keys above exist once per partition, each under a
 * hash tag of its own ({@link #tag}): partition 0's is the prefix, so one partition is the layout
 * described above. A batch goes to one partition, so each append is still one script on one slot:
 * the home partition of its topics (a hash of the name) when they all share one, else partition 0,
 * which also takes every event with a publisher id (their index is there). A hub's group commit
 * forms one batch per partition ({@link #batchKey}), so concurrent publishes to topics of different
 * partitions are each appended to their own, not together to partition 0. Partition k assigns ids
 * whose sequence number is k modulo N, so no two partitions give one id, and each append's first id
 * is above the newest id its node has seen anywhere, so a node's appends are ordered across
 * partitions too. A topic's events lie in its home partition's stream and in partition 0's, which a
 * read merges by id; a read by matcher merges every partition's feed. A follower reads every
 * partition's feed, each on a thread and a connection of its own, merges them on one more thread,
 * and hands an event on only once every partition is known up to its id: read past it, or asked
 * ({@link #FENCE}) to assign no id at or below the newest event waiting, with the feed counter of
 * the first entry kept after what was taken in showing that the feed dropped nothing up to there
 * (what it dropped is read back from the topic streams first, see below). So every node hands events
 * on in id order, once each, and a read up to a position a follower reached never misses an event
 * a partition appends later.
 *
 * <h2>Ids and order</h2>
 * Ids are stream ids ({@code <milliseconds>-<sequence>}). A Lua script gives each event one id, greater
 * than every id before it on any topic, and adds the event under that id to the stream of each of its
 * topics, atomically. Ids are therefore unique and ordered across all topics, and a subscription to
 * several topics reads their streams merged by id, each event once. Publisher ids are kept as the
 * event's id and indexed; ids in stream-id form are refused, so the two never collide.
 *
 * <h2>Time</h2>
 * Redis's clock ({@code TIME}), never the node's, dates ids and decides what expired: nodes whose
 * clocks are hours apart give ids in one order and expire events at one moment, and a node a day
 * ahead deletes nothing early. The script gives the first id of a batch above the last id assigned,
 * the feed's last generated id and the newest id this node has assigned or followed, and at least
 * Redis's time. After a failover that lost the newest appends, a node therefore never assigns an id
 * it had seen, and no node assigns a lost id as long as the promoted replica's clock has passed it
 * (a failover takes seconds; the lost ids are milliseconds old); see {@code docs/operations.md}. An
 * id issued while Redis's clock was ahead keeps later ids at its millisecond, with rising sequence
 * numbers, until the clock catches up: such events are kept longer, never shorter. The builder's
 * {@link Builder#clock clock} is not used.
 *
 * <h2>Retention</h2>
 * Each add trims the streams it touches with approximate {@code MAXLEN} (count per topic, default
 * 10,000) and approximate {@code MINID} (age by Redis's clock, default 24 hours): Redis may keep a
 * few more events than asked. A read after an id is reported as not found when the stream dropped anything after it
 * ({@code max-deleted-entry-id}) or holds an expired event after it. Reads never return expired events.
 * A topic that went quiet loses its stream once all its events expired: each append removes up to 16
 * such streams, found through {@code {ssekit:}topics} (every stream scored by the time of its newest
 * event), and raises {@code {ssekit:}removedtopics} to the newest id they held, so that a read after an
 * older id, on any topic, is reported as not found. Per-resource topics such as {@code orders/42} thus
 * cost nothing once their history expired. The scripts touch these streams without naming them,
 * which Redis Cluster allows since they lie in the slot of the keys the script names.
 *
 * <h2>Several nodes</h2>
 * Every append also goes to the feed stream {@code {ssekit:}feed}, which {@link #follow} reads with
 * blocking {@code XREAD}s: each node fans out every event, whichever node published it, in id order.
 * A follower that fell behind the feed's trimming (a slow node, or one away from Redis) reads what
 * the feed dropped back from the topics' own streams, when they still hold all of it (the feed
 * counter says how many), and only otherwise tells its listener that events were missed.
 *
 * <h2>Reads by matcher</h2>
 * {@link #readMatching} reads the feed too, one range in id order, since it holds every event with
 * its topics: a matcher's replay is one scan, however many topics there are. The feed keeps the
 * newest {@link Builder#feedLength} events of all topics and drops expired ones from reads, so such
 * a replay may include events that a topic's own count limit already trimmed from its stream; a read
 * after an id is reported as not found when the feed dropped anything after it, or holds an expired
 * event after it.
 *
 * <h2>Failures</h2>
 * An unreachable Redis at start-up fails {@link Builder#build()}; while Redis is away, calls fail at
 * once (nothing is queued, nothing acknowledged that was not stored) and work again when it is back.
 * A failover (of one Redis, or of a cluster's primary) may lose the newest acknowledged appends,
 * which Redis replicates asynchronously. The next append of a node that had assigned or followed
 * one of them finds its newest id missing from the feed and raises two marks to it (the
 * removed-topics mark, and {@code lostid} for reads by matcher): a replay after any older id, which
 * would silently skip the lost events, reports instead that events were dropped, so the client gets
 * the data-loss signal; each node's follow, whose feed counter no longer follows on, tells its
 * listener it missed events.
 */
public final class RedisHistoryStore implements SharedHistoryStore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(RedisHistoryStore.class.getName());
    private static final Pattern STREAM_ID = Pattern.compile("\\d{1,20}-\\d{1,20}");
    private static final String ZERO = "0-0";
    private static final int READ_BATCH = 1000;
    /** Keys every append names before the per-event ones. */
    private static final int FIXED_KEYS = 9;
    /** Events a follower that fell behind the feed reads back from the topics' streams at most. */
    private static final int BRIDGE_EVENTS = 10_000;
    /** The topic streams a follower that fell behind the feed reads at most to bridge the gap. */
    private static final int BRIDGE_TOPICS = 1_000;
    /** Quiet topics an append removes at most, besides its own work. */
    private static final int SWEEP = 16;
    /** How often a cluster client reloads the cluster's layout besides when a node redirects it. */
    private static final int TOPOLOGY_REFRESH_SECONDS = 10;
    /**
     * Adds a batch of events to the streams of their topics and to the feed, under ids greater than any
     * before, in one round trip and atomically: every check comes before the first write, since Redis
     * does not roll a failed script back.
     * All keys are one partition's (see "Partitions"). KEYS: 1 lastid, 2 lastevent, 3 feed, 4 feed
     * counter, 5 firstid, 6 topic index (each topic stream scored by the milliseconds of its newest
     * id), 7 removed-topics mark, 8 lost mark, 9 fence (no id at or below it may be assigned here any
     * more: a follower's promise, see {@link #FENCE}); then per event its id index key (named even
     * without a publisher id) and its topic streams.
     * After the batch, it removes up to {@link #SWEEP} streams whose every event expired (the topic
     * index names them), raising the removed-topics mark to the newest id they held: a read after an
     * older id then reports that events were dropped. Those streams are not in KEYS; on a cluster they
     * share the hash tag, hence the slot, of those that are.
     * Time is Redis's ({@code TIME}; a script may read it before writing, since Redis 7 replicates a
     * script's effects rather than the script): the node's clock dates nothing. The first id is
     * greater than the {@code lastid} key, the feed's last generated id and the newest id this node
     * has seen, so that it is new to every stream it is added to and to this node's clients, whatever
     * a failover or a skewed clock did to the keys. When the newest id this node has seen is missing
     * from a feed that reaches back to it, Redis lost it (a failover to a replica that had not got the
     * newest appends): the script raises the removed-topics mark and the lost mark to it, so that a
     * read after any older id, which would skip the lost events, reports that events were dropped.
     * ARGV: 1 milliseconds to add to Redis's clock (tests; 0), 2 MAXLEN, 3 max age ms (the MINID is
     * Redis's time less it; also the id index TTL), 4 topic key prefix, 5 feed MAXLEN, 6 the newest
     * id this node has seen or '', 7 event count, 8 the newest id of this partition this node has
     * seen or '' (the lost-append check), 9 the partition's index, 10 the partition count: ids of
     * partition k have sequence numbers congruent to k, so no two partitions give one id; then per
     * event: publisher id or '', topic count, field count, the fields.
     * Returns {'ok', id...} or {'duplicate', id}.
     */
    private static final String APPEND = String.join("\n",
            "local n = tonumber(ARGV[7])",
            "local events, seen = {}, {}",
            "local ki, ai = " + (FIXED_KEYS + 1) + ", 11",
            "for e = 1, n do",
            "  local given, k, f = ARGV[ai], tonumber(ARGV[ai + 1]), tonumber(ARGV[ai + 2])",
            "  if given ~= '' then",
            "    if seen[given] or redis.call('EXISTS', KEYS[ki]) == 1 then return {'duplicate', given} end",
            "    seen[given] = true",
            "  end",
            "  events[e] = {given, ki, k, ai + 3, f}",
            "  ki = ki + 1 + k",
            "  ai = ai + 3 + f",
            "end",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])",
            "local ms, seq = now, 0",
            "local function above(last)",
            "  if not last then return end",
            "  local lms, lseq = string.match(last, '^(%d+)-(%d+)$')",
            "  lms = tonumber(lms); lseq = tonumber(lseq)",
            "  if ms < lms or (ms == lms and seq <= lseq) then ms = lms; seq = lseq + 1 end",
            "end",
            "above(redis.call('GET', KEYS[1]))",
            "above(redis.call('GET', KEYS[9]))",
            "if ARGV[6] ~= '' then above(ARGV[6]) end",
            "if redis.call('EXISTS', KEYS[3]) == 1 then",
            "  local info = redis.call('XINFO', 'STREAM', KEYS[3])",
            "  for i = 1, #info, 2 do",
            "    if info[i] == 'last-generated-id' then above(info[i + 1]) end",
            "  end",
            "end",
            "local part, parts = tonumber(ARGV[9]), tonumber(ARGV[10])",
            "seq = seq + ((part - seq) % parts)",
            "local function older(a, b)",
            "  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')",
            "  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')",
            "  ams = tonumber(ams); aseq = tonumber(aseq); bms = tonumber(bms); bseq = tonumber(bseq)",
            "  return ams < bms or (ams == bms and aseq < bseq)",
            "end",
            "local function raise(key, id)",
            "  local mark = redis.call('GET', key)",
            "  if not mark or older(mark, id) then redis.call('SET', key, id) end",
            "end",
            "if ARGV[8] ~= '' then",
            "  local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)",
            "  if #first == 0 or (not older(ARGV[8], first[1][1]) and #redis.call('XRANGE', KEYS[3], ARGV[8], ARGV[8]) == 0) then",
            "    raise(KEYS[7], ARGV[8])",
            "    raise(KEYS[8], ARGV[8])",
            "  end",
            "end",
            "local cutoff = math.max(0, now - tonumber(ARGV[3]))",
            "local minid = string.format('%.0f', cutoff)",
            "local out, touched, id = {'ok'}, {}, nil",
            "for e = 1, n do",
            "  local given, idkey, k, fa, f = unpack(events[e])",
            "  id = string.format('%.0f', ms) .. '-' .. string.format('%.0f', seq)",
            "  seq = seq + parts",
            "  local fields = {}",
            "  for i = fa, fa + f - 1 do fields[#fields + 1] = ARGV[i] end",
            "  local topics = {}",
            "  for i = idkey + 1, idkey + k do",
            "    redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[2], id, unpack(fields))",
            "    touched[KEYS[i]] = true",
            "    topics[#topics + 1] = string.sub(KEYS[i], #ARGV[4] + 1)",
            "  end",
            "  local c = redis.call('INCR', KEYS[4])",
            "  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], id, 'n', c, 'topics', table.concat(topics, '\\n'), unpack(fields))",
            "  if given ~= '' then redis.call('SET', KEYS[idkey], id, 'PX', ARGV[3]) end",
            "  out[#out + 1] = id",
            "end",
            "for key in pairs(touched) do",
            "  redis.call('XTRIM', key, 'MINID', '~', minid)",
            "  redis.call('ZADD', KEYS[6], ms, key)",
            "end",
            "for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', '(' .. minid, 'LIMIT', 0, " + SWEEP + ")) do",
            "  local newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)",
            "  local nms, nseq = 0, 0",
            "  if #newest > 0 then",
            "    nms, nseq = string.match(newest[1][1], '^(%d+)-(%d+)$')",
            "    nms = tonumber(nms); nseq = tonumber(nseq)",
            "  end",
            "  if nms < cutoff then",
            "    if #newest > 0 then",
            "      local mark = redis.call('GET', KEYS[7])",
            "      local mms, mseq = -1, -1",
            "      if mark then mms, mseq = string.match(mark, '^(%d+)-(%d+)$'); mms = tonumber(mms); mseq = tonumber(mseq) end",
            "      if nms > mms or (nms == mms and nseq > mseq) then redis.call('SET', KEYS[7], newest[1][1]) end",
            "    end",
            "    redis.call('DEL', key)",
            "    redis.call('ZREM', KEYS[6], key)",
            "  else",
            "    redis.call('ZADD', KEYS[6], nms, key)",
            "  end",
            "end",
            "redis.call('SET', KEYS[1], id)",
            "redis.call('SET', KEYS[5], out[2], 'NX')",
            "local lastGiven = events[n][1]",
            "if lastGiven ~= '' then redis.call('SET', KEYS[2], lastGiven) else redis.call('SET', KEYS[2], id) end",
            "return out");

    /**
     * A follower's promise from a partition, in one step: no id at or below ARGV[1] will be assigned
     * there any more (the fence key, which the append script reads as a floor), and the partition's
     * feed entries after ARGV[2] up to ARGV[1], at most ARGV[3]; when fewer, then also the first
     * entry after ARGV[1], if any. Scripts run one at a time on a partition's primary, so an append
     * either came before (its entry is in the answer, unless past the count) or comes after and takes
     * a greater id: the follower may then hand on, in id order, every event of other partitions up to
     * ARGV[1].
     * The entry after ARGV[1] is there because an empty range does not mean that the partition
     * appended nothing in it: the feed may have trimmed those entries (a follower that fell behind
     * the feed), even ones its reader had read and not handed over yet. Trimming drops the oldest
     * entries and keeps the newest, so the first entry kept after ARGV[2], in the range or the one
     * after it, carries the feed counter that shows whether anything before it was dropped, and the
     * follower then reads that back from the topic streams before it relies on the promise. KEYS:
     * 1 fence, 2 feed.
     */
    private static final String FENCE = String.join("\n",
            "local function older(a, b)",
            "  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')",
            "  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')",
            "  ams = tonumber(ams); aseq = tonumber(aseq); bms = tonumber(bms); bseq = tonumber(bseq)",
            "  return ams < bms or (ams == bms and aseq < bseq)",
            "end",
            "local mark = redis.call('GET', KEYS[1])",
            "if not mark or older(mark, ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end",
            "local count = tonumber(ARGV[3])",
            "local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2], ARGV[1], 'COUNT', count)",
            "if #entries < count then",
            "  local after = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+', 'COUNT', 1)",
            "  if #after > 0 then entries[#entries + 1] = after[1] end",
            "end",
            "return entries");
    /**
     * A follower's answer to a partition that lost its promise ({@link #FENCE}) in a failover and gave
     * an id below one the follower handed on, in one step: raises the partition's removed-topics mark
     * and lost mark to ARGV[1] where they are lower, so that a read after any older id reports that
     * events were dropped; and gives the promise again, raising the fence to ARGV[2] (the newest id
     * handed on) where it is lower, so that the partition's next ids are above everything handed on,
     * however far its clock is behind. KEYS: 1 removed-topics mark, 2 lost mark, 3 fence.
     */
    private static final String LOST_PROMISE = String.join("\n",
            "local function older(a, b)",
            "  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')",
            "  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')",
            "  ams = tonumber(ams); aseq = tonumber(aseq); bms = tonumber(bms); bseq = tonumber(bseq)",
            "  return ams < bms or (ams == bms and aseq < bseq)",
            "end",
            "for i = 1, 3 do",
            "  local id = ARGV[i == 3 and 2 or 1]",
            "  local mark = redis.call('GET', KEYS[i])",
            "  if not mark or older(mark, id) then redis.call('SET', KEYS[i], id) end",
            "end",
            "return 1");
    /** The most partitions a store may have: each costs every follower a connection and a thread. */
    static final int MAX_PARTITIONS = 64;

    /** A {@link RedisClient}, or a {@link RedisClusterClient} when the URIs name a cluster. */
    private final AbstractRedisClient client;
    private final boolean cluster;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> redis;
    private final RedisClusterAsyncCommands<String, String> async;
    private final String prefix;
    private final int maxEventsPerTopic;
    private final Duration maxAge;
    /** Tests only: how far Redis's clock is taken to be ahead (see {@link RetentionSettings}). */
    private final java.util.function.Supplier<Duration> serverClockAhead;
    private final String appendSha;
    private final int partitions;
    /** Each partition's hash tag: index 0 is the prefix, the layout of a store of one partition. */
    private final String[] tags;
    /**
     * The newest id of each partition this node assigned or followed: the lost-append check of an
     * append to that partition (see {@link #APPEND}).
     */
    private final java.util.concurrent.atomic.AtomicReferenceArray<String> newestSeenIn;
    private final int feedLength;
    private final Duration commandTimeout;
    private final int waitReplicas;
    /** Tests only: see {@link Builder#beforeHandOver}. */
    private final java.util.function.IntConsumer beforeHandOver;
    private final List<RedisFollower> followers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * The newest id this node assigned or followed: the next id is above it even when Redis lost it
     * (a failover to a replica that had not got it yet, whose clock may be behind), so that no
     * client of this node is handed an id it already had for another event.
     */
    private final java.util.concurrent.atomic.AtomicReference<String> newestSeen =
            new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closed;

    private RedisHistoryStore(Builder b) {
        this.prefix = b.keyPrefix;
        this.maxEventsPerTopic = b.maxEventsPerTopic;
        this.maxAge = b.maxAge;
        this.serverClockAhead = b.serverClockAhead;
        this.feedLength = b.feedLength;
        this.commandTimeout = b.commandTimeout;
        this.waitReplicas = b.waitReplicas;
        this.beforeHandOver = b.beforeHandOver;
        this.partitions = b.partitions;
        this.tags = new String[partitions];
        for (int k = 0; k < partitions; k++) {
            tags[k] = tag(prefix, k, partitions);
        }
        this.newestSeenIn = new java.util.concurrent.atomic.AtomicReferenceArray<>(partitions);
        for (RedisURI uri : b.uris) {
            uri.setTimeout(b.commandTimeout); // what the synchronous API waits, besides the command's own timeout
        }
        String where = where(b.uris);
        this.cluster = b.uris.size() > 1 || isClusterNode(b.uris.get(0), b.commandTimeout, where);
        this.client = cluster ? clusterClient(b.uris, b.commandTimeout) : standaloneClient(b.uris.get(0), b.commandTimeout);
        try {
            Link link = link();
            this.connection = link.connection();
            this.redis = link.sync();
            this.async = link.async();
            requireRedis7(redis.info("server"));
            this.appendSha = redis.scriptLoad(APPEND);
            requireSamePartitions();
        } catch (RedisException e) {
            client.shutdown();
            throw new HistoryStoreException("Redis unreachable at " + where + " (" + e.getMessage() + ")", e);
        } catch (SseKitException | IllegalArgumentException e) {
            client.shutdown();
            throw e;
        }
    }

    private static String where(List<RedisURI> uris) {
        StringBuilder s = new StringBuilder();
        for (RedisURI uri : uris) {
            s.append(s.length() == 0 ? "" : ", ").append(uri.getHost()).append(':').append(uri.getPort());
        }
        return s.toString();
    }

    private static RedisClient standaloneClient(RedisURI uri, Duration commandTimeout) {
        RedisClient c = RedisClient.create(uri);
        // Fail at once while Redis is away rather than queue commands and answer late.
        c.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        return c;
    }

    /**
     * A cluster client that follows {@code MOVED} and {@code ASK}, and reloads the cluster's layout
     * every {@value #TOPOLOGY_REFRESH_SECONDS} s and whenever a node redirects it or stays
     * unreachable (at most once a second): after a failover, appends reach the promoted replica
     * within about a second of its promotion.
     */
    private static RedisClusterClient clusterClient(List<RedisURI> uris, Duration commandTimeout) {
        RedisClusterClient c = RedisClusterClient.create(uris);
        c.setOptions(ClusterClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(TOPOLOGY_REFRESH_SECONDS))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .refreshTriggersReconnectAttempts(1)
                        .build())
                .build());
        return c;
    }

    /** Whether the server at {@code uri} runs in cluster mode ({@code INFO cluster}). */
    private static boolean isClusterNode(RedisURI uri, Duration commandTimeout, String where) {
        RedisClient probe = standaloneClient(uri, commandTimeout);
        try (StatefulRedisConnection<String, String> c = probe.connect()) {
            return c.sync().info("cluster").contains("cluster_enabled:1");
        } catch (RedisException e) {
            throw new HistoryStoreException("Redis unreachable at " + where + " (" + e.getMessage() + ")", e);
        } finally {
            probe.shutdown();
        }
    }

    /** A connection of its own, with its commands: to the one Redis, or to every node of the cluster. */
    private record Link(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync,
                        RedisClusterAsyncCommands<String, String> async) {
    }

    private Link link() {
        if (client instanceof RedisClusterClient c) {
            StatefulRedisClusterConnection<String, String> k = c.connect();
            return new Link(k, k.sync(), k.async());
        }
        StatefulRedisConnection<String, String> k = ((RedisClient) client).connect();
        return new Link(k, k.sync(), k.async());
    }

    /** Gap detection reads entries-added from XINFO STREAM, which Redis has since 7.0. */
    private static void requireRedis7(String serverInfo) {
        for (String line : serverInfo.split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                String version = line.substring("redis_version:".length()).trim();
                int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
                if (major < 7) {
                    throw new HistoryStoreException("Redis " + version + " is too old: the history store needs Redis 7 or later", null);
                }
                return;
            }
        }
    }

    /**
     * @param uri the Redis URI, for example {@code redis://127.0.0.1:6379}; or several, comma-separated,
     *            naming nodes of one Redis Cluster ({@code redis://10.0.0.1:6379,redis://10.0.0.2:6379}).
     *            A single URI of a cluster node is found to be one (see "Redis Cluster" above)
     * @return a builder; {@link Builder#build()} connects
     * @throws IllegalArgumentException if the URI, or one of them, is not a Redis URI
     */
    public static Builder builder(String uri) {
        Checks.notNull(uri, "uri");
        List<RedisURI> uris = new ArrayList<>();
        for (String one : uri.split(",", -1)) {
            try {
                uris.add(RedisURI.create(one.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uri is not a Redis URI: " + Checks.quote(uri)
                        + (uri.contains(",") ? " (" + Checks.quote(one.trim()) + ")" : ""), e);
            }
        }
        return new Builder(uris);
    }

    /** @return the key prefix */
    public String keyPrefix() {
        return prefix;
    }

    /**
     * The hash tag of partition {@code k} of {@code partitions}: the prefix for partition 0, so that a
     * store of one partition keeps the layout of earlier versions; otherwise the prefix, {@code #k.}
     * and the smallest number that puts the tag's slot in the k-th of {@code partitions} equal arcs
     * of the slot ring, counted from partition 0's slot. A cluster gives its primaries contiguous
     * ranges of slots, so partitions spread over them as evenly as the tags can without knowing the
     * layout, which may change while the tags may not.
     */
    static String tag(String prefix, int k, int partitions) {
        if (k == 0) {
            return prefix;
        }
        int arc = io.lettuce.core.cluster.SlotHash.SLOT_COUNT / partitions;
        int start = (io.lettuce.core.cluster.SlotHash.getSlot(prefix) + k * arc) % io.lettuce.core.cluster.SlotHash.SLOT_COUNT;
        for (int n = 0; ; n++) {
            String tag = prefix + "#" + k + "." + n;
            int slot = io.lettuce.core.cluster.SlotHash.getSlot(tag);
            if (Math.floorMod(slot - start, io.lettuce.core.cluster.SlotHash.SLOT_COUNT) < arc) {
                return tag; // CRC16 spreads evenly: about `partitions` tries
            }
        }
    }

    /** @return the partition whose streams hold the events of {@code topic} published on it alone */
    static int home(String topic, int partitions) {
        if (partitions == 1) {
            return 0;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    /**
     * A key of partition 0, which holds what belongs to the whole store (the partition count, the
     * publisher id index) besides its own events: the prefix as a hash tag, then the name.
     */
    private String key(String name) {
        return key(0, name);
    }

    /**
     * A key of partition {@code k}: its tag, then the name. Every key of a partition hashes to its
     * tag's slot, so that the append script, which names keys of every kind, touches one slot.
     */
    private String key(int k, String name) {
        return "{" + tags[k] + "}" + name;
    }

    private String streamKey(int k, String topic) {
        return key(k, "topic:" + topic);
    }

    private String feedKey(int k) {
        return key(k, "feed");
    }

    private String topicIndexKey(int k) {
        return key(k, "topics");
    }

    private String removedMarkKey(int k) {
        return key(k, "removedtopics");
    }

    private String idKey(String id) {
        return key("id:" + id);
    }

    /** @return the partitions whose streams of {@code topic} may hold its events: its home and 0 */
    private int[] partitionsOf(String topic) {
        int home = home(topic, partitions);
        return home == 0 ? new int[]{0} : new int[]{home, 0};
    }

    /**
     * @return the partition a batch is appended to, atomically: its topics' home when they all share
     *         one and no event carries a publisher id; else partition 0, which holds the index of
     *         publisher ids and the events whose topics' homes differ
     */
    private int partitionOf(List<Entry> batch) {
        int k = partitionOf(batch.get(0));
        for (int i = 1; i < batch.size() && k != 0; i++) {
            if (partitionOf(batch.get(i)) != k) {
                return 0;
            }
        }
        return k;
    }

    /** @return the partition {@code entry} is appended to alone (see {@link #partitionOf(List)}) */
    private int partitionOf(Entry entry) {
        if (partitions == 1 || entry.event().id().isPresent()) {
            return 0;
        }
        int k = -1;
        for (String topic : entry.topics()) {
            int home = home(topic, partitions);
            if (k >= 0 && home != k) {
                return 0;
            }
            k = home;
        }
        return k;
    }

    /**
     * The partition {@code entry} is appended to alone: the hub appends concurrent publishes to
     * different partitions separately, each on its own partition, instead of all in one batch on
     * partition 0, which would hold every event of a busy hub.
     */
    @Override
    public int batchKey(Entry entry) {
        return partitionOf(entry);
    }

    /** @return the partition that assigned {@code streamId}: its sequence number modulo the partition count */
    private int assignedBy(String streamId) {
        long seq = Long.parseUnsignedLong(streamId.substring(streamId.indexOf('-') + 1));
        return (int) Long.remainderUnsigned(seq, partitions);
    }

    /**
     * Records the partition count in partition 0 on first use and refuses another: a topic's home
     * and the partition of an id follow from it, so a store written with one count reads wrongly
     * with another. A store written before partitions existed counts as one.
     */
    private void requireSamePartitions() {
        String countKey = key("partitions");
        String recorded = redis.get(countKey);
        if (recorded == null) {
            if (partitions > 1 && redis.exists(key("lastid")) > 0) {
                recorded = "1";
            } else if (Boolean.TRUE.equals(redis.setnx(countKey, Integer.toString(partitions)))) {
                return;
            } else {
                recorded = redis.get(countKey);
            }
        }
        if (!Integer.toString(partitions).equals(recorded)) {
            throw new IllegalArgumentException("partitions is " + partitions + " but the store under keyPrefix "
                    + Checks.quote(prefix) + " was written with " + recorded + ": use a new keyPrefix to change it");
        }
    }

    /**
     * Appends the whole batch with one script call on one partition ({@link #partitionOf}): one
     * round trip, atomic, ids in batch order.
     */
    @Override
    public List<Event> append(List<Entry> batch) {
        StoreArguments.checkBatch(batch);
        int k = partitionOf(batch);
        List<String> keys = new ArrayList<>(FIXED_KEYS + 3 * batch.size());
        keys.add(key(k, "lastid"));
        keys.add(key(k, "lastevent"));
        keys.add(feedKey(k));
        keys.add(key(k, "feedcount"));
        keys.add(key(k, "firstid"));
        keys.add(topicIndexKey(k));
        keys.add(removedMarkKey(k));
        keys.add(key(k, "lostid"));
        keys.add(key(k, "fence"));
        List<String> args = new ArrayList<>(10 + 8 * batch.size());
        args.add(Long.toString(serverClockAhead.get().toMillis()));
        args.add(Integer.toString(maxEventsPerTopic));
        args.add(Long.toString(maxAge.toMillis()));
        args.add(streamKey(k, ""));
        args.add(Integer.toString(feedLength));
        String seen = newestSeen.get();
        args.add(seen == null ? "" : seen);
        args.add(Integer.toString(batch.size()));
        String seenHere = newestSeenIn.get(k);
        args.add(seenHere == null ? "" : seenHere);
        args.add(Integer.toString(k));
        args.add(Integer.toString(partitions));
        for (Entry entry : batch) {
            Event event = entry.event();
            String given = event.id().orElse(null);
            if (given != null && STREAM_ID.matcher(given).matches()) {
                throw new IllegalArgumentException("id " + Checks.quote(given)
                        + " is reserved: ids of the form <number>-<number> are assigned by the store");
            }
            keys.add(given == null ? key(k, "id:") : idKey(given)); // a publisher id's event goes to partition 0
            TreeSet<String> topics = new TreeSet<>(entry.topics());
            for (String topic : topics) {
                keys.add(streamKey(k, topic));
            }
            List<String> fields = fields(event);
            args.add(given == null ? "" : given);
            args.add(Integer.toString(topics.size()));
            args.add(Integer.toString(fields.size()));
            args.addAll(fields);
        }
        List<Object> reply;
        try {
            reply = runAppend(keys.toArray(String[]::new), args.toArray(String[]::new));
        } catch (RedisException e) {
            HistoryStoreException f = failure("append", e);
            // No connection: the script was never sent. Anything else may have run it.
            throw e instanceof io.lettuce.core.RedisConnectionException
                    ? HistoryStoreException.notStored(f.getMessage(), e) : f;
        }
        if ("duplicate".equals(String.valueOf(reply.get(0)))) {
            throw new DuplicateIdException(String.valueOf(reply.get(1)));
        }
        if (!"ok".equals(String.valueOf(reply.get(0))) || reply.size() != batch.size() + 1) {
            throw new HistoryStoreException("Redis answered the append with " + reply + ", not one id per event", null);
        }
        List<Event> stored = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i).event();
            stored.add(event.id().isPresent() ? event : event.withId(String.valueOf(reply.get(i + 1))));
        }
        saw(String.valueOf(reply.get(batch.size())));
        awaitReplicas(k);
        return stored;
    }

    /**
     * With {@link Builder#waitReplicas}, {@code WAIT}s until that many replicas have the append, at most
     * half the command timeout. {@code WAIT} counts the writes of the connection it is sent on, so on
     * a cluster it goes to the connection of the primary that ran the script. Commands sent after it
     * on the connection (other threads' appends and reads) wait behind it: that is the cost measured
     * in bench/RESULTS.md.
     */
    private void awaitReplicas(int k) {
        if (waitReplicas == 0) {
            return;
        }
        long timeout = Math.max(1, commandTimeout.toMillis() / 2);
        long acknowledged;
        try {
            if (connection instanceof StatefulRedisClusterConnection<String, String> c) {
                int slot = io.lettuce.core.cluster.SlotHash.getSlot(feedKey(k));
                io.lettuce.core.cluster.models.partitions.RedisClusterNode primary = c.getPartitions().getMasterBySlot(slot);
                if (primary == null) {
                    throw new HistoryStoreException("Redis stored the append, but no primary serves its slot " + slot
                            + " to count its replicas", null);
                }
                acknowledged = c.getConnection(primary.getNodeId()).sync().waitForReplication(waitReplicas, timeout);
            } else {
                acknowledged = redis.waitForReplication(waitReplicas, timeout);
            }
        } catch (RedisException e) {
            throw failure("wait for replicas", e);
        }
        if (acknowledged < waitReplicas) {
            throw new HistoryStoreException("Redis stored the append, but " + acknowledged + " of the " + waitReplicas
                    + " replicas asked for (waitReplicas) acknowledged it within " + timeout + " ms", null);
        }
    }

    /** The stream entry's fields: data, then type, retry and the publisher's id when set. */
    private static List<String> fields(Event event) {
        List<String> fields = new ArrayList<>(8);
        fields.add("d");
        fields.add(event.data());
        event.type().ifPresent(t -> {
            fields.add("t");
            fields.add(t);
        });
        event.retry().ifPresent(r -> {
            fields.add("r");
            fields.add(Long.toString(r.toMillis()));
        });
        event.id().ifPresent(i -> {
            fields.add("i");
            fields.add(i);
        });
        return fields;
    }

    private List<Object> runAppend(String[] keys, String[] args) {
        try {
            return redis.evalsha(appendSha, ScriptOutputType.MULTI, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(APPEND, ScriptOutputType.MULTI, keys, args); // Redis restarted and forgot it
        }
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        return readUpTo(topics, afterId, untilId, Integer.MAX_VALUE);
    }

    /** Reads at most {@code limit} entries of each topic's stream ({@code XRANGE … COUNT}), merged and cut to {@code limit}. */
    @Override
    public Replay readPage(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return readUpTo(topics, afterId, untilId, limit);
    }

    private Replay readUpTo(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkRead(topics, afterId);
        try {
            Cutoff oldestKept = new Cutoff();
            String after = EARLIEST.equals(afterId) ? ZERO : streamIdOf(afterId);
            boolean found = after != null;
            // Each topic's streams: in its home partition, and in partition 0 (events whose topics'
            // homes differ). An event lies in one partition only.
            List<String> streams = new ArrayList<>();
            TreeSet<Integer> parts = new TreeSet<>();
            for (String topic : topics) {
                for (int k : partitionsOf(topic)) {
                    streams.add(streamKey(k, topic));
                    parts.add(k);
                }
            }
            if (found && !ZERO.equals(after)) {
                // Streams removed once all their events expired held events up to this mark.
                for (int k : parts) {
                    String removed = redis.get(removedMarkKey(k));
                    if (removed != null && BY_STREAM_ID.compare(after, removed) < 0) {
                        found = false;
                        break;
                    }
                }
            }
            if (found && !ZERO.equals(after)) {
                for (String stream : streams) {
                    if (gapAfter(stream, after, oldestKept)) {
                        found = false;
                        break;
                    }
                }
            }
            if (!found) {
                after = ZERO;
            }
            String until = untilId == null ? null : streamIdOf(untilId);
            // Merged by id across topics; a multi-topic event has one id, so it is kept once.
            // Each stream's first entries in the range, up to the limit, hold the range's first
            // entries up to the limit; expired ones are skipped, reading on past them.
            TreeMap<String, Event> merged = new TreeMap<>(BY_STREAM_ID);
            for (String stream : streams) {
                String from = after;
                // Once a page is full, what this topic may add lies before its newest entry.
                String upTo = merged.size() < limit ? until : merged.lastKey();
                int kept = 0;
                while (kept < limit) {
                    int want = Math.min(READ_BATCH, limit - kept);
                    List<StreamMessage<String, String>> batch = rangeUpTo(stream, from, upTo, want);
                    for (StreamMessage<String, String> m : batch) {
                        if (millisOf(m.getId()) >= oldestKept.get() && merged.putIfAbsent(m.getId(), toEvent(m)) == null) {
                            kept++;
                        }
                    }
                    if (batch.size() < want) {
                        break;
                    }
                    from = batch.get(batch.size() - 1).getId();
                }
                while (merged.size() > limit) {
                    merged.pollLastEntry();
                }
            }
            return new Replay(new ArrayList<>(merged.values()), found);
        } catch (RedisException e) {
            throw failure("read", e);
        }
    }

    @Override
    public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
        return readMatchingUpTo(matcher, afterId, untilId, Integer.MAX_VALUE);
    }

    /** Reads the feed in batches ({@code XRANGE … COUNT}) until {@code limit} events matched. */
    @Override
    public Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return readMatchingUpTo(matcher, afterId, untilId, limit);
    }

    private Replay readMatchingUpTo(TopicMatcher matcher, String afterId, String untilId, int limit) {
        StoreArguments.checkReadMatching(matcher, afterId);
        try {
            Cutoff oldestKept = new Cutoff();
            String after = EARLIEST.equals(afterId) ? ZERO : streamIdOf(afterId);
            boolean found = after != null;
            for (int k = 0; found && !ZERO.equals(after) && k < partitions; k++) {
                String lost = redis.get(key(k, "lostid")); // events up to it were lost in a failover
                found = !gapAfter(feedKey(k), after, oldestKept) && (lost == null || BY_STREAM_ID.compare(after, lost) >= 0);
            }
            if (!found) {
                after = ZERO;
            }
            String until = untilId == null ? null : streamIdOf(untilId);
            // The partitions' feeds merged by id, each read in batches as the merge reaches its end,
            // so that the matcher is offered exactly the events read, in order.
            List<Event> events = new ArrayList<>();
            List<java.util.ArrayDeque<StreamMessage<String, String>>> heads = new ArrayList<>(partitions);
            String[] from = new String[partitions];
            boolean[] more = new boolean[partitions];
            for (int k = 0; k < partitions; k++) {
                heads.add(new java.util.ArrayDeque<>());
                from[k] = after;
                more[k] = true;
            }
            while (events.size() < limit) {
                int next = -1;
                for (int k = 0; k < partitions; k++) {
                    if (heads.get(k).isEmpty() && more[k]) {
                        List<StreamMessage<String, String>> batch = rangeUpTo(feedKey(k), from[k], until, READ_BATCH);
                        heads.get(k).addAll(batch);
                        more[k] = batch.size() == READ_BATCH;
                        if (!batch.isEmpty()) {
                            from[k] = batch.get(batch.size() - 1).getId();
                        }
                    }
                    StreamMessage<String, String> head = heads.get(k).peekFirst();
                    if (head != null && (next < 0
                            || BY_STREAM_ID.compare(head.getId(), heads.get(next).peekFirst().getId()) < 0)) {
                        next = k;
                    }
                }
                if (next < 0) {
                    break;
                }
                StreamMessage<String, String> m = heads.get(next).pollFirst();
                if (millisOf(m.getId()) >= oldestKept.get() && matcher.matches(topicsOf(m))) {
                    events.add(toEvent(m));
                }
            }
            return new Replay(events, found);
        } catch (RedisException e) {
            throw failure("read", e);
        }
    }

    /**
     * Counts in Redis, with one script over the range of each topic's stream (of the feed for every
     * topic): only the number comes back, never the events. Where the count starts is where the reads
     * start, so a read of one event makes their gap checks first; expired entries are left out by
     * starting the range at the expiry cutoff, as stream ids carry their time.
     */
    @Override
    public int count(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkCount(topics, afterId, limit);
        boolean found = (topics.isEmpty() ? readMatchingPage(t -> true, afterId, untilId, 1)
                : readPage(topics, afterId, untilId, 1)).afterIdFound();
        try {
            String after = found && !EARLIEST.equals(afterId) ? streamIdOf(afterId) : null;
            long cutoff = new Cutoff().get();
            String start = after != null && (cutoff <= 0 || BY_STREAM_ID.compare(after, cutoff + "-0") >= 0) ? "(" + after
                    : cutoff > 0 ? cutoff + "-0" : "-";
            String until = untilId == null ? null : streamIdOf(untilId);
            // One script per partition over its streams of the topics (its feed for every topic): an
            // event lies in one partition, so the partitions' counts add up.
            TreeMap<Integer, List<String>> keysOf = new TreeMap<>();
            for (int k = 0; topics.isEmpty() && k < partitions; k++) {
                keysOf.put(k, List.of(feedKey(k)));
            }
            for (String topic : topics) {
                for (int k : partitionsOf(topic)) {
                    keysOf.computeIfAbsent(k, x -> new ArrayList<>()).add(streamKey(k, topic));
                }
            }
            long total = 0;
            for (List<String> keys : keysOf.values()) {
                total += countIn(keys.toArray(String[]::new), start, until, limit);
                if (total >= limit) {
                    break;
                }
            }
            return (int) Math.min(total, limit);
        } catch (RedisException e) {
            throw failure("read", e);
        }
    }

    /** Counts, up to {@code limit}, the entries of streams of one partition in a range, each id once. */
    private long countIn(String[] keys, String start, String until, int limit) {
        return redis.eval(String.join("\n",
                "local seen, n, limit = {}, 0, tonumber(ARGV[3])",
                "for i = 1, #KEYS do",
                "  for _, e in ipairs(redis.call('XRANGE', KEYS[i], ARGV[1], ARGV[2], 'COUNT', limit)) do",
                "    if not seen[e[1]] then seen[e[1]] = true; n = n + 1 end",
                "  end",
                "end",
                "return math.min(n, limit)"), ScriptOutputType.INTEGER, keys,
                start, until == null ? "+" : until, String.valueOf(limit));
    }

    /**
     * A read's expiry cutoff: Redis's clock ({@code TIME}, what dates ids and expires events on every
     * node alike; on a cluster, the clock of the node holding the store's keys) less the maximum age,
     * in milliseconds. The {@code TIME} is sent when the read starts
     * without waiting for its answer, and the read's own commands follow it on the same connection:
     * Redis answers in order, so once the first of them answered, so had {@code TIME}, and the read
     * makes no round trip for it. The append script reads the clock itself.
     */
    private final class Cutoff {
        /**
         * {@code TIME} through a script naming the feed, so that on a cluster it runs on the node that
         * holds the store's keys, whose clock the append script dates ids by.
         */
        private static final String TIME = "return redis.call('TIME')";
        private final io.lettuce.core.RedisFuture<List<String>> time = async.eval(TIME, ScriptOutputType.MULTI, feedKey(0));
        private long millis = Long.MIN_VALUE;

        long get() {
            if (millis == Long.MIN_VALUE) {
                List<String> t = io.lettuce.core.LettuceFutures.awaitOrCancel(time, commandTimeout.toNanos(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
                millis = Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000
                        + serverClockAhead.get().toMillis() - maxAge.toMillis();
            }
            return millis;
        }
    }

    /** The exception of a failed call: a timeout names the command timeout, anything else says refused. */
    private HistoryStoreException failure(String what, RedisException e) {
        if (e instanceof io.lettuce.core.RedisCommandTimeoutException) {
            return new HistoryStoreException("Redis did not answer the " + what + " within the command timeout ("
                    + Checks.describe(commandTimeout) + ")", e);
        }
        return new HistoryStoreException("Redis refused the " + what + " (" + e.getMessage() + ")", e);
    }

    /** The topics of a feed entry, as the append script joined them. */
    private static Set<String> topicsOf(StreamMessage<String, String> feedEntry) {
        return Set.of(feedEntry.getBody().getOrDefault("topics", "").split("\n"));
    }

    /** @return at most {@code count} entries of {@code key} after {@code after} up to {@code until} (null: the newest) */
    private List<StreamMessage<String, String>> rangeUpTo(String key, String after, String until, int count) {
        Range<String> range = Range.from(Range.Boundary.excluding(after),
                until == null ? Range.Boundary.unbounded() : Range.Boundary.including(until));
        return redis.xrange(key, range, io.lettuce.core.Limit.from(count));
    }

    /**
     * Whether the stream dropped, or holds expired, anything after {@code after}. Trimming drops the
     * oldest entries, so it dropped something after {@code after} only if {@code after} is older than
     * the first entry kept. (Redis 7.0 does not count trimmed entries in max-deleted-entry-id.) When
     * {@code after} is exactly the last entry dropped this says "gap" although there is none; the
     * client then gets everything retained, which is exactly what follows its id.
     */
    private boolean gapAfter(String key, String after, Cutoff oldestKept) {
        if (trimmedAfter(redis, key, after)) {
            return true;
        }
        List<StreamMessage<String, String>> next = redis.xrange(key,
                Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded()), io.lettuce.core.Limit.from(1));
        return !next.isEmpty() && millisOf(next.get(0).getId()) < oldestKept.get();
    }

    /** Whether trimming dropped entries of a stream after {@code after} (see {@link #gapAfter}). */
    private static boolean trimmedAfter(RedisClusterCommands<String, String> redis, String key, String after) {
        if (redis.exists(key) == 0) {
            return false;
        }
        long length = 0;
        long added = 0;
        List<Object> info = redis.xinfoStream(key);
        for (int i = 0; i + 1 < info.size(); i += 2) {
            String name = String.valueOf(info.get(i));
            if ("length".equals(name)) {
                length = Long.parseLong(String.valueOf(info.get(i + 1)));
            } else if ("entries-added".equals(name)) {
                added = Long.parseLong(String.valueOf(info.get(i + 1)));
            }
        }
        if (added <= length) {
            return false; // nothing was ever dropped
        }
        List<StreamMessage<String, String>> first = redis.xrange(key, Range.create("-", "+"), io.lettuce.core.Limit.from(1));
        return first.isEmpty() || BY_STREAM_ID.compare(after, first.get(0).getId()) < 0;
    }

    /**
     * The stream id of an id: itself in stream-id form, or through the index of publisher ids; null
     * when unknown: malformed, never issued (after the newest), or older than the first id of this
     * Redis's data (so issued before a data loss).
     */
    private String streamIdOf(String id) {
        if (!STREAM_ID.matcher(id).matches()) {
            return redis.get(idKey(id));
        }
        if (!isStreamId(id)) {
            return null;
        }
        int k = assignedBy(id);
        String last = redis.get(key(k, "lastid"));
        String first = redis.get(key(k, "firstid"));
        if (last == null || BY_STREAM_ID.compare(id, last) > 0) {
            return null;
        }
        return first != null && BY_STREAM_ID.compare(id, first) < 0 ? null : id;
    }

    private static boolean isStreamId(String id) {
        try {
            int dash = id.indexOf('-');
            Long.parseUnsignedLong(id.substring(0, dash));
            Long.parseUnsignedLong(id.substring(dash + 1));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Event toEvent(StreamMessage<String, String> m) {
        Map<String, String> f = m.getBody();
        Event e = Event.of(f.getOrDefault("d", "")).withId(f.getOrDefault("i", m.getId()));
        if (f.containsKey("t")) {
            e = e.withType(f.get("t"));
        }
        if (f.containsKey("r")) {
            e = e.withRetry(Duration.ofMillis(Long.parseLong(f.get("r"))));
        }
        return e;
    }

    private static long millisOf(String streamId) {
        return Long.parseUnsignedLong(streamId.substring(0, streamId.indexOf('-')));
    }

    /** Orders stream ids numerically: milliseconds, then sequence. */
    static final Comparator<String> BY_STREAM_ID = (a, b) -> {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        int c = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, da)), Long.parseUnsignedLong(b.substring(0, db)));
        return c != 0 ? c : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)),
                Long.parseUnsignedLong(b.substring(db + 1)));
    };

    /** One {@code PING}, bounded by the command timeout. */
    @Override
    public void check() {
        if (closed) {
            throw HistoryStoreException.closed("history store");
        }
        try {
            redis.ping();
        } catch (RedisException e) {
            throw new HistoryStoreException("Redis unreachable (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public Optional<String> latestId() {
        try {
            // Each partition's newest id and the id of its newest event (a publisher's, or the same).
            String newest = null;
            String event = null;
            for (int k = 0; k < partitions; k++) {
                List<io.lettuce.core.KeyValue<String, String>> v = redis.mget(key(k, "lastid"), key(k, "lastevent"));
                String last = v.get(0).getValueOrElse(null);
                if (last != null && (newest == null || BY_STREAM_ID.compare(last, newest) > 0)) {
                    newest = last;
                    event = v.get(1).getValueOrElse(null);
                }
            }
            return Optional.ofNullable(event);
        } catch (RedisException e) {
            throw new HistoryStoreException("Redis refused a read (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public Follower follow(AppendListener listener) {
        Checks.notNull(listener, "listener");
        RedisFollower f = new RedisFollower(listener);
        followers.add(f);
        f.start();
        return f;
    }

    /** Feed entries a partition's reader took in, for the follower to merge. */
    private record Read(int partition, List<StreamMessage<String, String>> entries) {
    }

    /**
     * Follows the partitions' feed streams, {@code <tag>feed}: every append also goes to its
     * partition's feed, under its id, with its topics. Streams rather than pub/sub because a follower
     * that loses its connection resumes from its last id and misses nothing a feed still holds (the
     * newest {@link Builder#feedLength}).
     *
     * <p>One reader thread per partition takes in its feed with blocking reads; this thread merges
     * them and hands each event on once every partition is known up to its id. A partition is known
     * up to an id when its feed was read past it or when it promised ({@link #FENCE}) to assign no
     * id at or below it any more: a quiet partition is asked for that promise, up to the newest
     * event waiting, so that it holds nothing back. With one partition there is nothing to merge:
     * its reader hands on itself, and nothing is ever asked.
     */
    private final class RedisFollower implements Follower, Runnable {
        /** Events taken in and not handed on at most: past it, the readers wait. */
        private static final int MAX_WAITING = BRIDGE_EVENTS;
        private final AppendListener listener;
        /** Fences and bridges; the blocking reads hold connections of their own. */
        private final Link link;
        private final List<Link> blocking = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Optional<String> startedAfter;
        private final java.util.concurrent.BlockingQueue<Read> reads;
        /** Per partition, the newest feed entry taken in: its reader reads on from there. */
        private final java.util.concurrent.atomic.AtomicReferenceArray<String> taken;
        private volatile boolean running = true;
        /**
         * Per partition, the feed counter of the newest entry taken in, 0 when its feed was empty at
         * the start (its first entry carries 1): each entry carries the next number.
         */
        private final long[] count;
        /** Per partition, the id up to which every event it holds was taken in. */
        private final String[] known;
        /** Taken in, not handed on yet: every partition's, merged by id. */
        private final TreeMap<String, Followed> waiting = new TreeMap<>(BY_STREAM_ID);
        /** The newest event handed on. */
        private String handedOn;

        RedisFollower(AppendListener listener) {
            this.listener = listener;
            this.link = link();
            this.taken = new java.util.concurrent.atomic.AtomicReferenceArray<>(partitions);
            this.count = new long[partitions];
            this.known = new String[partitions];
            this.reads = new java.util.concurrent.ArrayBlockingQueue<>(2 * partitions);
            String start = null;
            try {
                for (int k = 0; k < partitions; k++) {
                    List<StreamMessage<String, String>> last = link.sync().xrevrange(feedKey(k), Range.create("-", "+"),
                            io.lettuce.core.Limit.from(1));
                    taken.set(k, last.isEmpty() ? ZERO : last.get(0).getId());
                    count[k] = last.isEmpty() ? 0 : Long.parseLong(last.get(0).getBody().getOrDefault("n", "0"));
                    known[k] = taken.get(k);
                    if (!last.isEmpty() && (start == null || BY_STREAM_ID.compare(last.get(0).getId(), start) > 0)) {
                        start = last.get(0).getId();
                    }
                }
                // Events up to the start are not handed on: every partition promises to assign no
                // id at or below it, and what they assigned meanwhile is taken in silently.
                for (int k = 0; partitions > 1 && start != null && k < partitions; k++) {
                    int before;
                    do {
                        before = 0;
                        for (StreamMessage<String, String> m : fence(k, start)) {
                            if (BY_STREAM_ID.compare(m.getId(), start) > 0) {
                                break; // after the start: its reader takes it in and hands it on
                            }
                            before++;
                            taken.set(k, m.getId());
                            count[k] = Long.parseLong(m.getBody().getOrDefault("n", "0"));
                        }
                    } while (before == READ_BATCH);
                    known[k] = start;
                }
            } catch (RedisException e) {
                link.connection().close();
                throw new HistoryStoreException("Redis refused to start following events (" + e.getMessage() + ")", e);
            }
            this.handedOn = start;
            this.startedAfter = Optional.ofNullable(start);
        }

        void start() {
            try {
                for (int k = 0; k < partitions; k++) {
                    Link l = link();
                    blocking.add(l);
                    int partition = k;
                    threads.add(new Thread(() -> read(partition, l),
                            partitions == 1 ? "ssekit-redis-follow" : "ssekit-redis-follow-" + k));
                }
            } catch (RedisException e) {
                close();
                throw new HistoryStoreException("Redis refused to start following events (" + e.getMessage() + ")", e);
            }
            if (partitions > 1) {
                threads.add(new Thread(this, "ssekit-redis-follow"));
            }
            for (Thread t : threads) {
                t.setDaemon(true);
                t.start();
            }
        }

        @Override
        public Optional<String> startedAfter() {
            return startedAfter;
        }

        /**
         * A partition's reader: blocking reads of its feed after what was taken in, queued for the
         * merge. With one partition there is nothing to merge: the reader hands on itself, reading
         * on from what it took in, so that a batch it failed to take in whole is read again.
         */
        private void read(int k, Link l) {
            boolean alone = partitions == 1;
            boolean failing = false;
            String from = taken.get(k);
            while (running) {
                try {
                    String t = taken.get(k);
                    if (alone || BY_STREAM_ID.compare(t, from) > 0) {
                        from = t; // taken in already, by this thread or through a fence
                    }
                    List<StreamMessage<String, String>> batch = l.sync().xread(
                            io.lettuce.core.XReadArgs.Builder.block(blockMillis()).count(500),
                            io.lettuce.core.XReadArgs.StreamOffset.from(feedKey(k), from));
                    failing = false;
                    if (batch.isEmpty()) {
                        continue;
                    }
                    if (alone) {
                        takeIn(k, batch);
                        handOn();
                    } else {
                        from = batch.get(batch.size() - 1).getId();
                        beforeHandOver.accept(k);
                        reads.put(new Read(k, batch));
                    }
                } catch (RedisException e) {
                    if (!running) {
                        return;
                    }
                    failing = lost(e, failing);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Logs the first failure of a run of them, then waits a second. @return true: failing now */
        private boolean lost(RedisException e, boolean failing) {
            if (!failing) {
                LOG.log(java.util.logging.Level.WARNING, "ssekit: lost Redis while following events; "
                        + "retrying every second", e);
            }
            pause();
            return true;
        }

        @Override
        public void run() {
            boolean failing = false;
            while (running) {
                try {
                    if (waiting.size() < MAX_WAITING) {
                        Read r = reads.poll(blockMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                        while (r != null) {
                            takeIn(r.partition(), r.entries());
                            r = waiting.size() < MAX_WAITING ? reads.poll() : null;
                        }
                    }
                    handOn();
                    failing = false;
                } catch (RedisException e) {
                    if (!running) {
                        return;
                    }
                    failing = lost(e, failing);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /**
         * Takes in a partition's feed entries that follow what it took in before: on a gap in the
         * feed counter (entries trimmed before they were read, or Redis lost its data) it reads back
         * what the feed dropped from the partition's topic streams, and if they do not hold all of it,
         * tells the listener that events were missed.
         */
        private void takeIn(int k, List<StreamMessage<String, String>> entries) {
            for (StreamMessage<String, String> m : entries) {
                if (BY_STREAM_ID.compare(m.getId(), taken.get(k)) <= 0) {
                    continue; // taken in already, through a fence
                }
                long n = Long.parseLong(m.getBody().getOrDefault("n", "0"));
                // Checked from the first entry on: a partition whose feed was empty at the start and
                // whose first entries the feed trimmed before they were taken in starts at 1 too.
                if (n != count[k] + 1) {
                    List<Followed> bridge = bridge(link.sync(), k, taken.get(k), m.getId(), n - count[k] - 1);
                    if (bridge == null) {
                        listener.missedEvents();
                    } else {
                        for (Followed b : bridge) {
                            hold(b);
                        }
                    }
                }
                count[k] = n;
                taken.set(k, m.getId());
                if (BY_STREAM_ID.compare(m.getId(), known[k]) > 0) {
                    known[k] = m.getId();
                }
                hold(new Followed(m.getId(), topicsOf(m), toEvent(m)));
            }
        }

        private void hold(Followed f) {
            if (handedOn != null && BY_STREAM_ID.compare(f.position(), handedOn) <= 0) {
                // Below what was handed on: a failover lost a partition's promise and it assigned an
                // id below it, for a node that had not followed that far. Handing it on would break
                // the order, and a replay after any id this node handed on would skip it: its
                // partition's marks go just above the newest id handed on, so that those replays
                // report that events were dropped, and the clients reconnect. The partition is
                // asked for the promise again in the same step: else, its clock behind, it would go
                // on assigning ids below what was handed on, each withheld and each ending every
                // stream again, until its clock or another partition's event moved it past.
                int k = assignedBy(f.position());
                String above = handedOn.substring(0, handedOn.indexOf('-') + 1)
                        + Long.toUnsignedString(Long.parseUnsignedLong(handedOn.substring(handedOn.indexOf('-') + 1)) + 1);
                link.sync().eval(LOST_PROMISE, ScriptOutputType.INTEGER,
                        new String[]{removedMarkKey(k), key(k, "lostid"), key(k, "fence")}, above, handedOn);
                LOG.warning("ssekit: event " + f.position() + " came after " + handedOn
                        + " (a Redis failover lost a partition's ids); its subscribers catch up by replay");
                listener.missedEvents();
                return;
            }
            waiting.put(f.position(), f);
        }

        /**
         * Hands on, in id order, every waiting event that every partition is known up to; asks the
         * partitions that hold the oldest back to promise up to the newest waiting.
         */
        private void handOn() {
            while (!waiting.isEmpty()) {
                String oldest = waiting.firstKey();
                boolean behind = false;
                for (int k = 0; k < partitions; k++) {
                    if (BY_STREAM_ID.compare(known[k], oldest) < 0) {
                        // One partition after the other: asking them at once (async) measured
                        // slower here (bench/RESULTS.md run X).
                        behind = true;
                        String upTo = waiting.lastKey();
                        List<StreamMessage<String, String>> entries = fence(k, upTo);
                        // Taken in with the feed counter's check, so that what the feed dropped up
                        // to there (the answer's first entry, maybe the one after upTo, shows it) is
                        // read back from the topic streams before the promise lets anything pass.
                        takeIn(k, entries);
                        if (entries.size() < READ_BATCH && BY_STREAM_ID.compare(known[k], upTo) < 0) {
                            known[k] = upTo;
                        }
                    }
                }
                if (!behind) {
                    Followed f = waiting.pollFirstEntry().getValue();
                    handedOn = f.position();
                    deliver(f);
                }
            }
        }

        /**
         * See {@link #FENCE}: partition {@code k}'s promise up to {@code upTo}, its entries after what
         * was taken in up to {@code upTo} and, when fewer than {@value #READ_BATCH}, the one after.
         */
        private List<StreamMessage<String, String>> fence(int k, String upTo) {
            return entries(k, link.sync().eval(FENCE, ScriptOutputType.MULTI,
                    new String[]{key(k, "fence"), feedKey(k)}, upTo, taken.get(k), Integer.toString(READ_BATCH)));
        }

        /** The feed entries of partition {@code k} in a {@link #FENCE} reply. */
        private List<StreamMessage<String, String>> entries(int k, List<Object> reply) {
            List<StreamMessage<String, String>> entries = new ArrayList<>(reply.size());
            for (Object o : reply) {
                List<?> entry = (List<?>) o;
                List<?> fields = (List<?>) entry.get(1);
                Map<String, String> body = new java.util.LinkedHashMap<>();
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    body.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
                }
                entries.add(new StreamMessage<>(feedKey(k), String.valueOf(entry.get(0)), body));
            }
            return entries;
        }

        /** A blocking read must end well within the command timeout, which bounds it too. */
        private long blockMillis() {
            return Math.max(10, Math.min(1000, commandTimeout.toMillis() / 2));
        }

        private void deliver(Followed f) {
            saw(f.position());
            try {
                listener.appended(f.topics(), f.event(), f.position());
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "ssekit: an append listener failed on " + f.position(), e);
            }
        }

        private void pause() {
            try {
                Thread.sleep(1000); // a back-off between reconnection attempts, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }

        @Override
        public void close() {
            running = false;
            followers.remove(this);
            for (Link l : blocking) {
                l.connection().close();
            }
            link.connection().close();
            for (Thread t : threads) {
                t.interrupt();
            }
        }
    }

    private void saw(String id) {
        java.util.function.BinaryOperator<String> newer = (a, b) -> a == null || BY_STREAM_ID.compare(b, a) > 0 ? b : a;
        newestSeen.accumulateAndGet(id, newer);
        newestSeenIn.accumulateAndGet(assignedBy(id), id, newer);
    }

    /** An event as a follower hands it on. */
    private record Followed(String position, Set<String> topics, Event event) {
    }

    /**
     * The {@code missed} events partition {@code k}'s feed dropped after {@code after} and before
     * {@code before}, read back from the partition's streams of their topics and merged by id, with
     * their topics ({@code after} is {@code 0-0} for a partition whose feed was empty when the follow
     * started: every event it holds then counts); null when they cannot all be: more than {@value #BRIDGE_EVENTS} events, more than
     * {@value #BRIDGE_TOPICS} streams written to since {@code after} (the partition's topic index
     * scores each by its newest id), or fewer found than the feed counter says were appended (a
     * topic's stream trimmed them too, or expired them, or Redis lost its data). A node that fell
     * behind a feed thus catches up by reading rather than ending every stream, as long as history
     * bridges the gap.
     */
    private List<Followed> bridge(RedisClusterCommands<String, String> r, int k, String after, String before, long missed) {
        if (missed <= 0 || missed > BRIDGE_EVENTS) {
            return null;
        }
        List<String> streams = r.zrangebyscore(topicIndexKey(k),
                Range.from(Range.Boundary.including(millisOf(after)), Range.Boundary.unbounded()),
                io.lettuce.core.Limit.create(0, BRIDGE_TOPICS + 1));
        if (streams.size() > BRIDGE_TOPICS) {
            return null;
        }
        String topicPrefix = streamKey(k, "");
        TreeMap<String, Followed> found = new TreeMap<>(BY_STREAM_ID);
        for (String stream : streams) {
            String topic = stream.substring(topicPrefix.length());
            String from = after;
            while (true) {
                List<StreamMessage<String, String>> batch = r.xrange(stream, Range.from(
                        Range.Boundary.excluding(from), Range.Boundary.excluding(before)), io.lettuce.core.Limit.from(READ_BATCH));
                for (StreamMessage<String, String> m : batch) {
                    found.computeIfAbsent(m.getId(), id -> new Followed(id, new TreeSet<>(), toEvent(m))).topics().add(topic);
                }
                if (found.size() > missed) {
                    return null; // more than the counter says: not the feed's history
                }
                if (batch.size() < READ_BATCH) {
                    break;
                }
                from = batch.get(batch.size() - 1).getId();
            }
        }
        if (found.size() != missed) {
            return null;
        }
        List<Followed> events = new ArrayList<>(found.size());
        for (Followed f : found.values()) {
            events.add(new Followed(f.position(), java.util.Collections.unmodifiableSet(f.topics()), f.event()));
        }
        return events;
    }

    /** @return the newest id any partition assigned, if any */
    private String newestId(RedisClusterCommands<String, String> r) {
        String newest = null;
        for (int k = 0; k < partitions; k++) {
            String last = r.get(key(k, "lastid"));
            if (last != null && (newest == null || BY_STREAM_ID.compare(last, newest) > 0)) {
                newest = last;
            }
        }
        return newest;
    }

    /** Positions are stream ids, the same on every node. */
    @Override
    public Optional<String> latestPosition() {
        try {
            return Optional.ofNullable(newestId(redis));
        } catch (RedisException e) {
            throw new HistoryStoreException("Redis refused a read (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public int comparePositions(String a, String b) {
        return BY_STREAM_ID.compare(a, b);
    }

    /** Stops every follower and closes the connections; the streams stay in Redis. */
    @Override
    public void close() {
        closed = true;
        for (RedisFollower f : followers) {
            f.close();
        }
        connection.close();
        client.shutdown();
    }

    @Override
    public String toString() {
        return "RedisHistoryStore{keys=" + key("*") + (cluster ? ", cluster" : "")
                + (partitions > 1 ? ", partitions=" + partitions : "")
                + (waitReplicas > 0 ? ", waitReplicas=" + waitReplicas : "") + ", maxEventsPerTopic=" + maxEventsPerTopic + ", maxAge=" + maxAge + "}";
    }

    /** Settings; each setter checks its value at once. */
    public static final class Builder extends RetentionSettings<Builder> {
        private final List<RedisURI> uris;
        private String keyPrefix = "ssekit:";
        private Duration commandTimeout = Duration.ofSeconds(5);
        private int feedLength = 100_000;
        private int waitReplicas;
        private int partitions = 1;
        private java.util.function.IntConsumer beforeHandOver = k -> { };

        private Builder(List<RedisURI> uris) {
            super(Duration.ofHours(24));
            this.uris = List.copyOf(uris);
        }

        /**
         * @param value what names the store's keys, not empty, without braces (default {@code ssekit:}):
         *              every key is the prefix as a hash tag, then its name ({@code {ssekit:}feed}),
         *              so that every key of a store lies in one slot of a cluster, and stores of
         *              other prefixes in others
         * @return this builder
         */
        public Builder keyPrefix(String value) {
            Checks.singleLine(value, "keyPrefix");
            if (value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
                throw new IllegalArgumentException("keyPrefix must not contain { or }, got " + Checks.quote(value)
                        + ": the store makes the prefix its keys' hash tag");
            }
            this.keyPrefix = value;
            return this;
        }

        /**
         * @param value how many of the newest events the feed that nodes follow keeps, approximately,
         *              at least 1 (default 100,000): what a node that lost Redis can still catch up on
         * @return this builder
         */
        public Builder feedLength(int value) {
            this.feedLength = Checks.atLeast(value, 1, "feedLength");
            return this;
        }

        /**
         * @param value how many replicas must have an append before it is acknowledged, at least 0
         *              (default 0: Redis's asynchronous replication, no wait): each append is followed
         *              by {@code WAIT value <half the command timeout>}, and fails with a
         *              {@link HistoryStoreException} naming it when fewer replicas acknowledged it in
         *              time (the event is stored on the primary and may still be delivered). A failover
         *              then loses no acknowledged append as long as a replica that had it is promoted
         * @return this builder
         */
        public Builder waitReplicas(int value) {
            this.waitReplicas = Checks.atLeast(value, 0, "waitReplicas");
            return this;
        }

        /**
         * @param value how many partitions the store's events are spread over, from 1 to
         *              64 (default 1: every key under the prefix's
         *              hash tag, so on a cluster one primary holds the whole store). Each partition has
         *              a hash tag of its own, placed on its own arc of the cluster's slots; a topic's
         *              events go to its home partition (a hash of its name), an event whose topics'
         *              homes differ, or a batch that mixes homes, or an event with a publisher id, to
         *              partition 0. Every follower reads every partition, with a connection and a
         *              thread each, and one more thread merging them. A store keeps the count it was first written with: another fails
         *              {@link #build()}
         * @return this builder
         */
        public Builder partitions(int value) {
            Checks.atLeast(value, 1, "partitions");
            if (value > MAX_PARTITIONS) {
                throw new IllegalArgumentException("partitions must be at most " + MAX_PARTITIONS + ", got " + value);
            }
            this.partitions = value;
            return this;
        }

        /**
         * For tests of a partitioned follow, which cannot otherwise choose when a partition's reader
         * hands what it read to the merge: called by partition k's reader, on its thread, with k,
         * after it read entries of its feed and before it hands them over (default: nothing). A
         * test blocks a reader there to hold entries read and not yet merged.
         */
        Builder beforeHandOver(java.util.function.IntConsumer value) {
            this.beforeHandOver = Checks.notNull(value, "beforeHandOver");
            return this;
        }

        /**
         * @param value how long a command may take before it fails, positive (default 5 s): an append
         *              that Redis does not answer within it fails with a {@link HistoryStoreException}
         *              naming it (the event may still be stored if Redis got it)
         * @return this builder
         */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = Checks.positive(value, "commandTimeout");
            return this;
        }

        /**
         * @return the store, connected
         * @throws SseKitException if Redis cannot be reached
         */
        public RedisHistoryStore build() {
            return new RedisHistoryStore(this);
        }
    }
}
