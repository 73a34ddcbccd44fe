package io.tlwb.testing;

import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.pretrained.WeightSources;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The offline default weights ({@code npm:nsfwjs@4.4.0}) come through the npm client. Tests that need them call
 * {@link #assumeFetched} first: where npm cannot have the package (no client, no registry), they are skipped with
 * the reason instead of failing.
 */
public final class OfflineWeights {

    /** Workspace folder to the fetch error, or to null once fetched. */
    private static final Map<Path, String> FETCHED = new HashMap<>();

    private OfflineWeights() {
    }

    /** Fetches {@code spec} into {@code workspace}'s weights cache once per test JVM, or skips the calling test. */
    public static synchronized void assumeFetched(String spec, Workspace workspace) {
        Path key = workspace.modelsDir().toAbsolutePath().normalize().resolve(spec);
        String failure = FETCHED.computeIfAbsent(key, k -> {
            try {
                WeightSources.parse(spec).fetch(workspace);
                return "";
            } catch (WorkbenchException e) {
                if (!unreachable(e.getMessage())) {
                    throw e; // a conversion or import failure is a bug to report, not a reason to skip
                }
                return e.getMessage();
            }
        });
        Assumptions.assumeTrue(failure.isEmpty(), () -> "skipped: " + spec + " cannot be had here (" + failure + ")");
    }

    /** The npm client is missing, or could not get the package (registry, network, timeout). */
    private static boolean unreachable(String message) {
        return message.startsWith("cannot run the npm client") || message.startsWith("npm pack ");
    }

    /** {@link #assumeFetched(String, Workspace)} for the default offline weights. */
    public static void assumeFetched(Workspace workspace) {
        assumeFetched(WeightSources.NSFWJS_SPEC, workspace);
    }
}
