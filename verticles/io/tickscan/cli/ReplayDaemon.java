package io.tickscan.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/**
 * Runs {@code replay} command lines sent by {@code bin/tickscan} in this JVM, which stays warm between them: a
 * trader who replays a file again and again pays the JVM's start and the compiler's warm-up once, not every time.
 *
 * <p>It listens on 127.0.0.1 at a port of the system's choosing and writes {@code PORT TOKEN PID} to its state
 * file, readable by its owner alone; a connection that does not open with that random token is closed unread.
 * Every connection opens with {@code tickscan-replay-1 NUL TOKEN NUL KIND NUL NONCE NUL}:
 * <ul>
 *   <li>{@code run}: then {@code JAVA NUL DIRECTORY NUL ARGC NUL} and the arguments, each followed by NUL (the java
 *       command the client would have run, which must be this JVM's; the client's working directory, which
 *       resolves relative file names). Answered with the line {@code a} once it runs, then one line
 *       {@code e TEXT} per line of standard error, and {@code o TEXT} per line of standard output when the
 *       nonce is {@code -}, then {@code x CODE}, the exit code;</li>
 *   <li>{@code out}, with the nonce of a {@code run} connection: that replay's standard output, sent back as raw
 *       bytes (faster for a client to copy than lines) and closed before its exit code is sent.</li>
 * </ul>
 * A request it does not answer with {@code a} (a daemon whose jar has changed answers none) has not run; its client
 * may run it elsewhere. Only {@code replay} is served. Replays sent at the same time run at the same time, each on a thread of its own.
 */
final class ReplayDaemon implements Closeable {
    static final String MAGIC = "tickscan-replay-1";
    /** The nonce of a replay whose standard output comes back as lines on its own connection. */
    static final String LINES = "-";
    private static final int MAX_FIELD_BYTES = 1 << 16;
    private static final int MAX_ARGS = 1024;
    private static final int HEADER_TIMEOUT_MS = 10_000;
    private static final long PAIRING_TIMEOUT_MS = 10_000;
    private static final int REHEARSALS = 30;
    private static final long REHEARSAL_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A first replay this long warmed the compiler by itself, and a rehearsal of it would be in the way. */
    private static final long REHEARSE_BELOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerSocket server;
    private final Path stateFile;
    private final String state;
    private final byte[] token;
    private final BooleanSupplier jarUnchanged;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "replay-daemon-connection");
        thread.setDaemon(true);
        return thread;
    });
    /** Output connections by nonce, until their run connection claims them. */
    private final ConcurrentMap<String, CompletableFuture<Socket>> outputs = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean rehearsed = new AtomicBoolean();
    private volatile long lastUsedNanos = System.nanoTime();

    private ReplayDaemon(ServerSocket server, Path stateFile, String token, BooleanSupplier jarUnchanged) {
        this.server = server;
        this.jarUnchanged = jarUnchanged;
        this.stateFile = stateFile;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.state = server.getLocalPort() + " " + token + " " + ProcessHandle.current().pid() + "\n";
    }

    /**
     * Listens, then writes the state file (under a name of its own, then renamed, so that a client never reads a
     * half-written one).
     *
     * @param jarUnchanged whether the jar it runs from is still the one it started from: when not, it answers no
     *                     more replays (its client starts a new daemon)
     */
    static ReplayDaemon start(Path stateFile, BooleanSupplier jarUnchanged) throws IOException {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ReplayDaemon daemon = new ReplayDaemon(server, stateFile.toAbsolutePath().normalize(), HexFormat.of().formatHex(secret),
                jarUnchanged);
        try {
            Path partial = daemon.stateFile.resolveSibling(daemon.stateFile.getFileName() + "." + ProcessHandle.current()
                    .pid());
            Files.deleteIfExists(partial);
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(partial, daemon.state);
            Files.move(partial, daemon.stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return daemon;
    }

    /** The port it listens on. */
    int port() {
        return server.getLocalPort();
    }

    /** Accepts connections until {@link #close}, then waits for the replays under way to end. */
    void serve() throws InterruptedException {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends; otherwise a failed accept costs nothing but that connection
            }
            connections.execute(() -> handle(socket));
        }
        connections.shutdown();
        connections.awaitTermination(1, TimeUnit.DAYS);
    }

    /** Whether no replay runs and none has ended for {@code minutes}. */
    boolean idleFor(long minutes) {
        return running.get() == 0 && System.nanoTime() - lastUsedNanos > TimeUnit.MINUTES.toNanos(minutes);
    }

    /** Whether the state file still names this daemon (a newer one replaced it, or it was deleted, when not). */
    boolean stateFileNamesThis() {
        try {
            return Files.readString(stateFile).equals(state);
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops listening and removes the state file if it still names this daemon; running replays finish. */
    @Override
    public void close() throws IOException {
        if (stateFileNamesThis()) {
            Files.deleteIfExists(stateFile);
        }
        server.close();
    }

    private void handle(Socket socket) {
        try {
            socket.setSoTimeout(HEADER_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (!MAGIC.equals(field(in))
                    || !MessageDigest.isEqual(token, field(in).getBytes(StandardCharsets.US_ASCII))) {
                socket.close();
                return;
            }
            String kind = field(in);
            String nonce = field(in);
            switch (kind) {
                case "out" -> offerOutput(nonce, socket);
                case "run" -> run(socket, in, nonce);
                default -> socket.close();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
        }
    }

    /** Holds an output connection for its run connection, and closes it if none claims it in time. */
    private void offerOutput(String nonce, Socket socket) {
        CompletableFuture<Socket> slot = outputs.computeIfAbsent(nonce, n -> new CompletableFuture<>());
        if (!slot.complete(socket)) {
            closeQuietly(socket); // a second output connection with the same nonce
            return;
        }
        CompletableFuture.delayedExecutor(PAIRING_TIMEOUT_MS, TimeUnit.MILLISECONDS).execute(() -> {
            if (outputs.remove(nonce, slot)) {
                closeQuietly(socket);
            }
        });
    }

    private void run(Socket control, InputStream in, String nonce) throws IOException {
        Path java = Path.of(field(in));
        Path directory = Path.of(field(in));
        int argc = Integer.parseInt(field(in));
        if (!directory.isAbsolute() || argc < 0 || argc > MAX_ARGS || !jarUnchanged.getAsBoolean()
                || !isThisJvm(java)) {
            control.close();
            return;
        }
        String[] args = new String[argc];
        for (int i = 0; i < argc; i++) {
            args[i] = field(in);
        }
        Socket output = nonce.equals(LINES) ? null : claimOutput(nonce);
        if (output == null && !nonce.equals(LINES)) {
            control.close();
            return;
        }
        running.incrementAndGet();
        boolean firstToRehearse = false;
        try (control; Closeable outputClosed = output == null ? () -> { } : output) {
            OutputStream answer = control.getOutputStream();
            answer.write("a\n".getBytes(StandardCharsets.US_ASCII));
            answer.flush();
            PrintStream stderr = new PrintStream(new Lines('e', answer), true, StandardCharsets.UTF_8);
            OutputStream stdout = output == null ? new Lines('o', answer)
                    : new BufferedOutputStream(output.getOutputStream(), 1 << 16);
            long started = System.nanoTime();
            int code = execute(directory, args, stdout, stderr, false);
            boolean rehearse = code == 0 && System.nanoTime() - started < REHEARSE_BELOW_NANOS;
            stdout.close();
            stderr.close();
            outputClosed.close();
            answer.write(("x " + code + "\n").getBytes(StandardCharsets.US_ASCII));
            answer.flush();
            firstToRehearse = rehearse && !rehearsed.getAndSet(true);
        } catch (SocketException e) {
            // the client went away (interrupted): nothing is left to tell it
        } finally {
            running.decrementAndGet();
            lastUsedNanos = System.nanoTime();
        }
        if (firstToRehearse) {
            connections.execute(() -> rehearse(directory, args));
        }
    }

    /** The output connection offered with {@code nonce}, or null when none comes in time. */
    private Socket claimOutput(String nonce) {
        CompletableFuture<Socket> slot = outputs.computeIfAbsent(nonce, n -> new CompletableFuture<>());
        try {
            return slot.get(PAIRING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } finally {
            outputs.remove(nonce, slot);
        }
    }

    /** Whether {@code java} is this JVM's launcher (a daemon answers only for the JDK it runs on). */
    private static boolean isThisJvm(Path java) {
        try {
            return java.toRealPath().equals(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Replays the daemon's first replay again, its output discarded, while no other runs: the compiler learns on
     * the work this daemon is for, so that the next replays run compiled code (in one JVM a 400,000-tick replay
     * takes about 20 rounds to reach its compiled speed, twice that of its first rounds). Only a first replay that
     * took less than {@link #REHEARSE_BELOW_NANOS} is rehearsed (a longer one warmed the compiler by itself), at
     * most {@link #REHEARSALS} times and for {@link #REHEARSAL_NANOS}, and the rehearsal stops before its next
     * round when a replay comes.
     */
    private void rehearse(Path directory, String[] args) {
        long deadline = System.nanoTime() + REHEARSAL_NANOS;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        for (int i = 0; i < REHEARSALS && running.get() == 0 && System.nanoTime() < deadline; i++) {
            execute(directory, args, OutputStream.nullOutputStream(), discard, true);
        }
    }

    /** Runs one {@code replay} command line as the process {@code tickscan} would; returns its exit code. */
    static int execute(Path directory, String[] args, OutputStream stdout, PrintStream stderr, boolean rehearsal) {
        if (args.length == 0 || !args[0].equals("replay")) {
            stderr.println("tickscan " + ReplayDaemonCommand.NAME + ": serves replay alone");
            return 2;
        }
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == ReplayCommand.class ? type.cast(new ReplayCommand(directory, stdout, stderr, rehearsal))
                        : CommandLine.defaultFactory().create(type);
            }
        };
        CommandLine commandLine = TickscanCommand.commandLine(factory);
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(stderr, true));
        return commandLine.execute(args);
    }

    /** One field of a request: UTF-8 up to a NUL. */
    private static String field(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != 0; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the request ended inside a field");
            }
            if (bytes.size() == MAX_FIELD_BYTES) {
                throw new IOException("a field of the request is longer than " + MAX_FIELD_BYTES + " bytes");
            }
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was left to do with it
        }
    }

    /**
     * A stream for the client as lines on the control connection, each sent as {@code TAG TEXT} (a last unfinished
     * one when closed); the connection is shared by the replay's two streams, so a line is sent whole.
     */
    private static final class Lines extends OutputStream {
        private final char tag;
        private final OutputStream control;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Lines(char tag, OutputStream control) {
            this.tag = tag;
            this.control = control;
            begin();
        }

        @Override
        public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                send();
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (line.size() > 2) {
                line.write('\n');
                send();
            }
        }

        private void begin() {
            line.reset();
            line.write(tag);
            line.write(' ');
        }

        private void send() throws IOException {
            synchronized (control) {
                line.writeTo(control);
                control.flush();
            }
            begin();
        }
    }
}
