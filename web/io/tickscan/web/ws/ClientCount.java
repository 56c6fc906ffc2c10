package io.tickscan.web.ws;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.atomic.AtomicInteger;

/** The websocket clients of every web instance of one node (one Vert.x instance), shared through its local map. */
final class ClientCount implements Shareable {
    private final AtomicInteger count = new AtomicInteger();

    /** The count of {@code vertx}'s node, made by the first instance that asks. */
    static ClientCount of(Vertx vertx) {
        return vertx.sharedData().<String, ClientCount>getLocalMap("tickscan.web.ws")
                .computeIfAbsent("clients", key -> new ClientCount());
    }

    void add(int delta) {
        count.addAndGet(delta);
    }

    int get() {
        return count.get();
    }
}
