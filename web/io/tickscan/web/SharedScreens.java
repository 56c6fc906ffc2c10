package io.tickscan.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The screener answers of one web instance, shared by the websocket clients that screen the same rule the same
 * way ({@code rule, sort, order, limit}): each is asked of the cluster at most once per {@value #FRESH_MS} ms
 * however many clients watch it, and a question in flight is shared too. Confined to the instance's event loop.
 */
final class SharedScreens implements Function<JsonObject, Future<JsonObject>> {
    static final long FRESH_MS = 900;
    private final Function<JsonObject, Future<JsonObject>> screener;
    private final LongSupplier clock;
    private final Map<String, Answer> answers = new HashMap<>();

    /**
     * @param screener asks the cluster: takes {@code {"rule", "sort", "order", "limit"}}
     * @param clock    milliseconds
     */
    SharedScreens(Function<JsonObject, Future<JsonObject>> screener, LongSupplier clock) {
        this.screener = screener;
        this.clock = clock;
    }

    @Override
    public Future<JsonObject> apply(JsonObject screen) {
        long now = clock.getAsLong();
        answers.values().removeIf(answer -> now - answer.askedAt > FRESH_MS && answer.future.isComplete());
        String key = screen.encode();
        Answer answer = answers.get(key);
        if (answer == null) {
            answer = new Answer(screener.apply(screen), now);
            answers.put(key, answer);
        }
        return answer.future;
    }

    /** The size of the cache, for tests. */
    int size() {
        return answers.size();
    }

    private record Answer(Future<JsonObject> future, long askedAt) {
    }
}
