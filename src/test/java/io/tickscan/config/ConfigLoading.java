package io.tickscan.config;

import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;

/**
 * For tests of other packages: a node's configuration loaded as {@code tickscan run --conf FILE} would load it, with a
 * given environment in place of the process's, so that the {@code TICKSCAN_*} variables of a deployment (a compose
 * file's service) can be checked together with its file.
 */
public final class ConfigLoading {
    private ConfigLoading() {
    }

    /**
     * The jar's defaults, then {@code file}, then the {@code TICKSCAN_*} variables of {@code environment}, validated.
     *
     * @throws NodeConfigLoader.ConfigException with every problem, as {@code run} would report them
     */
    public static NodeConfig load(Vertx vertx, Path file, Map<String, String> environment) {
        JsonObject variables = new JsonObject();
        environment.forEach(variables::put);
        return NodeConfigLoader.load(vertx, file, new ConfigStoreOptions().setType("json").setConfig(variables))
                .await();
    }
}
