package io.tickscan.web;

import static io.tickscan.web.Replies.error;
import static io.tickscan.web.Replies.json;
import static io.tickscan.web.Replies.unavailable;

import io.tickscan.codec.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.function.ObjLongConsumer;

/**
 * The rules endpoints of the OpenAPI document: the set (list, replace), one rule (get, create, replace, delete,
 * enable, disable) and validation. Every change goes to this node's rules verticle, which stores it cluster-wide
 * under the next version; every scanner of every member runs it from its next scan.
 */
final class RulesRoutes {
    private final Vertx vertx;

    RulesRoutes(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Attaches the handlers to the document's operations. */
    void mount(RouterBuilder api) {
        api.getRoute("listRules").addHandler(this::list);
        api.getRoute("getRule").addHandler(this::get);
        api.getRoute("replaceRules").addHandler(ctx -> change(ctx, Addresses.RULES_REPLACE,
                RawBody.of(ctx).toString(), 200));
        api.getRoute("createRule").addHandler(ctx -> {
            JsonObject rule = body(ctx);
            edit(ctx, "create", rule.getValue("id") instanceof String id ? id : "", rule, 201);
        });
        api.getRoute("replaceRule").addHandler(this::replace);
        api.getRoute("deleteRule").addHandler(ctx -> edit(ctx, "delete", id(ctx), null, 200));
        api.getRoute("enableRule").addHandler(ctx -> edit(ctx, "enable", id(ctx), null, 200));
        api.getRoute("disableRule").addHandler(ctx -> edit(ctx, "disable", id(ctx), null, 200));
        api.getRoute("validateRules").addHandler(ctx -> vertx.eventBus()
                .<JsonObject>request(Addresses.RULES_VALIDATE, RawBody.of(ctx).toString(), Addresses.local())
                .onComplete(reply -> {
                    if (reply.failed()) {
                        unavailable(ctx, reply.cause(), "rules cannot be validated yet");
                    } else {
                        JsonObject result = reply.result().body();
                        json(ctx, result.getBoolean("valid") ? 200 : 422, result);
                    }
                }));
    }

    private void list(RoutingContext ctx) {
        current(ctx, (rules, version) -> {
            ctx.response().putHeader("etag", "\"" + version + "\"");
            json(ctx, 200, new JsonObject().put("version", version).put("rules", rules));
        });
    }

    private void get(RoutingContext ctx) {
        String id = id(ctx);
        current(ctx, (rules, version) -> {
            for (Object rule : rules) {
                if (rule instanceof JsonObject r && id.equals(r.getValue("id"))) {
                    ctx.response().putHeader("etag", "\"" + version + "\"");
                    json(ctx, 200, r);
                    return;
                }
            }
            json(ctx, 404, error("no rule with id '" + id + "'"));
        });
    }

    private void replace(RoutingContext ctx) {
        String id = id(ctx);
        JsonObject rule = body(ctx);
        Object given = rule.getValue("id");
        if (given != null && !id.equals(given)) {
            json(ctx, 400, error("the body's id '" + Echo.cut(String.valueOf(given)) + "' is not the path's '" + id
                    + "'; to rename a rule, create the new one and delete the old"));
            return;
        }
        edit(ctx, "replace", id, rule.put("id", id), 200);
    }

    private void edit(RoutingContext ctx, String op, String id, JsonObject rule, int status) {
        JsonObject edit = new JsonObject().put("op", op).put("id", id);
        if (rule != null) {
            edit.put("rule", rule);
        }
        change(ctx, Addresses.RULES_EDIT, edit, status);
    }

    private void change(RoutingContext ctx, String address, Object message, int status) {
        vertx.eventBus().<JsonObject>request(address, message, Addresses.local()).onComplete(reply -> {
            if (reply.failed()) {
                unavailable(ctx, reply.cause(), "rules cannot be changed yet");
            } else {
                JsonObject result = reply.result().body();
                json(ctx, result.getBoolean("accepted") ? status : 422, result);
            }
        });
    }

    /** Hands the version and the rules array this node runs to {@code then}, or answers 503. */
    private void current(RoutingContext ctx, ObjLongConsumer<JsonArray> then) {
        vertx.eventBus().<JsonObject>request(Addresses.RULES_CURRENT, null, Addresses.local()).onComplete(reply -> {
            if (reply.failed()) {
                unavailable(ctx, reply.cause(), "rules are not loaded yet");
                return;
            }
            JsonObject current = reply.result().body();
            then.accept(current.getJsonArray("rules"), current.getLong("version"));
        });
    }

    private static String id(RoutingContext ctx) {
        return ApiContract.validated(ctx).getPathParameters().get("id").getString();
    }

    private static JsonObject body(RoutingContext ctx) {
        return ApiContract.validated(ctx).getBody().getJsonObject();
    }
}
