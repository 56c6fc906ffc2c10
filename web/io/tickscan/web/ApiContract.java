package io.tickscan.web;

import io.tickscan.codec.JsonText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.Map;

/**
 * The REST API's OpenAPI document ({@value #DOCUMENT} in the jar, served at {@code /openapi.yaml}) as the
 * router's source and its request validator. Bodies come from {@link RawBody}; a JSON body sent with curl's
 * default type ({@code application/x-www-form-urlencoded}), {@code text/plain} or no type is validated as the
 * JSON it is ({@link BodyFormat#mayHoldJson}).
 */
final class ApiContract {
    private final OpenAPIContract contract;
    private final RouterBuilder builder;
    /** Classpath location of the document. */
    static final String DOCUMENT = "webroot/openapi.yaml";

    private ApiContract(OpenAPIContract contract, RouterBuilder builder) {
        this.contract = contract;
        this.builder = builder;
    }

    /** The document, with a router builder over it whose routes read bodies from {@link RawBody}. */
    static Future<ApiContract> load(Vertx vertx) {
        return OpenAPIContract.from(vertx, DOCUMENT).map(contract -> new ApiContract(contract,
                RouterBuilder.create(vertx, contract, ApiContract::extract)));
    }

    /** The router builder of the document. */
    RouterBuilder builder() {
        return builder;
    }

    /** True when {@code method path} is an operation the document marks as a change (it has {@code security}). */
    boolean changes(String path, HttpMethod method) {
        Operation operation = contract.findOperation(path, method);
        return operation != null && !operation.getSecurityRequirements().isEmpty();
    }

    /** The request as the validator sees it: the raw body, typed as JSON when it may hold JSON. */
    private static Future<ValidatableRequest> extract(RoutingContext ctx, Operation operation) {
        return RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(RawBody.of(ctx)))
                .map(request -> BodyFormat.mayHoldJson(request.getContentType()) && request.getBody() != null
                        && !request.getBody().isEmpty() ? new JsonTyped(request) : request);
    }

    /**
     * A request the document refused, as its status (415 for a body type it cannot read, else 400) and a message
     * that says what and where; null when {@code failure} is not such a refusal.
     */
    static Refusal refusal(RoutingContext ctx, Throwable failure) {
        if (!(failure instanceof HttpException http && http.getCause() instanceof ValidatorException refused)) {
            return null;
        }
        if (refused.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
            return new Refusal(415, "content-type " + Echo.cut(ctx.request().getHeader("content-type"))
                    + " cannot be read here: send application/json");
        }
        Buffer body = RawBody.of(ctx);
        if (refused.getMessage().contains("request body") && body != null && Replies.isBlank(body)) {
            return new Refusal(400, "the body is empty: send the JSON this operation takes (see /openapi.yaml)");
        }
        if (refused.getMessage().contains("request body") && body != null && body.length() > 0) {
            try {
                Json.decodeValue(body);
            } catch (DecodeException e) {
                return new Refusal(400, "the body is not valid JSON" + JsonText.problem(e));
            }
        }
        String message = refused.getMessage();
        if (refused instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
            OutputUnit unit = firstError(schema.getOutputUnit());
            String value = unit.getInstanceLocation() == null || unit.getInstanceLocation().replace("#", "").isEmpty() ? ""
                    : " (at " + unit.getInstanceLocation() + ")";
            message = message.replaceFirst("\\. Reason: .*", "") + ": " + unit.getError() + value
                    + constraint(unit.getKeywordLocation());
        }
        return new Refusal(400, message);
    }

    /** The innermost unit that says what is wrong: the first error of the first error, and so on. */
    private static OutputUnit firstError(OutputUnit unit) {
        while (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
            unit = unit.getErrors().get(0);
        }
        return unit;
    }

    /** The part of the schema that refused, as {@code ; see the document at <path>}. */
    private static String constraint(String keywordLocation) {
        return keywordLocation == null || keywordLocation.isEmpty() ? ""
                : "; see /openapi.yaml at " + keywordLocation;
    }

    /** Why and how a request was refused. */
    record Refusal(int status, String message) {
    }

    /** The request that was validated for this route. */
    static ValidatedRequest validated(RoutingContext ctx) {
        return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    }

    /** A request whose body is declared as {@code application/json}, everything else as extracted. */
    private record JsonTyped(ValidatableRequest request) implements ValidatableRequest {
        @Override
        public String getContentType() {
            return "application/json";
        }

        @Override
        public Map<String, RequestParameter> getCookies() {
            return request.getCookies();
        }

        @Override
        public Map<String, RequestParameter> getPathParameters() {
            return request.getPathParameters();
        }

        @Override
        public Map<String, RequestParameter> getQuery() {
            return request.getQuery();
        }

        @Override
        public Map<String, RequestParameter> getHeaders() {
            return request.getHeaders();
        }

        @Override
        public RequestParameter getBody() {
            return request.getBody();
        }
    }
}
