package io.tickscan.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one entry point of {@code tickscan.jar}: {@code run} a node, {@code replay} a file, and {@code replay-daemon},
 * which {@code bin/tickscan} starts to run replays in a warm JVM.
 */
@Command(name = "tickscan", mixinStandardHelpOptions = true, versionProvider = TickscanCommand.Version.class,
        description = "A clustered real-time market scanner.",
        subcommands = {RunCommand.class, ReplayCommand.class, ReplayDaemonCommand.class,
            CommandLine.HelpCommand.class})
public final class TickscanCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its code, unless it started a node that keeps running. */
    public static void main(String[] args) {
        System.setProperty("hazelcast.logging.type", "slf4j");
        if (args.length > 0 && (args[0].equals("replay") || args[0].equals(ReplayDaemonCommand.NAME))) {
            ReplayCommand.prepare();
        }
        int code = commandLine().execute(args);
        if (code != RunCommand.RUNNING) {
            System.exit(code);
        }
    }

    /**
     * The configured command line, for {@link #main} and tests: an argument error prints the error and a hint to
     * {@code --help} (not the whole usage) and gives exit code 2.
     */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /** The configured command line, its commands made by {@code factory}. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        return new CommandLine(new TickscanCommand(), factory).setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(TickscanCommand::argumentError);
    }

    /** {@code tickscan replay: Missing required option: '--ticks=FILE'}, then {@code Try 'tickscan replay --help'.} */
    private static int argumentError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help'.");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TickscanCommand.class.getPackage().getImplementationVersion();
            return new String[] {"tickscan " + (version == null ? "(development build)" : version)};
        }
    }
}
