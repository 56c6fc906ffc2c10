package io.tickscan.scanner;

import io.tickscan.codec.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

/**
 * A scanner instance's side of the scanner queries: a cluster-wide consumer of {@link Addresses#SCANNER_QUERY}
 * that sends each answer ({@link QueryAnswers}) to the query's {@code reply_to}, and the instance's entry in
 * {@link Addresses#SCANNER_REGISTRY}, {@code {"instance", "node", "member", "partitions"}}, put once the consumer
 * is registered and removed before it is unregistered, so that an instance in the registry can always be asked.
 * The consumer is registered from the scanner's context: queries are answered there, between scans.
 */
final class QueryEndpoint {
    private final Vertx vertx;
    private final QueryAnswers answers;
    private final JsonObject entry;
    private final FailureLog failures;
    private MessageConsumer<JsonObject> consumer;

    /** @param entry this instance's registry entry; its {@code instance} is the key */
    QueryEndpoint(Vertx vertx, QueryAnswers answers, JsonObject entry, FailureLog failures) {
        this.vertx = vertx;
        this.answers = answers;
        this.entry = entry;
        this.failures = failures;
    }

    /** Registers the consumer cluster-wide, then puts the instance in the registry. */
    Future<Void> start() {
        consumer = vertx.eventBus().consumer(Addresses.SCANNER_QUERY, this::onQuery);
        return consumer.completion().compose(v -> registry()).compose(map -> map.put(instance(), entry));
    }

    /** Removes the instance from the registry, then unregisters the consumer. */
    Future<Void> stop() {
        if (consumer == null) {
            return Future.succeededFuture();
        }
        return registry().compose(map -> map.remove(instance())).<Void>mapEmpty()
                .recover(e -> {
                    failures.failed("leaving the scanner registry on scanner " + instance(), e);
                    return Future.succeededFuture();
                })
                .compose(v -> consumer.unregister());
    }

    private Future<AsyncMap<String, JsonObject>> registry() {
        return vertx.sharedData().getAsyncMap(Addresses.SCANNER_REGISTRY);
    }

    private String instance() {
        return entry.getString("instance");
    }

    private void onQuery(Message<JsonObject> message) {
        JsonObject query = message.body();
        if (query == null || !(query.getValue("reply_to") instanceof String replyTo)) {
            return; // nowhere to answer
        }
        JsonObject answer;
        try {
            answer = answers.answer(query);
        } catch (RuntimeException e) {
            failures.failed("answering a " + query.getValue("kind") + " query on scanner " + instance(), e);
            answer = new JsonObject().put("id", query.getValue("id")).put("instance", instance())
                    .put("node", entry.getString("node")).put("error", "the scanner failed to answer; see its log");
        }
        vertx.eventBus().send(replyTo, answer);
    }
}
