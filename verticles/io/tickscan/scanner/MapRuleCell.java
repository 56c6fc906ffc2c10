package io.tickscan.scanner;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;

/**
 * The rule set in the cluster manager's map {@value #MAP} (Hazelcast, with a backup on another member; a local map
 * on a standalone node): it lives as long as one member does.
 */
final class MapRuleCell implements RuleCell {
    static final String MAP = "tickscan.rules";
    private static final String KEY = "current";
    private final Vertx vertx;

    MapRuleCell(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public Future<String> get() {
        return map().compose(m -> m.get(KEY));
    }

    @Override
    public Future<String> putIfAbsent(String value) {
        return map().compose(m -> m.putIfAbsent(KEY, value));
    }

    @Override
    public Future<Boolean> replace(String old, String next) {
        return map().compose(m -> m.replaceIfPresent(KEY, old, next));
    }

    private Future<AsyncMap<String, String>> map() {
        try {
            return vertx.sharedData().getAsyncMap(MAP);
        } catch (RuntimeException e) { // a cluster manager that has stopped throws instead of failing the future
            return Future.failedFuture(e);
        }
    }
}
