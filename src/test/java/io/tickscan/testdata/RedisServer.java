package io.tickscan.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's, {@code apt-get install redis-server}) as a child process on a free
 * loopback port, for the {@code *IT} suites: no persistence unless asked ({@link #startPersistent}), stopped and
 * started again on the same port to test reconnection. Fails with what to install when the binary is missing.
 */
public final class RedisServer implements AutoCloseable {
    private static final String BINARY = "/usr/bin/redis-server";
    private final int port;
    private final Path dir;
    private final boolean persistent;
    private Process process;

    private RedisServer(int port, Path dir, boolean persistent) {
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
    }

    /** Starts a server on a free port, with its working directory in {@code dir}; it persists nothing. */
    public static RedisServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, false);
    }

    /**
     * Starts a server on a free port that writes every change to its append-only file in {@code dir} before it
     * answers ({@code appendfsync always}), so that after {@link #stop()} (a kill) it starts again with its data.
     */
    public static RedisServer startPersistent(Path dir) throws IOException, InterruptedException {
        return start(dir, true);
    }

    private static RedisServer start(Path dir, boolean persistent) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install -y redis-server");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer server = new RedisServer(port, dir, persistent);
        server.startAgain();
        return server;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Starts the process (again, after {@link #stop()}) on the same port and waits until it answers PING. */
    public void startAgain() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY, "--port", String.valueOf(port), "--bind",
                "127.0.0.1", "--save", "", "--dir", dir.toString()));
        command.addAll(persistent ? List.of("--appendonly", "yes", "--appendfsync", "always")
                : List.of("--appendonly", "no"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (ping()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: see " + dir.resolve("redis-" + port + ".log"));
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s");
    }

    /** Kills the process (as a crash would) and waits for it to end. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private boolean ping() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
