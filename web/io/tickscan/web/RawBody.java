package io.tickscan.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Collects a request's body as raw bytes, up to a limit (413 beyond it, before reading when the request declares
 * its length), whatever its content type. Vert.x Web's {@code BodyHandler} would decode a body sent as
 * {@code application/x-www-form-urlencoded} (curl's default) as a form, which fails on ticks and rules.
 */
final class RawBody implements Handler<RoutingContext> {
    private static final String KEY = "tickscan.body";
    private final long limit;

    RawBody(long limit) {
        this.limit = limit;
    }

    /** The body collected for this request. */
    static Buffer of(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String declared = ctx.request().getHeader("content-length");
        if (declared != null && declared.length() < 19 && declared.chars().allMatch(Character::isDigit)
                && Long.parseLong(declared) > limit) {
            ctx.fail(413);
            return;
        }
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        ctx.request().handler(chunk -> {
            if (tooLarge[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                tooLarge[0] = true;
                ctx.fail(413);
            } else {
                body.appendBuffer(chunk);
            }
        });
        ctx.request().endHandler(v -> {
            if (!tooLarge[0]) {
                ctx.put(KEY, body);
                ctx.next();
            }
        });
        ctx.request().resume();
    }
}
