package io.tickscan.web.query;

import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Publishes queries on {@link Addresses#SCANNER_QUERY} and gathers the answers sent to one cluster-wide reply
 * address of its own: a query completes as soon as every expected instance ({@link ExpectedInstances}) answered,
 * or at the deadline with those that did not named; never later. Answers after that are dropped. Confined to the
 * context that started it.
 */
final class Gatherer {
    private final Vertx vertx;
    private final long deadlineMs;
    private final ExpectedInstances registry;
    private final String replyTo = "scanner.replies." + UUID.randomUUID();
    private final Map<String, Pending> pending = new HashMap<>();
    private MessageConsumer<JsonObject> consumer;
    private long nextId;

    Gatherer(Vertx vertx, long deadlineMs) {
        this.vertx = vertx;
        this.deadlineMs = deadlineMs;
        this.registry = new ExpectedInstances(vertx);
    }

    /** Registers the reply consumer cluster-wide. */
    Future<Void> start() {
        consumer = vertx.eventBus().consumer(replyTo, this::onAnswer);
        return consumer.completion();
    }

    /** Unregisters the reply consumer; queries in flight complete at their deadline. */
    Future<Void> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    /** Publishes {@code query} (its {@code id} and {@code reply_to} are set here) and gathers the answers. */
    Future<Gathered> gather(JsonObject query) {
        String id = Long.toString(++nextId);
        Pending p = new Pending(id);
        pending.put(id, p);
        p.timer = vertx.setTimer(deadlineMs, t -> finish(p));
        vertx.eventBus().publish(Addresses.SCANNER_QUERY, query.copy().put("id", id).put("reply_to", replyTo));
        registry.read().onComplete(read -> {
            // unreadable: wait for the deadline, naming no one
            p.expected = read.succeeded() ? read.result() : null;
            if (p.expected != null && p.answers.keySet().containsAll(p.expected)) {
                finish(p);
            }
        });
        return p.done.future();
    }

    private void onAnswer(Message<JsonObject> message) {
        JsonObject answer = message.body();
        Pending p = answer == null ? null : pending.get(answer.getString("id"));
        if (p == null) {
            return; // after its deadline
        }
        p.answers.put(answer.getString("instance"), answer);
        if (p.expected != null && p.answers.keySet().containsAll(p.expected)) {
            finish(p);
        }
    }

    private void finish(Pending p) {
        if (pending.remove(p.id) == null) {
            return;
        }
        vertx.cancelTimer(p.timer);
        List<String> missing = new ArrayList<>();
        if (p.expected != null) {
            p.expected.stream().filter(i -> !p.answers.containsKey(i)).forEach(missing::add);
        }
        p.done.complete(new Gathered(List.copyOf(p.answers.values()), missing));
    }

    /** One query in flight. */
    private static final class Pending {
        final String id;
        final Map<String, JsonObject> answers = new LinkedHashMap<>();
        final Promise<Gathered> done = Promise.promise();
        Set<String> expected;
        long timer;

        Pending(String id) {
            this.id = id;
        }
    }
}
