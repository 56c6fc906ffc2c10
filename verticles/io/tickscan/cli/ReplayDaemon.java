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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
 * <p>It listens on 127.0.0.1 at a port of the system's choosing and writes {@code PORT TOKEN PID ANSWER} to its
 * state file, readable by its owner alone. A client proves it read the file with {@code TOKEN}; a connection that
 * does not is closed unread. The daemon proves it is the one the file names with {@code ANSWER}: whatever else
 * listens on that port later cannot pass for it. Every connection opens with
 * {@code tickscan-replay-1 NUL TOKEN NUL KIND NUL NONCE NUL}:
 * <ul>
 *   <li>{@code run}: then {@code UMASK NUL} (the client's, which the permissions of an {@code --out} file the
 *       replay creates follow), answered at once with the line {@code p ANSWER}, before the client sends anything
 *       more; then {@code JAVA NUL DIRECTORY NUL ARGC NUL} and the arguments, each followed by NUL (the java command
 *       the client would have run, which must be the one this daemon was started for; the client's working
 *       directory, which relative file names are read from). Answered with the line {@code a} once it runs, then one line {@code e TEXT} per
 *       line of standard error, {@code o TEXT} per line of standard output when the nonce is {@code -}, {@code c}
 *       once the replay's output is complete (the output connection closed), then {@code x CODE}, the exit code;
 *       or refused with {@code s} (its jar changed: the client starts a new daemon) or {@code n} (a request it
 *       does not serve: the client runs the replay itself). When the client closes the connection before the
 *       exit code (Ctrl-C), the replay is stopped.</li>
 *   <li>{@code out}, with the nonce of a {@code run} connection: that replay's standard output, sent back as raw
 *       bytes (faster for a client to copy than lines) and closed before its exit code is sent.</li>
 * </ul>
 * A request it does not answer with {@code a} has not run; its client may run it elsewhere. Only {@code replay} is
 * served. Replays sent at the same time run at the same time, each on a
 * thread of its own; at most {@link #MAX_UNPROVEN} connections at a time are still to show the token, each for
 * {@link #HEADER_MILLIS} at the most.
 */
final class ReplayDaemon implements Closeable {
    static final String MAGIC = "tickscan-replay-1";
    /** The nonce of a replay whose standard output comes back as lines on its own connection. */
    static final String LINES = "-";
    private static final int MAX_UNPROVEN = 64;
    private static final int MAX_FIELD_BYTES = 1 << 16;
    private static final int MAX_ARGS = 1024;
    private static final long HEADER_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MS = 1_000;
    private static final long PAIRING_TIMEOUT_MS = 10_000;
    private static final int REHEARSALS = 30;
    private static final long REHEARSAL_NANOS = TimeUnit.SECONDS.toNanos(15);
    /** A first replay this long warmed the compiler by itself, and a rehearsal of it would be in the way. */
    private static final long REHEARSE_BELOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerSocket server;
    private final Path stateFile;
    private final String state;
    private final byte[] token;
    private final String answer;
    private final String java;
    private final BooleanSupplier jarUnchanged;
    private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "replay-daemon-connection");
        thread.setDaemon(true);
        return thread;
    });
    private final Semaphore unproven = new Semaphore(MAX_UNPROVEN);
    /** Output connections by nonce, until their run connection claims them. */
    private final ConcurrentMap<String, CompletableFuture<Socket>> outputs = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean rehearsed = new AtomicBoolean();
    private volatile long lastUsedNanos = System.nanoTime();

    private ReplayDaemon(ServerSocket server, Path stateFile, String java, BooleanSupplier jarUnchanged) {
        HexFormat hex = HexFormat.of();
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String tokenText = hex.formatHex(secret);
        random.nextBytes(secret);
        this.server = server;
        this.stateFile = stateFile;
        this.token = tokenText.getBytes(StandardCharsets.US_ASCII);
        this.answer = hex.formatHex(secret);
        this.java = java;
        this.jarUnchanged = jarUnchanged;
        this.state = server.getLocalPort() + " " + tokenText + " " + ProcessHandle.current().pid() + " " + answer
                + "\n";
    }

    /**
     * Listens, then writes the state file (under a name of its own, then renamed, so that a client never reads a
     * half-written one).
     *
     * @param java         the java command this daemon answers for, as its clients name it
     * @param jarUnchanged whether the jar it runs from is still the one it started from: when not, it answers no
     *                     more replays (its client starts a new daemon)
     */
    static ReplayDaemon start(Path stateFile, String java, BooleanSupplier jarUnchanged) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ReplayDaemon daemon = new ReplayDaemon(server, stateFile.toAbsolutePath().normalize(), java, jarUnchanged);
        try {
            Path partial = daemon.stateFile.resolveSibling(daemon.stateFile.getFileName() + "."
                    + ProcessHandle.current().pid());
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
            if (unproven.tryAcquire()) {
                connections.execute(() -> handle(socket));
            } else {
                closeQuietly(socket); // too many connections still to show the token
            }
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
        boolean proven = false;
        try {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEADER_MILLIS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (!MAGIC.equals(field(in, MAGIC.length(), deadline))
                    || !MessageDigest.isEqual(token, field(in, token.length, deadline)
                    .getBytes(StandardCharsets.US_ASCII))) {
                socket.close();
                return;
            }
            proven = true;
            unproven.release();
            String kind = field(in, MAX_FIELD_BYTES, deadline);
            String nonce = field(in, MAX_FIELD_BYTES, deadline);
            switch (kind) {
                case "out" -> offerOutput(nonce, socket);
                case "run" -> {
                    Set<PosixFilePermission> newFileMode = newFileMode(field(in, MAX_FIELD_BYTES, deadline));
                    answer(socket, "p " + answer);
                    run(socket, in, nonce, newFileMode, deadline);
                }
                default -> socket.close();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
        } finally {
            if (!proven) {
                unproven.release();
            }
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

    private void run(Socket control, InputStream in, String nonce, Set<PosixFilePermission> newFileMode,
                     long deadline) throws IOException {
        if (!jarUnchanged.getAsBoolean()) {
            refuse(control, "s");
            return;
        }
        String client = field(in, MAX_FIELD_BYTES, deadline);
        Path directory = Path.of(field(in, MAX_FIELD_BYTES, deadline));
        int argc = Integer.parseInt(field(in, MAX_FIELD_BYTES, deadline));
        if (!directory.isAbsolute() || argc < 0 || argc > MAX_ARGS || !client.equals(java)) {
            refuse(control, "n");
            return;
        }
        String[] args = new String[argc];
        for (int i = 0; i < argc; i++) {
            args[i] = field(in, MAX_FIELD_BYTES, deadline);
        }
        Socket output = nonce.equals(LINES) ? null : claimOutput(nonce);
        if (output == null && !nonce.equals(LINES)) {
            refuse(control, "n");
            return;
        }
        try {
            directory = directory.toRealPath(); // as the jar's own working directory is named in its messages
        } catch (IOException e) {
            refuse(control, "n");
            return;
        }
        running.incrementAndGet();
        ReplayCommand[] command = new ReplayCommand[1];
        long started = System.nanoTime();
        int code;
        try (control; Closeable outputClosed = output == null ? () -> { } : output) {
            control.setSoTimeout(0);
            OutputStream answers = control.getOutputStream();
            answer(answers, "a");
            // like System.out and System.err, these streams swallow write failures: a closed standard output
            // (| head) does not stop the replay, as it does not stop one run by the jar
            PrintStream stderr = new PrintStream(new Lines('e', answers), true, StandardCharsets.UTF_8);
            PrintStream stdout = new PrintStream(output == null ? new Lines('o', answers)
                    : new BufferedOutputStream(output.getOutputStream(), 1 << 16), false, StandardCharsets.UTF_8);
            Runnable outputDone = () -> {
                stdout.flush();
                try {
                    outputClosed.close();
                    answer(answers, "c");
                } catch (IOException e) {
                    // the client went away: its control connection's end stops the replay
                }
            };
            try (Interruption interruption = new Interruption(control)) {
                code = execute(new ReplayCommand.Caller(directory, stdout, stderr, newFileMode, outputDone), args,
                        false, command);
            }
            stdout.close();
            stderr.close();
            outputClosed.close();
            answer(answers, "x " + code);
        } catch (IOException e) {
            return; // the client went away: nothing is left to tell it
        } finally {
            running.decrementAndGet();
            lastUsedNanos = System.nanoTime();
        }
        if (code == 0 && command[0] != null && command[0].replayed()
                && System.nanoTime() - started < REHEARSE_BELOW_NANOS && !rehearsed.getAndSet(true)) {
            Path from = directory;
            daemonThread("replay-daemon-rehearsal", () -> rehearse(from, args));
        }
    }

    /** Sends one line on a control connection. */
    private static void answer(Socket control, String line) throws IOException {
        answer(control.getOutputStream(), line);
    }

    /** Sends one line on a control connection's stream, which the replay's {@link Lines} share. */
    private static void answer(OutputStream out, String line) throws IOException {
        synchronized (out) {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /**
     * Refuses a request with {@code line} ({@link ReplayDaemon}: {@code s} or {@code n}), then reads what the client
     * sent on until it closes the connection (a connection closed with its input unread is reset, and the reset may
     * reach the client before the line does).
     */
    private static void refuse(Socket control, String line) throws IOException {
        try (control) {
            answer(control, line);
            control.shutdownOutput();
            InputStream in = control.getInputStream();
            byte[] rest = new byte[8192];
            while (in.read(rest) >= 0) {
                // the request's rest, unread
            }
        }
    }

    private static void daemonThread(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
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

    /** The permissions {@code umask} (octal, as the shell's {@code umask} prints it) leaves of {@code rw-rw-rw-}. */
    private static Set<PosixFilePermission> newFileMode(String umask) {
        int mask = Integer.parseInt(umask.strip(), 8);
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE};
        int[] values = {0400, 0200, 040, 020, 04, 02};
        for (int i = 0; i < bits.length; i++) {
            if ((mask & values[i]) == 0) {
                mode.add(bits[i]);
            }
        }
        return mode;
    }

    /**
     * Replays the daemon's first replay again, its output discarded, while no other runs: the compiler learns on
     * the work this daemon is for, so that the next replays run compiled code (in one JVM a 400,000-tick replay
     * takes 20 to 30 rounds to reach its compiled speed, in steps, twice that of its first rounds). Only a first
     * replay that took less than {@link #REHEARSE_BELOW_NANOS} is rehearsed (a longer one warmed the compiler by
     * itself), {@link #REHEARSALS} times at most and for {@link #REHEARSAL_NANOS}; it stops before its next round
     * when a replay comes, and when a round fails (its files changed).
     */
    private void rehearse(Path directory, String[] args) {
        long deadline = System.nanoTime() + REHEARSAL_NANOS;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        ReplayCommand.Caller nowhere = new ReplayCommand.Caller(directory, discard, discard, null, () -> { });
        int code = 0;
        for (int i = 0; i < REHEARSALS && code == 0 && running.get() == 0 && System.nanoTime() < deadline; i++) {
            code = execute(nowhere, args, true, new ReplayCommand[1]);
        }
    }

    /**
     * Runs one {@code replay} command line as the process {@code tickscan} would; returns its exit code.
     *
     * @param made receives the command made to run it
     */
    static int execute(ReplayCommand.Caller caller, String[] args, boolean rehearsal, ReplayCommand[] made) {
        if (args.length == 0 || !args[0].equals("replay")) {
            caller.stderr().println("tickscan " + ReplayDaemonCommand.NAME + ": serves replay alone");
            return 2;
        }
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == ReplayCommand.class) {
                    made[0] = new ReplayCommand(caller, rehearsal);
                    return type.cast(made[0]);
                }
                return CommandLine.defaultFactory().create(type);
            }
        };
        CommandLine commandLine = TickscanCommand.commandLine(factory);
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(caller.stdout(), StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(caller.stderr(), true));
        return commandLine.execute(args);
    }

    /** One field of a request: UTF-8 up to a NUL, at most {@code max} bytes, read before {@code deadline}. */
    private static String field(InputStream in, int max, long deadline) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != 0; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the request ended inside a field");
            }
            if (bytes.size() == max || System.nanoTime() > deadline) {
                throw new IOException("a field of the request is too long or too slow");
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
     * While open, interrupts the thread that opened it when the client closes its control connection (Ctrl-C): the
     * replay stops at its next chunk of ticks, as a replay run by the jar stops with its process.
     */
    private final class Interruption implements AutoCloseable {
        private final Thread replaying = Thread.currentThread();
        private boolean open = true;

        Interruption(Socket control) throws IOException {
            InputStream in = control.getInputStream();
            // a thread of its own: the pool of connections may be shut down (the daemon stopping) while a replay runs
            daemonThread("replay-daemon-watch", () -> {
                try {
                    while (in.read() >= 0) {
                        // the client sends nothing more; reading waits for it to close
                    }
                } catch (IOException e) {
                    // closed: by the client, or by this daemon once the replay ended
                }
                interrupt();
            });
        }

        private synchronized void interrupt() {
            if (open) {
                replaying.interrupt();
            }
        }

        @Override
        public synchronized void close() {
            open = false;
            Thread.interrupted(); // an interruption that came as the replay ended is not the next task's
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
