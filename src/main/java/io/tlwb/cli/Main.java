package io.tlwb.cli;

import io.tlwb.WorkbenchException;
import java.io.PrintWriter;
import picocli.CommandLine;
import io.tlwb.engine.FrozenBase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code tlwb} command line: one subcommand per step of the transfer-learning workflow. */
@Command(name = "tlwb",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Transfer learning on a folder of images with a frozen MobileNetV2 in DL4J.",
        subcommands = {
                WeightsCommand.class,
                InspectCommand.class,
                TrainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                BenchCommand.class,
                SearchCommand.class,
                UiCommand.class,
        })
public final class Main {

    @Spec
    CommandSpec spec;

    @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Threads the engine runs the frozen base on. Default: OMP_NUM_THREADS when set, else every "
                    + "core.")
    void threads(int count) {
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + count);
        }
        FrozenBase.useThreads(count);
    }

    /** Exit code for a problem the user can fix (bad data, missing file, failed download). */
    public static final int EXIT_USER_ERROR = 3;
    /** Exit code for a check that ran and failed (e.g. {@code weights verify}). */
    public static final int EXIT_CHECK_FAILED = 4;

    public static void main(String[] args) {
        int code = commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args);
        System.exit(code);
    }

    /** A configured command line whose output goes to {@code out}/{@code err}, so tests can read it. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof WorkbenchException) {
                e.println("error: " + ex.getMessage());
                return EXIT_USER_ERROR;
            }
            e.println("internal error: " + ex);
            ex.printStackTrace(e);
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }
}
