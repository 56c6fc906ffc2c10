package io.tickscan.web.ws;

import io.vertx.core.json.JsonObject;

/**
 * The websocket settings, read from the {@code http.*} configuration ({@code http.ws.*}, plus {@code node}, the
 * node's id that the composition root puts in).
 */
record WsSettings(String node, int frameMs, int frameAlerts, int queueAlerts, long slowCloseMs, int historyAlerts,
                  long pingMs, int maxMessageBytes, int maxBadMessages) {

    /** Client messages (and frames) larger than this are refused by the protocol layer (close 1009). */
    static final int MIN_FRAME_BYTES = 65_536;

    static WsSettings of(JsonObject http) {
        JsonObject ws = http.getJsonObject("ws");
        return new WsSettings(http.getString("node", ""), ws.getInteger("frame_ms"), ws.getInteger("frame_alerts"),
                ws.getInteger("queue_alerts"), ws.getLong("slow_close_ms"), ws.getInteger("history_alerts"),
                ws.getLong("ping_ms"), ws.getInteger("max_message_bytes"), ws.getInteger("max_bad_messages"));
    }

    /** How often the clients are checked (pinged, closed when silent or too slow): a tenth of the shorter wait. */
    long checkPeriodMs() {
        return Math.max(10, Math.min(1000, Math.min(pingMs, slowCloseMs) / 10));
    }

    /**
     * A gap between two checks longer than this is the node's own stillness (frozen, starved, a long pause), not
     * its clients': half the shorter wait, and at least three periods.
     */
    long stallMs() {
        return Math.max(Math.min(pingMs, slowCloseMs) / 2, 3 * checkPeriodMs());
    }

    /**
     * The server's largest websocket frame and message: well above {@code max_message_bytes}, so that a message
     * a little too large gets an error frame, and at least 64 KiB, since it also cuts outgoing alert frames.
     */
    int maxFrameBytes() {
        return Math.max(MIN_FRAME_BYTES, 2 * maxMessageBytes);
    }
}
