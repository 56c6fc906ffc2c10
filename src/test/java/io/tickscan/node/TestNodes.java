package io.tickscan.node;

import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

/** Real nodes for the {@code *IT} suites, configured as a user would: a {@code --conf} file over the defaults. */
public final class TestNodes {
    private TestNodes() {
    }

    /**
     * Connects {@code client} as {@code options} say, trying again (three times in all) when Vert.x 5's client
     * drops its connection during the handshake ("Connection evicted", eclipse-vertx/vert.x#5839, seen in CI); a
     * refusal by the node, an HTTP status, is not tried again.
     */
    public static Future<WebSocket> connect(WebSocketClient client, WebSocketConnectOptions options) {
        return connect(client, options, 3);
    }

    private static Future<WebSocket> connect(WebSocketClient client, WebSocketConnectOptions options, int attempts) {
        return client.connect(options).recover(e -> attempts > 1 && e instanceof WebSocketHandshakeException
                && String.valueOf(e.getMessage()).contains("Connection closed while handshake in process")
                ? connect(client, options, attempts - 1) : Future.failedFuture(e));
    }

    /** The configuration a node gets from {@code conf} written as {@code dir/<name>} and layered on the defaults. */
    public static NodeConfig config(Path dir, String name, JsonObject conf) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, conf.encodePrettily());
        Vertx loader = Vertx.vertx();
        try {
            return NodeConfigLoader.load(loader, file).await();
        } finally {
            loader.close().await();
        }
    }

    /** A node started (within 120 s) on the wall clock with {@code conf} written as {@code dir/tickscan.json}. */
    public static TickscanNode start(Path dir, JsonObject conf) throws Exception {
        TickscanNode node = new TickscanNode(config(dir, "tickscan.json", conf), System::currentTimeMillis);
        node.start().await(120, TimeUnit.SECONDS);
        return node;
    }

    /** Stops every node, each within 30 s; one that fails to stop (its Hazelcast terminated) does not stop the rest. */
    public static void stopAll(List<TickscanNode> nodes) {
        for (TickscanNode node : nodes) {
            try {
                node.stop().await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a node whose Hazelcast was terminated stops with an error; the others must still stop
            }
        }
    }

    /** Polls {@code condition} until it holds, failing after {@code seconds}; polls, never waits for time to pass. */
    public static void await(String what, int seconds, BooleanSupplier condition) {
        await(what, seconds, condition, () -> "");
    }

    /** As {@link #await(String, int, BooleanSupplier)}, with {@code context} (such as meters) in the failure. */
    public static void await(String what, int seconds, BooleanSupplier condition, Supplier<String> context) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String more = context.get();
                throw new AssertionError(what + " within " + seconds + " s" + (more.isEmpty() ? "" : "; " + more));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
