package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.tickscan.config.NodeConfig;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.tickscan.scanner.RuleStore.VersionedRules;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's rule set in step with the cluster's, one instance per node.
 *
 * <ul>
 *   <li>At start it takes the cluster's current set from the {@link RuleStore} (in Redis when the node has a
 *   Redis client, else in the cluster map), or makes the configured one version 1 when none is stored; a node
 *   that cannot run the stored set, or cannot reach the store, does not start.</li>
 *   <li>A rules file sent on {@link Addresses#RULES_REPLACE} (node-local) is validated whole; if valid it is
 *   stored under the next version and published on {@link Addresses#RULES_UPDATE} to every member, else refused
 *   with its errors (one log line).</li>
 *   <li>One rule sent on {@link Addresses#RULES_EDIT} (node-local) is created, replaced, deleted, enabled or
 *   disabled in the cluster's latest set (re-applied if another member stored a set in between), and the result
 *   validated and stored like a whole set. {@link Addresses#RULES_VALIDATE} (node-local) validates a set or one
 *   rule and stores nothing.</li>
 *   <li>A version higher than the one it holds, published by any member, is adopted and handed to this node's
 *   scanners on {@link Addresses#RULES_APPLY}. Every {@value #SYNC_MS} ms it also reads the store and adopts
 *   what is stored whenever it differs (a lost message, a member that joined late, a member back after a split,
 *   where each side may have stored its own version of the same number); a store found empty, after the
 *   members that held it died, gets this node's set again.</li>
 *   <li>{@link Addresses#RULES_CURRENT} (node-local) answers the version this node's scanners run or will run
 *   at their next scan, after adopting a newer one the store holds (a read after a write on another member
 *   sees it).</li>
 * </ul>
 *
 * <p>Config: {@code initial} (the rules file's JSON text, for a cluster that has none), {@code engine} and
 * {@code rules} (the settings the limits come from).
 */
public final class RulesVerticle extends VerticleBase {
    static final long SYNC_MS = 2_000;
    /** How long a reader of the current set waits for the store before it gets this node's. */
    static final long CURRENT_WAIT_MS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(RulesVerticle.class);

    private final FailureLog failures = new FailureLog(LOG);
    private final Redis redis;
    private RuleStore store;
    private RuleLimits limits;
    private VersionedRules current;
    private VersionedRules refused;
    private boolean syncing;

    /** A rules verticle that keeps the rule set in the cluster map. */
    public RulesVerticle() {
        this.redis = null;
    }

    private RulesVerticle(Redis redis) {
        this.redis = redis;
    }

    /** A rules verticle that keeps the rule set in Redis, or in the cluster map when {@code redis} is null. */
    public static RulesVerticle keptIn(Redis redis) {
        return new RulesVerticle(redis);
    }

    @Override
    public Future<?> start() {
        store = new RuleStore(redis != null ? new RedisRuleCell(redis) : new MapRuleCell(vertx));
        limits = NodeConfig.ruleLimits(config().getJsonObject("engine"), config().getJsonObject("rules"));
        String initial = config().getString("initial");
        try {
            RulesFile.parse(initial, limits);
        } catch (RuleSetException e) {
            return Future.failedFuture(new IllegalArgumentException("rules.file: invalid rules, " + e.summary(3)));
        }
        return store.current(new VersionedRules(1, initial))
                .recover(e -> Future.failedFuture(new IllegalStateException("the cluster's rule store did not "
                        + "answer: " + e.getMessage(), e)))
                .compose(cluster -> {
                    try {
                        RuleSet rules = RulesFile.parse(cluster.text(), limits);
                        current = cluster;
                        LOG.info("rules version {}: {} rules, {} enabled", cluster.version(), rules.rules().size(),
                                rules.enabledRules().size());
                    } catch (RuleSetException e) {
                        return Future.failedFuture(new IllegalStateException("the cluster runs rules version "
                                + cluster.version() + ", which this node's limits refuse: " + e.summary(3)));
                    }
                    vertx.setPeriodic(SYNC_MS, id -> sync());
                    return Future.all(
                            vertx.eventBus().<String>localConsumer(Addresses.RULES_REPLACE, this::replace).completion(),
                            vertx.eventBus().<JsonObject>localConsumer(Addresses.RULES_EDIT, this::edit).completion(),
                            vertx.eventBus().<String>localConsumer(Addresses.RULES_VALIDATE, this::validate)
                                    .completion(),
                            vertx.eventBus().localConsumer(Addresses.RULES_CURRENT, this::answerCurrent)
                                    .completion(),
                            vertx.eventBus().<JsonObject>consumer(Addresses.RULES_UPDATE,
                                    m -> adopt(VersionedRules.fromJson(m.body()), false)).completion());
                });
    }

    private void replace(Message<String> message) {
        try {
            RulesFile.parse(message.body(), limits);
        } catch (RuntimeException e) {
            refuse(message, e, "PUT /api/rules");
            return;
        }
        store(message, store.replace(message.body()), "PUT /api/rules");
    }

    /** One rule created, replaced, deleted, enabled or disabled ({@link RuleEdits}), validated as a whole set. */
    private void edit(Message<JsonObject> message) {
        JsonObject edit = message.body();
        String what = edit.getString("op") + " of rule '" + edit.getString("id") + "'";
        store(message, store.update(stored -> {
            String next = RuleEdits.apply(stored != null ? stored : current.text(), edit);
            RulesFile.parse(next, limits);
            return next;
        }), what);
    }

    /** Validates a rule set or one rule ({@code {"valid": true, "rules": n}} or the errors); stores nothing. */
    private void validate(Message<String> message) {
        try {
            RuleSet rules = RulesFile.parse(asRuleSet(message.body()), limits);
            message.reply(new JsonObject().put("valid", true).put("rules", rules.rules().size()));
        } catch (RuleSetException e) {
            message.reply(RulesFile.errors(e).put("valid", false));
        } catch (RuntimeException e) {
            failures.failed("validating rules sent to POST /api/rules/validate", e);
            message.fail(500, "the rules could not be read (see the node's log)");
        }
    }

    /** The text of a rule set: {@code text} itself, or a set of the one rule it holds. */
    private static String asRuleSet(String text) {
        try {
            return Json.decodeValue(text) instanceof JsonObject rule && !rule.containsKey("rules")
                    ? new JsonObject().put("rules", new JsonArray().add(rule)).encode() : text;
        } catch (DecodeException e) {
            return text; // the rules reader says where it is not JSON
        }
    }

    /** Answers a refused rule set: its errors, or 500 when reading it failed unexpectedly. */
    private void refuse(Message<?> message, Throwable e, String what) {
        if (e instanceof RuleSetException refused) {
            LOG.warn("{} refused, nothing applied: {}", what, refused.summary(3));
            message.reply(RulesFile.errors(refused).put("accepted", false));
        } else if (e instanceof RuleEdits.Refused refused) {
            message.fail(refused.status, refused.getMessage());
        } else {
            failures.failed("reading the rule set of " + what, e);
            message.fail(500, "the rule set could not be read; nothing applied (see the node's log)");
        }
    }

    /** Waits for the store, then adopts and publishes the new version, or answers why nothing was stored. */
    private void store(Message<?> message, Future<VersionedRules> stored, String what) {
        stored.onComplete(done -> {
            if (done.failed()) {
                Throwable cause = done.cause();
                if (cause instanceof RuleSetException || cause instanceof RuleEdits.Refused) {
                    refuse(message, cause, what);
                    return;
                }
                failures.failed("storing the rule set of " + what + " in the cluster", cause);
                message.fail(504, "the cluster did not confirm the new rule set within "
                        + RuleStore.TIMEOUT_MS / 1000 + " s; it may still be applied: check GET /api/rules");
                return;
            }
            VersionedRules next = done.result();
            RuleSet rules = RulesFile.parse(next.text(), limits);
            adopt(next, false);
            vertx.eventBus().publish(Addresses.RULES_UPDATE, next.toJson());
            message.reply(new JsonObject().put("accepted", true).put("version", next.version())
                    .put("rules", rules.rules().size()).put("enabled", rules.enabledRules().size()));
        });
    }


    /**
     * Answers the latest rule set: the store's when it holds a newer one than this node has heard of (a set stored
     * by another member, whose update is still on its way), so that a read on any member after a write confirmed on
     * another sees it; this node's when the store does not answer within {@value #CURRENT_WAIT_MS} ms.
     */
    private void answerCurrent(Message<Object> message) {
        store.current(current).timeout(CURRENT_WAIT_MS, TimeUnit.MILLISECONDS).onComplete(found -> {
            if (found.succeeded()) {
                adopt(found.result(), false);
            } else {
                failures.failed("reading the cluster's rule set for a reader", found.cause());
            }
            message.reply(current.toJson().put("rules", RulesFile.rulesOf(Json.decodeValue(current.text()))));
        });
    }

    /** Takes the stored set when it differs from this node's (the store is the truth), or stores this node's. */
    private void sync() {
        if (syncing) {
            return;
        }
        syncing = true;
        store.current(current).onComplete(found -> {
            syncing = false;
            if (found.failed()) {
                failures.failed("reading the cluster's rule set", found.cause());
            } else {
                adopt(found.result(), true);
            }
        });
    }

    /**
     * Adopts {@code next} when its version is higher than this node's, or, when it comes from the store, whenever
     * it differs (after a split, the two sides may each have stored a version of the same number).
     */
    private void adopt(VersionedRules next, boolean fromStore) {
        boolean newer = next.version() > current.version();
        if (!(newer || fromStore && !next.equals(current)) || next.equals(refused)) {
            return;
        }
        RuleSet rules;
        try {
            rules = RulesFile.parse(next.text(), limits);
        } catch (RuleSetException e) {
            refused = next;
            LOG.error("rules version {} refused by this node's limits, keeping version {}: {}", next.version(),
                    current.version(), e.summary(3));
            return;
        }
        current = next;
        vertx.eventBus().publish(Addresses.RULES_APPLY, next.toJson(), Addresses.local());
        LOG.info("rules version {}: {} rules, {} enabled", next.version(), rules.rules().size(),
                rules.enabledRules().size());
    }
}
