package io.tickscan.web.ws;

import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;
import io.tickscan.web.OriginGuard;
import io.tickscan.web.TokenGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert websocket of one web verticle instance ({@code GET /ws/alerts}, see {@code docs/web-api.md}): it
 * consumes {@link Addresses#ALERTS} (cluster-wide), keeps the last {@code http.ws.history_alerts} of them, and
 * sends each to those of its own clients whose subscription passes it. Every alert is encoded to JSON once here
 * and the same text goes into every client's frames. Each client has its own bounded queue and is written to
 * only while its socket takes more, so a slow client costs the others nothing; a client gets at most one partial
 * frame per {@code http.ws.frame_ms}, and an alert for a client with none waiting leaves {@code frame_ms / 10}
 * after it arrived, with the alerts that arrived with it.
 *
 * <p>Use from the verticle that owns it, on its event loop: create it in {@code start()}, {@link #start()} it,
 * pass {@link #configure} the server's options, {@link #handshake} and {@link #connect} as the server's websocket
 * handshake and websocket handlers, and {@link #close()} it in {@code stop()}.
 */
public final class AlertSockets {
    private static final Logger LOG = LoggerFactory.getLogger(AlertSockets.class);
    private static final long CLOSE_WAIT_MS = 2000;

    private final Vertx vertx;
    private final Context context;
    private final WsSettings settings;
    private final HandshakeGuard guard;
    private final Function<JsonObject, Future<JsonObject>> screener;
    private final AlertHistory history;
    private final StoredHistory stored;
    private final ClientCount count;
    private final LongSupplier clock = () -> System.nanoTime() / 1_000_000;
    private final StringBuilder scratch = new StringBuilder(4096);
    private final List<AlertClient> clients = new ArrayList<>();
    /** Clients that got alerts while they had none waiting: they may be due at once. */
    private final List<AlertClient> fresh = new ArrayList<>();
    /** Clients with alerts waiting for their next frame time. */
    private final List<AlertClient> waiting = new ArrayList<>();
    private final Map<AlertClient, Screening> screenings = new IdentityHashMap<>();
    private final long granularityMs;
    /** How long the first alert for idle clients waits for the others of its burst (a scan's alerts come together). */
    private final long lingerMs;
    private MessageConsumer<Alert> consumer;
    private boolean freshQueued;
    private long timer = -1;
    private long timerAt = Long.MAX_VALUE;
    private long housekeeping = -1;
    private volatile int connectedHere;

    /**
     * @param vertx    the verticle's Vert.x; the current context must be the verticle's
     * @param http     the {@code http.*} configuration, with the node's id as {@code node}
     * @param token    the node's token, required in the handshake when set
     * @param origins  the origins a browser may connect from
     * @param screener the screener query: takes {@code {"rule", "sort", "order", "limit"}} and answers the body
     *                 of {@code GET /api/rules/{id}/matches}
     */
    public AlertSockets(Vertx vertx, JsonObject http, TokenGuard token, OriginGuard origins,
                        Function<JsonObject, Future<JsonObject>> screener) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.settings = WsSettings.of(http);
        this.guard = new HandshakeGuard(token, origins);
        this.screener = screener;
        this.history = new AlertHistory(settings.historyAlerts());
        this.stored = new StoredHistory(vertx, settings.historyAlerts());
        this.count = ClientCount.of(vertx);
        this.granularityMs = Math.max(1, settings.frameMs() / 10);
        this.lingerMs = settings.frameMs() / 10;
    }

    /** Sets the largest websocket frame and message the server takes on {@code options}, and returns them. */
    public HttpServerOptions configure(HttpServerOptions options) {
        return options.setMaxWebSocketFrameSize(settings.maxFrameBytes())
                .setMaxWebSocketMessageSize(settings.maxFrameBytes())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
    }

    /** Registers the alert consumer; completes once it is registered cluster-wide. */
    public Future<Void> start() {
        consumer = vertx.eventBus().consumer(Addresses.ALERTS, message -> receive(message.body()));
        housekeeping = vertx.setPeriodic(settings.checkPeriodMs(), id -> checkClients());
        return consumer.completion();
    }

    /** The server's websocket handshake handler: refuses with 404, 401 or 403 (see {@link HandshakeGuard}). */
    public void handshake(ServerWebSocketHandshake handshake) {
        int refusal = guard.check(handshake.path(), handshake.headers(), handshake.query());
        if (refusal == HandshakeGuard.ACCEPT) {
            handshake.accept();
        } else {
            handshake.reject(refusal);
        }
    }

    /** The server's websocket handler: serves one accepted client. */
    public void connect(ServerWebSocket ws) {
        AlertClient client = new AlertClient(new WebSocketSink(ws), settings, history, scratch, clock, this::wake);
        client.index = clients.size();
        clients.add(client);
        connectedHere = clients.size();
        count.add(1);
        ws.textMessageHandler(text -> {
            client.heard();
            receive(client, text);
        });
        ws.binaryMessageHandler(data -> {
            client.heard();
            client.bad("binary messages are not read: send JSON text");
        });
        ws.pongHandler(data -> client.heard());
        ws.exceptionHandler(e -> {
            if (e instanceof IllegalStateException && !client.closed()) {
                client.bad("the message has more than " + settings.maxFrameBytes() + " bytes; at most "
                        + settings.maxMessageBytes() + " (http.ws.max_message_bytes) are read");
            } else {
                LOG.debug("websocket {}: {}", ws.remoteAddress(), e.toString());
            }
        });
        ws.closeHandler(v -> remove(client));
        client.hello();
        // a subscription in the URL applies before the resume, so that what was missed is filtered by it
        String rules = HandshakeGuard.parameter(ws.query(), "rules");
        String symbols = HandshakeGuard.parameter(ws.query(), "symbols");
        if (rules != null || symbols != null) {
            JsonObject subscribe = new JsonObject().put("type", "subscribe");
            if (rules != null) {
                subscribe.put("rules", new JsonArray(List.of(rules.split(",", -1))));
            }
            if (symbols != null) {
                subscribe.put("symbols", new JsonArray(List.of(symbols.split(",", -1))));
            }
            receive(client, subscribe.encode());
        }
        String resume = HandshakeGuard.parameter(ws.query(), "resume");
        if (resume != null && !resume.isEmpty()) {
            resume(client, resume);
        }
    }

    /**
     * The alerts {@code query} selects, newest first, each as {@code AlertJson}: from the node's alert stream
     * when it has Redis (among its newest {@code http.ws.history_alerts}), else, or while Redis is away, from
     * this instance's history. Call on this instance's event loop.
     */
    public Future<JsonArray> history(HistoryQuery query) {
        return stored.select(query).recover(e -> Future.succeededFuture(recent(query)));
    }

    /** Resumes {@code client} after {@code after} from the alert stream, or from this instance's history. */
    private void resume(AlertClient client, String after) {
        stored.after(after).onComplete(done -> {
            if (done.failed()) {
                client.resume(after);
            } else {
                client.resume(after, done.result(), "not among the last " + settings.historyAlerts()
                        + " alerts of the stream: too old or unknown");
            }
        });
    }

    /**
     * The alerts of this instance's history that {@code query} selects, newest first, each as
     * {@code AlertJson}. Call on this instance's event loop.
     */
    public JsonArray recent(HistoryQuery query) {
        JsonArray out = new JsonArray();
        for (EncodedAlert alert : history.select(query)) {
            out.add(AlertJson.of(alert.alert()));
        }
        return out;
    }

    /** The websocket clients connected to this node now, over every web instance. */
    public int clients() {
        return count.get();
    }

    /** The websocket clients of this instance alone (any thread may ask). */
    int connectedHere() {
        return connectedHere;
    }

    /**
     * Stops taking alerts and closes every client with 1001 ("node stopping"); completes when they are closed or
     * after 2 s.
     */
    public Future<Void> close() {
        vertx.cancelTimer(housekeeping);
        vertx.cancelTimer(timer);
        List<Future<Void>> closing = new ArrayList<>();
        for (AlertClient client : new ArrayList<>(clients)) {
            closing.add(client.close((short) 1001, "node stopping"));
        }
        Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
        return Future.join(closing).timeout(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS).otherwiseEmpty()
                .compose(v -> unregistered).mapEmpty();
    }

    private void receive(Alert alert) {
        EncodedAlert encoded = EncodedAlert.of(alert);
        history.add(encoded);
        for (int i = 0; i < clients.size(); i++) {
            AlertClient client = clients.get(i);
            if (client.offer(encoded)) {
                if (client.frameFull()) {
                    flushNow(client);
                } else if (!client.dirty) {
                    client.dirty = true;
                    fresh.add(client);
                }
            }
        }
        if (!fresh.isEmpty() && !freshQueued) {
            freshQueued = true;
            if (lingerMs == 0) {
                context.runOnContext(v -> flushFresh());
            } else {
                vertx.setTimer(lingerMs, id -> flushFresh());
            }
        }
    }

    private void receive(AlertClient client, String text) {
        ClientMessage message;
        try {
            message = ClientMessage.parse(text, settings.maxMessageBytes());
        } catch (ClientMessage.Bad e) {
            client.bad(e.getMessage());
            return;
        }
        if (message instanceof ClientMessage.Subscribe subscribe) {
            client.subscribe(subscribe.subscription());
        } else if (message instanceof ClientMessage.Resume resume) {
            resume(client, resume.after());
        } else if (message instanceof ClientMessage.Screen screen) {
            unscreen(client);
            Screening screening = new Screening(vertx, screener, client, screen);
            screenings.put(client, screening);
            screening.start();
        } else {
            unscreen(client);
        }
    }

    private void unscreen(AlertClient client) {
        Screening screening = screenings.remove(client);
        if (screening != null) {
            screening.stop();
        }
    }

    /** A client whose socket drained, or that resumed, has alerts to send. */
    private void wake(AlertClient client) {
        flushNow(client);
    }

    private void flushNow(AlertClient client) {
        long due = client.flush();
        if (due != AlertClient.IDLE && !client.dirty) {
            client.dirty = true;
            waiting.add(client);
            arm(due);
        }
    }

    /**
     * Flushes the clients that got alerts while they had none waiting, {@code frame_ms / 10} after the first of
     * them (at the end of the event loop's turn when that is 0), so that alerts that arrive together (one scan's)
     * travel in one frame rather than one alone and the rest a frame later.
     */
    private void flushFresh() {
        freshQueued = false;
        long next = Long.MAX_VALUE;
        for (AlertClient client : fresh) {
            long due = client.flush();
            if (due == AlertClient.IDLE) {
                client.dirty = false;
            } else {
                waiting.add(client);
                next = Math.min(next, due);
            }
        }
        fresh.clear();
        arm(next);
    }

    /** Flushes the waiting clients that are due. */
    private void flushWaiting() {
        timer = -1;
        timerAt = Long.MAX_VALUE;
        long next = Long.MAX_VALUE;
        int kept = 0;
        for (int i = 0; i < waiting.size(); i++) {
            AlertClient client = waiting.get(i);
            long due = client.flush();
            if (due == AlertClient.IDLE) {
                client.dirty = false;
            } else {
                waiting.set(kept++, client);
                next = Math.min(next, due);
            }
        }
        waiting.subList(kept, waiting.size()).clear();
        arm(next);
    }

    /** Sets the timer of the waiting clients to fire at {@code due} (clock time), no sooner than needed. */
    private void arm(long due) {
        if (due == Long.MAX_VALUE) {
            return;
        }
        long now = clock.getAsLong();
        long at = Math.max(due, now + granularityMs);
        if (timer >= 0 && timerAt <= at) {
            return;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        timerAt = at;
        timer = vertx.setTimer(Math.max(1, at - now), id -> flushWaiting());
    }

    private void checkClients() {
        // backwards: a client dropped by check() may leave the list at once, the last one taking its place
        for (int i = clients.size() - 1; i >= 0; i--) {
            if (i < clients.size()) {
                clients.get(i).check();
            }
        }
    }

    private void remove(AlertClient client) {
        client.gone();
        unscreen(client);
        int at = client.index;
        if (at < 0) {
            return;
        }
        AlertClient last = clients.remove(clients.size() - 1);
        if (last != client) {
            clients.set(at, last);
            last.index = at;
        }
        client.index = -1;
        connectedHere = clients.size();
        count.add(-1);
    }
}
