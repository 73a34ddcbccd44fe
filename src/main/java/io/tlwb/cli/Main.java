package io.tlwb.cli;

import io.tlwb.Named;
import io.tlwb.WorkbenchException;
import io.tlwb.data.Augmentation;
import io.tlwb.engine.FrozenBase;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.Updater;
import io.tlwb.train.ClassWeighting;
import io.tlwb.tune.ScoreMetric;
import io.tlwb.tune.SearchStrategy;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The {@code tlwb} command line: one subcommand per step of the transfer-learning workflow. */
@Command(name = "tlwb",
        scope = ScopeType.INHERIT, // every subcommand gets --help and --version, working alone
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Transfer learning on a folder of images with a frozen MobileNetV2 in DL4J.",
        subcommands = {
                WeightsCommand.class,
                InspectCommand.class,
                TrainCommand.class,
                FeaturizeCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                BenchCommand.class,
                SearchCommand.class,
                UiCommand.class,
                ServeCommand.class,
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
        registerNamed(cli, TestTimeAugmentation.class, "test-time augmentation");
        registerNamed(cli, Augmentation.class, "augmentation");
        registerNamed(cli, Updater.class, "updater");
        registerNamed(cli, SearchStrategy.class, "search strategy");
        registerNamed(cli, ScoreMetric.class, "score");
        registerNamed(cli, ClassWeighting.class, "class weighting");
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

    /** Enum options spelled as users write them ({@code flip-rotate}), with the allowed names in the error. */
    private static <E extends Enum<E> & Named> void registerNamed(CommandLine cli, Class<E> type, String what) {
        cli.registerConverter(type, value -> Named.parse(type, value, what));
    }
}
