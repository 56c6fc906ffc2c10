package io.tickscan.web.query;

import io.vertx.core.json.JsonObject;

/**
 * A scanner query that cannot be answered as asked: the HTTP status to answer with and the JSON body, always
 * with an {@code "error"} in plain words. 400: a bad parameter (sort, order, limit, an empty id or symbol); 404:
 * no scanner runs that rule, or knows that symbol; 422: the previewed rule is not valid (the body then has
 * {@code "valid": false, "error_count", "errors"} as {@code POST /api/rules/validate}); 503: no scanner answered
 * within the deadline (the body names them in {@code "missing"}).
 */
public final class QueryException extends RuntimeException {
    private final int status;
    private final transient JsonObject body;

    /**
     * @param status the HTTP status
     * @param body   the JSON body, with {@code "error"}
     */
    public QueryException(int status, JsonObject body) {
        super(body.getString("error"), null, false, false);
        this.status = status;
        this.body = body;
    }

    /** A failure whose body is {@code {"error": message}}. */
    static QueryException of(int status, String message) {
        return new QueryException(status, new JsonObject().put("error", message));
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** The JSON body to answer with. */
    public JsonObject body() {
        return body;
    }
}
