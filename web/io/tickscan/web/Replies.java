package io.tickscan.web;

import io.tickscan.codec.Addresses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How the web side answers: JSON bodies, plain-word errors, and the status of a request this node could not serve. */
final class Replies {
    private Replies() {
    }

    /** {@code {"error": message}}. */
    static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }

    /** Ends the response with {@code body} as JSON. */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    /**
     * Answers a request this node could not serve: 503 when nothing on this node consumes the address or it did
     * not answer in time; the consumer's own status and plain message when it refused (codes 400 to 599).
     */
    static void unavailable(RoutingContext ctx, Throwable cause, String noHandlers) {
        if (cause instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE
                && e.failureCode() >= 400 && e.failureCode() < 600) {
            json(ctx, e.failureCode(), error(e.getMessage()));
            return;
        }
        boolean absent = cause instanceof ReplyException e && e.failureType() == ReplyFailure.NO_HANDLERS;
        json(ctx, 503, error(absent ? noHandlers : "this node did not answer within "
                + Addresses.LOCAL_TIMEOUT_MS / 1000 + " s; see its log"));
    }

    /** True when the body holds nothing but white space. */
    static boolean isBlank(Buffer payload) {
        for (int i = 0; i < payload.length(); i++) {
            if (!Character.isWhitespace(payload.getByte(i))) {
                return false;
            }
        }
        return true;
    }
}
