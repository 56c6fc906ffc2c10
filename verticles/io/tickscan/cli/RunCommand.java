package io.tickscan.cli;

import io.tickscan.config.NodeConfig;
import io.tickscan.config.NodeConfigLoader;
import io.tickscan.node.TickscanNode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tickscan run}: starts a node and keeps it running until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Starts a tickscan node: sources, routing, scanners, HTTP API and metrics, clustered with "
                + "the other nodes of its cluster.",
            "Every setting of the configuration file can be overridden by an environment variable "
                + "TICKSCAN_<PATH>, for example TICKSCAN_HTTP_PORT=9090 for http.port.",
            "Stops gracefully on SIGTERM: sources stop and flush, the scan in progress finishes, the node leaves "
                + "the cluster."})
public final class RunCommand implements Callable<Integer> {
    /** The exit code that tells {@link TickscanCommand#main} to leave the JVM running. */
    static final int RUNNING = -1;
    private static final long STOP_TIMEOUT_SECONDS = 30;

    @Option(names = "--conf", paramLabel = "FILE", defaultValue = "conf/tickscan.json",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path conf;

    @Override
    public Integer call() throws Exception {
        NodeConfig config;
        Vertx loader = Vertx.vertx();
        try {
            config = NodeConfigLoader.load(loader, conf).await();
        } catch (NodeConfigLoader.ConfigException e) {
            System.err.println("tickscan run: " + conf + ": " + e.getMessage());
            return 1;
        } finally {
            loader.close().await();
        }
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        try {
            node.start().await();
        } catch (Exception e) {
            System.err.println("tickscan run: the node did not start: " + e.getMessage());
            node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("tickscan run: stopping: " + e.getMessage());
            }
        }, "tickscan-shutdown"));
        return RUNNING;
    }
}
