package io.tickscan.redis;

/** Every key tickscan keeps in Redis (the README's "Redis" section says what each holds). */
public final class RedisKeys {
    /** The stream of alerts, one entry each with the field {@code alert} (the alert's JSON). */
    public static final String ALERT_STREAM = "tickscan:alerts";
    /** The rule set and its version as JSON {@code {"version": n, "text": "<rules file>"}}. */
    public static final String RULES = "tickscan:rules";
    /**
     * The clustered nodes standing as members, a sorted set: each member is a node id, its score the Redis time
     * (ms) until which the node counts as alive; every member renews its own, and a node fenced alone reads the
     * others' to tell whether its peers live on without it ({@code io.tickscan.node.MemberMarks}).
     */
    public static final String MEMBERS = "tickscan:members";
    private static final String ALERT_PREFIX = "tickscan:alert:";
    private static final String STATE_PREFIX = "tickscan:state:";
    private static final String OFFSETS_PREFIX = "tickscan:offsets:";
    private static final String OWNER_PREFIX = "tickscan:owner:";

    private RedisKeys() {
    }

    /**
     * The dedupe key of an alert, {@code tickscan:alert:<alert_id>}, set with {@code NX EX} when it is first
     * written; it then holds the alert's stream entry id.
     */
    public static String alert(String alertId) {
        return ALERT_PREFIX + alertId;
    }

    /**
     * The checkpoint of partition {@code p}'s scanner state, {@code tickscan:state:<p>}: the ticks it held for a
     * later scan, then the bytes of the engine's export for the partition's symbols.
     */
    public static String state(int p) {
        return STATE_PREFIX + p;
    }

    /**
     * The Kafka offsets that partition {@code p}'s checkpoint holds, {@code tickscan:offsets:<p>}, written with
     * {@link #state} in one {@code MSET}: JSON {@code {"topic": t, "offsets": {"<kafka partition>": offset}}},
     * the highest offset of each Kafka partition whose ticks for {@code p} the checkpoint holds.
     */
    public static String offsets(int p) {
        return OFFSETS_PREFIX + p;
    }

    /**
     * The fencing token of partition {@code p}'s owner, {@code tickscan:owner:<p>}: an integer that each instance
     * taking the partition increments ({@code INCR}) and holds; a checkpoint write carrying a lower token than
     * the one stored comes from an owner that has been replaced, and is refused.
     */
    public static String owner(int p) {
        return OWNER_PREFIX + p;
    }
}
