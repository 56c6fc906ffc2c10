package io.tickscan.web;

import static io.tickscan.web.Replies.error;
import static io.tickscan.web.Replies.json;
import static io.tickscan.web.Replies.unavailable;

import io.tickscan.codec.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Locale;

/**
 * The node endpoints of the OpenAPI document: {@code POST /api/ticks} (its rows are checked by the ingest, so the
 * document does not validate its body) and {@code GET /api/status}.
 */
final class NodeRoutes {
    private final Vertx vertx;

    NodeRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Attaches the handlers to the document's operations. */
    void mount(RouterBuilder api) {
        api.getRoute("postTicks").setDoValidation(false).addHandler(this::postTicks);
        api.getRoute("getStatus").addHandler(this::status);
    }

    private void postTicks(RoutingContext ctx) {
        Buffer payload = RawBody.of(ctx);
        if (Replies.isBlank(payload)) {
            json(ctx, 400, error("the body is empty: send NDJSON ticks or CSV with a header"));
            return;
        }
        BodyFormat format;
        try {
            format = BodyFormat.of(ctx.request().getHeader("content-type"), payload);
        } catch (BodyFormat.Unreadable e) {
            json(ctx, e.status, error(e.getMessage()));
            return;
        }
        vertx.eventBus().<JsonObject>request(Addresses.INGEST_HTTP, payload,
                        Addresses.local().addHeader("format", format.name().toLowerCase(Locale.ROOT)))
                .onComplete(reply -> {
                    if (reply.succeeded()) {
                        json(ctx, 200, reply.result().body());
                    } else {
                        unavailable(ctx, reply.cause(),
                                "HTTP ingest is not enabled on this node (sources.http.enabled)");
                    }
                });
    }

    private void status(RoutingContext ctx) {
        vertx.eventBus().<JsonObject>request(Addresses.NODE_STATUS, null, Addresses.local()).onComplete(reply -> {
            if (reply.succeeded()) {
                json(ctx, 200, reply.result().body());
            } else {
                unavailable(ctx, reply.cause(), "the node is starting");
            }
        });
    }
}
