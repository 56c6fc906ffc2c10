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

/**
 * {@code tickscan run}: starts a node and keeps it running until SIGTERM or Ctrl-C, which stop it cleanly and end
 * the process with exit code 0 (1 if the stop fails). A configuration that cannot be used, or a node that does
 * not start, ends it with exit code 1 and the reason; wrong arguments with exit code 2.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Starts a tickscan node: sources, routing, scanners, HTTP API and metrics, clustered with "
                + "the other nodes of its cluster.",
            "The defaults are inside the jar (conf/tickscan.json is a copy of them); --conf FILE changes the keys it "
                + "holds, and an environment variable TICKSCAN_<PATH> overrides one key, for example "
                + "TICKSCAN_HTTP_PORT=9090 for http.port.",
            "Stops gracefully on SIGTERM or Ctrl-C (exit code 0): sources stop and flush, the scan in progress "
                + "finishes, the node leaves the cluster.",
            "Exit code 1 when the configuration cannot be used or the node does not start, 2 on bad arguments."})
public final class RunCommand implements Callable<Integer> {
    /** The exit code that tells {@link TickscanCommand#main} to leave the JVM running. */
    static final int RUNNING = -1;
    private static final long STOP_TIMEOUT_SECONDS = 30;

    @Option(names = "--conf", paramLabel = "FILE",
            description = "JSON file of the settings to change (default: none, the jar's defaults).")
    Path conf;

    @Override
    public Integer call() throws Exception {
        NodeConfig config;
        Vertx loader = Vertx.vertx();
        try {
            config = NodeConfigLoader.load(loader, conf).await();
        } catch (NodeConfigLoader.ConfigException e) {
            System.err.println("tickscan run: " + e.getMessage());
            return 1;
        } finally {
            loader.close().await();
        }
        TickscanNode node = new TickscanNode(config, System::currentTimeMillis);
        try {
            node.start().await();
        } catch (NodeConfigLoader.ConfigException e) {
            System.err.println("tickscan run: " + e.getMessage());
            node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return 1;
        } catch (Exception e) {
            System.err.println("tickscan run: the node did not start: " + e.getMessage());
            node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node), "tickscan-shutdown"));
        return RUNNING;
    }

    /**
     * Stops the node, then ends the JVM with 0 (1 if the stop failed) instead of the 143 or 130 a JVM ended by
     * SIGTERM or SIGINT exits with: {@code halt} because the JVM is already shutting down, and the node, the only
     * thing left to finish, has.
     */
    private static void stop(TickscanNode node) {
        int code = 0;
        try {
            node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("tickscan run: stopping: " + e.getMessage());
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
