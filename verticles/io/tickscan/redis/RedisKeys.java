package io.tickscan.redis;

/** Every key tickscan keeps in Redis (the README's "Redis" section says what each holds). */
public final class RedisKeys {
    /** The stream of alerts, one entry each with the field {@code alert} (the alert's JSON). */
    public static final String ALERT_STREAM = "tickscan:alerts";
    /** The rule set and its version as JSON {@code {"version": n, "text": "<rules file>"}}. */
    public static final String RULES = "tickscan:rules";
    private static final String ALERT_PREFIX = "tickscan:alert:";

    private RedisKeys() {
    }

    /**
     * The dedupe key of an alert, {@code tickscan:alert:<alert_id>}, set with {@code NX EX} when it is first
     * written; it then holds the alert's stream entry id.
     */
    public static String alert(String alertId) {
        return ALERT_PREFIX + alertId;
    }
}
