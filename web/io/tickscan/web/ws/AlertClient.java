package io.tickscan.web.ws;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One websocket client's state, confined to its web instance's event loop: its subscription, its queue of
 * alerts waiting for a frame, its frame sequence, and the clocks that decide when it gets a frame, when it is too
 * slow and when it has gone silent. It writes through a {@link FrameSink} and never blocks: when the socket's
 * write queue is full it writes nothing more (the queue keeps the newest {@code queue_alerts}) and stops reading
 * the client until the socket drains.
 */
final class AlertClient {
    /** {@link #flush()}: nothing to send now or later (empty, closed, or waiting for the socket to drain). */
    static final long IDLE = Long.MAX_VALUE;
    static final short TOO_SLOW = 4008;
    static final short SILENT = 4000;
    static final short POLICY = 1008;
    /** How long a closed client's close frame may take to leave before the connection is dropped. */
    static final long CLOSE_GRACE_MS = 1000;

    private final FrameSink sink;
    private final WsSettings settings;
    private final AlertHistory history;
    private final StringBuilder scratch;
    private final LongSupplier clock;
    private final Consumer<AlertClient> wake;
    private final PendingAlerts pending;
    private Subscription subscription = Subscription.ALL;
    private long seq;
    private long lastFrameAt = Long.MIN_VALUE / 2;
    private long blockedSince = -1;
    private boolean awaitingDrain;
    private long lastHeard;
    private long lastPingAt;
    /** When {@link #check()} last ran. */
    private long lastCheckAt;
    private int badMessages;
    private boolean closed;
    private long closedAt = -1;
    /** Kept by the owner: the client's place in its list of clients, and whether it is in its list to flush. */
    int index = -1;
    boolean dirty;

    /**
     * @param scratch the instance's frame builder (one thread uses it)
     * @param clock   monotonic milliseconds
     * @param wake    called when the client has something to send again after its socket drained
     */
    AlertClient(FrameSink sink, WsSettings settings, AlertHistory history, StringBuilder scratch, LongSupplier clock,
                Consumer<AlertClient> wake) {
        this.sink = sink;
        this.settings = settings;
        this.history = history;
        this.scratch = scratch;
        this.clock = clock;
        this.wake = wake;
        this.pending = new PendingAlerts(settings.queueAlerts());
        this.lastHeard = clock.getAsLong();
        this.lastPingAt = lastHeard;
        this.lastCheckAt = lastHeard;
    }

    /** The first frame. */
    void hello() {
        EncodedAlert oldest = history.oldest();
        send(new JsonObject().put("type", "hello").put("seq", ++seq).put("node", settings.node())
                .put("frame_ms", settings.frameMs()).put("history", new JsonObject()
                        .put("oldest", oldest == null ? null : oldest.alert().alertId()).put("size", history.size())));
    }

    /** Queues {@code alert} if the subscription passes it; true when it was queued. */
    boolean offer(EncodedAlert alert) {
        if (closed || !subscription.passes(alert.alert())) {
            return false;
        }
        pending.add(alert);
        return true;
    }

    /** True when a whole frame ({@code frame_alerts}) waits: it leaves at once. */
    boolean frameFull() {
        return pending.size() >= settings.frameAlerts();
    }

    /**
     * Sends what may be sent now: a {@code dropped} marker if alerts were dropped, then the waiting alerts, at most
     * {@code frame_alerts} a frame and one partial frame per {@code frame_ms}.
     *
     * @return when to call again (clock time), or {@link #IDLE}
     */
    long flush() {
        long now = clock.getAsLong();
        while (true) {
            if (closed || awaitingDrain || pending.isEmpty() && !pending.hasDropped()) {
                return IDLE;
            }
            if (sink.full()) {
                blocked();
                return IDLE;
            }
            if (!frameFull() && now - lastFrameAt < settings.frameMs()) {
                return lastFrameAt + settings.frameMs();
            }
            if (pending.hasDropped()) {
                send(frame("dropped").put("count", pending.takeDropped()));
            }
            if (!pending.isEmpty()) {
                scratch.setLength(0);
                scratch.append("{\"type\":\"alerts\",\"seq\":").append(++seq).append(",\"alerts\":[");
                pending.drainJson(Math.min(pending.size(), settings.frameAlerts()), scratch);
                sink.write(scratch.append("]}").toString());
            }
            lastFrameAt = now;
        }
    }

    /** Replaces the subscription; waiting alerts it does not pass are not sent. */
    void subscribe(Subscription next) {
        subscription = next;
        pending.retain(next);
        send(frame("subscribed").mergeIn(next.toJson()));
    }

    /**
     * Sends what was missed since {@code after} from this instance's history (a {@code resumed} frame, then the
     * alerts that pass the subscription, in place of those waiting), or a {@code gap} frame when the history does
     * not hold it or more were missed than this client's queue holds ({@code http.ws.queue_alerts}).
     */
    void resume(String after) {
        resume(after, history.after(after), "not in this node's history (the last " + history.size()
                + " alerts): too old or unknown", false);
    }

    /**
     * Sends {@code missed}, the alerts that came after {@code after} (oldest first, read from the alert stream),
     * as {@link #resume(String)} does from the history, or a {@code gap} frame saying {@code notFound} when it is
     * null. The alerts that arrived while the stream was read and are not among {@code missed} stay queued after
     * them.
     */
    void resume(String after, List<EncodedAlert> missed, String notFound) {
        resume(after, missed, notFound, true);
    }

    private void resume(String after, List<EncodedAlert> missed, String notFound, boolean keepArrived) {
        if (missed == null) {
            send(frame("gap").put("after", after).put("reason", notFound + "; reload from GET /api/alerts"));
            return;
        }
        int count = 0;
        Set<String> missedIds = new HashSet<>();
        for (EncodedAlert alert : missed) {
            if (subscription.passes(alert.alert())) {
                count++;
                missedIds.add(alert.alert().alertId());
            }
        }
        if (count > settings.queueAlerts()) {
            send(frame("gap").put("after", after).put("reason", count + " alerts were missed, more than the "
                    + settings.queueAlerts() + " a client is sent at once (http.ws.queue_alerts); reload from "
                    + "GET /api/alerts"));
            return;
        }
        List<EncodedAlert> arrived = keepArrived ? pending.takeAll() : List.of();
        pending.clear();
        send(frame("resumed").put("after", after).put("count", count));
        for (EncodedAlert alert : missed) {
            offer(alert);
        }
        for (EncodedAlert alert : arrived) {
            if (!missedIds.contains(alert.alert().alertId())) {
                pending.add(alert);
            }
        }
        if (!pending.isEmpty()) {
            wake.accept(this);
        }
    }

    /** Answers a bad message with an {@code error} frame, or closes with 1008 beyond {@code max_bad_messages}. */
    void bad(String why) {
        if (++badMessages > settings.maxBadMessages()) {
            close(POLICY, "too many bad messages");
        } else {
            error(why);
        }
    }

    /** An {@code error} frame. */
    void error(String why) {
        send(frame("error").put("error", why));
    }

    /** A {@code matches} frame: {@code body} is the screener's answer; skipped while the socket is full. */
    void matches(String rule, JsonObject body) {
        if (closed || sink.full()) {
            return;
        }
        JsonObject frame = frame("matches").put("rule", rule);
        body.forEach(field -> {
            if (!frame.containsKey(field.getKey())) {
                frame.put(field.getKey(), field.getValue());
            }
        });
        send(frame);
    }

    /** The client sent something (a pong included). */
    void heard() {
        lastHeard = clock.getAsLong();
    }

    /**
     * Closes the client when it is too slow (4008) or silent (4000), else pings it when a ping is due; drops the
     * connection of a client closed {@value #CLOSE_GRACE_MS} ms ago that is still there. Called every
     * {@link WsSettings#checkPeriodMs()}; when the last call is more than {@link WsSettings#stallMs()} ago, the node
     * itself stood still (frozen, starved, a long pause) and neither pongs nor drains could be handled meanwhile, so
     * the client's silence and blocked writes are counted again from now, not held against it.
     *
     * @return true when it is closed
     */
    boolean check() {
        long now = clock.getAsLong();
        if (now - lastCheckAt > settings.stallMs()) {
            lastHeard = now;
            if (blockedSince >= 0) {
                blockedSince = now;
            }
        }
        lastCheckAt = now;
        if (closed) {
            if (closedAt >= 0 && now - closedAt >= CLOSE_GRACE_MS) {
                closedAt = -1;
                sink.abort();
            }
        } else if (blockedSince >= 0 && now - blockedSince >= settings.slowCloseMs()) {
            close(TOO_SLOW, "too slow");
        } else if (now - lastHeard >= 3 * settings.pingMs()) {
            close(SILENT, "no answer to pings");
        } else if (now - lastPingAt >= settings.pingMs() && !sink.full()) {
            lastPingAt = now;
            sink.ping();
        }
        return closed;
    }

    Future<Void> close(short code, String reason) {
        closed = true;
        closedAt = clock.getAsLong();
        pending.clear();
        return sink.close(code, reason);
    }

    boolean closed() {
        return closed;
    }

    /** The connection is gone (closed by either side). */
    void gone() {
        closed = true;
        pending.clear();
    }

    /** A new frame object with its type and the next sequence number, in that order. */
    private JsonObject frame(String type) {
        return new JsonObject().put("type", type).put("seq", ++seq);
    }

    private void send(JsonObject frame) {
        if (closed) {
            return;
        }
        if (sink.full()) {
            blocked();
        }
        sink.write(frame.encode());
    }

    private void blocked() {
        if (blockedSince < 0) {
            blockedSince = clock.getAsLong();
        }
        if (!awaitingDrain) {
            awaitingDrain = true;
            sink.pauseReading();
            sink.onDrain(this::drained);
        }
    }

    private void drained() {
        awaitingDrain = false;
        blockedSince = -1;
        if (!closed) {
            sink.resumeReading();
            wake.accept(this);
        }
    }
}
