package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test's websocket client of {@code /ws/alerts}: keeps every frame it reads, checks that their {@code seq}
 * numbers run 1, 2, 3... and waits for frames with a timeout (never a fixed sleep).
 */
final class TestSocket {
    final WebSocket ws;
    final Promise<Short> closed = Promise.promise();
    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private volatile long lastSeq;
    private volatile String seqProblem;

    private TestSocket(WebSocket ws) {
        this.ws = ws;
        ws.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            long seq = frame.getLong("seq");
            if (seq != lastSeq + 1 && seqProblem == null) {
                seqProblem = "seq " + seq + " after " + lastSeq + " in " + text;
            }
            lastSeq = seq;
            frames.add(frame);
        });
        ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    }

    static Future<TestSocket> open(WebSocketClient client, WebSocketConnectOptions options) {
        return io.tickscan.node.TestNodes.connect(client, options).map(TestSocket::new);
    }

    /** The next frame, waiting up to {@code seconds}. */
    JsonObject next(int seconds) throws InterruptedException {
        JsonObject frame = frames.poll(seconds, TimeUnit.SECONDS);
        assertThat(frame).as("a frame within %d s", seconds).isNotNull();
        assertThat(seqProblem).as("contiguous seq").isNull();
        return frame;
    }

    /** The next frame of {@code type}, skipping none: the next frame must be of that type. */
    JsonObject next(String type, int seconds) throws InterruptedException {
        JsonObject frame = next(seconds);
        assertThat(frame.getString("type")).as("type of %s", frame).isEqualTo(type);
        return frame;
    }

    /**
     * The alerts of the {@code alerts} frames read until one holds an alert matching {@code last} (that one
     * included), waiting up to {@code seconds} in all; other frame types fail.
     */
    List<JsonObject> alertsUntil(Predicate<JsonObject> last, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<JsonObject> alerts = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonObject frame = frames.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertThat(frame).as("the awaited alert within %d s; got %s", seconds, alerts).isNotNull();
            assertThat(frame.getString("type")).as("frame %s", frame).isEqualTo("alerts");
            JsonArray batch = frame.getJsonArray("alerts");
            for (int i = 0; i < batch.size(); i++) {
                alerts.add(batch.getJsonObject(i));
                if (last.test(batch.getJsonObject(i))) {
                    assertThat(seqProblem).as("contiguous seq").isNull();
                    return alerts;
                }
            }
        }
    }

    /** Frames read and not yet taken. */
    List<JsonObject> drain() {
        List<JsonObject> out = new ArrayList<>();
        frames.drainTo(out);
        return out;
    }

    void send(String text) {
        ws.writeTextMessage(text).await();
    }

    void send(JsonObject message) {
        send(message.encode());
    }

    void close() {
        if (!ws.isClosed()) {
            ws.close().await();
        }
    }
}
