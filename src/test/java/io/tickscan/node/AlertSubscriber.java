package io.tickscan.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A user's websocket on {@code /ws/alerts} of one node (the JDK's client, independent of the code under test),
 * subscribed to everything: keeps every alert it receives with its arrival time, in order of arrival, and the
 * newest scan time it has seen of each symbol for one rule (what the test polls to see that a symbol is scanned).
 * Frames other than {@code hello} and {@code alerts} ({@code dropped}, {@code gap}, {@code error}) are kept as
 * problems.
 */
final class AlertSubscriber implements WebSocket.Listener {
    /** One alert as received: its JSON and the wall clock (ms) when its frame arrived. */
    record Received(JsonObject alert, long arrivedMs) {
        String alertId() {
            return alert.getString("alert_id");
        }

        long ts() {
            return alert.getLong("ts");
        }
    }

    final String node;
    private final String watchedRule;
    private final List<Received> received = new ArrayList<>();
    private final Map<String, Long> newestScanOfWatchedRule = new ConcurrentHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    /** How the websocket ended, null while it is open. */
    private volatile String ended;

    private AlertSubscriber(String node, String watchedRule) {
        this.node = node;
        this.watchedRule = watchedRule;
    }

    /** Opens the websocket of {@code node} on {@code httpPort}, waiting up to 10 s for the handshake. */
    static AlertSubscriber open(String node, int httpPort, String watchedRule) throws Exception {
        AlertSubscriber subscriber = new AlertSubscriber(node, watchedRule);
        HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/ws/alerts"), subscriber)
                .get(10, TimeUnit.SECONDS);
        return subscriber;
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frame(new JsonObject(partial.toString()), System.currentTimeMillis());
            partial.setLength(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
        ended = "closed by the node at " + System.currentTimeMillis() + ": " + statusCode + " " + reason;
        return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        ended = "failed at " + System.currentTimeMillis() + ": " + error;
    }

    /** How the websocket ended (closed by the node, or failed, with the wall clock), or null while it is open. */
    String ended() {
        return ended;
    }

    private void frame(JsonObject frame, long arrivedMs) {
        switch (frame.getString("type")) {
            case "hello" -> {
            }
            case "alerts" -> {
                JsonArray alerts = frame.getJsonArray("alerts");
                synchronized (this) {
                    for (int i = 0; i < alerts.size(); i++) {
                        JsonObject alert = alerts.getJsonObject(i);
                        received.add(new Received(alert, arrivedMs));
                        if (watchedRule.equals(alert.getString("rule_id"))) {
                            newestScanOfWatchedRule.merge(alert.getString("symbol"), alert.getLong("ts"), Math::max);
                        }
                    }
                }
            }
            default -> {
                synchronized (this) {
                    problems.add(frame.encode());
                }
            }
        }
    }

    /** True when each of {@code symbols} has an alert of the watched rule for a scan after {@code afterTs}. */
    boolean everyScannedAfter(List<String> symbols, long afterTs) {
        return symbols.stream().allMatch(s -> newestScanOfWatchedRule.getOrDefault(s, Long.MIN_VALUE) > afterTs);
    }

    /** The {@code symbols} with no alert of the watched rule for a scan after {@code afterTs}. */
    List<String> notScannedAfter(List<String> symbols, long afterTs) {
        return symbols.stream().filter(s -> newestScanOfWatchedRule.getOrDefault(s, Long.MIN_VALUE) <= afterTs)
                .toList();
    }

    /**
     * When (wall clock, ms) the last of {@code symbols} received its first alert of the watched rule for a scan
     * after {@code afterTs}; call once {@link #everyScannedAfter} holds.
     */
    synchronized long allScannedAgainAt(List<String> symbols, long afterTs) {
        Map<String, Long> first = new HashMap<>();
        for (Received r : received) {
            if (watchedRule.equals(r.alert().getString("rule_id")) && r.ts() > afterTs) {
                first.putIfAbsent(r.alert().getString("symbol"), r.arrivedMs());
            }
        }
        return symbols.stream().mapToLong(s -> first.getOrDefault(s, Long.MAX_VALUE)).max().orElseThrow();
    }

    /** A copy of every alert received so far, in order of arrival. */
    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }
}
