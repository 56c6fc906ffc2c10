package io.tickscan.node;

import io.tickscan.redis.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The nodes' marks of life in Redis, the witness a fenced node asks whether its peers live on without it
 * ({@link ClusterStanding}): each node standing as a member marks itself alive for {@value #TTL_MS} ms at each
 * look at the cluster, and each look reads which other nodes are alive.
 *
 * <p>The marks are one sorted set, {@link RedisKeys#MEMBERS}: node id, scored with the Redis time until which it
 * counts as alive. One key is read whole in one command, so no node has to list keys ({@code KEYS} or {@code SCAN}
 * over per-node keys); and one script ({@link #EXCHANGE}) marks, drops the lapsed marks and reads the live ones
 * against the Redis server's clock ({@code TIME}), so that the nodes' clocks, which may differ by seconds between
 * hosts, do not matter. {@value #TTL_MS} ms is twice the silence after which Hazelcast removes a member, and
 * twenty looks: a member's mark outlives a short stall of its own or of Redis, and a node whose peers are dead
 * waits at most that long after their deaths.
 */
final class MemberMarks {
    /** How long a mark counts after it was written. */
    static final long TTL_MS = 10_000;
    /** The longest one exchange may take; a slower one counts as no answer. */
    static final long TIMEOUT_MS = 2_000;
    /**
     * KEYS[1] the marks; ARGV[1] this node's id, ARGV[2] "1" to mark it alive, ARGV[3] the marks' life in ms.
     * Returns the ids of the nodes alive.
     */
    static final String EXCHANGE = "local t = redis.call('TIME') "
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
            + "if ARGV[2] == '1' then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1]) end "
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
            + "return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')";

    private final Redis redis;
    private final String node;

    /**
     * @param redis the node's Redis client
     * @param node  this node's id
     */
    MemberMarks(Redis redis, String node) {
        this.redis = redis;
        this.node = node;
    }

    /**
     * Marks this node alive when {@code member}, and answers the other nodes alive; fails when Redis did not
     * answer within {@value #TIMEOUT_MS} ms.
     */
    Future<Set<String>> exchange(boolean member) {
        return redis.send(Request.cmd(Command.EVAL).arg(EXCHANGE).arg(1).arg(RedisKeys.MEMBERS).arg(node)
                        .arg(member ? "1" : "0").arg(TTL_MS))
                .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .map(this::others);
    }

    private Set<String> others(Response alive) {
        Set<String> others = new TreeSet<>();
        alive.forEach(id -> others.add(id.toString()));
        others.remove(node);
        return others;
    }
}
