package io.tlwb.pipeline;

import io.tlwb.WorkbenchException;
import io.tlwb.Workspace;
import io.tlwb.model.TestTimeAugmentation;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The jobs a cluster can run instead of this machine (featurizing into a feature store, predicting for
 * {@code evaluate}), found at run time: the Spark one is built only with {@code -Pspark} (it adds 231 MB to the
 * classpath), and registers itself as a {@link java.util.ServiceLoader} provider.
 */
public final class Clusters {

    /** A cluster's jobs, named by the option that selects it. */
    public interface Provider {
        /** The command-line option that selects it, e.g. {@code --spark}. */
        String option();

        /**
         * @param master where the cluster is, as its option was given (for Spark: {@code local[*]},
         *               {@code local-cluster[2,1,1024]}, {@code spark://host:7077}, {@code yarn}, ...)
         * @param store  where features persist (a path or Hadoop filesystem URI), or null to keep them in the
         *               workspace's feature cache
         */
        FeatureStore connect(String master, String store, Workspace workspace, PrintWriter out, PrintStream progress);

        /**
         * Every image's class probabilities from the saved model at {@code model}, in the order of {@code images},
         * computed on the cluster's executors exactly as {@code predict} computes them here; null for a file that is
         * no usable image.
         */
        List<float[]> predict(String master, Path model, TestTimeAugmentation tta, List<Path> images,
                              PrintWriter out);
    }

    private Clusters() {
    }

    /**
     * The store {@code option} selects, connected to {@code master}, keeping features at {@code store} (or null: in the
     * workspace's cache).
     *
     * @throws WorkbenchException saying how to build with it when this build does not have it
     */
    public static FeatureStore connect(String option, String master, String store, Workspace workspace,
                                       PrintWriter out, PrintStream progress) {
        Provider provider = provider(option);
        try {
            return provider.connect(master, store, workspace, out, progress);
        } catch (NoClassDefFoundError registeredButMissing) {
            throw missingBuild(option);
        }
    }

    /**
     * {@link Provider#predict} on the cluster {@code option} selects.
     *
     * @throws WorkbenchException saying how to build with it when this build does not have it
     */
    public static List<float[]> predict(String option, String master, Path model, TestTimeAugmentation tta,
                                        List<Path> images, PrintWriter out) {
        Provider provider = provider(option);
        try {
            return provider.predict(master, model, tta, images, out);
        } catch (NoClassDefFoundError registeredButMissing) {
            throw missingBuild(option);
        }
    }

    private static Provider provider(String option) {
        try {
            for (Provider provider : ServiceLoader.load(Provider.class)) {
                if (provider.option().equals(option)) {
                    return provider;
                }
            }
        } catch (ServiceConfigurationError | NoClassDefFoundError registeredButMissing) {
            // a provider listed by an earlier -Pspark build whose classes or jars this classpath lacks
        }
        throw missingBuild(option);
    }

    private static WorkbenchException missingBuild(String option) {
        return new WorkbenchException(option + " needs the Spark build, which this one is not: run with "
                + "mvn -Pspark -q compile exec:java -Dexec.args=\"...\" (see the README's Spark section)");
    }
}
